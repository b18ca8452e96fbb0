//! Embedded model shapes: `vga` (the paper's Table 1), `qvga` (a mid-size half-width model)
//! and `tiny` (for fast co-simulation). `modelgen::init` fills them with seeded weights.

use super::manifest::{Generation, HeadSource, HeadSpec, Input, Manifest, Stage, Topology, FORMAT};

/// A preset: the manifest plus what `init` should program into runtime-only parameters.
#[derive(Debug, Clone)]
pub struct Preset {
    pub manifest: Manifest,
    /// Pooling per head (a programmable tensor, so not part of the manifest).
    pub pool: Vec<bool>,
    /// Sample images used to calibrate requantization in `init`.
    pub calibration_images: usize,
}

pub const NAMES: [&str; 3] = ["tiny", "qvga", "vga"];

pub fn preset(name: &str) -> Option<Preset> {
    match name {
        "tiny" => Some(tiny()),
        "qvga" => Some(qvga()),
        "vga" => Some(vga()),
        _ => None,
    }
}

fn stage(channels: usize, stride: usize, frozen_repeats: usize) -> Stage {
    Stage {
        channels,
        stride,
        frozen_repeats,
        trainable_repeats: 0,
    }
}

fn head(source: HeadSource, outputs: usize, groups: usize) -> HeadSpec {
    HeadSpec {
        source,
        outputs,
        groups,
    }
}

#[allow(clippy::too_many_arguments)]
fn manifest(
    name: &str,
    h: usize,
    w: usize,
    c0: usize,
    stages: Vec<Stage>,
    repeat_banks: usize,
    heads: Vec<HeadSpec>,
) -> Manifest {
    Manifest {
        format: FORMAT.to_string(),
        name: name.to_string(),
        tensors: super::TENSOR_FILE.to_string(),
        input: Input {
            height: h,
            width: w,
            channels: 3,
        },
        topology: Topology {
            stem_channels: c0,
            trainable_cores: 2,
            repeat_banks,
            stages,
        },
        heads,
        generation: Generation::default(),
    }
}

/// 32x32x3, widths 8 | 16 32 32 64, one extra frozen block per stage, repeat block with
/// R_max = 2, and the paper's three standalone uses as heads.
fn tiny() -> Preset {
    Preset {
        manifest: manifest(
            "tiny",
            32,
            32,
            8,
            vec![
                stage(16, 2, 1),
                stage(32, 2, 1),
                stage(32, 1, 1),
                stage(64, 2, 1),
            ],
            2,
            vec![
                head(HeadSource::Frozen, 10, 1),
                head(HeadSource::Train0, 4, 1),
                head(HeadSource::Train01, 10, 2),
            ],
        ),
        pool: vec![true, false, true],
        calibration_images: 16,
    }
}

/// 320x240x3 with half the vga widths.
fn qvga() -> Preset {
    Preset {
        manifest: manifest(
            "qvga",
            240,
            320,
            16,
            vec![
                stage(32, 2, 3),
                stage(64, 2, 3),
                stage(64, 1, 3),
                stage(128, 2, 3),
            ],
            2,
            vec![
                head(HeadSource::Frozen, 100, 1),
                head(HeadSource::Train0, 8, 1),
                head(HeadSource::Train01, 32, 4),
            ],
        ),
        pool: vec![true, false, true],
        calibration_images: 6,
    }
}

/// The paper's Table 1: 640x480x3, output 40x30x256, no repeat block (so each trainable core
/// holds exactly the paper's conv weights).
fn vga() -> Preset {
    Preset {
        manifest: manifest(
            "vga",
            480,
            640,
            32,
            vec![
                stage(64, 2, 3),
                stage(128, 2, 3),
                stage(128, 1, 3),
                stage(256, 2, 3),
            ],
            0,
            vec![
                head(HeadSource::Frozen, 1000, 2),
                head(HeadSource::Train0, 16, 1),
                head(HeadSource::Train01, 256, 4),
            ],
        ),
        pool: vec![true, false, true],
        calibration_images: 3,
    }
}
