//! The `timing` pass: pipeline depths for a target clock.
//!
//! A target clock (`generation.target_mhz`, `generate --target-mhz`) becomes a period, and
//! every pipeline whose depth the plan chooses is cut into the fewest register stages whose
//! calibrated delay fits it:
//! - a MAC engine lane: the 8x8 products, the `ceil(log2 Q)` levels of the adder tree and the
//!   accumulate (`EnginePipe::mul_reg`, `EnginePipe::lpr`);
//! - a requantization unit (`sf_requant_pipe` STAGES and SPLIT);
//! - the frozen shift-add networks (`PlanOptions::pipeline_every`, adder levels per register).
//!
//! Fewer registers are always preferred, so a lower target gives shallower pipelines and
//! fewer flip-flops. Stages whose depth the RTL fixes (an engine's input select, the longest
//! one-level paths of the primitives) bound the fastest clock the model accepts; a target
//! above it is an error naming the limiting stage.
//!
//! The delay tables are in `crate::technology`: the OSU 0.18 µm delays are OpenSTA critical
//! paths on its typical library with the cost flow (`cost::synth`: Yosys 0.23, ABC with the
//! liberty), each a register-to-register path (clock-to-output and setup included); the ECP5
//! ones post-route paths. docs/cost.md lists the measurements, the commands and the fit.

use super::heads::HeadHw;
use super::schedule::{EnginePipe, EngineSchedule, TrainCoreHw};
use anyhow::Result;

pub use crate::technology::{DelayModel, TimingModel, DEFAULT_TARGET_MHZ, ECP5, OSU018};

/// The pipeline parameters chosen for one target clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimingPlan {
    pub target_mhz: f64,
    /// The clock period, ns.
    pub period_ns: f64,
    /// Adder levels per pipeline register in the frozen shift-add networks.
    pub pipeline_every: u32,
    /// The delay table the depths were chosen with.
    pub timing_model: TimingModel,
}

/// The segments of an engine lane between registers, each (starts with the multiplier,
/// adder levels), for a tree of `t` levels plus the accumulate (level t+1): the operand
/// copies with `op_reg` (a register hop), a register after the products with `mul_reg`,
/// after every tree level k with k % lpr == 0, and the accumulator.
pub fn lane_segments(t: usize, pipe: &EnginePipe) -> Vec<(bool, usize)> {
    let lpr = pipe.lpr.max(1) as usize;
    let mut segs = Vec::new();
    if pipe.op_reg {
        segs.push((false, 0));
    }
    let mut multiplier = true;
    if pipe.mul_reg {
        segs.push((true, 0));
        multiplier = false;
    }
    let mut start = 1;
    while start <= t + 1 {
        let end = (start - 1) / lpr * lpr + lpr;
        let end = if end > t { t + 1 } else { end };
        segs.push((multiplier, end - start + 1));
        multiplier = false;
        start = end + 1;
    }
    segs
}

/// The delay of each of a lane's segments (`lane_segments`): a segment starting with the
/// multiplier pays the technology's `operand_route` unless the operands are registered by
/// the multiplier (`op_reg`).
pub fn lane_segment_delays(model: &DelayModel, t: usize, pipe: &EnginePipe) -> Vec<f64> {
    lane_segments(t, pipe)
        .into_iter()
        .map(|(m, l)| {
            let far = if m && !pipe.op_reg {
                model.operand_route
            } else {
                0.0
            };
            model.lane_segment(m, l) + far
        })
        .collect()
}

/// Pipeline-register bits of one lane besides its accumulator: the operand copies with
/// `op_reg` (Q x 16), the products with `mul_reg` (Q x 16), and after tree level k the
/// ceil(Q / 2^k) partial sums of 16 + k bits.
pub fn lane_register_bits(q: usize, pipe: &EnginePipe) -> usize {
    let t = crate::arith::csd::ceil_log2(q as u64) as usize;
    let lpr = pipe.lpr.max(1) as usize;
    let operands = if pipe.op_reg { q * 16 } else { 0 };
    let products = if pipe.mul_reg { q * 16 } else { 0 };
    operands
        + products
        + (1..=t)
            .filter(|k| k % lpr == 0)
            .map(|k| q.div_ceil(1 << k) * (16 + k))
            .sum::<usize>()
}

