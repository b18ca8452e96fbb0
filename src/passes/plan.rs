//! The hardware plan: the frozen core's streaming stages (stem, blocks) in order, each a
//! line-buffer window generator feeding clock-enabled compute pipelines whose frozen weights
//! are adder graphs, with exact latencies; the trainable cores' engines (`schedule`), the heads
//! (`heads`), the interconnect at the boundaries (`glue`) and the register map (`registers`).
//! [`plan`] assembles them; names and ports are in `interface`, hashes in `hash`.

pub use super::frozen::{BranchHw, FrozenImpl, LayerHw, LayerInput, RequantHw, StageHw};
pub use super::registers::version_word;

use super::glue::{self, Boundary, SkewFifo};
use super::hash;
use super::heads::{self, HeadHw};
use super::lower_frozen;
use super::regmap::RegMap;
use super::schedule::{self, TrainCoreHw, TrainStageHw};
use super::timing::{TimingModel, TimingPlan};
use crate::arith::LowerOptions;
use crate::model::layout::Size;
use crate::model::manifest::{FrozenBn, FrozenImplChoice};
use crate::model::Model;
use anyhow::{Context, Result};

/// Options of the hardware generator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanOptions {
    /// Pipeline register every N adder levels in the frozen shift-add networks; 0 lets the
    /// `timing` pass choose it for the target clock. `HwPlan::options` holds the value used.
    pub pipeline_every: u32,
    /// Adder depth allowed above the minimum, traded for sharing.
    pub depth_slack: u32,
    /// Target clock in MHz; `None` takes the manifest's `generation.target_mhz`.
    /// `HwPlan::options` holds the value used.
    pub target_mhz: Option<f64>,
    /// Overrides the manifest's `generation.frozen_impl` (`generate --frozen-impl`).
    pub frozen_impl: Option<FrozenImplChoice>,
    /// Overrides the manifest's `generation.timing_model` (`generate --timing-model`).
    pub timing_model: Option<TimingModel>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            pipeline_every: 0,
            depth_slack: 2,
            target_mhz: None,
            frozen_impl: None,
            timing_model: None,
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
    /// The target clock and the pipeline depths chosen for it (`timing` pass); the engines'
    /// pipelines are on their `EngineSchedule::pipe`.
    pub timing: TimingPlan,
    /// Per trainable core, its MAC engines in stream order (`schedule` pass).
    pub trainable: Vec<TrainCoreHw>,
    pub heads: Vec<HeadHw>,
    /// The boundaries between the frozen and the trainable cores (empty without trainable
    /// cores): forks, skew FIFOs, blends.
    pub boundaries: Vec<Boundary>,
    /// Entries of each skew FIFO in front of a train01 head's join (0: none).
    pub train01_skew_depth: usize,
    pub regmap: RegMap,
    /// The frozen core's stages built as trainable MAC engines at the same pixel rates
    /// (the schedule pass on the frozen layout), index-aligned with `stages`: what the report
    /// measures freezing against.
    pub frozen_equivalent: Vec<TrainStageHw>,
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

/// The plan of a model: hashes, frozen stages lowered, trainable cores and heads scheduled,
/// boundaries and register map.
pub fn plan(model: &Model, opts: &PlanOptions) -> Result<HwPlan> {
    let prefix = identifier(&model.manifest.name);
    let lay = &model.layout;
    let frozen_bn = model.manifest.generation.frozen_bn;
    let hashes = hash::hashes(model);
    let jobs = lower_frozen::stage_jobs(model)?;
    let mut trainable = schedule::schedule(lay);
    let mut heads = heads::schedule(model);
    // Pipeline depths for the target clock: the engines' pipelines (and so their latencies)
    // before anything sized from those latencies (skew FIFOs).
    let target = opts
        .target_mhz
        .unwrap_or(model.manifest.generation.target_mhz);
    let technology = opts
        .timing_model
        .unwrap_or(model.manifest.generation.timing_model);
    let timing = TimingPlan::for_technology(target, technology).context("generation.target_mhz")?;
    timing.set_engine_pipes(&mut trainable, &mut heads);
    let mut options = *opts;
    options.target_mhz = Some(target);
    options.timing_model = Some(technology);
    if options.pipeline_every == 0 {
        options.pipeline_every = timing.pipeline_every;
    }
    let lower_opts = LowerOptions {
        pipeline_every: options.pipeline_every,
        depth_slack: opts.depth_slack,
        ..LowerOptions::default()
    };
    let mut stages = lower_frozen::lower_stages(&prefix, lay.input, &jobs, frozen_bn, &lower_opts)?;
    let mode = opts
        .frozen_impl
        .unwrap_or(model.manifest.generation.frozen_impl);
    super::frozen_impl::choose(&mut stages, &jobs, mode)?;
    timing.set_frozen_pipes(&mut stages);
    let regmap = super::registers::register_map(model, &hashes.frozen, &stages, &trainable, &heads);
    let boundaries = glue::boundaries(lay.input, &stages, &trainable);
    let out_w = stages.last().map_or(lay.input, |s| s.out_size()).w;
    let frozen_equivalent = schedule::core_stages(lay, &lay.frozen, 0).stages;
    debug_assert_eq!(
        frozen_equivalent.len(),
        stages.len(),
        "one equivalent per stage"
    );
    Ok(HwPlan {
        prefix,
        model_name: model.manifest.name.clone(),
        model_hash: hashes.model,
        frozen_hash: hashes.frozen,
        frozen_bn,
        options,
        input: lay.input,
        in_channels: lay.in_channels,
        stages,
        timing,
        train01_skew_depth: glue::train01_skew_depth(lay.input, &trainable, out_w),
        trainable,
        heads,
        boundaries,
        regmap,
        frozen_equivalent,
    })
}
