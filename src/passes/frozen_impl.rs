//! The `frozen_impl` pass: every frozen stage gets the implementation that sustains its pixel
//! rate at the least predicted area (the area model of [`crate::area`], the one `report`
//! calibrates), unless the manifest or the command line forces one:
//!
//! - **parallel**: the layers as fully parallel shift-add networks, a window every `period`
//!   clocks, each programmable layer's channels requantized by a few shared units
//!   (`sf_requant_seq`). Wins where the rate is high (the stem, `T = 4`; stage 1, `T = 16`).
//! - **folded** (blocks only): the depthwise layer reads the window a channel group at a time,
//!   the pointwise layer runs as lanes over a rotating ring, the frozen weights as constant
//!   tables (`passes::fold`). Wins where a pixel leaves many clocks (`T = 64, 256`).
//!
//! Each stage records every candidate with its predicted area, so the report shows the choice
//! and why.

use super::fold::{self, FoldCost, FoldParams, FoldShape, FoldedBranch, FoldedHw};
use super::frozen::{Candidate, FrozenImpl, LayerInput, ParallelHw, RequantHw, StageHw};
use super::lower_frozen::StageJob;
use crate::area::{self, BlockKind, Counts};
use crate::arith::LayerStats;
use crate::model::manifest::FrozenImplChoice;
use anyhow::{bail, Result};

/// Clocks a window generator loses per output row besides its windows.
pub const ROW_SLACK: usize = super::schedule::ROW_SLACK;

/// Clocks of a `sf_requant_seq` vector besides its steps (`NR + 5`).
const SEQ_EXTRA: usize = 5;

/// Clocks per output pixel a stage of `rows x cols` output pixels may use at one input pixel
/// per clock, `floor((T*w_out - ROW_SLACK) / w_out)`.
pub fn budget(t: usize, w_out: usize) -> usize {
    super::schedule::budget(t, w_out)
}

/// The parallel implementation of a stage at its rate.
pub fn parallel(st: &StageHw) -> ParallelHw {
    let period = budget(st.clocks_per_pixel, st.out_size().w).max(2);
    let units: Vec<usize> = st
        .layers()
        .map(|l| match l.requant {
            RequantHw::Programmable { .. } => l.channels().div_ceil(period - 1),
            RequantHw::Constant { .. } => 0,
        })
        .collect();
    let mut latency = 0;
    let mut unit = units.iter();
    for b in &st.branches {
        let mut lb = 0;
        for l in &b.layers {
            let r = *unit.next().expect("one unit count per layer");
            lb += l.graph.latency() as usize;
            lb += match &l.requant {
                RequantHw::Programmable { .. } => l.channels().div_ceil(r) + SEQ_EXTRA,
                RequantHw::Constant { graph, .. } => graph.latency() as usize + 1,
            };
        }
        latency = latency.max(lb);
    }
    ParallelHw {
        period,
        depth: (latency + 2).div_ceil(period) + 1,
        units,
        latency,
        window_wr_reg: false,
    }
}

/// Counts of a stage built parallel.
pub fn parallel_counts(st: &StageHw, p: &ParallelHw) -> Counts {
    let mut c = Counts {
        line_buffer_bits: 4 * 8 * (st.in_size.w * st.in_channels) as u64,
        window_bits: (9 + u64::from(p.window_wr_reg)) * 8 * st.in_channels as u64,
        busy_cycles_per_frame: st.out_size().pixels() as u64,
        ..Counts::default()
    };
    for (l, &r) in st.layers().zip(&p.units) {
        let s = LayerStats::of(&l.name, &l.graph, 0.0);
        c.adders += s.adders() as u64;
        c.adder_bits += s.adder_bits;
        c.flip_flops += s.register_bits;
        let (ch, acc) = (l.channels() as u64, l.acc_width() as u64);
        match &l.requant {
            RequantHw::Programmable { .. } => {
                let nr = l.channels().div_ceil(r) as u64;
                // hold, results, unit input and pipeline registers
                c.flip_flops += ch * acc + ch * 8 + r as u64 * (2 * acc + 40);
                c.requant_mult_bits += r as u64 * 16 * acc;
                c.param_bits += r as u64 * nr * 48;
            }
            RequantHw::Constant { graph, .. } => {
                let s = LayerStats::of("", graph, 0.0);
                c.adders += s.adders() as u64;
                c.adder_bits += s.adder_bits;
                c.flip_flops += s.register_bits;
            }
        }
    }
    let out_bits = 8 * st.out_channels() as u64 + 2;
    c.fifo_bits = p.depth as u64 * (out_bits + 8 * st.passthrough as u64 + 2);
    c
}

/// The fold pass's view of a block stage.
pub fn fold_shape(st: &StageHw) -> FoldShape {
    let (from, channels) = match st.branches[0].layers[0].input {
        LayerInput::Depthwise { from } => (from, st.branches[0].layers[0].channels()),
        _ => (0, 0),
    };
    FoldShape {
        in_size: st.in_size,
        in_channels: st.in_channels,
        stride: st.stride,
        branches: st.branches.len(),
        from,
        channels,
        passthrough: st.passthrough,
    }
}

