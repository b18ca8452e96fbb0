//! The hardware plan of the frozen core: its streaming stages (stem, blocks) in order, each
//! a line-buffer window generator feeding clock-enabled compute pipelines whose frozen
//! weights are adder graphs, with exact latencies, plus the register map.

use super::heads::{self, HeadHw};
use super::lower_frozen::{self, INT8, RELU8};
use super::regmap::{bus_name, reg_name, RegMap, RegMapBuilder};
use super::schedule::{self, TrainCoreHw};
use super::timing::TimingPlan;
use crate::arith::{AdderGraph, Interval, LowerOptions};
use crate::model::layout::{BlockLayout, BranchLayout, Size};
use crate::model::manifest::FrozenBn;
use crate::model::params::{Block, Branch, Conv};
use crate::model::tensors::TensorStore;
use crate::model::Model;
use anyhow::{Context, Result};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

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
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            pipeline_every: 0,
            depth_slack: 2,
            target_mhz: None,
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
    /// Pipeline depths for the target clock (`timing` pass).
    pub timing: TimingPlan,
    /// Per trainable core, its MAC engines in stream order (`schedule` pass).
    pub trainable: Vec<TrainCoreHw>,
    pub heads: Vec<HeadHw>,
    pub regmap: RegMap,
}

impl HwPlan {
    pub fn top(&self) -> String {
        format!("{}_top", self.prefix)
    }
    pub fn out_channels(&self) -> usize {
        self.stages.last().map_or(0, |s| s.out_channels())
    }
    pub fn out_size(&self) -> Size {
        self.stages.last().map_or(self.input, |s| s.out_size())
    }
    /// Number of stages S (the last boundary's index).
    pub fn out_stage_count(&self) -> usize {
        self.trainable
            .first()
            .and_then(|c| c.stages.iter().filter_map(|s| s.boundary).max())
            .unwrap_or_else(|| {
                self.stages
                    .iter()
                    .filter(|s| s.name.ends_with(".b0"))
                    .count()
            })
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

/// SHA-256 of what is baked into the silicon: topology, head shapes, K_max and pooling
/// flags, frozen conv weights and, with `frozen_bn = "frozen"`, the frozen requant
/// parameters. A config image is only accepted
/// by RTL with the same hash.
pub fn frozen_hash(model: &Model) -> String {
    let mut h = Sha256::new();
    let m = &model.manifest;
    h.update(
        format!(
            "{:?}|{:?}|{:?}|{:?}|{}|{:?}",
            m.input,
            m.topology,
            m.heads,
            m.generation.frozen_bn,
            m.generation.k_max,
            model.heads.iter().map(|h| h.pool).collect::<Vec<_>>()
        )
        .as_bytes(),
    );
    let store = model.to_store();
    for (name, t) in &store.tensors {
        let frozen_conv = name.starts_with("frozen.") && name.ends_with(".weight");
        let frozen_bn = name.starts_with("frozen.") && m.generation.frozen_bn == FrozenBn::Frozen;
        if frozen_conv || frozen_bn {
            h.update(name.as_bytes());
            h.update(&t.bytes);
        }
    }
    hex(&h.finalize())
}

/// SHA-256 of the whole model.
pub fn model_hash(model: &Model) -> String {
    let mut h = Sha256::new();
    h.update(
        crate::model::manifest_text(&model.manifest)
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update(model.to_store().to_safetensors());
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A layer to lower: everything but the adder graphs, which are built in parallel.
struct LayerJob<'a> {
    name: String,
    conv: &'a Conv,
    input: LayerInput,
    relu: bool,
    rows: usize,
}

pub fn plan(model: &Model, opts: &PlanOptions) -> Result<HwPlan> {
    let prefix = identifier(&model.manifest.name);
    let lay = &model.layout;
    let frozen_bn = model.manifest.generation.frozen_bn;
    let frozen_hash = frozen_hash(model);
    let mut regs = RegMapBuilder::new(
        u32::from_str_radix(&frozen_hash[..8], 16).unwrap_or(0),
        version_word(),
    );

    // Stage skeletons: (name, in_size, in_channels, stride, passthrough, shuffle, branches of jobs).
    type Skeleton<'a> = (
        String,
        Size,
        usize,
        usize,
        usize,
        bool,
        Vec<Vec<LayerJob<'a>>>,
    );
    let mut skeletons: Vec<Skeleton> = Vec::new();
    let stem = LayerJob {
        name: lay.frozen.stem.clone(),
        conv: &model.frozen.stem,
        input: LayerInput::Stem {
            cin: lay.in_channels,
        },
        relu: true,
        rows: lay.frozen.stem_out,
    };
    skeletons.push((
        lay.frozen.stem.clone(),
        lay.input,
        lay.in_channels,
        2,
        0,
        false,
        vec![vec![stem]],
    ));
    for (k, (blocks_l, blocks)) in lay
        .frozen
        .stages
        .iter()
        .zip(&model.frozen.stages)
        .enumerate()
    {
        for (bl, b) in blocks_l.iter().zip(blocks) {
            let in_size = lay.boundary_sizes[k];
            let sk = match (bl, b) {
                (
                    BlockLayout::Regular {
                        name,
                        channels,
                        branch,
                    },
                    Block::Regular(br),
                ) => {
                    let size = branch.in_size;
                    (
                        name.clone(),
                        size,
                        *channels,
                        1,
                        channels / 2,
                        true,
                        vec![branch_jobs(branch, br, channels / 2)],
                    )
                }
                (
                    BlockLayout::Downsample {
                        name,
                        in_channels,
                        br1,
                        br2,
                    },
                    Block::Downsample(b1, b2),
                ) => (
                    name.clone(),
                    in_size,
                    *in_channels,
                    2,
                    0,
                    true,
                    vec![branch_jobs(br1, b1, 0), branch_jobs(br2, b2, 0)],
                ),
                _ => anyhow::bail!("block {} does not match its layout", bl.name()),
            };
            skeletons.push(sk);
        }
    }

    // Register map: programmable requant parameters, in stream order.
    if frozen_bn == FrozenBn::Trainable {
        for (_, _, _, _, _, _, branches) in &skeletons {
            for job in branches.iter().flatten() {
                let rq = &job.conv.requant;
                let n = &job.name;
                requant_registers(
                    &mut regs,
                    n,
                    [
                        rq.scale.iter().map(|&v| v as i64).collect(),
                        rq.bias.iter().map(|&v| v as i64).collect(),
                        vec![rq.shift as i64],
                    ],
                    "per-channel",
                    &format!("layer {n} (SPEC §2 requant)"),
                );
            }
        }
    }

    // Trainable cores: requant parameters (always programmable), blend alphas, shuffle flags,
    // then the weight-SRAM windows.
    let mut trainable = schedule::schedule(lay);
    trainable_registers(model, &trainable, &mut regs)?;
    let mut heads = heads::schedule(model);
    head_registers(model, &heads, &mut regs)?;

    // Pipeline depths for the target clock.
    let target = opts
        .target_mhz
        .unwrap_or(model.manifest.generation.target_mhz);
    let timing = TimingPlan::new(target).context("generation.target_mhz")?;
    timing.set_engine_pipes(&mut trainable, &mut heads);
    let mut options = *opts;
    options.target_mhz = Some(target);
    if options.pipeline_every == 0 {
        options.pipeline_every = timing.pipeline_every;
    }

    // Lower every layer; the big ones dominate, so in parallel.
    let lower_opts = LowerOptions {
        pipeline_every: options.pipeline_every,
        depth_slack: opts.depth_slack,
        ..LowerOptions::default()
    };
    let jobs: Vec<&LayerJob> = skeletons
        .iter()
        .flat_map(|s| s.6.iter().flatten())
        .collect();
    let lowered: Vec<Result<LayerHw>> = jobs
        .par_iter()
        .map(|j| lower_layer(&prefix, j, frozen_bn, &lower_opts))
        .collect();
    let mut lowered = lowered.into_iter();
    let mut stages = Vec::new();
    for (name, in_size, in_channels, stride, passthrough, shuffle, branches) in &skeletons {
        let mut bs = Vec::new();
        for br in branches {
            let mut layers = Vec::new();
            for _ in br {
                layers.push(lowered.next().expect("one lowered layer per job")?);
            }
            bs.push(BranchHw { layers });
        }
        stages.push(StageHw {
            module: format!("{prefix}_{}", bus_name(name)),
            name: name.clone(),
            in_size: *in_size,
            in_channels: *in_channels,
            stride: *stride,
            passthrough: *passthrough,
            branches: bs,
            shuffle: *shuffle,
        });
    }
    Ok(HwPlan {
        prefix,
        model_name: model.manifest.name.clone(),
        model_hash: model_hash(model),
        frozen_hash,
        frozen_bn,
        options,
        input: lay.input,
        in_channels: lay.in_channels,
        stages,
        timing,
        trainable,
        heads,
        regmap: regs.build(),
    })
}

/// Registers of the trainable cores, in stream order: each engine's scale, bias and shift,
/// then per boundary each core's alphas and (two cores) the shuffle flag, then the weight
/// windows of every engine.
fn trainable_registers(
    model: &Model,
    cores: &[TrainCoreHw],
    regs: &mut RegMapBuilder,
) -> Result<()> {
    if cores.is_empty() {
        return Ok(());
    }
    let store = model.to_store();
    let values = |name: &str| tensor_values(&store, name);
    for core in cores {
        for e in core.engines() {
            let n = &e.layer;
            requant_registers(
                regs,
                n,
                stored_requant(&store, n)?,
                "per-channel",
                &format!("trainable layer {n} (SPEC §2 requant)"),
            );
        }
    }
    for k in 0..model.layout.boundary_channels.len() {
        for core in cores {
            let name = format!("train{}.blend{k}.alpha", core.index);
            regs.param(
                &name,
                9,
                false,
                values(&name)?,
                format!(
                    "blend alphas a[c] (0..256) of trainable core {} at boundary {k} (SPEC §1)",
                    core.index
                ),
            );
        }
        if cores.len() == 2 {
            let name = format!("blend{k}.shuffle");
            regs.param(
                &name,
                1,
                false,
                values(&name)?,
                format!("core shuffle at boundary {k}: 1 swaps channel halves (SPEC §1)"),
            );
        }
    }
    for core in cores.iter().filter(|c| !c.repeat.is_empty()) {
        let name = format!("train{}.rep.n", core.index);
        let r_max = core.repeat.len();
        regs.param(
            &name,
            usize::BITS - r_max.leading_zeros(),
            false,
            values(&name)?,
            format!(
                "passes n (0..{r_max}) of trainable core {}'s repeat block: pass r runs bank r, \
                 banks n.. are bypassed; change it only between frames (SPEC §1)",
                core.index
            ),
        );
    }
    for core in cores {
        for e in core.engines() {
            regs.window(
                &e.layer,
                e.config_words(),
                format!(
                    "weights of trainable layer {} ({} x {}): SRAM of {} words x {} bits, 4 int8 weights per word in the sf_mac_engine layout (P = {}, Q = {}); not reset",
                    e.layer,
                    e.out_n,
                    e.l,
                    e.sram_depth(),
                    e.word_bytes() * 8,
                    e.p,
                    e.q
                ),
            );
        }
    }
    Ok(())
}

/// A model tensor's values, or an error naming it.
fn tensor_values(store: &TensorStore, name: &str) -> Result<Vec<i64>> {
    Ok(store
        .get(name)
        .with_context(|| format!("model lacks tensor `{name}`"))?
        .values_i64())
}

/// `<layer>.scale`, `.bias` and `.shift` from the tensor store.
fn stored_requant(store: &TensorStore, layer: &str) -> Result<[Vec<i64>; 3]> {
    Ok([
        tensor_values(store, &format!("{layer}.scale"))?,
        tensor_values(store, &format!("{layer}.bias"))?,
        tensor_values(store, &format!("{layer}.shift"))?,
    ])
}

/// The three requant register arrays of a layer or head: scale (int16), bias (int32), shift.
/// `per` says whose values they are ("per-channel", "per-output"), `of` whose layer.
fn requant_registers(
    regs: &mut RegMapBuilder,
    layer: &str,
    [scale, bias, shift]: [Vec<i64>; 3],
    per: &str,
    of: &str,
) {
    regs.param(
        &format!("{layer}.scale"),
        16,
        true,
        scale,
        format!("{per} scale m (int16) of {of}"),
    );
    regs.param(
        &format!("{layer}.bias"),
        32,
        true,
        bias,
        format!("{per} bias b (int32) of {of}"),
    );
    regs.param(
        &format!("{layer}.shift"),
        6,
        false,
        shift,
        format!("shift s (0..40) of {of}"),
    );
}

/// Per head: requant16 parameters, the PWL segments (K_max registers each, the model's K
/// values first) and the number in use, then the weight window.
fn head_registers(model: &Model, heads: &[HeadHw], regs: &mut RegMapBuilder) -> Result<()> {
    let store = model.to_store();
    for h in heads {
        let n = &h.name;
        requant_registers(
            regs,
            n,
            stored_requant(&store, n)?,
            "per-output",
            &format!("head {n} (SPEC §2 requant16)"),
        );
        for (field, what) in [
            ("x", "segment starts x_k"),
            ("y", "segment values y_k"),
            ("g", "segment slopes g_k (8 fractional bits)"),
        ] {
            let name = format!("{n}.pwl.{field}");
            let mut v = tensor_values(&store, &name)?;
            v.resize(h.k_max, 0);
            regs.param(
                &name,
                16,
                true,
                v,
                format!(
                    "PWL {what} (int16) of head {n}, K_max = {} entries, the first `{}` in use (SPEC §2)",
                    h.k_max,
                    reg_name(&format!("{n}.pwl.k"))
                ),
            );
        }
        regs.param(
            &format!("{n}.pwl.k"),
            h.segment_bits(),
            false,
            vec![h.segments as i64],
            format!(
                "PWL segments in use K (1..{}) of head {n}: the length of tensor `{n}.pwl.x`",
                h.k_max
            ),
        );
    }
    for h in heads {
        let e = &h.engine;
        regs.window(
            &h.name,
            e.config_words(),
            format!(
                "weights of head {} ({} x {}, {} group(s)): SRAM of {} words x {} bits, 4 int8 \
                 weights per word in the sf_mac_engine layout (P = {}, Q = {}); not reset",
                h.name,
                h.outputs,
                h.group_inputs(),
                h.groups,
                e.sram_depth(),
                e.word_bytes() * 8,
                e.p,
                e.q
            ),
        );
    }
    Ok(())
}

/// A branch's two layers: DW over window channels from..from+C, then PW.
fn branch_jobs<'a>(bl: &BranchLayout, b: &'a Branch, from: usize) -> Vec<LayerJob<'a>> {
    vec![
        LayerJob {
            name: bl.dw(),
            conv: &b.dw,
            input: LayerInput::Depthwise { from },
            relu: false,
            rows: bl.channels,
        },
        LayerJob {
            name: bl.pw(),
            conv: &b.pw,
            input: LayerInput::Previous,
            relu: true,
            rows: bl.channels,
        },
    ]
}

