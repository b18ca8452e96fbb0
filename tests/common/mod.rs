//! Models shared by the RTL tests.
#![allow(dead_code)]

use semifreddo::model::manifest::{
    FrozenBn, Generation, HeadSource, HeadSpec, Input, Manifest, Stage, Topology, FORMAT,
};
use semifreddo::model::{init::init, presets, Model};
use std::path::PathBuf;

/// The embedded `tiny` preset with a seed.
pub fn tiny(seed: u64) -> Model {
    init(&presets::preset("tiny").unwrap(), seed)
}

/// `tiny` with the frozen core's requant baked in (`frozen_bn = "frozen"`).
pub fn tiny_frozen_bn(seed: u64) -> Model {
    let mut p = presets::preset("tiny").unwrap();
    p.manifest.generation.frozen_bn = FrozenBn::Frozen;
    init(&p, seed)
}

/// A second, different topology: grey 24x16 input, a stride-1 stage with a regular first
/// block, no trainable cores.
pub fn mini(seed: u64) -> Model {
    let manifest = Manifest {
        format: FORMAT.to_string(),
        name: "mini".to_string(),
        tensors: "model.safetensors".to_string(),
        input: Input {
            height: 16,
            width: 24,
            channels: 1,
        },
        topology: Topology {
            stem_channels: 4,
            trainable_cores: 0,
            repeat_banks: 0,
            stages: vec![
                Stage {
                    channels: 8,
                    stride: 2,
                    frozen_repeats: 0,
                    trainable_repeats: 0,
                },
                Stage {
                    channels: 8,
                    stride: 1,
                    frozen_repeats: 1,
                    trainable_repeats: 0,
                },
                Stage {
                    channels: 16,
                    stride: 2,
                    frozen_repeats: 0,
                    trainable_repeats: 0,
                },
            ],
        },
        heads: vec![HeadSpec {
            source: HeadSource::Frozen,
            outputs: 4,
            groups: 1,
        }],
        generation: Generation::default(),
    };
    init(
        &presets::Preset {
            manifest,
            pool: vec![true],
            calibration_images: 4,
        },
        seed,
    )
}

/// One simulator cache for all tests (each design is built once per test run).
pub fn sim_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sim-cache")
}

/// Fails (never skips) when an EDA tool is missing: `scripts/test` installs them.
pub fn require_tool(tool: &str) {
    let ok = std::process::Command::new(tool).arg("-V").output().is_ok()
        || std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok();
    assert!(ok, "`{tool}` is not installed; run scripts/test, which installs Debian's verilator, iverilog and yosys");
}
