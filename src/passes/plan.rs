//! The hardware plan: the frozen core's streaming stages (stem, blocks) in order, each a
//! line-buffer window generator feeding clock-enabled compute pipelines whose frozen weights
//! are adder graphs, with exact latencies; the trainable cores' engines (`schedule`), the heads
//! (`heads`), the interconnect at the boundaries (`glue`) and the register map (`registers`).
//! [`plan`] assembles them; names and ports are in `interface`, hashes in `hash`.

use super::glue::{self, Boundary, SkewFifo};
use super::hash;
use super::heads::{self, HeadHw};
use super::lower_frozen;
use super::regmap::RegMap;
use super::schedule::{self, TrainCoreHw};
use crate::arith::{AdderGraph, LowerOptions};
use crate::model::layout::Size;
use crate::model::manifest::FrozenBn;
use crate::model::Model;
use anyhow::Result;

/// Options of the hardware generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    /// Pipeline register every N adder levels in the frozen shift-add networks.
    pub pipeline_every: u32,
    /// Adder depth allowed above the minimum, traded for sharing.
    pub depth_slack: u32,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            pipeline_every: 3,
            depth_slack: 2,
        }
    }
}

/// Clocks of the programmable requant (`sf_requant`).
pub const REQUANT_LATENCY: u32 = 2;

#[derive(Debug, Clone)]
pub enum RequantHw {
    /// `frozen_bn = "trainable"`: scale, bias and shift from the register block.
    Programmable {
        scale_bus: String,
        bias_bus: String,
        shift_bus: String,
    },
    /// `frozen_bn = "frozen"`: m as an adder graph, then + (b + rnd) and >>> shift as wiring.
    Constant {
        module: String,
        graph: AdderGraph,
        add: Vec<i64>,
        shift: u8,
    },
}

impl RequantHw {
    pub fn latency(&self) -> u32 {
        match self {
            RequantHw::Programmable { .. } => REQUANT_LATENCY,
            RequantHw::Constant { graph, .. } => graph.latency() + 1,
        }
    }
}

/// Where a layer's matrix columns come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerInput {
    /// Column t * cin + ci = window tap t, channel ci (stem).
    Stem { cin: usize },
    /// Column 9c + t = window tap t, channel from + c (depthwise).
    Depthwise { from: usize },
    /// Column i = output i of the previous layer (pointwise).
    Previous,
}

#[derive(Debug, Clone)]
pub struct LayerHw {
    /// Tensor prefix, e.g. `frozen.s1.b0.br1.dw`.
    pub name: String,
    /// Verilog module of the adder graph.
    pub module: String,
    pub graph: AdderGraph,
    pub input: LayerInput,
    pub relu: bool,
    pub requant: RequantHw,
    /// Wall time of lowering the weights (for the report).
    pub lowering_ms: f64,
}

impl LayerHw {
    pub fn channels(&self) -> usize {
        self.graph.outputs().len()
    }
    /// Clocks from the layer's inputs to its int8 outputs.
    pub fn latency(&self) -> u32 {
        self.graph.latency() + self.requant.latency()
    }
    /// Widest accumulator (the requant input bus width per channel).
    pub fn acc_width(&self) -> u32 {
        self.graph
            .outputs()
            .iter()
            .map(|o| o.width)
            .max()
            .unwrap_or(1)
    }
}

#[derive(Debug, Clone)]
pub struct BranchHw {
    pub layers: Vec<LayerHw>,
}

impl BranchHw {
    pub fn latency(&self) -> u32 {
        self.layers.iter().map(|l| l.latency()).sum()
    }
    pub fn out_channels(&self) -> usize {
        self.layers.last().map_or(0, |l| l.channels())
    }
}

/// One streaming stage: window generator, branches, pass-through and output wiring.
#[derive(Debug, Clone)]
pub struct StageHw {
    /// `frozen.stem` or a block name such as `frozen.s1.b0`.
    pub name: String,
    pub module: String,
    pub in_size: Size,
    pub in_channels: usize,
    pub stride: usize,
    /// Regular blocks pass channels 0..n of the window centre through (x1).
    pub passthrough: usize,
    pub branches: Vec<BranchHw>,
    /// Channel shuffle of concat(pass-through, branches) at the output (blocks, not the stem).
    pub shuffle: bool,
    /// 0 for the stem, k for the blocks of stage k.
    pub stage: usize,
    /// `Some(k)` when this stage's output is the frozen features F_k at boundary k.
    pub boundary: Option<usize>,
}

