//! manifest.json: what generated the folder, from which model, with which options, and the
//! SHA-256 of every file (no timestamps, so it is reproducible).

use super::OutFile;
use crate::passes::hash::hex;
use crate::passes::HwPlan;
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Serialize)]
struct FileEntry<'a> {
    name: &'a str,
    sha256: String,
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    model: &'a str,
    model_sha256: &'a str,
    frozen_sha256: &'a str,
    top: String,
    frozen_bn: String,
    pipeline_every: u32,
    depth_slack: u32,
    target_mhz: f64,
    timing_model: &'static str,
    input: [usize; 3],
    output: [usize; 3],
    regmap_addr_bits: u32,
    files: Vec<FileEntry<'a>>,
}

pub fn render(plan: &HwPlan, files: &[OutFile]) -> anyhow::Result<OutFile> {
    let m = Manifest {
        tool: "semifreddo",
        version: env!("CARGO_PKG_VERSION"),
        model: &plan.model_name,
        model_sha256: &plan.model_hash,
        frozen_sha256: &plan.frozen_hash,
        top: plan.top(),
        frozen_bn: format!("{:?}", plan.frozen_bn).to_lowercase(),
        pipeline_every: plan.options.pipeline_every,
        depth_slack: plan.options.depth_slack,
        target_mhz: plan.timing.target_mhz,
        timing_model: plan.timing.timing_model.name(),
        input: [plan.input.h, plan.input.w, plan.in_channels],
        output: [plan.out_size().h, plan.out_size().w, plan.out_channels()],
        regmap_addr_bits: plan.regmap.addr_bits,
        files: files
            .iter()
            .map(|f| FileEntry {
                name: &f.name,
                sha256: hex(&Sha256::digest(f.contents.as_bytes())),
            })
            .collect(),
    };
    Ok(OutFile {
        name: "manifest.json".to_string(),
        contents: serde_json::to_string_pretty(&m)? + "\n",
    })
}
