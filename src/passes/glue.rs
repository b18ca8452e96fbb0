//! The top level's interconnect between the cores, planned once: at every boundary k the
//! frozen stage whose output F_k is forked to the trainable cores, the skew FIFO F_k waits in
//! for the trainable path, and the trainable-side skew FIFOs where the frozen path is deeper;
//! and the skew FIFOs in front of a train01 head's join. Emit, cost and the report read these.

use super::frozen::StageHw;
use super::schedule::{TrainCoreHw, TrainStageHw};
use crate::model::layout::Size;

/// Clocks the blend, fork and skid stages add on the trainable path at a boundary.
pub const BOUNDARY_CLOCKS: usize = 4;

/// A boundary's skew FIFO: depth and the reason for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkewFifo {
    pub boundary: usize,
    pub depth: usize,
    pub bits: usize,
    pub reason: String,
}

/// Trainable core t's side of a boundary: its skew FIFO when the frozen stage is deeper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainableSkew {
    pub core: usize,
    /// Regular blocks the frozen core has beyond this core in the stage ending here.
    pub extra_blocks: usize,
    /// Entries of the trainable-side skew FIFO (0: none).
    pub depth: usize,
}

/// Boundary k of a model with trainable cores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boundary {
    pub index: usize,
    /// Index in `HwPlan::stages` of the frozen stage whose output is F_k.
    pub frozen_stage: usize,
    /// The FIFO F_k waits in before the blends.
    pub skew: SkewFifo,
    /// Per trainable core, in core order.
    pub trainable: Vec<TrainableSkew>,
}

/// Every boundary, k = 0..=S (none without trainable cores).
pub fn boundaries(input: Size, stages: &[StageHw], cores: &[TrainCoreHw]) -> Vec<Boundary> {
    skew_fifos(input, cores)
        .into_iter()
        .map(|skew| {
            let k = skew.boundary;
            let frozen_stage = stages
                .iter()
                .position(|s| s.boundary == Some(k))
                .expect("a frozen stage per boundary");
            let trainable = cores
                .iter()
                .map(|c| {
                    let extra_blocks = extra_frozen_blocks(stages, c, k);
                    let st = c.stages.iter().find(|s| s.boundary == Some(k));
                    let depth = st.map_or(0, |st| trainable_skew_depth(extra_blocks, st));
                    TrainableSkew {
                        core: c.index,
                        extra_blocks,
                        depth,
                    }
                })
                .collect();
            Boundary {
                index: k,
                frozen_stage,
                skew,
                trainable,
            }
        })
        .collect()
}

/// Skew FIFO depth at every boundary. The trainable path lags the frozen one: each trainable
/// stage sweeps a row of `w_out` windows at `G*S` clocks per window (the frozen stage at one
/// per clock) and adds its engines' latency, so by boundary k the lag is at most
/// `lag_k = sum over the trainable stages up to k of (w_out * G*S + engine latency + 4)`
/// clocks. Meanwhile F_k delivers at most one output row (`w_k` beats) per `w_k * T_k` clocks
/// on average, in bursts of a whole row. The FIFO holds `w_k * (ceil(lag_k / (w_k*T_k)) + 2)`
/// beats (the rows produced during the lag, the row in flight and one row of burst margin)
/// plus 4; co-simulation checks that the input never stalls and nothing deadlocks.
fn skew_fifos(input: Size, cores: &[TrainCoreHw]) -> Vec<SkewFifo> {
    let Some(core) = cores.first() else {
        return Vec::new();
    };
    let pixels = input.pixels();
    let mut lag = 0usize;
    let mut out = Vec::new();
    for st in &core.stages {
        lag += st.out_size().w * st.clocks_per_window() + st.engine_latency() + BOUNDARY_CLOCKS;
        if let Some(k) = st.boundary {
            let size = st.out_size();
            let t = pixels / size.pixels();
            let row = size.w * t;
            let rows = lag.div_ceil(row);
            let depth = size.w * (rows + 2) + 4;
            out.push(SkewFifo {
                boundary: k,
                depth,
                bits: 8 * st.out_channels(),
                reason: format!(
                    "lag <= {lag} clocks = {rows} row(s) of {} beats at {row} clocks per row; \
                     + 2 rows + 4",
                    size.w
                ),
            });
        }
    }
    out
}

/// Extra regular blocks the frozen core has beyond trainable core `core` in the stage ending
/// at boundary k (0 at the stem).
fn extra_frozen_blocks(stages: &[StageHw], core: &TrainCoreHw, k: usize) -> usize {
    if k == 0 {
        return 0;
    }
    let frozen = stages.iter().filter(|s| s.stage == k).count();
    // The core's stages after boundary k-1 up to boundary k.
    let start = core
        .stages
        .iter()
        .position(|s| s.boundary == Some(k - 1))
        .map_or(0, |i| i + 1);
    let trainable = core.stages[start..]
        .iter()
        .position(|s| s.boundary == Some(k))
        .map_or(0, |i| i + 1);
    frozen.saturating_sub(trainable)
}

/// Depth of the trainable-side skew FIFO (0: none). Each extra frozen 3x3 block delays F_k by
/// about one row of its output (it emits row r once row r+1 has arrived) plus its pipeline,
/// so T_t may lead by `extra * (w_k + 3)` beats; one more row plus 4 covers bursts.
fn trainable_skew_depth(extra: usize, st: &TrainStageHw) -> usize {
    if extra <= 1 {
        // Measured: one extra block is absorbed by the stage's own buffering (tiny).
        return 0;
    }
    let w = st.out_size().w;
    extra * (w + 3) + w + 4
}

/// Depth of each skew FIFO in front of a train01 head's join (0: none, without a repeat
/// block): `R_max*(w_S + 3) + w_S + 4` beats (one row plus pipeline per pass of difference,
/// and a row of burst margin).
pub fn train01_skew_depth(cores: &[TrainCoreHw], out_w: usize) -> usize {
    let repeat = cores.first().map_or(0, |c| c.repeat.len());
    if repeat == 0 {
        0
    } else {
        repeat * (out_w + 3) + out_w + 4
    }
}
