//! The `fold` pass: a frozen block built for a low pixel rate. After the stride-2 stem every
//! block produces one output pixel every `T` clocks (16, 64, 256 with the presets), so a fully
//! parallel shift-add network idles most of the time. A folded block instead runs two
//! decoupled sequencers per output pixel, with the frozen weights as constant tables
//! (case statements that synthesize to logic, zeros costing no table bits):
//!
//! - **A (depthwise)**: reads the window from `sf_window_reader` one channel group (`G`
//!   channels) and one column at a time, `3*G` multipliers per branch (one per window row and
//!   channel), accumulates the three columns, requantizes (shared units) and writes the int8
//!   results into the branch's next ring. `3*Cb/G` reads per pixel.
//! - **B (pointwise)**: the ring of the `Cb` depthwise outputs rotates `Q` bytes per clock
//!   under `L` lanes of `Q` multipliers; lane `l` computes outputs `o = m*L + l` (`m < k`,
//!   `k = ceil(Cb/L)`), one every `NB = Cb/Q` clocks. Lanes are split into `R` emission groups
//!   of `Lg = ceil(L/R)` lanes, staggered by one clock within a group, so each group's
//!   finished sums reach its requant unit one per clock; results go straight into the output
//!   pixel register at their shuffled position. Regular blocks copy their pass-through half
//!   (`x1`, the window centre) into the even positions.
//!
//! A hands its ring over to B when both are done, so one pixel takes
//! `max(A, B) + HANDOFF` clocks; the pass picks the parameters that fit the block's clock
//! budget with the fewest multipliers, then requant units, then lanes.

use crate::arith::{signed_width, Interval};
use crate::model::layout::Size;
use crate::model::params::{Conv, Requant};

/// Clocks of the requantization unit (`sf_requant_pipe`).
pub const REQUANT_LATENCY: usize = 3;

/// Clocks between one pixel and the next besides the longer sequencer: A's start, or B's
/// handover and ring load.
pub const HANDOFF: usize = 2;

/// Clocks from A's last read to its last ring write besides the requant latency: read data,
/// its register and the weight, product, the unit slot of the group's last channel (at most
/// 2), the unit's input register, the ring write.
const A_DRAIN: usize = 1 + 1 + 1 + 2 + 1 + 1;

/// Clocks from B's last product address to its last output write besides the requant
/// latency: weight and ring head, product, the unit's input register (the write lands with
/// B's last clock).
const B_DRAIN: usize = 1 + 1 + 1;

/// The shape of a block as the fold sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldShape {
    pub in_size: Size,
    pub in_channels: usize,
    pub stride: usize,
    /// Branches (1 regular, 2 downsample), each a depthwise over window channels
    /// `from..from+channels` and a `channels x channels` pointwise.
    pub branches: usize,
    pub from: usize,
    pub channels: usize,
    /// Window-centre channels `0..passthrough` copied to the even outputs (regular blocks).
    pub passthrough: usize,
}

/// The chosen folding of a block (the same for each branch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldParams {
    /// `G`: depthwise channels per window read.
    pub group: usize,
    /// `Q`: products per lane per clock (ring bytes per rotation).
    pub products: usize,
    /// `L`: pointwise lanes per branch.
    pub lanes: usize,
    /// `R`: pointwise requant units (emission groups) per branch.
    pub units: usize,
}

