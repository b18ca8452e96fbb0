//! The cocotb testbench written into `tb/` beside the RTL: a test module for the generated top
//! driven by third-party AXI models (cocotbext-axi), cocotb's Python runner over the filelist,
//! the pinned Python requirements, and `sf_tb.py`, the hand-written readers of the documented
//! formats (configuration image, register map, golden JSON, images), copied verbatim.
//! Everything design-specific (top, ports, image size, heads) comes from the plan; register
//! addresses are read from `regmap.json` at run time, as an integrator's test would.

use super::OutFile;
use crate::passes::HwPlan;
use anyhow::Result;
use askama::Template;

/// Folder of the testbench inside the output.
pub const DIR: &str = "tb";

/// Pinned versions of cocotb, cocotbext-axi and their dependencies.
pub const REQUIREMENTS: &str = include_str!("../../templates/tb/requirements.txt");

/// The model-independent helpers, copied verbatim.
const SF_TB: &str = include_str!("../../templates/tb/sf_tb.py");

/// One head as the test sees it (SPEC §4: one int16 per beat, outputs in order).
struct HeadView {
    name: String,
    port: String,
    source: String,
    outputs: usize,
    /// Python literal `True` / `False`.
    pooled: &'static str,
    rows: usize,
    cols: usize,
}

#[derive(Template)]
#[template(path = "tb/test_top.py", escape = "none")]
struct TestView {
    version: &'static str,
    model: String,
    model_hash: String,
    frozen_hash: String,
    top: String,
    regs_header: String,
    height: usize,
    width: usize,
    channels: usize,
    input: &'static str,
    config: &'static str,
    other_outputs: Vec<String>,
    heads: Vec<HeadView>,
}

#[derive(Template)]
#[template(path = "tb/run.py", escape = "none")]
struct RunView {
    version: &'static str,
    model: String,
    model_hash: String,
    frozen_hash: String,
    top: String,
    filelist: String,
    test_module: String,
}

/// Stream ports of the top (SPEC §4, docs/rtl.md): the video input, the AXI4-Lite slave,
/// the feature outputs (frozen, then each trainable core) and one output per head.
/// TODO(#13): take these names from the plan's port table once it has one.
struct Ports {
    input: &'static str,
    config: &'static str,
    features: Vec<String>,
    heads: Vec<String>,
}

fn ports(plan: &HwPlan) -> Ports {
    Ports {
        input: "s_axis",
        config: "s_axil",
        features: std::iter::once("m_axis_feat".to_string())
            .chain(
                plan.trainable
                    .iter()
                    .map(|c| format!("m_axis_train{}", c.index)),
            )
            .collect(),
        heads: plan
            .heads
            .iter()
            .map(|h| format!("m_axis_h{}", h.index))
            .collect(),
    }
}

/// Name of the generated test module (without `.py`).
pub fn test_module(plan: &HwPlan) -> String {
    format!("test_{}", plan.top())
}

/// The files of `tb/`, named with the folder.
pub fn render(plan: &HwPlan) -> Result<Vec<OutFile>> {
    let ports = ports(plan);
    let heads = plan
        .heads
        .iter()
        .zip(&ports.heads)
        .map(|(h, port)| {
            let (rows, cols) = if h.pool {
                (1, 1)
            } else {
                (h.in_size.h, h.in_size.w)
            };
            HeadView {
                name: h.name.clone(),
                port: port.clone(),
                source: h.source.to_string(),
                outputs: h.outputs,
                pooled: if h.pool { "True" } else { "False" },
                rows,
                cols,
            }
        })
        .collect();
    let test = TestView {
        version: env!("CARGO_PKG_VERSION"),
        model: plan.model_name.clone(),
        model_hash: plan.model_hash.clone(),
        frozen_hash: plan.frozen_hash.clone(),
        top: plan.top(),
        regs_header: format!("{}_regs.h", plan.prefix),
        height: plan.input.h,
        width: plan.input.w,
        channels: plan.in_channels,
        input: ports.input,
        config: ports.config,
        other_outputs: ports.features,
        heads,
    };
    let run = RunView {
        version: env!("CARGO_PKG_VERSION"),
        model: plan.model_name.clone(),
        model_hash: plan.model_hash.clone(),
        frozen_hash: plan.frozen_hash.clone(),
        top: plan.top(),
        filelist: format!("{}.f", plan.top()),
        test_module: test_module(plan),
    };
    let file = |name: &str, contents: String| OutFile {
        name: format!("{DIR}/{name}"),
        contents: with_newline(contents),
    };
    Ok(vec![
        file(&format!("{}.py", test_module(plan)), test.render()?),
        file("run.py", run.render()?),
        file("sf_tb.py", SF_TB.to_string()),
        file("requirements.txt", REQUIREMENTS.to_string()),
    ])
}

