//! The technologies the `timing` pass plans for: each one's per-stage delay table
//! (`DelayModel`), the choice between them (`TimingModel`, `generation.timing_model`) and the
//! check that a target clock is one the table can close (`check_target`).
//!
//! A leaf module: the model's validation and the `timing` pass both read it, so the model does
//! not import the plan's passes.

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
    /// Routing a product segment pays when its operands come from the logic's registers: on
    /// an FPGA the multipliers are DSP blocks in columns away from the logic, and the
    /// operands and the product each cross that distance. Above the budget the plan registers
    /// the operands by the multiplier (`sf_mac_engine` OP_REG = 1). 0 for standard cells.
    pub operand_route: f64,
    /// The most 8x8 products one engine keeps in DSP blocks. An engine with more spreads its
    /// DSPs over the die, far from its logic, and builds its products from logic instead
    /// (`sf_mac_engine` MUL_LUT = 1). `usize::MAX` for standard cells (no DSP blocks).
    pub dsp_products: usize,
    /// `sf_window3x3`'s line-memory write as the input handshake decides it (WR_REG = 0):
    /// handshake, room test and write enable into every cell of a line memory. Above the
    /// budget the plan registers the write port (WR_REG = 1, a clock of latency and a
    /// register of the pixel).
    pub line_write: f64,
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
    operand_route: 0.0,
    dsp_products: usize::MAX,
    // the whole of sf_window3x3 at 512 bits, WIDTH 16 (`primitive_timing`): the memories
    // are synchronous stand-ins, so the enable ends at a pin
    line_write: 1.98,
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
    // P: bias + rounding beside the DSP multiplies (9.2; with `dsp_w` each partial product
    // is one MULT18X18D straight into the P register); A: two 42-bit adds (8.6); S+C: the
    // shift, mask and clamp (~9); one clock for A+S+C ~15.6, for all ~22.8
    requant: [22.8, 15.6, 9.2, 9.2],
    requant_acc_w: 24,
    requant_per_bit: 0.05,
    requant_multiply: 9.2,
    select_level: 1.0,
    frozen_base: 2.0,
    frozen_level: 2.8,
    // the fixed-depth paths the RTL must keep for 100 MHz (a requirement, not a fit): met by
    // the parallel stages since stop 27 (9.8-9.9 ns post route, control fan-out into enable
    // copies, mostly routing); `sf_window3x3`'s write enable is `line_write`
    fixed: 9.4,
    fill: 0.95,
    // MULT18X18D
    dsp_w: 18,
    // tiny's train.stem with 80 MULT18X18D post route (stop 31): select register -> DSP ->
    // product register 12.6 ns, of which 8.15 ns routing to and from the DSP columns; the
    // model's register hop and multiplier leave 6.0 ns of it. With OP_REG the model assumes
    // the placer puts the copies by the DSP: it did for train.s2.b0 (26 DSPs, 108.3 MHz), not
    // for the stem (80 DSPs, 76.5 MHz; docs/cost.md, stop 31)
    operand_route: 6.0,
    // tiny's train.stem, one engine of 72 products (P 8, Q 9): with DSPs 76.5 MHz, the
    // products' routes to and from the DSPs (4.1 + 4.5 ns) even with two operand and two
    // product registers in series (76.2 MHz: the placer kept all of them by the logic);
    // with LUT products 106.0 MHz, its slowest path then a control path (stop 32).
    // train.s2.b0's engines (at most 6 products each) kept their DSPs: 108.3 MHz.
    dsp_products: 32,
    // tiny's train.rep (512 bits, WIDTH 2) post route: s_ready_q -> handshake -> room ->
    // write enable, 3.9 ns of it routing the enable to the line's LUT-RAM cells
    line_write: 10.8,
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
            // ceil(log2 steps) + 1 levels
            self.select_level * f64::from((steps - 1).ilog2() + 2)
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

/// The clock period (ns) of `target_mhz`, or an error when the target is not a positive
/// number or is above what `technology`'s table can close (naming the limiting stage: a stage
/// whose depth the RTL fixes, a product, a requantization step or one frozen adder level).
pub fn check_target(target_mhz: f64, technology: TimingModel) -> Result<f64> {
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
    Ok(period_ns)
}
