//! The top level's interconnect between the cores, planned once: at every boundary k the
//! frozen stage whose output F_k is forked to the trainable cores, the skew FIFO F_k waits in
//! for the trainable path, and the trainable-side skew FIFOs where the frozen path is deeper;
//! and the skew FIFOs in front of a train01 head's join. Emit, cost and the report read these.

use super::frozen::StageHw;
use super::schedule::TrainCoreHw;
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
    let Some(first) = cores.first() else {
        return Vec::new();
    };
    let pixels = input.pixels();
    first
        .stages
        .iter()
        .filter_map(|st| st.boundary.map(|k| (k, st)))
        .map(|(k, st)| {
            let frozen_stage = stages
                .iter()
                .position(|s| s.boundary == Some(k))
                .expect("a frozen stage per boundary");
            let frozen_lag = frozen_lag(pixels, &stages[..=frozen_stage]);
            let size = st.out_size();
            let row = size.w * (pixels / size.pixels());
            let train_lag = trainable_lag(pixels, first, k);
            let depth = skew_depth(size.w, row, train_lag.saturating_sub(frozen_lag));
            let skew = SkewFifo {
                boundary: k,
                depth,
                bits: 8 * st.out_channels(),
                reason: format!(
                    "lag: trainable ~{train_lag} clocks, frozen ~{frozen_lag}: rows of {} \
                     beats at {row} clocks per row; + 2 rows + 4",
                    size.w
                ),
            };
            let trainable = cores
                .iter()
                .map(|c| {
                    let lead = frozen_lag.saturating_sub(trainable_lag(pixels, c, k));
                    TrainableSkew {
                        core: c.index,
                        extra_blocks: extra_frozen_blocks(stages, c, k),
                        depth: if lead == 0 {
                            0
                        } else {
                            skew_depth(size.w, row, lead)
                        },
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

/// Clocks a streaming stage holds its output back from its input: it sees a window row once
/// the next input row has arrived (one input row), sweeps the `w_out` windows at
/// `per_window` clocks each, and adds its pipeline latency plus the blend/fork/skid clocks.
fn stage_lag(
    pixels: usize,
    in_size: Size,
    stride: usize,
    per_window: usize,
    latency: usize,
) -> usize {
    let in_row = in_size.w * (pixels / in_size.pixels());
    in_row + in_size.strided(stride).w * per_window + latency + BOUNDARY_CLOCKS
}

/// The frozen path's lag at the end of `stages` (its stages up to a boundary).
fn frozen_lag(pixels: usize, stages: &[StageHw]) -> usize {
    stages
        .iter()
        .map(|s| stage_lag(pixels, s.in_size, s.stride, s.period(), s.latency()))
        .sum()
}

/// Trainable core `core`'s lag at boundary k.
fn trainable_lag(pixels: usize, core: &TrainCoreHw, k: usize) -> usize {
    let end = core
        .stages
        .iter()
        .position(|s| s.boundary == Some(k))
        .map_or(core.stages.len(), |i| i + 1);
    core.stages[..end]
        .iter()
        .map(|s| {
            stage_lag(
                pixels,
                s.in_size,
                s.stride,
                s.clocks_per_window(),
                s.engine_latency(),
            )
        })
        .sum()
}

/// A skew FIFO's depth for one path leading the other by `lead` clocks: the path delivers at
/// most one row of `w` beats per `row` clocks on average, in bursts of a row, so it holds the
/// rows produced during the lead, the row in flight and one row of burst margin, plus 4.
/// Co-simulation checks that the input never stalls.
fn skew_depth(w: usize, row: usize, lead: usize) -> usize {
    w * (lead.div_ceil(row) + 2) + 4
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
