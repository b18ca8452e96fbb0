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
//! The delays are OpenSTA critical paths on the OSU 0.18 µm typical library with the cost
//! flow (`cost::synth`: Yosys 0.23, ABC with the liberty), each a register-to-register path
//! (clock-to-output and setup included). docs/cost.md lists the measurements, the commands
//! and the fit.

use super::heads::HeadHw;
use super::schedule::{EnginePipe, EngineSchedule, TrainCoreHw};
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// Default target clock, MHz (the 150 MHz; 6.67 ns).
pub const DEFAULT_TARGET_MHZ: f64 = 150.0;

/// Per-stage delays of the OSU 0.18 µm cost flow, ns. Every figure is a register-to-register
/// critical path (clock-to-output and setup included) or a part of one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DelayModel {
    /// Register overhead: clock-to-output, setup and local wiring of one register hop.
    pub register: f64,
    /// One adder level of a lane (tree level or the accumulate).
    pub lane_level: f64,
    /// The 8x8 signed multiplier.
    pub multiplier: f64,
    /// Extra delay of the first adder level right after the multiplier.
    pub after_multiplier: f64,
    /// `sf_requant_pipe` critical path for STAGES = 1..=4 (index 0..=3) at `requant_acc_w`
    /// accumulator bits, and the extra delay per further accumulator bit.
    pub requant: [f64; 4],
    pub requant_acc_w: usize,
    pub requant_per_bit: f64,
    /// The requant multiplier stage alone (STAGES >= 2), at `requant_acc_w` bits.
    pub requant_multiply: f64,
    /// One level of a one-hot AND-OR select (the scale/bias of a shared requant unit's step;
    /// `ceil(log2 n) + 1` levels for n steps).
    pub select_level: f64,
    /// A frozen shift-add network: `frozen_base + k * frozen_level` between registers k adder
    /// levels apart (wider, shifted operands than a lane's adders).
    pub frozen_base: f64,
    pub frozen_level: f64,
    /// Longest path of the stages whose depth the RTL fixes (an engine's input select and
    /// control, the other primitives), over the presets' parameter sets.
    pub fixed: f64,
    /// Fraction of the period the model fills: headroom for its fit error.
    pub fill: f64,
    /// Signed operand bits of the technology's DSP multiplier (0: none, standard cells). The
    /// requantization multipliers are then cut into DSP-sized partial products, each
    /// registered at the DSP's output (`sf_requant_pipe` `DSP_W`).
    pub dsp_w: u32,
}

/// The calibration of docs/cost.md ("Timing model"): OpenSTA on the cost flow.
pub const OSU018: DelayModel = DelayModel {
    register: 0.6,
    lane_level: 0.55,
    multiplier: 2.45,
    after_multiplier: 0.36,
    requant: [7.21, 6.86, 4.45, 4.45],
    requant_acc_w: 24,
    requant_per_bit: 0.02,
    requant_multiply: 4.45,
    select_level: 0.25,
    frozen_base: 1.5,
    frozen_level: 0.76,
    // tiny's MAC-engine stage train0.rep.r0 (window, engines, select) measured 6.29 ns with
    // cost flow 2, the slowest path of fixed depth found so far
    fixed: 6.3,
    fill: 0.97,
    dsp_w: 0,
};

/// A first ECP5 table (LFE5U-85F, speed grade 6, Yosys `synth_ecp5` + nextpnr-ecp5 post
/// route), from the post-route paths `report --fpga` measured on tiny's units (docs/cost.md,
/// "FPGA"): a register hop with its routing ~2 ns; an adder level is a carry chain plus the
/// routing into and out of it (~2.6 ns, ~3.3 ns at requant width); the 8x8 product a
/// MULT18X18D (~4.6 ns). Routing makes every figure about twice the OSU one, so the same
/// target gets deeper pipelines, and the fill leaves more headroom for placement.
pub const ECP5: DelayModel = DelayModel {
    register: 2.0,
    lane_level: 2.6,
    multiplier: 4.6,
    after_multiplier: 0.4,
    // P: ACC_W x 9 bits over two MULT18X18D and an add (9.2); A: two 42-bit adds (8.6);
    // S+C: the shift, mask and clamp (~9); one clock for A+S+C ~15.6, for all ~22.8
    requant: [22.8, 15.6, 9.2, 9.2],
    requant_acc_w: 24,
    requant_per_bit: 0.05,
    requant_multiply: 9.2,
    select_level: 1.0,
    frozen_base: 2.0,
    frozen_level: 2.8,
    // the fixed-depth paths the RTL must keep for 100 MHz: those of the units that close it
    // measure below this; `sf_window3x3`'s select fan-out (11.3-11.7 ns) does not yet
    fixed: 9.4,
    fill: 0.95,
    // MULT18X18D
    dsp_w: 18,
};