impl TimingPlan {
    /// The plan for `target_mhz` with the OSU 0.18 µm calibration. A target the model
    /// cannot close is an error naming the limiting stage.
    pub fn new(target_mhz: f64) -> Result<TimingPlan> {
        Self::for_technology(target_mhz, TimingModel::Osu018)
    }

    /// The plan for `target_mhz` with the delay table of `technology`.
    pub fn for_technology(target_mhz: f64, technology: TimingModel) -> Result<TimingPlan> {
        let model = technology.delays();
        let period_ns = crate::technology::check_target(target_mhz, technology)?;
        let budget = period_ns * model.fill;
        let pipeline_every = (1..=64u32)
            .take_while(|&k| model.frozen(k) <= budget)
            .last()
            .unwrap_or(1);
        Ok(TimingPlan {
            target_mhz,
            period_ns,
            pipeline_every,
            timing_model: technology,
        })
    }

    /// The delay model the plan was made with (its technology's table).
    pub fn model(&self) -> DelayModel {
        self.timing_model.delays()
    }

    fn budget(&self) -> f64 {
        self.period_ns * self.model().fill
    }

    /// Whether the window generators register their line memories' write port
    /// (`sf_window3x3` WR_REG): when the unregistered write does not fit the period.
    pub fn window_write_reg(&self) -> bool {
        self.model().line_write > self.budget()
    }

    /// Pipeline parameters of an engine with `q` products per lane, `acc_w` accumulator bits
    /// and `steps` requant steps per vector: the lane registers with the fewest bits (then the
    /// fewest registers) whose segments fit the period, then the fewest requant stages that
    /// fit without a select register, else with one.
    pub fn engine_pipe(&self, q: usize, acc_w: usize, steps: usize) -> EnginePipe {
        let model = self.model();
        let t = crate::arith::csd::ceil_log2(q as u64) as usize;
        let mut best: Option<((usize, usize), EnginePipe)> = None;
        for op_reg in [false, true] {
            for mul_reg in [false, true] {
                for lpr in 1..=(t as u32 + 1) {
                    let p = EnginePipe {
                        op_reg,
                        mul_reg,
                        lpr,
                        ..EnginePipe::default()
                    };
                    let delays = lane_segment_delays(&model, t, &p);
                    if delays.iter().any(|&d| d > self.budget()) {
                        continue;
                    }
                    let key = (lane_register_bits(q, &p), delays.len());
                    if best.is_none_or(|(k, _)| key < k) {
                        best = Some((key, p));
                    }
                }
            }
        }
        // one adder level per register, operands and products registered, always fits
        // (checked in `new`)
        let (_, mut p) = best.unwrap_or((
            (0, 0),
            EnginePipe {
                op_reg: true,
                mul_reg: true,
                lpr: 1,
                ..EnginePipe::default()
            },
        ));
        let fit = |sel: bool| {
            (1..=4).find(|&s| {
                let d = if sel {
                    model.requant(s, acc_w)
                } else {
                    model.requant_selected(s, acc_w, steps)
                };
                d <= self.budget()
            })
        };
        (p.rq_sel, p.rq_stages) = match fit(false) {
            Some(s) => (false, s),
            None => (true, fit(true).unwrap_or(4)),
        };
        p.rq_dsp_w = model.dsp_w;
        p
    }
}

impl TimingPlan {
    /// The pipeline of a trainable layer's engine `e` (its Q, accumulator and requant steps)
    /// and the form of its products (`products_in_logic`).
    pub fn layer_pipe(&self, e: &EngineSchedule) -> EnginePipe {
        EnginePipe {
            mul_lut: self.products_in_logic(e.p * e.q),
            ..self.engine_pipe(e.q, e.acc_bits(), e.requant_steps())
        }
    }

    /// Whether an engine of `products` 8x8 products per clock builds them in logic rather
    /// than in the technology's DSP blocks (more than `DelayModel::dsp_products`). The lane's
    /// registers stay those of the DSP form, the measured one.
    pub fn products_in_logic(&self, products: usize) -> bool {
        products > self.model().dsp_products
    }