impl FoldParams {
    /// Depthwise read groups per pixel, `Cb / G`.
    pub fn read_groups(&self, s: &FoldShape) -> usize {
        s.channels / self.group
    }
    /// Depthwise requant units per branch: one per three channels of a group (a group's sums
    /// wait three clocks, until the next group's last column).
    pub fn dw_units(&self) -> usize {
        self.group.div_ceil(3)
    }
    /// `NB = Cb / Q`: clocks per pointwise output.
    pub fn clocks_per_output(&self, s: &FoldShape) -> usize {
        s.channels / self.products
    }
    /// `k = ceil(Cb / L)`: outputs per lane.
    pub fn outputs_per_lane(&self, s: &FoldShape) -> usize {
        s.channels.div_ceil(self.lanes)
    }
    /// `Lg = ceil(L / R)`: lanes per emission group (their stagger is 0..Lg-1).
    pub fn lanes_per_unit(&self) -> usize {
        self.lanes.div_ceil(self.units)
    }
    /// Lane `l`'s emission group and stagger.
    pub fn unit_of(&self, lane: usize) -> (usize, usize) {
        (lane / self.lanes_per_unit(), lane % self.lanes_per_unit())
    }
    /// Clocks A is busy per pixel: reads, then the drain of the last group.
    pub fn a_clocks(&self, s: &FoldShape) -> usize {
        3 * self.read_groups(s) + A_DRAIN + REQUANT_LATENCY
    }
    /// Clocks of B's product addresses: the last lane's stagger plus `k` outputs.
    pub fn b_products(&self, s: &FoldShape) -> usize {
        self.lanes_per_unit() - 1 + self.outputs_per_lane(s) * self.clocks_per_output(s)
    }
    /// Clocks B is busy per pixel.
    pub fn b_clocks(&self, s: &FoldShape) -> usize {
        self.b_products(s) + B_DRAIN + REQUANT_LATENCY
    }
    /// Clocks per output pixel in steady state.
    pub fn period(&self, s: &FoldShape) -> usize {
        self.a_clocks(s).max(self.b_clocks(s)) + HANDOFF
    }
    /// 8x8 multipliers of the whole block.
    pub fn multipliers(&self, s: &FoldShape) -> usize {
        s.branches * (3 * self.group + self.lanes * self.products)
    }
    /// Requant units of the whole block.
    pub fn requant_units(&self, s: &FoldShape) -> usize {
        s.branches * (self.dw_units() + self.units)
    }
    /// Legal for the shape: groups and ring steps divide the channels, a group is a whole
    /// reader group (divides the pixel and starts on a group boundary), every emission group's
    /// lanes finish within one output's clocks.
    pub fn fits_shape(&self, s: &FoldShape) -> bool {
        let (g, q) = (self.group, self.products);
        g >= 1
            && q >= 1
            && s.channels.is_multiple_of(g)
            && s.in_channels.is_multiple_of(g)
            && s.from.is_multiple_of(g)
            && s.channels.is_multiple_of(q)
            && (1..=s.channels).contains(&self.lanes)
            && (1..=self.lanes).contains(&self.units)
            && self.lanes_per_unit() <= self.clocks_per_output(s)
    }
}

/// What the parameter search minimises, in µm² (the calibrated cost model supplies it).
pub trait FoldCost {
    fn fold_area(&self, shape: &FoldShape, p: &FoldParams) -> f64;
}

/// A first-order cost (OSU 0.18 µm cells, before calibration): an 8x8 multiplier with its
/// registers, a requant unit, a lane's accumulator.
pub struct UnitCost;

impl FoldCost for UnitCost {
    fn fold_area(&self, s: &FoldShape, p: &FoldParams) -> f64 {
        p.multipliers(s) as f64 * 14_000.0
            + p.requant_units(s) as f64 * 40_000.0
            + (s.branches * p.lanes) as f64 * 5_000.0
    }
}

/// Clocks a window generator loses per output row besides its windows (as for the trainable
/// engines, `schedule::ROW_SLACK`).
pub const ROW_SLACK: usize = 2;

impl FoldParams {
    /// Whether the block keeps one input pixel per clock when it must produce one output pixel
    /// every `t` clocks:
    /// - the period fits the row budget `floor((t*w_out - ROW_SLACK) / w_out)`;
    /// - with stride 2 the input writes row `2r+3` into the line memories of rows `2r-1` and
    ///   `2r` column by column while output row `r` is still read: window `c` (done `3*Cb/G`
    ///   clocks after it starts, one period after window `c-1`) must have released input
    ///   column `2c` before the input reaches it, `W*t/4 + 2c*t/4` clocks after the row began.
    pub fn fits_rate(&self, s: &FoldShape, t: usize) -> bool {
        let out = s.in_size.strided(s.stride);
        let wo = out.w;
        let budget = ((t * wo).saturating_sub(ROW_SLACK) / wo).max(1);
        let p = self.period(s);
        if p > budget {
            return false;
        }
        if s.stride == 1 {
            return true;
        }
        let release = 3 * self.read_groups(s) + HANDOFF + ROW_SLACK;
        (0..wo).all(|c| c * p + release <= (s.in_size.w + 2 * c) * t / 4)
    }
}