/// Templates lose their final newline; text files want one.
fn with_newline(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{presets, random};
    use crate::passes::{plan, PlanOptions};

    fn files(m: &crate::model::Model) -> Vec<OutFile> {
        render(&plan(m, &PlanOptions::default()).unwrap()).unwrap()
    }

    fn get<'a>(files: &'a [OutFile], name: &str) -> &'a str {
        &files.iter().find(|f| f.name == name).unwrap().contents
    }

    #[test]
    fn the_testbench_is_deterministic_and_says_what_generated_it() {
        let m = presets::default_model();
        let a = files(&m);
        assert_eq!(a, files(&m), "byte-identical for the same model");
        let names: Vec<&str> = a.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "tb/test_tiny_top.py",
                "tb/run.py",
                "tb/sf_tb.py",
                "tb/requirements.txt"
            ]
        );
        for f in &a[..2] {
            let first = f.contents.lines().find(|l| l.starts_with("# Generated"));
            let want = format!(
                "# Generated by semifreddo {} from model \"tiny\"",
                env!("CARGO_PKG_VERSION")
            );
            assert_eq!(first, Some(want.as_str()), "{}", f.name);
            assert!(f
                .contents
                .contains(&plan(&m, &PlanOptions::default()).unwrap().frozen_hash));
        }
        for f in &a {
            for (n, line) in f.contents.lines().enumerate() {
                assert!(
                    line.len() <= 100,
                    "{}:{}: {} columns",
                    f.name,
                    n + 1,
                    line.len()
                );
            }
        }
    }

    #[test]
    fn ports_and_heads_come_from_the_plan() {
        // tiny: two trainable cores, a pooled head on the frozen core, a per-pixel head.
        let t = files(&presets::default_model());
        let test = get(&t, "tb/test_tiny_top.py");
        assert!(test.contains("HEIGHT, WIDTH, CHANNELS = 32, 32, 3\n"));
        assert!(test
            .contains("OTHER_OUTPUTS = [\"m_axis_feat\", \"m_axis_train0\", \"m_axis_train1\"]\n"));
        assert!(test.contains(
            "        name=\"head1\",\n        port=\"m_axis_h1\",\n        source=\"train0\",\n        \
             outputs=4,\n        pooled=False,\n        rows=2,\n        cols=2,\n"
        ));
        assert!(test.contains("pooled=True,\n        rows=1,\n        cols=1,\n"));
        assert!(get(&t, "tb/run.py").contains("FILELIST = \"tiny_top.f\"\n"));
        // A frozen-only random model: no trainable outputs.
        let m = (1..40)
            .map(random::random_model)
            .find(|m| m.layout.trainable.is_empty())
            .unwrap();
        let r = files(&m);
        let name = format!("tb/test_{}_top.py", m.manifest.name);
        assert!(get(&r, &name).contains("OTHER_OUTPUTS = [\"m_axis_feat\"]\n"));
        assert_eq!(get(&r, "tb/requirements.txt"), REQUIREMENTS);
    }
}