impl StageHw {
    pub fn out_size(&self) -> Size {
        self.in_size.strided(self.stride)
    }
    pub fn out_channels(&self) -> usize {
        self.passthrough
            + self
                .branches
                .iter()
                .map(|b| b.out_channels())
                .sum::<usize>()
    }
    /// Clocks from a window leaving the window generator to its output pixel.
    pub fn latency(&self) -> u32 {
        self.branches.iter().map(|b| b.latency()).max().unwrap_or(0)
    }
    /// For output channel k, the channel of concat(pass-through, branches) it carries.
    pub fn output_source(&self, k: usize) -> usize {
        let c = self.out_channels();
        if !self.shuffle {
            k
        } else if k % 2 == 0 {
            k / 2
        } else {
            c / 2 + k / 2
        }
    }
}

#[derive(Debug, Clone)]
pub struct HwPlan {
    /// Module-name prefix (the model name as an identifier).
    pub prefix: String,
    pub model_name: String,
    /// SHA-256 of the whole model (manifest and tensors), hex.
    pub model_hash: String,
    /// SHA-256 of the frozen weights and topology, hex.
    pub frozen_hash: String,
    pub frozen_bn: FrozenBn,
    pub options: PlanOptions,
    pub input: Size,
    pub in_channels: usize,
    pub stages: Vec<StageHw>,
    /// Per trainable core, its MAC engines in stream order (`schedule` pass).
    pub trainable: Vec<TrainCoreHw>,
    pub heads: Vec<HeadHw>,
    /// The boundaries between the frozen and the trainable cores (empty without trainable
    /// cores): forks, skew FIFOs, blends.
    pub boundaries: Vec<Boundary>,
    /// Entries of each skew FIFO in front of a train01 head's join (0: none).
    pub train01_skew_depth: usize,
    pub regmap: RegMap,
}

impl HwPlan {
    pub fn out_channels(&self) -> usize {
        self.stages.last().map_or(0, |s| s.out_channels())
    }
    pub fn out_size(&self) -> Size {
        self.stages.last().map_or(self.input, |s| s.out_size())
    }
    /// Number of stages S (the last boundary's index).
    pub fn out_stage_count(&self) -> usize {
        self.stages
            .iter()
            .filter_map(|s| s.boundary)
            .max()
            .unwrap_or(0)
    }
    /// The boundaries' skew FIFOs on the frozen side.
    pub fn skew_fifos(&self) -> impl Iterator<Item = &SkewFifo> {
        self.boundaries.iter().map(|b| &b.skew)
    }
    /// Every SRAM-backed engine: the trainable cores' layers, then the heads.
    pub fn engines(&self) -> impl Iterator<Item = &schedule::EngineSchedule> {
        self.trainable
            .iter()
            .flat_map(|c| c.engines())
            .chain(self.heads.iter().map(|h| &h.engine))
    }
    pub fn layers(&self) -> impl Iterator<Item = &LayerHw> {
        self.stages
            .iter()
            .flat_map(|s| s.branches.iter().flat_map(|b| b.layers.iter()))
    }
}

/// A Verilog identifier from a model name.
pub fn identifier(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s.insert_str(0, "sf_");
    }
    s
}

/// The generator version as VERSION register bits.
pub fn version_word() -> u32 {
    let v: Vec<u32> = env!("CARGO_PKG_VERSION")
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    (v[0] << 16) | (v.get(1).copied().unwrap_or(0) << 8) | v.get(2).copied().unwrap_or(0)
}

/// The plan of a model: hashes, frozen stages lowered, trainable cores and heads scheduled,
/// boundaries and register map.
pub fn plan(model: &Model, opts: &PlanOptions) -> Result<HwPlan> {
    let prefix = identifier(&model.manifest.name);
    let lay = &model.layout;
    let frozen_bn = model.manifest.generation.frozen_bn;
    let hashes = hash::hashes(model);
    let jobs = lower_frozen::stage_jobs(model)?;
    let trainable = schedule::schedule(lay);
    let heads = heads::schedule(model);
    let programmable = match frozen_bn {
        FrozenBn::Trainable => lower_frozen::requants(&jobs),
        FrozenBn::Frozen => Vec::new(),
    };
    let regmap =
        super::registers::register_map(model, &hashes.frozen, &programmable, &trainable, &heads);
    let lower_opts = LowerOptions {
        pipeline_every: opts.pipeline_every,
        depth_slack: opts.depth_slack,
        ..LowerOptions::default()
    };
    let stages = lower_frozen::lower_stages(&prefix, &jobs, frozen_bn, &lower_opts)?;
    let boundaries = glue::boundaries(lay.input, &stages, &trainable);
    let out_w = stages.last().map_or(lay.input, |s| s.out_size()).w;
    Ok(HwPlan {
        prefix,
        model_name: model.manifest.name.clone(),
        model_hash: hashes.model,
        frozen_hash: hashes.frozen,
        frozen_bn,
        options: *opts,
        input: lay.input,
        in_channels: lay.in_channels,
        stages,
        train01_skew_depth: glue::train01_skew_depth(&trainable, out_w),
        trainable,
        heads,
        boundaries,
        regmap,
    })
}
