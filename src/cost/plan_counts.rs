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

use crate::arith::LayerStats;
use crate::passes::plan::{RequantHw, StageHw};
use crate::passes::schedule::{EngineSchedule, TrainStageHw};
use crate::passes::HwPlan;
use serde::Serialize;

/// Counts of one block (or a sum of blocks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Adders/subtractors of the frozen shift-add networks (multipliers, trees, negations).
    pub adders: u64,
    /// Adder bits that need carry logic (`LayerStats::adder_bits`).
    pub adder_bits: u64,
    /// Pipeline flip-flops of the adder graphs (datapath and valid bits) plus, in the
    /// register block, the programmable parameter bits.
    pub flip_flops: u64,
    /// 8x8 multipliers of the MAC engines (`P*Q` per engine).
    pub mac_units: u64,
    /// Weight-SRAM bits of the MAC engines (`G*S*WB*8` per engine).
    pub sram_bits: u64,
    /// Line-memory bits of the window generators (four lines of `W * 8*C` bits each).
    pub line_buffer_bits: u64,
    /// Skew-FIFO bits (depth x width) at the boundaries.
    pub fifo_bits: u64,
    /// Clocks per frame the block's compute is busy: output pixels x clocks per window.
    pub busy_cycles_per_frame: u64,
    /// Calibration feature: bits of the generic requant multipliers (16 x accumulator width
    /// per requant unit), programmable requant of frozen layers and of MAC engines.
    pub requant_mult_bits: u64,
    /// Calibration feature: bits of the 3x3 window registers (9 x 8*C).
    pub window_bits: u64,
    /// Calibration feature: bits of the blend multipliers (per blended channel, 9 x 8 x 2).
    pub blend_bits: u64,
    /// Calibration feature: MAC engines.
    pub engines: u64,
    /// Calibration feature: output channels of the MAC engines (output registers, requant).
    pub engine_outputs: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.adders += o.adders;
        self.adder_bits += o.adder_bits;
        self.flip_flops += o.flip_flops;
        self.mac_units += o.mac_units;
        self.sram_bits += o.sram_bits;
        self.line_buffer_bits += o.line_buffer_bits;
        self.fifo_bits += o.fifo_bits;
        self.busy_cycles_per_frame += o.busy_cycles_per_frame;
        self.requant_mult_bits += o.requant_mult_bits;
        self.window_bits += o.window_bits;
        self.blend_bits += o.blend_bits;
        self.engines += o.engines;
        self.engine_outputs += o.engine_outputs;
    }
}

impl Counts {
    /// Memory bits that the SRAM area model prices (weights, line buffers, skew FIFOs).
    pub fn memory_bits(&self) -> u64 {
        self.sram_bits + self.line_buffer_bits + self.fifo_bits
    }
}

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
    Counts {
        mac_units: e.mac_units() as u64,
        sram_bits: e.sram_bits() as u64,
        busy_cycles_per_frame: (e.out_size.pixels() * e.clocks_used()) as u64,
        requant_mult_bits: (r * 16 * e.acc_bits()) as u64,
        engines: 1,
        engine_outputs: e.out_n as u64,
        ..Counts::default()
    }
}

/// Counts of one frozen stage.
pub fn frozen_stage_counts(st: &StageHw) -> Counts {
    let mut c = Counts {
        line_buffer_bits: line_buffer_bits(st.in_size.w, st.in_channels),
        window_bits: 9 * 8 * st.in_channels as u64,
        busy_cycles_per_frame: st.out_size().pixels() as u64,
        ..Counts::default()
    };
    for l in st.branches.iter().flat_map(|b| b.layers.iter()) {
        let s = LayerStats::of(&l.name, &l.graph, 0.0);
        c.adders += s.adders() as u64;
        c.adder_bits += s.adder_bits;
        c.flip_flops += s.register_bits;
        match &l.requant {
            RequantHw::Programmable { .. } => {
                c.requant_mult_bits += (l.channels() * 16) as u64 * l.acc_width() as u64;
            }
            RequantHw::Constant { graph, .. } => {
                let s = LayerStats::of("", graph, 0.0);
                c.adders += s.adders() as u64;
                c.adder_bits += s.adder_bits;
                c.flip_flops += s.register_bits;
            }
        }
    }
    c
}

/// Counts of one trainable stage (its window generator and engines).
pub fn train_stage_counts(st: &TrainStageHw) -> Counts {
    let mut c = Counts {
        line_buffer_bits: line_buffer_bits(st.in_size.w, st.in_channels),
        window_bits: 9 * 8 * st.in_channels as u64,
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
        let sum_bits = 8 + (usize::BITS - h.in_size.pixels().saturating_sub(1).leading_zeros());
        c.flip_flops += 2 * (h.in_channels as u64) * sum_bits as u64 + h.pool_acc_bits() as u64;
        c.busy_cycles_per_frame = h.pool_clocks() as u64;
        c.requant_mult_bits = 16 * h.pool_acc_bits() as u64;
    } else {
        c.flip_flops += 16 * h.outputs as u64;
    }
    // sf_pwl: two stages of value, segment and sideband.
    c.flip_flops += 2 * 18 + 48;
    c
}

/// Every block of the plan, in stream order: frozen stages, each trainable core's stages,
/// the register block and the top-level glue.
pub fn blocks(plan: &HwPlan) -> Vec<Block> {
    let mut out = Vec::new();
    for st in &plan.stages {
        out.push(Block {
            name: st.name.clone(),
            module: st.module.clone(),
            part: Part::Frozen,
            latency: st.latency() as u64,
            counts: frozen_stage_counts(st),
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
    for b in blocks.iter().filter(|b| part.map_or(true, |p| b.part == p)) {
        c += b.counts;
    }
    c
}