/// Which delay table the `timing` pass plans with (`generation.timing_model`,
/// `generate --timing-model`): the technology the RTL is built for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimingModel {
    /// Standard cells: the OSU 0.18 µm calibration (also the shape of faster libraries).
    #[default]
    Osu018,
    /// Lattice ECP5 after place and route (LUT4 fabric, carry chains, MULT18X18D).
    Ecp5,
}

impl TimingModel {
    pub fn delays(self) -> DelayModel {
        match self {
            TimingModel::Osu018 => OSU018,
            TimingModel::Ecp5 => ECP5,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            TimingModel::Osu018 => "osu018",
            TimingModel::Ecp5 => "ecp5",
        }
    }
    pub fn is_default(&self) -> bool {
        *self == TimingModel::default()
    }
}

impl std::str::FromStr for TimingModel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "osu018" => Ok(TimingModel::Osu018),
            "ecp5" => Ok(TimingModel::Ecp5),
            _ => Err(format!("expected \"osu018\" or \"ecp5\", found \"{s}\"")),
        }
    }
}

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

impl DelayModel {
    /// A lane segment of `levels` adder levels between registers, starting with the
    /// multiplier or not.
    pub fn lane_segment(&self, multiplier: bool, levels: usize) -> f64 {
        let mut d = self.register + self.lane_level * levels as f64;
        if multiplier {
            d += self.multiplier;
            if levels > 0 {
                d += self.after_multiplier;
            }
        }
        d
    }
    /// An `sf_requant_pipe` with `stages` registers and `acc_w` accumulator bits.
    pub fn requant(&self, stages: u32, acc_w: usize) -> f64 {
        let extra = acc_w.saturating_sub(self.requant_acc_w) as f64 * self.requant_per_bit;
        self.requant[(stages.clamp(1, 4) - 1) as usize] + extra
    }
    /// An `sf_requant_pipe` whose scale and bias come through a one-hot select of `steps`
    /// entries in the same clock as its first step (`RQ_SEL = 0`).
    pub fn requant_selected(&self, stages: u32, acc_w: usize, steps: usize) -> f64 {
        let extra = acc_w.saturating_sub(self.requant_acc_w) as f64 * self.requant_per_bit;
        let select = if steps > 1 {
            self.select_level * f64::from(crate::arith::csd::ceil_log2(steps as u64) + 1)
        } else {
            0.0
        };
        let first = if stages == 1 {
            self.requant[0]
        } else {
            self.requant_multiply
        } + extra
            + select;
        first.max(self.requant(stages, acc_w))
    }
    /// `levels` frozen adder levels between registers.
    pub fn frozen(&self, levels: u32) -> f64 {
        self.frozen_base + self.frozen_level * f64::from(levels)
    }
}

/// The segments of an engine lane between registers, each (starts with the multiplier,
/// adder levels), for a tree of `t` levels plus the accumulate (level t+1): a register after
/// the products with `mul_reg`, after every tree level k with k % lpr == 0, and the
/// accumulator.
pub fn lane_segments(t: usize, pipe: &EnginePipe) -> Vec<(bool, usize)> {
    let lpr = pipe.lpr.max(1) as usize;
    let mut segs = Vec::new();
    if pipe.mul_reg {
        segs.push((true, 0));
    }
    let mut start = 1;
    while start <= t + 1 {
        let end = (start - 1) / lpr * lpr + lpr;
        let end = if end > t { t + 1 } else { end };
        segs.push((segs.is_empty(), end - start + 1));
        start = end + 1;
    }
    segs
}

