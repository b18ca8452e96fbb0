//! Figures counted from the hardware plan, per block (one streaming stage, the register
//! block, the top-level glue), with no tool run: adders and adder bits of the frozen shift-add
//! networks, their pipeline flip-flops, MAC units and weight-SRAM bits of the trainable
//! engines, line-buffer bits of every window generator, skew-FIFO bits, register bits and the
//! clocks per frame each block is busy.
//!
//! The iteration is generic: a block is anything the top level instantiates, and its counts
//! are the sum of what it holds (frozen layers, MAC engines). A new kind of plan entry
//! (model heads, the repeat block) that is a list of [`EngineSchedule`]s is costed by
//! [`engine_counts`] like any trainable layer.

use crate::passes::frozen_impl;
use crate::passes::plan::{FrozenImpl, StageHw};
use crate::passes::schedule::{EngineSchedule, TrainStageHw};
use crate::passes::HwPlan;
use serde::Serialize;

pub use crate::area::Counts;

/// Which part of the design a block belongs to (the paper's Table 3 columns sum these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Frozen,
    Trainable(usize),
    /// The model heads.
    Heads,
    /// Register block, input sanitizer, forks, skew FIFOs, blends (shared infrastructure).
    Glue,
}

impl Part {
    pub fn label(&self) -> String {
        match self {
            Part::Frozen => "frozen".into(),
            Part::Trainable(t) => format!("train{t}"),
            Part::Heads => "heads".into(),
            Part::Glue => "glue".into(),
        }
    }
}

/// One block: a module the top level instantiates, or the top level's own logic.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    /// Plan name (`frozen.s1.b0`, `train0.stem`, `regs`, `top`).
    pub name: String,
    /// Verilog module.
    pub module: String,
    pub part: Part,
    /// Clocks from a window to its output (stages), 0 otherwise.
    pub latency: u64,
    pub counts: Counts,
}

/// Window generator (`sf_window3x3`): four line memories of `W` words of `8*C` bits.
pub fn line_buffer_bits(in_w: usize, in_channels: usize) -> u64 {
    4 * in_w as u64 * 8 * in_channels as u64
}

/// Counts of one MAC engine (a trainable conv layer, or any engine-like plan entry).
pub fn engine_counts(e: &EngineSchedule) -> Counts {
    let (r, _) = e.requant_units();
    // each lane's adder tree (Q - 1 adders of 16 + T bits, as the RTL writes them) and its
    // accumulator
    let tree_w = 16 + e.tree_levels();
    let lane_adder_bits = (e.q - 1) * tree_w + e.acc_bits();
    Counts {
        adder_bits: (e.p * lane_adder_bits) as u64,
        mac_units: e.mac_units() as u64,
        sram_bits: e.sram_bits() as u64,
        busy_cycles_per_frame: (e.out_size.pixels() * e.clocks_used()) as u64,
        requant_mult_bits: (r * 16 * e.acc_bits()) as u64,
        flip_flops: (e.pipeline_register_bits() + engine_base_register_bits(e)) as u64,
        pipeline_bits: e.pipeline_register_bits() as u64,
        engines: 1,
        engine_outputs: e.out_n as u64,
        weights: (e.out_n * e.l) as u64,
        ..Counts::default()
    }
}

/// The registers every `sf_mac_engine` holds whatever its pipeline (its CONTRACT's storage
/// line): the input vector, the selected inputs and the memory word (a byte per product each),
/// the accumulators, the collection register and the output queue.
fn engine_base_register_bits(e: &EngineSchedule) -> usize {
    let out_w = if matches!(e.kind, crate::passes::schedule::EngineKind::Head { .. }) {
        16
    } else {
        8
    };
    8 * e.in_n + 16 * e.mac_units() + e.p * e.acc_bits() + out_w * e.out_n * (1 + e.queue_depth())
}

/// Counts of one frozen stage as the plan builds it.
pub fn frozen_stage_counts(st: &StageHw) -> Counts {
    match &st.imp {
        FrozenImpl::Parallel(p) => frozen_impl::parallel_counts(st, p),
        FrozenImpl::Folded(f) => frozen_impl::folded_counts(&f.shape, &f.params, &f.branches),
    }
}

/// Counts of one trainable stage (its window generator and engines).
pub fn train_stage_counts(st: &TrainStageHw) -> Counts {
    let mut c = Counts {
        line_buffer_bits: line_buffer_bits(st.in_size.w, st.in_channels),
        window_bits: (9 + u64::from(st.window_wr_reg)) * 8 * st.in_channels as u64,
        ..Counts::default()
    };
    for e in st.branches.iter().flatten() {
        let mut ec = engine_counts(e);
        // Engines of one stage run side by side: the stage is busy as long as its slowest one.
        ec.busy_cycles_per_frame = 0;
        c += ec;
    }
    c.busy_cycles_per_frame = (st.out_size().pixels() * st.clocks_per_window()) as u64;
    c
}

/// Counts of one head: its engine (per pixel) or pooled dot-product unit (Q multipliers,
/// frame sums and their shadow), the serializer and the PWL.
pub fn head_counts(h: &crate::passes::heads::HeadHw) -> Counts {
    let mut c = engine_counts(&h.engine);
    if h.pool {
        // the pooled dot products are no `sf_mac_engine`: only its pipeline registers count
        c.flip_flops -= engine_base_register_bits(&h.engine) as u64;
        let sum_bits = 8 + (usize::BITS - h.in_size.pixels().saturating_sub(1).leading_zeros());
        c.flip_flops += 2 * (h.in_channels as u64) * sum_bits as u64 + h.pool_acc_bits() as u64;
        c.busy_cycles_per_frame = h.pool_clocks() as u64;
        c.requant_mult_bits = 16 * h.pool_acc_bits() as u64;
    } else {
        c.flip_flops += 16 * h.outputs as u64;
    }
    c.flip_flops += pwl_flip_flops(h.k_max);
    c
}

