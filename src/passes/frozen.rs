//! The frozen core's hardware types: streaming stages of branches of layers, each layer an
//! adder graph followed by its requant, with the latencies the stages and the top level
//! align to (`lower_frozen` builds them).

use crate::arith::AdderGraph;
use crate::model::layout::Size;

/// Clocks of the programmable requant (`sf_requant`).
pub const REQUANT_LATENCY: u32 = 2;

#[derive(Debug, Clone)]
pub enum RequantHw {
    /// `frozen_bn = "trainable"`: scale, bias and shift from the register block.
    Programmable {
        scale_bus: String,
        bias_bus: String,
        shift_bus: String,
    },
    /// `frozen_bn = "frozen"`: m as an adder graph, then + (b + rnd) and >>> shift as wiring.
    Constant {
        module: String,
        graph: AdderGraph,
        add: Vec<i64>,
        shift: u8,
    },
}

impl RequantHw {
    pub fn latency(&self) -> u32 {
        match self {
            RequantHw::Programmable { .. } => REQUANT_LATENCY,
            RequantHw::Constant { graph, .. } => graph.latency() + 1,
        }
    }
}

/// Where a layer's matrix columns come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerInput {
    /// Column t * cin + ci = window tap t, channel ci (stem).
    Stem { cin: usize },
    /// Column 9c + t = window tap t, channel from + c (depthwise).
    Depthwise { from: usize },
    /// Column i = output i of the previous layer (pointwise).
    Previous,
}

#[derive(Debug, Clone)]
pub struct LayerHw {
    /// Tensor prefix, e.g. `frozen.s1.b0.br1.dw`.
    pub name: String,
    /// Verilog module of the adder graph.
    pub module: String,
    pub graph: AdderGraph,
    pub input: LayerInput,
    pub relu: bool,
    pub requant: RequantHw,
    /// Wall time of lowering the weights (for the report).
    pub lowering_ms: f64,
}

impl LayerHw {
    pub fn channels(&self) -> usize {
        self.graph.outputs().len()
    }
    /// Clocks from the layer's inputs to its int8 outputs.
    pub fn latency(&self) -> u32 {
        self.graph.latency() + self.requant.latency()
    }
    /// Widest accumulator (the requant input bus width per channel).
    pub fn acc_width(&self) -> u32 {
        self.graph
            .outputs()
            .iter()
            .map(|o| o.width)
            .max()
            .unwrap_or(1)
    }
}

#[derive(Debug, Clone)]
pub struct BranchHw {
    pub layers: Vec<LayerHw>,
}

impl BranchHw {
    pub fn latency(&self) -> u32 {
        self.layers.iter().map(|l| l.latency()).sum()
    }
    pub fn out_channels(&self) -> usize {
        self.layers.last().map_or(0, |l| l.channels())
    }
}

/// One streaming stage: window generator, branches, pass-through and output wiring.
#[derive(Debug, Clone)]
pub struct StageHw {
    /// `frozen.stem` or a block name such as `frozen.s1.b0`.
    pub name: String,
    pub module: String,
    pub in_size: Size,
    pub in_channels: usize,
    pub stride: usize,
    /// Regular blocks pass channels 0..n of the window centre through (x1).
    pub passthrough: usize,
    pub branches: Vec<BranchHw>,
    /// Channel shuffle of concat(pass-through, branches) at the output (blocks, not the stem).
    pub shuffle: bool,
    /// 0 for the stem, k for the blocks of stage k.
    pub stage: usize,
    /// `Some(k)` when this stage's output is the frozen features F_k at boundary k.
    pub boundary: Option<usize>,
}

impl StageHw {
    pub fn out_size(&self) -> Size {
        self.in_size.strided(self.stride)
    }
    pub fn out_channels(&self) -> usize {
        self.passthrough
            + self
                .branches
                .iter()
                .map(|b| b.out_channels())
                .sum::<usize>()
    }
    /// Clocks from a window leaving the window generator to its output pixel.
    pub fn latency(&self) -> u32 {
        self.branches.iter().map(|b| b.latency()).max().unwrap_or(0)
    }
    /// For output channel k, the channel of concat(pass-through, branches) it carries.
    pub fn output_source(&self, k: usize) -> usize {
        let c = self.out_channels();
        if !self.shuffle {
            k
        } else if k % 2 == 0 {
            k / 2
        } else {
            c / 2 + k / 2
        }
    }
}
