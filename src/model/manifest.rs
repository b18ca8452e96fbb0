//! The TOML manifest: topology, heads, generation options and the tensor file's path.
//! Parsing is strict: an unknown key anywhere is an error (`deny_unknown_fields`).

use crate::technology::TimingModel;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Version tag every manifest carries, so a future format change is detected, not misread.
pub const FORMAT: &str = "semifreddo-model/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Must be [`FORMAT`].
    pub format: String,
    /// Model name; used in generated file headers and module prefixes.
    pub name: String,
    /// Path of the safetensors file, relative to the manifest's folder.
    pub tensors: String,
    pub input: Input,
    pub topology: Topology,
    #[serde(default, rename = "heads")]
    pub heads: Vec<HeadSpec>,
    #[serde(default)]
    pub generation: Generation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub height: usize,
    pub width: usize,
    /// Cin: bytes per pixel (3 for RGB, 1 for grey).
    pub channels: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// C_0, the stem width.
    pub stem_channels: usize,
    /// Number of trainable cores: 0, 1 or 2.
    pub trainable_cores: usize,
    /// R_max: weight banks of the repeat block (0 = no repeat block).
    #[serde(default)]
    pub repeat_banks: usize,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// C_k, the stage's output width.
    pub channels: usize,
    /// 1 (regular first block) or 2 (downsample first block).
    pub stride: usize,
    /// Extra regular blocks of the frozen core in this stage.
    #[serde(default)]
    pub frozen_repeats: usize,
    /// Extra regular blocks of each trainable core in this stage.
    #[serde(default)]
    pub trainable_repeats: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeadSource {
    Frozen,
    Train0,
    Train1,
    Train01,
}

impl fmt::Display for HeadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeadSource::Frozen => "frozen",
            HeadSource::Train0 => "train0",
            HeadSource::Train1 => "train1",
            HeadSource::Train01 => "train01",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadSpec {
    pub source: HeadSource,
    /// O: output channels.
    pub outputs: usize,
    /// G: groups of the pointwise conv (I and O divisible by G).
    #[serde(default = "one")]
    pub groups: usize,
}

fn one() -> usize {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FrozenBn {
    /// The frozen core's requant scale/bias stay programmable (the paper's default).
    Trainable,
    /// The frozen core's requant scale/bias are baked into the RTL as constants.
    Frozen,
}

/// How the frozen stages are built (`generation.frozen_impl`, `generate --frozen-impl`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FrozenImplChoice {
    /// Per stage the implementation with the least predicted area that sustains its rate.
    #[default]
    Auto,
    /// Every stage fully parallel shift-add networks.
    Parallel,
    /// Every block folded (the stem stays parallel).
    Folded,
}

impl FrozenImplChoice {
    fn is_auto(&self) -> bool {
        *self == FrozenImplChoice::Auto
    }
}

impl std::str::FromStr for FrozenImplChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(FrozenImplChoice::Auto),
            "parallel" => Ok(FrozenImplChoice::Parallel),
            "folded" => Ok(FrozenImplChoice::Folded),
            _ => Err(format!(
                "expected \"auto\", \"parallel\" or \"folded\", found \"{s}\""
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generation {
    #[serde(default = "default_frozen_bn")]
    pub frozen_bn: FrozenBn,
    /// K_max: PWL segments the hardware provides per head.
    #[serde(default = "default_k_max")]
    pub k_max: usize,
    /// Target clock, MHz: the plan picks pipeline depths for it (passes::timing).
    #[serde(default = "default_target_mhz")]
    pub target_mhz: f64,
    /// The technology whose delays the pipeline depths are chosen for (`osu018`, `ecp5`).
    #[serde(default, skip_serializing_if = "TimingModel::is_default")]
    pub timing_model: TimingModel,
    /// How the frozen stages are built.
    #[serde(default, skip_serializing_if = "FrozenImplChoice::is_auto")]
    pub frozen_impl: FrozenImplChoice,
}

fn default_frozen_bn() -> FrozenBn {
    FrozenBn::Trainable
}

fn default_k_max() -> usize {
    8
}

fn default_target_mhz() -> f64 {
    crate::technology::DEFAULT_TARGET_MHZ
}

impl Default for Generation {
    fn default() -> Self {
        Generation {
            frozen_bn: default_frozen_bn(),
            k_max: default_k_max(),
            target_mhz: default_target_mhz(),
            timing_model: TimingModel::default(),
            frozen_impl: FrozenImplChoice::Auto,
        }
    }
}