    /// Sets the pipeline parameters of every engine of the trainable cores and the heads.
    pub fn set_engine_pipes(&self, cores: &mut [TrainCoreHw], heads: &mut [HeadHw]) {
        let engines = cores
            .iter_mut()
            .flat_map(|c| c.stages.iter_mut().chain(c.repeat.iter_mut()))
            .flat_map(|s| s.branches.iter_mut().flatten());
        for e in engines {
            e.pipe = self.layer_pipe(e);
        }
        for s in cores
            .iter_mut()
            .flat_map(|c| c.stages.iter_mut().chain(c.repeat.iter_mut()))
        {
            s.window_wr_reg = self.window_write_reg();
        }
        for h in heads {
            // a pooled head requantizes its frame sums (wider than one pixel's)
            let acc_w = if h.pool {
                h.pool_acc_bits()
            } else {
                h.engine.acc_bits()
            };
            h.engine.pipe = EnginePipe {
                mul_lut: self.products_in_logic(h.engine.p * h.engine.q),
                ..self.engine_pipe(h.engine.q, acc_w, h.engine.requant_steps())
            };
        }
    }
}

impl TimingPlan {
    /// Sets what the technology decides in the frozen stages: the folded stages' requant
    /// units (their depth is fixed: `sf_requant_pipe` STAGES 3) and the parallel stages'
    /// window write port.
    pub fn set_frozen_pipes(&self, stages: &mut [super::frozen::StageHw]) {
        for st in stages {
            match &mut st.imp {
                super::frozen::FrozenImpl::Folded(f) => f.rq_dsp_w = self.model().dsp_w,
                super::frozen::FrozenImpl::Parallel(p) => p.window_wr_reg = self.window_write_reg(),
            }
        }
    }
}