/// Flip-flops of one `sf_pwl` with a 2-bit sideband (its CONTRACT's storage line): the input
/// slice, the compare bits, the stages' data (z twice, x, y three times, g twice, z - x, the
/// product, the output), the sideband and the valids.
fn pwl_flip_flops(k_max: usize) -> u64 {
    const SIDE_W: u64 = 2;
    let slice = 2 * (16 + SIDE_W) + 2;
    let data = 16 * 8 + 17 + 33 + 16;
    slice + k_max as u64 + data + 5 * SIDE_W + 5
}

/// Every block of the plan, in stream order: frozen stages, each trainable core's stages,
/// the register block and the top-level glue.
pub fn blocks(plan: &HwPlan) -> Vec<Block> {
    let mut out = Vec::new();
    for (st, eq) in plan.stages.iter().zip(&plan.frozen_equivalent) {
        out.push(Block {
            name: st.name.clone(),
            module: st.module.clone(),
            part: Part::Frozen,
            latency: st.latency() as u64,
            counts: Counts {
                weights: train_stage_counts(eq).weights,
                ..frozen_stage_counts(st)
            },
        });
    }
    for core in &plan.trainable {
        for st in core.stages.iter().chain(&core.repeat) {
            out.push(Block {
                name: st.name.clone(),
                module: plan.train_module(st),
                part: Part::Trainable(core.index),
                latency: st.engine_latency() as u64,
                counts: train_stage_counts(st),
            });
        }
    }
    for h in &plan.heads {
        out.push(Block {
            name: h.name.clone(),
            module: plan.head_module(h),
            part: Part::Heads,
            latency: h.engine.latency() as u64,
            counts: head_counts(h),
        });
    }
    let reg_bits: u64 = plan
        .regmap
        .params()
        .map(|(a, _)| a.count as u64 * a.bits as u64)
        .sum();
    out.push(Block {
        name: "regs".into(),
        module: plan.regs_module(),
        part: Part::Glue,
        latency: 0,
        counts: Counts {
            flip_flops: reg_bits,
            ..Counts::default()
        },
    });
    out.push(Block {
        name: "top".into(),
        module: plan.top(),
        part: Part::Glue,
        latency: 0,
        counts: glue_counts(plan),
    });
    out
}

/// Bits of a trainable engine's per-channel requant registers (int16 scale, int32 bias) and
/// per-layer shift in the register block (`passes::registers`).
pub fn engine_register_bits(e: &EngineSchedule) -> u64 {
    (e.out_n * (16 + 32) + 6) as u64
}

/// Register-block bits per owning part: a register belongs to the part whose layer, blend or
/// head it programs (by its name: `FROZEN_`, `TRAIN<t>_`, `HEAD<h>_`); the rest (identity,
/// control, status, core shuffle) is glue.
pub fn register_bits_by_part(plan: &HwPlan) -> Vec<(Part, u64)> {
    let mut out: Vec<(Part, u64)> = Vec::new();
    for (a, _) in plan.regmap.params() {
        let n = &a.name;
        let part = if n.starts_with("FROZEN_") {
            Part::Frozen
        } else if n.starts_with("HEAD") {
            Part::Heads
        } else if let Some(t) = n
            .strip_prefix("TRAIN")
            .and_then(|r| r.split('_').next())
            .and_then(|d| d.parse().ok())
        {
            Part::Trainable(t)
        } else {
            Part::Glue
        };
        let bits = a.count as u64 * a.bits as u64;
        match out.iter_mut().find(|(p, _)| *p == part) {
            Some((_, b)) => *b += bits,
            None => out.push((part, bits)),
        }
    }
    out.sort();
    out
}

/// The top level's own logic: skew FIFOs (both sides) and blends.
pub fn glue_counts(plan: &HwPlan) -> Counts {
    let mut c = Counts::default();
    for f in plan.skew_fifos() {
        c.fifo_bits += (f.depth * f.bits) as u64;
    }
    // Both sides of every train01 head's join: data plus sof.
    let joins = plan
        .heads
        .iter()
        .filter(|h| h.source == crate::model::manifest::HeadSource::Train01)
        .count();
    let depth = plan.train01_skew_depth;
    c.fifo_bits += (2 * joins * depth * (8 * plan.out_channels() + 1)) as u64;
    for core in &plan.trainable {
        for st in &core.stages {
            if let Some(k) = st.boundary {
                let depth = plan.boundaries[k].trainable[core.index].depth;
                // Data plus the sof and eol markers.
                c.fifo_bits += (depth * (8 * st.out_channels() + 2)) as u64;
                c.blend_bits += (st.out_channels() * 9 * 8 * 2) as u64;
            }
        }
    }
    c
}

/// Clocks per frame of the whole pipeline at one input pixel per clock (`H*W`; measured
/// exactly so by `semifreddo verify`).
pub fn frame_cycles(plan: &HwPlan) -> u64 {
    plan.input.pixels() as u64
}

/// Sum of the counts of the blocks in `part` (all blocks with `None`).
pub fn total(blocks: &[Block], part: Option<Part>) -> Counts {
    let mut c = Counts::default();
    for b in blocks.iter().filter(|b| part.is_none_or(|p| b.part == p)) {
        c += b.counts;
    }
    c
}
