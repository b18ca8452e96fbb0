//! The top level's interconnect between the cores, planned once: at every boundary k the
//! frozen stage whose output F_k is forked to the trainable cores, the skew FIFO F_k waits in
//! for the trainable path, and the trainable-side skew FIFOs where the frozen path is deeper;
//! and the skew FIFOs in front of a train01 head's join. Emit, cost and the report read these.

use super::frozen::StageHw;
use super::schedule::{TrainCoreHw, TrainStageHw};
use crate::model::layout::Size;

/// Clocks the blend, fork and skid stages add on the trainable path at a boundary.
pub const BOUNDARY_CLOCKS: usize = 4;

/// Clocks from the last input pixel a window needs to the window leaving `sf_window3x3`
/// (its CONTRACT, "Latency"), the same in frozen and trainable stages.
pub const WINDOW_CLOCKS: usize = 4;

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
                    let depth = st.map_or(0, |st| {
                        trainable_skew_depth(input, extra_blocks, stages, frozen_stage, st)
                    });
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
/// per clock) and adds its window generator's and engines' latency (the engines' from their
/// pipelines, `EngineSchedule::latency`), so by boundary k the lag is at most
/// `lag_k = sum over the trainable stages up to k of (w_out * G*S + 4 + engine latency + 4)`
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
        lag += st.out_size().w * st.clocks_per_window()
            + WINDOW_CLOCKS
            + st.engine_latency()
            + BOUNDARY_CLOCKS;
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
/// about one row of its output (it emits row r once row r+1 has arrived) plus its pipeline
/// (window generator and the stage's exact latency from the plan, `StageHw::latency`), so
/// T_t may lead by the sum of `block_delay_beats` over the extra blocks (the last ones of the
/// frozen stage ending at boundary k); one more row plus 4 covers bursts.
fn trainable_skew_depth(
    input: Size,
    extra: usize,
    stages: &[StageHw],
    frozen_stage: usize,
    st: &TrainStageHw,
) -> usize {
    if extra <= 1 {
        // Measured: one extra block is absorbed by the stage's own buffering (tiny).
        return 0;
    }
    let w = st.out_size().w;
    let t = input.pixels() / st.out_size().pixels();
    let first = (frozen_stage + 1).saturating_sub(extra);
    let delay: usize = stages[first..=frozen_stage]
        .iter()
        .map(|f| block_delay_beats(w, WINDOW_CLOCKS + f.latency() as usize, t))
        .sum();
    delay + w + 4
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
                        WINDOW_CLOCKS + st.engine_latency() + BOUNDARY_CLOCKS,
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
