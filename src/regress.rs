//! The regression matrix (`semifreddo regress`): models (presets and seeded random
//! topologies), each generated and built once, then co-simulated with random valid/ready
//! gaps under its own parameters and under several random run-time programs (repeat passes,
//! PWL segments, alphas, core shuffle) loaded over AXI4-Lite into the same build. Every
//! output value of every stream and head is compared with the golden model.

use crate::model::{presets, Model};
use crate::modelgen::random;
use crate::verify::{self, VerifyOptions, VerifyReport};
use anyhow::{bail, Result};
use std::fmt::Write;
use std::path::PathBuf;

/// Which models and how hard.
#[derive(Debug, Clone)]
pub struct RegressOptions {
    /// Presets by name (`tiny`, `qvga`, ...), each with init seed 1.
    pub presets: Vec<String>,
    /// Seeds of random topologies (`random::random_model`).
    pub seeds: Vec<u64>,
    /// Random run-time programs per model, besides the model's own parameters.
    pub programs: usize,
    pub frames: usize,
    pub p_gap: f64,
    pub p_stall: f64,
    pub cache_dir: PathBuf,
}

/// One co-simulation of the matrix.
#[derive(Debug, Clone)]
pub struct RegressRun {
    pub model: String,
    pub shape: String,
    /// `own` or `program {seed}`.
    pub program: String,
    pub report: VerifyReport,
}

/// The models of the matrix, in order.
pub fn models(opts: &RegressOptions) -> Result<Vec<Model>> {
    let mut v = Vec::new();
    for name in &opts.presets {
        let Some(p) = presets::preset(name) else {
            bail!(
                "unknown preset `{name}`: expected one of {}",
                presets::NAMES.join(", ")
            );
        };
        v.push(crate::modelgen::init::init(&p, 1));
    }
    v.extend(opts.seeds.iter().map(|&s| random::random_model(s)));
    Ok(v)
}

/// A one-line description of a model's structure.
pub fn shape(m: &Model) -> String {
    let t = &m.manifest.topology;
    let heads: Vec<String> = m
        .manifest
        .heads
        .iter()
        .zip(&m.heads)
        .map(|(h, p)| {
            format!(
                "{}:{}o/{}g{}",
                h.source,
                h.outputs,
                h.groups,
                if p.pool { "/pool" } else { "" }
            )
        })
        .collect();
    let stages: Vec<String> = t
        .stages
        .iter()
        .map(|s| format!("{}s{}+{}", s.channels, s.stride, s.frozen_repeats))
        .collect();
    format!(
        "{}x{}x{} C0={} [{}] T={} R={} K={} bn={:?} heads [{}]",
        m.manifest.input.width,
        m.manifest.input.height,
        m.manifest.input.channels,
        t.stem_channels,
        stages.join(" "),
        t.trainable_cores,
        t.repeat_banks,
        m.manifest.generation.k_max,
        m.manifest.generation.frozen_bn,
        heads.join(" ")
    )
}

/// Runs the matrix, calling `progress` after each run. Errors only for setup problems
/// (tools, models); mismatches are in the returned reports.
pub fn run(
    opts: &RegressOptions,
    mut progress: impl FnMut(&RegressRun),
) -> Result<Vec<RegressRun>> {
    let mut runs = Vec::new();
    for (i, m) in models(opts)?.iter().enumerate() {
        let mut vo = VerifyOptions::new(opts.cache_dir.clone());
        vo.frames = opts.frames;
        vo.p_gap = opts.p_gap;
        vo.p_stall = opts.p_stall;
        let mut programs = vec![("own".to_string(), m.clone())];
        for p in 0..opts.programs as u64 {
            let seed = 1000 * (i as u64 + 1) + p;
            programs.push((format!("program {seed}"), random::reprogram(m, seed)));
        }
        for (j, (name, program)) in programs.iter().enumerate() {
            vo.seed = 17 + j as u64;
            let sim = verify::simulate(m, program, &vo)?;
            let r = RegressRun {
                model: m.manifest.name.clone(),
                shape: shape(m),
                program: name.clone(),
                report: verify::check(program, &sim),
            };
            progress(&r);
            runs.push(r);
        }
    }
    Ok(runs)
}

/// One table row.
pub fn row(r: &RegressRun) -> String {
    let rep = &r.report;
    format!(
        "{:<8} {:<14} {:>8} {:>10} {:>9} {:>8.1}  {}",
        r.model,
        r.program,
        rep.values_compared,
        if rep.passed() {
            "bit-exact"
        } else {
            "MISMATCH"
        },
        rep.cycles_per_frame().map_or("-".to_string(), |c| format!(
            "{:.3}",
            c as f64 / rep.pixels_per_frame as f64
        )),
        rep.build_seconds,
        r.shape
    )
}

/// The table header matching [`row`].
pub fn header() -> String {
    format!(
        "{:<8} {:<14} {:>8} {:>10} {:>9} {:>8}  {}",
        "model", "program", "values", "result", "clk/px", "build s", "shape"
    )
}

/// The summary after the table; failures listed with their first mismatch.
pub fn summary(runs: &[RegressRun]) -> String {
    let mut s = String::new();
    let failed: Vec<&RegressRun> = runs.iter().filter(|r| !r.report.passed()).collect();
    let values: usize = runs.iter().map(|r| r.report.values_compared).sum();
    let _ = writeln!(
        s,
        "{} run(s), {} values compared, {} failed",
        runs.len(),
        values,
        failed.len()
    );
    for r in failed {
        let _ = writeln!(s, "FAILED {} ({}):\n{}", r.model, r.program, r.report);
    }
    s
}
