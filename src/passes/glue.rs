//! The top level's interconnect between the cores, planned once: at every boundary k the
//! frozen stage whose output F_k is forked to the trainable cores, the skew FIFO F_k waits in
//! for the trainable path, and the trainable-side skew FIFOs where the frozen path is deeper;
//! and the skew FIFOs in front of a train01 head's join. Emit, cost and the report read these.

use super::frozen::StageHw;
use super::schedule::TrainCoreHw;
use crate::model::layout::Size;

/// Clocks the blend, fork and skid stages add on the trainable path at a boundary.
pub const BOUNDARY_CLOCKS: usize = 4;

/// Clocks from the last input pixel a window needs to the window leaving `sf_window3x3`
/// (its CONTRACT, "Latency"), the same in frozen and trainable stages; a registered write
/// port (WR_REG) adds one.
pub const WINDOW_CLOCKS: usize = 4;

/// `WINDOW_CLOCKS` of a window generator with or without its registered write port.
pub fn window_clocks(wr_reg: bool) -> usize {
    WINDOW_CLOCKS + usize::from(wr_reg)
}

/// Beats a pipeline of `clocks` clocks holds of a stream with one beat every `t` clocks
/// (rounded up): how pipeline latency turns into skew-FIFO entries.
pub fn pipeline_beats(clocks: usize, t: usize) -> usize {
    clocks.div_ceil(t.max(1))
}

/// Beats one regular 3x3 block delays a stream of `w` beats per row, one beat every `t`
/// clocks, whose pipeline (window generator to output) takes `clocks` clocks: the row it
/// waits for plus its pipeline plus 2 beats of burst. With a pipeline shorter than a beat this
/// is `w + 3`, the figure measured before the pipelines were deepened for the clock target.
pub fn block_delay_beats(w: usize, clocks: usize, t: usize) -> usize {
    w + 2 + pipeline_beats(clocks, t)
}

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
        .map(|s| {
            stage_lag(
                pixels,
                s.in_size,
                s.stride,
                s.period(),
                s.latency() + usize::from(s.window_wr_reg()),
            )
        })
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
                s.engine_latency() + usize::from(s.window_wr_reg),
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
/// block): `block_delay_beats` per repeat pass (the row a pass waits for, its window
/// generator, engines and boundary stages, exact from the plan) plus `w_S + 4` beats of
/// burst margin; the cores' pass counts differ by at most R_max.
pub fn train01_skew_depth(input: Size, cores: &[TrainCoreHw], out_w: usize) -> usize {
    let Some(core) = cores.first().filter(|c| !c.repeat.is_empty()) else {
        return 0;
    };
    // every core's banks have the same shape; take the slowest pass of any core
    let pass: usize = (0..core.repeat.len())
        .map(|r| {
            cores
                .iter()
                .filter_map(|c| c.repeat.get(r))
                .map(|st| {
                    let t = input.pixels() / st.out_size().pixels();
                    block_delay_beats(
                        out_w,
                        window_clocks(st.window_wr_reg) + st.engine_latency() + BOUNDARY_CLOCKS,
                        t,
                    )
                })
                .max()
                .unwrap_or(0)
        })
        .sum();
    pass + out_w + 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::{plan, PlanOptions};

    #[test]
    fn pipeline_latency_turns_into_beats() {
        // a pipeline no longer than a beat: the w + 3 measured before the deeper pipelines
        assert_eq!(block_delay_beats(16, 40, 64), 19);
        assert_eq!(block_delay_beats(16, 64, 64), 19);
        // every further beat period of latency is one more beat in flight
        assert_eq!(block_delay_beats(16, 65, 64), 20);
        assert_eq!(block_delay_beats(4, 9, 4), 9);
        assert_eq!(pipeline_beats(0, 4), 0);
    }

    /// The plan's skew FIFOs follow the engines' pipelines: a faster target deepens the
    /// engines (never shallower), so their latencies and the lags they add only grow.
    #[test]
    fn skew_fifos_follow_the_engine_pipelines() {
        let model = crate::modelgen::default_model();
        let at = |mhz: f64| {
            let opts = PlanOptions {
                target_mhz: Some(mhz),
                ..PlanOptions::default()
            };
            plan(&model, &opts).unwrap()
        };
        let (slow, fast) = (at(25.0), at(150.0));
        for (a, b) in slow.engines().zip(fast.engines()) {
            assert_eq!(a.layer, b.layer);
            assert!(a.latency() <= b.latency(), "{}", a.layer);
            assert_eq!(
                b.latency(),
                b.clocks_used() + b.drain_clocks(),
                "{}: latency from the pipeline",
                b.layer
            );
        }
        assert!(slow
            .engines()
            .zip(fast.engines())
            .any(|(a, b)| a.latency() < b.latency()));
        for (a, b) in slow.skew_fifos().zip(fast.skew_fifos()) {
            assert!(a.depth <= b.depth, "boundary {}", a.boundary);
        }
        assert!(slow.train01_skew_depth <= fast.train01_skew_depth);
    }
}