/// The cheapest legal parameters that sustain one output pixel every `t` clocks
/// ([`FoldParams::fits_rate`]), or `None` when nothing fits (the block then needs a faster
/// implementation). Deterministic: ties go to fewer multipliers, then fewer lanes, then
/// smaller `G`.
pub fn choose(s: &FoldShape, t: usize, cost: &dyn FoldCost) -> Option<FoldParams> {
    let mut best: Option<(f64, usize, usize, usize, FoldParams)> = None;
    let divisors = |n: usize| (1..=n).filter(move |d| n.is_multiple_of(*d));
    for group in divisors(s.channels) {
        for products in divisors(s.channels).filter(|&q| q <= MAX_PRODUCTS) {
            for lanes in 1..=s.channels {
                for units in 1..=lanes {
                    let p = FoldParams {
                        group,
                        products,
                        lanes,
                        units,
                    };
                    if !p.fits_shape(s) || !p.fits_rate(s, t) {
                        continue;
                    }
                    let key = (cost.fold_area(s, &p), p.multipliers(s), lanes, group);
                    if best
                        .as_ref()
                        .is_none_or(|b| (key.0, key.1, key.2, key.3) < (b.0, b.1, b.2, b.3))
                    {
                        best = Some((key.0, key.1, key.2, key.3, p));
                    }
                    // more units only add cost once the first one fits
                    break;
                }
            }
        }
    }
    best.map(|b| b.4)
}

/// Most products a lane sums per clock (the lane's adder tree stays within one clock).
pub const MAX_PRODUCTS: usize = 4;

/// Depthwise weight table of one multiplier: row `i` of the window, channel `c` of the group;
/// entry `a` (A's read clock, `a = 3*g + j`) is `w[g*G + c][3*i + j]`. `weight` is the
/// branch's `[Cb][1][3][3]` tensor.
pub fn dw_table(s: &FoldShape, p: &FoldParams, weight: &[i8], row: usize, c: usize) -> Vec<i8> {
    let reads = 3 * p.read_groups(s);
    (0..reads)
        .map(|a| {
            let (g, j) = (a / 3, a % 3);
            weight[(g * p.group + c) * 9 + 3 * row + j]
        })
        .collect()
}

/// Output channel of lane `l`'s `m`-th output, if it exists (`o = m*L + l < Cb`).
pub fn lane_output(s: &FoldShape, p: &FoldParams, lane: usize, m: usize) -> Option<usize> {
    let o = m * p.lanes + lane;
    (o < s.channels).then_some(o)
}

/// Pointwise weight table of lane `l`, slot `q`: entry `b` (B's product-address clock) is the
/// weight of the ring byte `(b*Q + q) mod Cb` for the output the lane accumulates at `b`, 0
/// outside the lane's active clocks. `weight` is the branch's `[Cb][Cb][1][1]` tensor.
pub fn pw_table(s: &FoldShape, p: &FoldParams, weight: &[i8], lane: usize, q: usize) -> Vec<i8> {
    let nb = p.clocks_per_output(s);
    let stagger = p.unit_of(lane).1;
    (0..p.b_products(s))
        .map(|b| {
            if b < stagger {
                return 0;
            }
            let m = (b - stagger) / nb;
            match lane_output(s, p, lane, m) {
                Some(o) if m < p.outputs_per_lane(s) => {
                    weight[o * s.channels + (b * p.products + q) % s.channels]
                }
                _ => 0,
            }
        })
        .collect()
}

/// The pointwise outputs emission group `r` requantizes, in emission order (lane stagger
/// within each of the `k` rounds); `None` for a lane slot without an output.
pub fn unit_outputs(s: &FoldShape, p: &FoldParams, unit: usize) -> Vec<Option<usize>> {
    let lg = p.lanes_per_unit();
    let mut out = Vec::new();
    for m in 0..p.outputs_per_lane(s) {
        for st in 0..lg {
            let lane = unit * lg + st;
            out.push(if lane < p.lanes {
                lane_output(s, p, lane, m)
            } else {
                None
            });
        }
    }
    out
}

/// Depthwise channels requant unit `u` handles, in order: channel `3u + t` of every group.
pub fn dw_unit_channels(s: &FoldShape, p: &FoldParams, unit: usize) -> Vec<usize> {
    let mut v = Vec::new();
    for g in 0..p.read_groups(s) {
        for t in 0..3 {
            let c = 3 * unit + t;
            if c < p.group {
                v.push(g * p.group + c);
            }
        }
    }
    v
}

