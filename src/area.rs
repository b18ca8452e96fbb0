//! The area model: a block's logic area (standard cells, memories excluded) as a non-negative
//! linear function of counts from the hardware plan (the features), priced per feature in µm²
//! of OSU 0.18 µm cells. One model serves two readers: the plan's implementation choices
//! predict their candidates with [`DEFAULT_COEFFICIENTS`], and `cost` refits the coefficients
//! against synthesized blocks (`report --synth`, docs/cost.md) and reports the fit's error.
//! Memories (weight SRAMs, line buffers, parameter memories, FIFOs) are priced separately per
//! bit ([`SRAM_UM2_PER_BIT`]).

use serde::Serialize;

/// Counts of one block (or a sum of blocks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Adders/subtractors of the frozen shift-add networks (multipliers, trees, negations).
    pub adders: u64,
    /// Adder bits that need carry logic (`LayerStats::adder_bits`; in a MAC engine its lanes'
    /// adder trees and accumulators).
    pub adder_bits: u64,
    /// Flip-flops of the datapaths: the adder graphs' pipeline registers, the folded blocks'
    /// rings, sums and output registers, held accumulators, a MAC engine's input, operand,
    /// accumulator, collection and queue registers and its pipeline; in the register block
    /// the programmable parameter bits.
    pub flip_flops: u64,
    /// 8x8 multipliers (MAC engines `P*Q`, folded blocks' lanes and depthwise units).
    pub mac_units: u64,
    /// Weight-SRAM bits of the MAC engines (`G*S*WB*8` per engine).
    pub sram_bits: u64,
    /// Line-memory bits of the window generators (four lines of `W * 8*C` bits each).
    pub line_buffer_bits: u64,
    /// Skew-FIFO and stage-FIFO bits (depth x width).
    pub fifo_bits: u64,
    /// Requant parameter memory bits (scale and bias of shared requant units).
    pub param_bits: u64,
    /// Clocks per frame the block's compute is busy.
    pub busy_cycles_per_frame: u64,
    /// Calibration feature: bits of the generic requant multipliers (16 x accumulator width
    /// per requant unit).
    pub requant_mult_bits: u64,
    /// Calibration feature: bits of the 3x3 window registers (9 x 8*C).
    pub window_bits: u64,
    /// Calibration feature: bits of the blend multipliers (per blended channel, 9 x 8 x 2).
    pub blend_bits: u64,
    /// Calibration feature: MAC engines.
    pub engines: u64,
    /// Calibration feature: output channels of the MAC engines (output registers, requant).
    pub engine_outputs: u64,
    /// Calibration feature: bits of constant tables synthesized as logic (the folded blocks'
    /// nonzero weights, 8 bits each).
    pub table_bits: u64,
    /// Flip-flops (included in `flip_flops`) that the `timing` pass's pipelines add over the
    /// shallowest form (not an area feature: the report's pipelining cost).
    pub pipeline_bits: u64,
    /// Conv weight parameters the block implements (not an area feature: the denominator of
    /// area per weight).
    pub weights: u64,
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
        self.param_bits += o.param_bits;
        self.busy_cycles_per_frame += o.busy_cycles_per_frame;
        self.requant_mult_bits += o.requant_mult_bits;
        self.window_bits += o.window_bits;
        self.blend_bits += o.blend_bits;
        self.engines += o.engines;
        self.engine_outputs += o.engine_outputs;
        self.table_bits += o.table_bits;
        self.pipeline_bits += o.pipeline_bits;
        self.weights += o.weights;
    }
}

impl Counts {
    /// Memory bits the SRAM area model prices (weights, line buffers, FIFOs, parameters).
    pub fn memory_bits(&self) -> u64 {
        self.sram_bits + self.line_buffer_bits + self.fifo_bits + self.param_bits
    }
}

/// What kind of block the counts describe (a streaming stage pays a per-stage constant, the
/// register block prices its parameter bits separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Stage,
    Regs,
    Other,
}

/// Number of features.
pub const NF: usize = 11;

/// Names of the features, in coefficient order.
pub const FEATURES: [&str; NF] = [
    "adder bit",
    "datapath flip-flop",
    "MAC unit (8x8)",
    "requant multiplier bit",
    "window register bit",
    "blend bit",
    "streaming stage",
    "register-block bit",
    "MAC engine",
    "MAC-engine output channel",
    "table bit",
];

/// µm² per feature unit, from the calibration recorded in docs/cost.md (the plan's choices
/// use these; `report --synth` refits them): tiny's 20 synthesized units at stop 32 (the
/// register-block bit is its register block, 9.29 mm² for 43,077 flip-flops with their decode
/// and read-back).
pub const DEFAULT_COEFFICIENTS: [f64; NF] = [
    241.4, 288.2, 13_814.9, 81.5, 12.1, 159.0, 73_709.0, 215.7, 55_128.9, 1_834.1, 4.8,
];

/// µm² per memory bit (SRAM area model; docs/cost.md).
pub const SRAM_UM2_PER_BIT: f64 = 10.0;

/// The feature vector of a block's counts.
pub fn features(c: &Counts, kind: BlockKind) -> [f64; NF] {
    let regs = kind == BlockKind::Regs;
    [
        c.adder_bits as f64,
        if regs { 0.0 } else { c.flip_flops as f64 },
        c.mac_units as f64,
        c.requant_mult_bits as f64,
        c.window_bits as f64,
        c.blend_bits as f64,
        (kind == BlockKind::Stage) as u64 as f64,
        if regs { c.flip_flops as f64 } else { 0.0 },
        c.engines as f64,
        c.engine_outputs as f64,
        c.table_bits as f64,
    ]
}

pub fn predict(coef: &[f64; NF], f: &[f64; NF]) -> f64 {
    coef.iter().zip(f).map(|(c, v)| c * v).sum()
}

/// Logic plus memory area of a block with the default coefficients, µm².
pub fn estimate(c: &Counts, kind: BlockKind) -> f64 {
    predict(&DEFAULT_COEFFICIENTS, &features(c, kind)) + c.memory_bits() as f64 * SRAM_UM2_PER_BIT
}