impl Default for TimingPlan {
    fn default() -> Self {
        TimingPlan::new(DEFAULT_TARGET_MHZ).expect("the default target is supported")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_every_level_once() {
        for t in 0..6 {
            for lpr in 1..8u32 {
                for (op_reg, mul_reg) in
                    [(false, false), (false, true), (true, false), (true, true)]
                {
                    let p = EnginePipe {
                        op_reg,
                        mul_reg,
                        lpr,
                        ..EnginePipe::default()
                    };
                    let segs = lane_segments(t, &p);
                    let levels: usize = segs.iter().map(|s| s.1).sum();
                    assert_eq!(levels, t + 1, "t {t} lpr {lpr}");
                    assert_eq!(segs.iter().filter(|s| s.0).count(), 1);
                    // registers: one per segment, the accumulator included
                    let regs = usize::from(op_reg) + usize::from(mul_reg) + t / lpr as usize + 1;
                    assert_eq!(
                        segs.len(),
                        regs,
                        "t {t} lpr {lpr} mul {mul_reg} op {op_reg}"
                    );
                }
            }
        }
    }

    #[test]
    fn lower_targets_give_shallower_pipelines() {
        for q in [1, 2, 5, 9, 16, 24, 40] {
            let mut prev: Option<(u32, usize, u32)> = None;
            for mhz in [153.0, 150.0, 125.0, 100.0, 75.0, 50.0, 25.0] {
                let t = TimingPlan::new(mhz).unwrap();
                let p = t.engine_pipe(q, 20, 8);
                let cur = (p.rq_stages, lane_register_bits(q, &p), t.pipeline_every);
                if let Some(prev) = prev {
                    assert!(
                        cur.0 <= prev.0 && cur.1 <= prev.1 && cur.2 >= prev.2,
                        "{mhz} q {q}"
                    );
                }
                prev = Some(cur);
            }
        }
        let slow = TimingPlan::new(25.0).unwrap();
        assert_eq!(slow.engine_pipe(9, 20, 8).rq_stages, 1);
        assert!(!slow.engine_pipe(9, 20, 8).rq_sel);
        assert_eq!(lane_register_bits(9, &slow.engine_pipe(9, 20, 8)), 0);
    }

    #[test]
    fn every_chosen_segment_fits() {
        for mhz in [153.0, 150.0, 100.0, 40.0] {
            let t = TimingPlan::new(mhz).unwrap();
            for q in 1..20 {
                let p = t.engine_pipe(q, 24, 6);
                let levels = crate::arith::csd::ceil_log2(q as u64) as usize;
                for (m, l) in lane_segments(levels, &p) {
                    assert!(t.model().lane_segment(m, l) <= t.period_ns, "{mhz} q {q}");
                }
                let rq = if p.rq_sel {
                    t.model().requant(p.rq_stages, 24)
                } else {
                    t.model().requant_selected(p.rq_stages, 24, 6)
                };
                assert!(rq <= t.period_ns);
            }
        }
    }

    #[test]
    fn the_line_write_is_registered_only_where_it_misses_the_period() {
        // OSU: the enable ends at a memory pin, far inside any supported period
        assert!(!TimingPlan::new(DEFAULT_TARGET_MHZ)
            .unwrap()
            .window_write_reg());
        // ECP5: the enable's routing to every LUT-RAM cell misses 100 MHz, not 50
        let ecp5 = |mhz| TimingPlan::for_technology(mhz, TimingModel::Ecp5).unwrap();
        assert!(ecp5(100.0).window_write_reg());
        assert!(!ecp5(50.0).window_write_reg());
    }

    /// The ECP5 table plans the same target with at least as many registers everywhere (its
    /// every delay is longer), cuts the requant multipliers for its 18-bit DSPs (standard
    /// cells do not), closes 100 MHz, and names itself when a target is too fast.
    #[test]
    fn the_ecp5_table_pipelines_deeper() {
        let osu = TimingPlan::new(100.0).unwrap();
        let ecp5 = TimingPlan::for_technology(100.0, TimingModel::Ecp5).unwrap();
        assert_eq!(ecp5.timing_model, TimingModel::Ecp5);
        assert!(ecp5.pipeline_every <= osu.pipeline_every);
        for q in 1..40 {
            let (a, b) = (osu.engine_pipe(q, 24, 6), ecp5.engine_pipe(q, 24, 6));
            assert_eq!((a.rq_dsp_w, b.rq_dsp_w), (0, 18));
            // the DSP columns: operands registered by the multipliers on the ECP5 only
            assert_eq!((a.op_reg, b.op_reg), (false, true), "q {q}");
            assert!(
                lane_register_bits(q, &b) >= lane_register_bits(q, &a),
                "q {q}"
            );
            assert!(b.rq_stages >= a.rq_stages || b.rq_sel, "q {q}");
            let levels = crate::arith::csd::ceil_log2(q as u64) as usize;
            for d in lane_segment_delays(&ECP5, levels, &b) {
                assert!(d <= ecp5.period_ns * ECP5.fill, "q {q}");
            }
            // without the operand registers the product segment does not fit
            let far = EnginePipe { op_reg: false, ..b };
            assert!(lane_segment_delays(&ECP5, levels, &far)
                .iter()
                .any(|&d| d > ecp5.period_ns * ECP5.fill));
        }
        // products from logic only for an ECP5 engine with many of them (tiny's stem: 72)
        assert!(ecp5.products_in_logic(72) && !ecp5.products_in_logic(18));
        assert!(!osu.products_in_logic(72) && !osu.products_in_logic(usize::MAX - 1));
        let e = TimingPlan::for_technology(150.0, TimingModel::Ecp5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("ecp5 delay model"), "{e}");
        assert_eq!("ecp5".parse::<TimingModel>(), Ok(TimingModel::Ecp5));
        assert!("xc7"
            .parse::<TimingModel>()
            .unwrap_err()
            .contains("\"xc7\""));
    }

    #[test]
    fn unreachable_targets_are_errors() {
        let e = TimingPlan::new(1000.0).unwrap_err().to_string();
        assert!(
            e.contains("1000 MHz") && e.contains("fastest supported clock"),
            "{e}"
        );
        assert!(TimingPlan::new(0.0).is_err());
        assert!(TimingPlan::new(f64::NAN).is_err());
    }
}