/// Pipeline-register bits of one lane besides its accumulator: the products with `mul_reg`
/// (Q x 16), and after tree level k the ceil(Q / 2^k) partial sums of 16 + k bits.
pub fn lane_register_bits(q: usize, pipe: &EnginePipe) -> usize {
    let t = crate::arith::csd::ceil_log2(q as u64) as usize;
    let lpr = pipe.lpr.max(1) as usize;
    let products = if pipe.mul_reg { q * 16 } else { 0 };
    products
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
        if !(target_mhz.is_finite() && target_mhz > 0.0) {
            bail!("target clock: expected a positive number of MHz, found {target_mhz}");
        }
        let period_ns = 1000.0 / target_mhz;
        let budget = period_ns * model.fill;
        let limits = [
            ("a stage the RTL does not pipeline further", model.fixed),
            (
                "an 8x8 product between registers",
                model.lane_segment(true, 0),
            ),
            ("a requantization step (4 stages)", model.requant(4, 0)),
            ("one frozen adder level", model.frozen(1)),
        ];
        let (what, d) = limits
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("limits");
        if d > budget {
            bail!(
                "target clock {target_mhz} MHz ({period_ns:.2} ns) is above what the {} delay \
                 model can close: {what} takes {d:.2} ns of the {budget:.2} ns it allows; the \
                 fastest supported clock is {:.0} MHz",
                technology.name(),
                (1000.0 * model.fill / d).floor()
            );
        }
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

    /// Pipeline parameters of an engine with `q` products per lane, `acc_w` accumulator bits
    /// and `steps` requant steps per vector: the lane registers with the fewest bits (then the
    /// fewest registers) whose segments fit the period, then the fewest requant stages that
    /// fit without a select register, else with one.
    pub fn engine_pipe(&self, q: usize, acc_w: usize, steps: usize) -> EnginePipe {
        let model = self.model();
        let t = crate::arith::csd::ceil_log2(q as u64) as usize;
        let mut best: Option<((usize, usize), EnginePipe)> = None;
        for mul_reg in [false, true] {
            for lpr in 1..=(t as u32 + 1) {
                let p = EnginePipe {
                    mul_reg,
                    lpr,
                    ..EnginePipe::default()
                };
                let segs = lane_segments(t, &p);
                if segs
                    .iter()
                    .any(|&(m, l)| model.lane_segment(m, l) > self.budget())
                {
                    continue;
                }
                let key = (lane_register_bits(q, &p), segs.len());
                if best.map_or(true, |(k, _)| key < k) {
                    best = Some((key, p));
                }
            }
        }
        // one adder level per register always fits (checked in `new`)
        let (_, mut p) = best.unwrap_or((
            (0, 0),
            EnginePipe {
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
    /// The pipeline of a trainable layer's engine `e` (its Q, accumulator and requant steps).
    pub fn layer_pipe(&self, e: &EngineSchedule) -> EnginePipe {
        self.engine_pipe(e.q, e.acc_bits(), e.requant_steps())
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
        for h in heads {
            // a pooled head requantizes its frame sums (wider than one pixel's)
            let acc_w = if h.pool {
                h.pool_acc_bits()
            } else {
                h.engine.acc_bits()
            };
            h.engine.pipe = self.engine_pipe(h.engine.q, acc_w, h.engine.requant_steps());
        }
    }
}

impl TimingPlan {
    /// Sets what the technology decides in the folded frozen stages' requant units (their
    /// depth is fixed: `sf_requant_pipe` STAGES 3).
    pub fn set_folded_pipes(&self, stages: &mut [super::frozen::StageHw]) {
        for st in stages {
            if let super::frozen::FrozenImpl::Folded(f) = &mut st.imp {
                f.rq_dsp_w = self.model().dsp_w;
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
                for mul_reg in [false, true] {
                    let p = EnginePipe {
                        mul_reg,
                        lpr,
                        ..EnginePipe::default()
                    };
                    let segs = lane_segments(t, &p);
                    let levels: usize = segs.iter().map(|s| s.1).sum();
                    assert_eq!(levels, t + 1, "t {t} lpr {lpr}");
                    assert_eq!(segs.iter().filter(|s| s.0).count(), 1);
                    // registers: one per segment, the accumulator included
                    let regs = usize::from(mul_reg) + t / lpr as usize + 1;
                    assert_eq!(segs.len(), regs, "t {t} lpr {lpr} mul {mul_reg}");
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
            assert!(
                lane_register_bits(q, &b) >= lane_register_bits(q, &a),
                "q {q}"
            );
            assert!(b.rq_stages >= a.rq_stages || b.rq_sel, "q {q}");
            let levels = crate::arith::csd::ceil_log2(q as u64) as usize;
            for (m, l) in lane_segments(levels, &b) {
                assert!(
                    ECP5.lane_segment(m, l) <= ecp5.period_ns * ECP5.fill,
                    "q {q}"
                );
            }
        }
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