fn lower_layer(
    prefix: &str,
    job: &LayerJob,
    frozen_bn: FrozenBn,
    opts: &LowerOptions,
) -> Result<LayerHw> {
    let w = &job.conv.weight;
    let (matrix, ranges) = match job.input {
        LayerInput::Stem { cin } => (
            lower_frozen::stem_matrix(w, job.rows, cin)?,
            vec![INT8; 9 * cin],
        ),
        LayerInput::Depthwise { .. } => (lower_frozen::depthwise_matrix(w)?, vec![RELU8; w.len()]),
        LayerInput::Previous => (
            lower_frozen::pointwise_matrix(w, job.rows)?,
            vec![INT8; w.len() / job.rows],
        ),
    };
    let t = std::time::Instant::now();
    let graph = lower_frozen::lower(&job.name, &matrix, &ranges, opts)?;
    let lowering_ms = t.elapsed().as_secs_f64() * 1e3;
    let module = format!("{prefix}_{}_weights", bus_name(&job.name));
    let rq = &job.conv.requant;
    let requant = match frozen_bn {
        FrozenBn::Trainable => RequantHw::Programmable {
            scale_bus: bus_name(&format!("{}.scale", job.name)),
            bias_bus: bus_name(&format!("{}.bias", job.name)),
            shift_bus: bus_name(&format!("{}.shift", job.name)),
        },
        FrozenBn::Frozen => {
            let acc: Vec<Interval> = graph.outputs().iter().map(|o| o.interval).collect();
            let scale = lower_frozen::scale_matrix(&rq.scale)?;
            let g = lower_frozen::lower(&format!("{}.scale", job.name), &scale, &acc, opts)?;
            let rnd: i64 = if rq.shift == 0 {
                0
            } else {
                1 << (rq.shift - 1)
            };
            RequantHw::Constant {
                module: format!("{prefix}_{}_rq", bus_name(&job.name)),
                graph: g,
                add: rq.bias.iter().map(|&b| b as i64 + rnd).collect(),
                shift: rq.shift,
            }
        }
    };
    Ok(LayerHw {
        name: job.name.clone(),
        module,
        graph,
        input: job.input,
        relu: job.relu,
        requant,
        lowering_ms,
    })
}