/// Counts of a block built folded with parameters `p` (`hw` gives the weights).
pub fn folded_counts(s: &FoldShape, p: &FoldParams, branches: &[FoldedBranch]) -> Counts {
    let nb = s.branches as u64;
    let cb = s.channels as u64;
    let out = (s.passthrough + s.branches * s.channels) as u64;
    let mut c = Counts {
        line_buffer_bits: 4 * 8 * (s.in_size.w * s.in_channels) as u64,
        busy_cycles_per_frame: (s.in_size.strided(s.stride).pixels() * p.period(s)) as u64,
        mac_units: p.multipliers(s) as u64,
        ..Counts::default()
    };
    // output register, x1, reader and sequencer state
    c.flip_flops += 8 * out + 8 * s.passthrough as u64 + 120;
    let (g, q, l) = (p.group as u64, p.products as u64, p.lanes as u64);
    for br in branches {
        let (dw_acc, pw_acc) = (br.dw_acc_bits as u64, br.pw_acc_bits as u64);
        // rings, products, depthwise sums, lane accumulators, table address/output registers
        c.flip_flops += 2 * 8 * cb + 8 * q + 16 * (3 * g + l * q) + 2 * g * dw_acc + l * pw_acc;
        c.flip_flops += (3 * g + l * q) * 16;
        let nonzero = br
            .dw_weight
            .iter()
            .chain(&br.pw_weight)
            .filter(|&&w| w != 0);
        c.table_bits += 8 * nonzero.count() as u64;
        let (du, pu) = (p.dw_units() as u64, p.units as u64);
        c.requant_mult_bits += 16 * (du * dw_acc + pu * pw_acc);
        c.flip_flops += du * (2 * dw_acc + 40) + pu * (2 * pw_acc + 40);
        if branches.len() as u64 == nb {
            c.param_bits += 2 * cb * 48;
        }
    }
    c.flip_flops += 24 * g;
    c
}

/// Prices fold candidates with the area model.
struct FoldArea<'a> {
    branches: &'a [FoldedBranch],
}

impl FoldCost for FoldArea<'_> {
    fn fold_area(&self, s: &FoldShape, p: &FoldParams) -> f64 {
        area::estimate(&folded_counts(s, p, self.branches), BlockKind::Stage)
    }
}

/// The folded branches of a block stage (weights and requant from its jobs).
fn folded_branches(job: &StageJob) -> Vec<FoldedBranch> {
    job.branches
        .iter()
        .map(|b| {
            let (dw, pw) = (&b[0], &b[1]);
            FoldedBranch::new(dw.name.clone(), pw.name.clone(), dw.conv, pw.conv, dw.rows)
        })
        .collect()
}

/// Chooses every stage's implementation (`jobs` are the stages' lowering jobs, in order).
pub fn choose(stages: &mut [StageHw], jobs: &[StageJob], mode: FrozenImplChoice) -> Result<()> {
    for (st, job) in stages.iter_mut().zip(jobs) {
        let par = parallel(st);
        let par_area = area::estimate(&parallel_counts(st, &par), BlockKind::Stage);
        let mut candidates = vec![Candidate {
            kind: "parallel",
            area_um2: Some(par_area),
            note: format!(
                "a window every {} clocks, requant units {:?}",
                par.period, par.units
            ),
        }];
        let block = st.shuffle && st.branches.iter().all(|b| b.layers.len() == 2);
        let mut folded = None;
        if block {
            let shape = fold_shape(st);
            let branches = folded_branches(job);
            let cost = FoldArea {
                branches: &branches,
            };
            match fold::choose(&shape, st.clocks_per_pixel, &cost) {
                Some(p) => {
                    let a = cost.fold_area(&shape, &p);
                    candidates.push(Candidate {
                        kind: "folded",
                        area_um2: Some(a),
                        note: format!(
                            "G = {}, Q = {}, L = {}, R = {}: {} multipliers, one pixel every {} \
                             clocks",
                            p.group,
                            p.products,
                            p.lanes,
                            p.units,
                            p.multipliers(&shape),
                            p.period(&shape)
                        ),
                    });
                    folded = Some((
                        a,
                        FoldedHw {
                            shape,
                            params: p,
                            clocks_per_pixel: st.clocks_per_pixel,
                            branches,
                            programmable: st.programmable(),
                            rq_dsp_w: 0,
                        },
                    ));
                }
                None => candidates.push(Candidate {
                    kind: "folded",
                    area_um2: None,
                    note: format!(
                        "no folding sustains one pixel every {} clocks",
                        st.clocks_per_pixel
                    ),
                }),
            }
        }
        st.imp = match (mode, folded) {
            (FrozenImplChoice::Parallel, _) => FrozenImpl::Parallel(par),
            (FrozenImplChoice::Folded, Some((_, f))) => FrozenImpl::Folded(f),
            (FrozenImplChoice::Folded, None) if block => bail!(
                "generation.frozen_impl = \"folded\": block {} cannot be folded at one pixel \
                 every {} clocks; use \"auto\"",
                st.name,
                st.clocks_per_pixel
            ),
            (FrozenImplChoice::Auto, Some((a, f))) if a < par_area => FrozenImpl::Folded(f),
            _ => FrozenImpl::Parallel(par),
        };
        st.candidates = candidates;
    }
    Ok(())
}