/// One branch of a folded block: its depthwise and pointwise layers with their frozen weights,
/// requant parameters and exact accumulator widths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedBranch {
    /// Tensor prefixes, e.g. `frozen.s4.b1.dw`.
    pub dw: String,
    pub pw: String,
    pub dw_weight: Vec<i8>,
    pub pw_weight: Vec<i8>,
    pub dw_requant: Requant,
    pub pw_requant: Requant,
    /// Signed accumulator bits (exact for the weights and the input ranges, at least 17).
    pub dw_acc_bits: u32,
    pub pw_acc_bits: u32,
}

impl FoldedBranch {
    pub fn new(dw: String, pw: String, dw_conv: &Conv, pw_conv: &Conv, channels: usize) -> Self {
        // depthwise inputs are block inputs (after a ReLU), pointwise inputs int8
        let dw_acc_bits = acc_bits(&dw_conv.weight, 9, Interval::RELU8);
        let pw_acc_bits = acc_bits(&pw_conv.weight, channels, Interval::INT8);
        FoldedBranch {
            dw,
            pw,
            dw_weight: dw_conv.weight.clone(),
            pw_weight: pw_conv.weight.clone(),
            dw_requant: dw_conv.requant.clone(),
            pw_requant: pw_conv.requant.clone(),
            dw_acc_bits,
            pw_acc_bits,
        }
    }
}

/// Widest exact accumulator of rows of `row_len` weights over inputs in `x`, at least 17 bits
/// (an int8 x int8 product needs 16).
fn acc_bits(weight: &[i8], row_len: usize, x: Interval) -> u32 {
    weight
        .chunks(row_len)
        .map(|row| {
            let (lo, hi) = row.iter().fold((0i128, 0i128), |(lo, hi), &w| {
                let (a, b) = (w as i128 * x.lo as i128, w as i128 * x.hi as i128);
                (lo + a.min(b), hi + a.max(b))
            });
            signed_width(lo, hi)
        })
        .max()
        .unwrap_or(1)
        .max(17)
}

/// A frozen block built folded: the plan's description that emit, cost and verify read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedHw {
    pub shape: FoldShape,
    pub params: FoldParams,
    /// Clocks per output pixel the block must sustain (`H*W / (h_out*w_out)`).
    pub clocks_per_pixel: usize,
    pub branches: Vec<FoldedBranch>,
    /// Scale and bias in memories behind a configuration window (`frozen_bn = "trainable"`),
    /// or constants.
    pub programmable: bool,
    /// DSP operand bits the requant multipliers are cut to (`sf_requant_pipe` `DSP_W`, from
    /// the timing plan's technology; 0: whole).
    pub rq_dsp_w: u32,
}

impl FoldedHw {
    /// Output byte of pointwise output `o` of branch `b`: the block's channel shuffle of
    /// concat(x1, y) (regular) or concat(b1, b2) (downsample), `out[2i] <- first half`.
    pub fn out_position(&self, branch: usize, o: usize) -> usize {
        if self.shape.passthrough > 0 {
            2 * o + 1
        } else {
            2 * o + branch
        }
    }
    pub fn out_channels(&self) -> usize {
        self.shape.passthrough + self.shape.branches * self.shape.channels
    }
    /// Clocks A is busy per pixel.
    pub fn a_len(&self) -> usize {
        self.params.a_clocks(&self.shape)
    }
    /// Clocks B is busy per pixel.
    pub fn b_len(&self) -> usize {
        self.params.b_clocks(&self.shape)
    }
    /// The pointwise outputs unit `r` requantizes, in order (lane slots without an output
    /// skipped).
    pub fn pw_unit_outputs(&self, unit: usize) -> Vec<usize> {
        unit_outputs(&self.shape, &self.params, unit)
            .into_iter()
            .flatten()
            .collect()
    }
    /// The requant units in configuration-window order: per branch its depthwise units, then
    /// its pointwise units; each with its layer and its channels in read order.
    pub fn units(&self) -> Vec<FoldUnit> {
        let mut v = Vec::new();
        for (b, br) in self.branches.iter().enumerate() {
            for u in 0..self.params.dw_units() {
                v.push(FoldUnit {
                    branch: b,
                    pointwise: false,
                    index: u,
                    layer: br.dw.clone(),
                    channels: dw_unit_channels(&self.shape, &self.params, u),
                });
            }
            for r in 0..self.params.units {
                v.push(FoldUnit {
                    branch: b,
                    pointwise: true,
                    index: r,
                    layer: br.pw.clone(),
                    channels: self.pw_unit_outputs(r),
                });
            }
        }
        v
    }
    /// 32-bit words of the parameter window: bias and scale of every channel.
    pub fn param_words(&self) -> usize {
        self.units().iter().map(|u| 2 * u.channels.len()).sum()
    }
    /// Word address of `layer`'s channel `c` bias (its scale is the next word), or `None` if
    /// the block has no such layer.
    pub fn param_location(&self, layer: &str, channel: usize) -> Option<usize> {
        let mut base = 0;
        for u in self.units() {
            if u.layer == layer {
                if let Some(pos) = u.channels.iter().position(|&c| c == channel) {
                    return Some(base + 2 * pos);
                }
            }
            base += 2 * u.channels.len();
        }
        None
    }
}

