//! The frozen core's hardware types: streaming stages of branches of layers, each layer an
//! adder graph followed by its requant, with the latencies the stages and the top level
//! align to (`lower_frozen` builds them).

use super::fold::FoldedHw;
use super::regmap::TableWord;
use crate::arith::AdderGraph;
use crate::model::layout::Size;

#[derive(Debug, Clone)]
pub enum RequantHw {
    /// `frozen_bn = "trainable"`: the shift from the register block, scale and bias from the
    /// stage's parameter memories (shared requant units, [`FrozenImpl`]).
    Programmable { shift_bus: String },
    /// `frozen_bn = "frozen"`: m as an adder graph, then + (b + rnd) and >>> shift as wiring.
    Constant {
        module: String,
        graph: AdderGraph,
        add: Vec<i64>,
        shift: u8,
    },
}

impl RequantHw {
    pub fn is_programmable(&self) -> bool {
        matches!(self, RequantHw::Programmable { .. })
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
    /// `T`: clocks per output pixel at one input pixel per clock.
    pub clocks_per_pixel: usize,
    /// How the stage is built and why (the `frozen_impl` pass).
    pub imp: FrozenImpl,
    /// The candidates the choice compared.
    pub candidates: Vec<Candidate>,
}

/// How a frozen stage is built.
#[derive(Debug, Clone)]
pub enum FrozenImpl {
    /// The layers as fully parallel shift-add networks (`branches`).
    Parallel(ParallelHw),
    /// Depthwise and pointwise layers folded over the pixel's clocks (`passes::fold`).
    Folded(FoldedHw),
}

impl FrozenImpl {
    pub fn name(&self) -> &'static str {
        match self {
            FrozenImpl::Parallel(_) => "parallel",
            FrozenImpl::Folded(_) => "folded",
        }
    }
}

/// A parallel stage at its rate: a window every `period` clocks, each programmable layer's
/// channels requantized by `units` shared units (`sf_requant_seq`), at most `depth` pixels in
/// flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParallelHw {
    pub period: usize,
    /// Requant units per layer in `StageHw::layers` order (0: constant requant).
    pub units: Vec<usize>,
    /// Clocks from a window to the output FIFO (fixed: the layers run in lock-step).
    pub latency: usize,
    pub depth: usize,
    /// The window generator registers its line memories' write port (`timing` pass).
    pub window_wr_reg: bool,
}

/// One implementation the choice considered, with its predicted area (µm², logic at the
/// default coefficients plus memories), or why it does not fit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    pub kind: &'static str,
    pub area_um2: Option<f64>,
    pub note: String,
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
    /// Clocks between windows at most (the stage's sweep rate).
    pub fn period(&self) -> usize {
        match &self.imp {
            FrozenImpl::Parallel(p) => p.period,
            FrozenImpl::Folded(f) => f.params.period(&f.shape),
        }
    }
    /// Clocks from a window to the stage's output (no stalls).
    pub fn latency(&self) -> usize {
        match &self.imp {
            FrozenImpl::Parallel(p) => p.latency + 1,
            FrozenImpl::Folded(f) => f.a_len() + super::fold::HANDOFF + f.b_len(),
        }
    }
    /// Whether the stage's window generator registers its line-memory write port (one clock
    /// more from a pixel to its window); only the parallel form has that generator.
    pub fn window_wr_reg(&self) -> bool {
        matches!(&self.imp, FrozenImpl::Parallel(p) if p.window_wr_reg)
    }
    /// The layers in stream order (branch by branch).
    pub fn layers(&self) -> impl Iterator<Item = &LayerHw> {
        self.branches.iter().flat_map(|b| b.layers.iter())
    }
    /// Whether the stage's requant parameters are programmable (`frozen_bn = "trainable"`).
    pub fn programmable(&self) -> bool {
        self.layers().any(|l| l.requant.is_programmable())
    }
    /// The words of the stage's requant parameter memories in configuration-window order
    /// (empty when the requant is constant): per requant unit, per channel it serves, the
    /// bias then the scale; `None` for a unit's unused slot.
    pub fn param_table(&self) -> Vec<Option<TableWord>> {
        if !self.programmable() {
            return Vec::new();
        }
        let word = |layer: &str, c: usize| {
            [
                Some(TableWord {
                    tensor: format!("{layer}.bias"),
                    index: c,
                }),
                Some(TableWord {
                    tensor: format!("{layer}.scale"),
                    index: c,
                }),
            ]
        };
        let mut v = Vec::new();
        match &self.imp {
            FrozenImpl::Folded(f) => {
                for u in f.units() {
                    for &c in &u.channels {
                        v.extend(word(&u.layer, c));
                    }
                }
            }
            FrozenImpl::Parallel(p) => {
                for (l, &r) in self.layers().zip(&p.units) {
                    let nr = l.channels().div_ceil(r.max(1));
                    for u in 0..r {
                        for s in 0..nr {
                            let c = u + r * s;
                            if c < l.channels() {
                                v.extend(word(&l.name, c));
                            } else {
                                v.extend([None, None]);
                            }
                        }
                    }
                }
            }
        }
        v
    }
    /// For output channel k, the channel of concat(pass-through, branches) it carries.
    pub fn output_source(&self, k: usize) -> usize {
        let c = self.out_channels();
        if !self.shuffle {
            k
        } else if k.is_multiple_of(2) {
            k / 2
        } else {
            c / 2 + k / 2
        }
    }
}