/// One requant unit of a folded block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldUnit {
    pub branch: usize,
    pub pointwise: bool,
    pub index: usize,
    pub layer: String,
    /// Channels of the layer in the order the unit requantizes them.
    pub channels: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(cin: usize, regular: bool, size: usize) -> FoldShape {
        FoldShape {
            in_size: Size { h: size, w: size },
            in_channels: cin,
            stride: if regular { 1 } else { 2 },
            branches: if regular { 1 } else { 2 },
            from: if regular { cin / 2 } else { 0 },
            channels: if regular { cin / 2 } else { cin },
            passthrough: if regular { cin / 2 } else { 0 },
        }
    }

    #[test]
    fn chosen_parameters_fit_the_budget() {
        for (s, t) in [
            (shape(32, true, 4), 64),
            (shape(16, false, 8), 64),
            (shape(64, true, 2), 256),
            (shape(32, false, 4), 256),
            (shape(256, true, 40), 256),
            (shape(128, true, 80), 64),
        ] {
            let p = choose(&s, t, &UnitCost).expect("a folding fits");
            assert!(p.fits_shape(&s) && p.fits_rate(&s, t), "{s:?}: {p:?}");
            assert!(p.period(&s) < t);
        }
        assert!(choose(&shape(8, true, 4), 4, &UnitCost).is_none());
    }

    #[test]
    fn every_pointwise_weight_is_used_once_by_its_output() {
        let s = shape(32, true, 4);
        let p = FoldParams {
            group: 1,
            products: 2,
            lanes: 5,
            units: 2,
        };
        assert!(p.fits_shape(&s));
        let cb = s.channels;
        let w: Vec<i8> = (0..cb * cb).map(|v| (v % 251) as i8 | 1).collect();
        let mut seen = vec![0; cb * cb];
        for lane in 0..p.lanes {
            for q in 0..p.products {
                let t = pw_table(&s, &p, &w, lane, q);
                let stagger = p.unit_of(lane).1;
                for (b, &v) in t.iter().enumerate() {
                    if v != 0 {
                        let m = (b - stagger) / p.clocks_per_output(&s);
                        let o = lane_output(&s, &p, lane, m).unwrap();
                        let i = (b * p.products + q) % cb;
                        assert_eq!(v, w[o * cb + i]);
                        seen[o * cb + i] += 1;
                    }
                }
            }
        }
        assert!(seen.iter().all(|&n| n == 1));
        let mut outs: Vec<usize> = (0..p.units)
            .flat_map(|r| unit_outputs(&s, &p, r))
            .flatten()
            .collect();
        outs.sort();
        assert_eq!(outs, (0..cb).collect::<Vec<_>>());
    }

    #[test]
    fn depthwise_tables_cover_every_tap() {
        let s = shape(16, false, 8);
        let p = FoldParams {
            group: 4,
            products: 1,
            lanes: 16,
            units: 1,
        };
        let w: Vec<i8> = (0..s.channels * 9).map(|v| v as i8).collect();
        for row in 0..3 {
            for c in 0..p.group {
                for (a, &v) in dw_table(&s, &p, &w, row, c).iter().enumerate() {
                    assert_eq!(v, w[((a / 3) * p.group + c) * 9 + 3 * row + a % 3]);
                }
            }
        }
        let mut chans: Vec<usize> = (0..p.dw_units())
            .flat_map(|u| dw_unit_channels(&s, &p, u))
            .collect();
        chans.sort();
        assert_eq!(chans, (0..s.channels).collect::<Vec<_>>());
    }
}
