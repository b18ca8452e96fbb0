//! Per-layer statistics (what `semifreddo report` prints for each frozen layer) and the
//! baselines they are judged against.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Instant;

use super::csd::csd_weight;
use super::error::ArithError;
use super::graph::{AdderGraph, NodeKind};
use super::lower::{lower, LowerOptions};
use super::matrix::ConstMatrix;
use super::width::Interval;

#[derive(Debug, Clone, PartialEq)]
pub struct LayerStats {
    pub name: String,
    pub rows: usize,
    pub cols: usize,
    pub nonzero_weights: usize,
    /// Adders/subtractors whose value depends on one input (constant multipliers).
    pub mult_adders: usize,
    /// Adders/subtractors combining several inputs (sum trees, shared sub-sums).
    pub tree_adders: usize,
    /// Negations (outputs whose every term is negative).
    pub negations: usize,
    /// Every weight as its own CSD shift-add multiplier, plus a plain tree per output.
    pub csd_baseline: usize,
    /// Distinct odd constants > 1 per input, plus (nonzeros - 1) per output: a lower bound for
    /// per-input MCM with unshared trees (cross-output sharing can beat it).
    pub mcm_tree_bound: usize,
    pub depth: u32,
    pub min_depth: u32,
    pub pipeline_every: u32,
    pub latency: u32,
    /// Datapath pipeline flip-flops plus the valid bits.
    pub register_bits: u64,
    /// Sum over adders of the bits that need carry logic (below the shifted operand's lowest
    /// bit, an adder's output is the other operand's wiring).
    pub adder_bits: u64,
    pub lowering_ms: f64,
}

impl LayerStats {
    /// Adders (multipliers, trees and negations).
    pub fn adders(&self) -> usize {
        self.mult_adders + self.tree_adders + self.negations
    }
    pub fn adders_per_weight(&self) -> f64 {
        ratio(self.adders(), self.nonzero_weights)
    }

    /// Statistics of a lowered graph.
    pub fn of(name: &str, g: &AdderGraph, lowering_ms: f64) -> Self {
        let m = g.matrix();
        let (mut mult, mut tree, mut neg, mut bits) = (0, 0, 0, 0u64);
        for n in g.nodes() {
            match &n.kind {
                NodeKind::Input(_) => {}
                NodeKind::Add { lhs, rhs, sub } => {
                    if n.coeffs.len() <= 1 {
                        mult += 1;
                    } else {
                        tree += 1;
                    }
                    let wired = if *sub && lhs.shift > rhs.shift {
                        rhs.shift
                    } else {
                        lhs.shift.max(rhs.shift)
                    };
                    bits += n.width.saturating_sub(wired) as u64;
                }
                NodeKind::Neg(op) => {
                    neg += 1;
                    bits += n.width.saturating_sub(op.shift) as u64;
                }
            }
        }
        let delays = g.delays();
        let regs: u64 = g
            .nodes()
            .iter()
            .zip(&delays)
            .map(|(n, &d)| n.width as u64 * d as u64)
            .sum::<u64>()
            + g.latency() as u64;
        LayerStats {
            name: name.to_string(),
            rows: m.rows(),
            cols: m.cols(),
            nonzero_weights: m.nonzeros(),
            mult_adders: mult,
            tree_adders: tree,
            negations: neg,
            csd_baseline: csd_baseline(m),
            mcm_tree_bound: mcm_tree_bound(m),
            depth: g.depth(),
            min_depth: g.min_depth(),
            pipeline_every: g.pipeline_every(),
            latency: g.latency(),
            register_bits: regs,
            adder_bits: bits,
            lowering_ms,
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Adders of per-weight CSD multipliers plus one plain tree per output:
/// `sum over outputs (CSD digits of the row - 1)`.
pub fn csd_baseline(m: &ConstMatrix) -> usize {
    (0..m.rows())
        .map(|r| {
            m.row(r)
                .iter()
                .map(|&w| csd_weight(w) as usize)
                .sum::<usize>()
                .saturating_sub(1)
        })
        .sum()
}

/// Odd part of `|w|`.
pub(crate) fn odd_part(w: i64) -> u64 {
    let a = w.unsigned_abs();
    if a == 0 {
        0
    } else {
        a >> a.trailing_zeros()
    }
}

/// Distinct odd constants > 1 per input, plus `nonzeros - 1` per output.
pub fn mcm_tree_bound(m: &ConstMatrix) -> usize {
    let consts: usize = (0..m.cols())
        .map(|c| {
            (0..m.rows())
                .map(|r| odd_part(m.get(r, c)))
                .filter(|&o| o > 1)
                .collect::<BTreeSet<_>>()
                .len()
        })
        .sum();
    consts + tree_adders_unshared(m)
}

fn tree_adders_unshared(m: &ConstMatrix) -> usize {
    (0..m.rows())
        .map(|r| {
            m.row(r)
                .iter()
                .filter(|&&w| w != 0)
                .count()
                .saturating_sub(1)
        })
        .sum()
}

/// Adders of the classic route: per input, an MCM block for its distinct odd constants (this
/// module's solver on that single column), then one unshared tree per output.
pub fn mcm_plus_trees(m: &ConstMatrix) -> Result<usize, ArithError> {
    let mut total = tree_adders_unshared(m);
    for c in 0..m.cols() {
        let consts: Vec<i64> = (0..m.rows())
            .map(|r| odd_part(m.get(r, c)))
            .filter(|&o| o > 1)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|o| o as i64)
            .collect();
        if consts.is_empty() {
            continue;
        }
        let col = ConstMatrix::new(consts.len(), 1, consts)?;
        let g = lower(
            &col,
            &[Interval::INT8],
            &LowerOptions {
                pipeline_every: 0,
                depth_slack: 2,
                ..LowerOptions::default()
            },
        )?;
        total += g
            .nodes()
            .iter()
            .filter(|n| !matches!(n.kind, NodeKind::Input(_)))
            .count();
    }
    Ok(total)
}

/// Lowers one layer and returns its statistics (the row `semifreddo report` prints).
pub fn layer_report(
    name: &str,
    m: &ConstMatrix,
    ranges: &[Interval],
    opts: &LowerOptions,
) -> Result<LayerStats, ArithError> {
    let t = Instant::now();
    let g = lower(m, ranges, opts)?;
    Ok(LayerStats::of(name, &g, t.elapsed().as_secs_f64() * 1e3))
}

const HEADER: [&str; 14] = [
    "layer",
    "shape",
    "nonzero",
    "adders",
    "mult",
    "tree",
    "neg",
    "add/w",
    "csd",
    "bound",
    "depth",
    "latency",
    "reg bits",
    "adder bits",
];

impl fmt::Display for LayerStats {
    /// One table row, aligned with [`format_table`]'s header.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cells = self.cells();
        write_row(f, &cells.iter().map(String::as_str).collect::<Vec<_>>())
    }
}

impl LayerStats {
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            format!("{}x{}", self.rows, self.cols),
            self.nonzero_weights.to_string(),
            self.adders().to_string(),
            self.mult_adders.to_string(),
            self.tree_adders.to_string(),
            self.negations.to_string(),
            format!("{:.3}", self.adders_per_weight()),
            self.csd_baseline.to_string(),
            self.mcm_tree_bound.to_string(),
            format!("{} (min {})", self.depth, self.min_depth),
            self.latency.to_string(),
            self.register_bits.to_string(),
            self.adder_bits.to_string(),
        ]
    }
}

const WIDTHS: [usize; 14] = [24, 9, 8, 8, 7, 7, 5, 7, 8, 8, 11, 8, 9, 11];

fn write_row(f: &mut impl fmt::Write, cells: &[&str]) -> fmt::Result {
    for (i, (c, w)) in cells.iter().zip(WIDTHS).enumerate() {
        if i == 0 {
            write!(f, "{c:<w$}")?;
        } else {
            write!(f, " {c:>w$}")?;
        }
    }
    Ok(())
}

/// A plain-text table of layer statistics with a header and a total line.
pub fn format_table(rows: &[LayerStats]) -> String {
    let mut s = String::new();
    let _ = write_row(&mut s, &HEADER);
    s.push('\n');
    for r in rows {
        s.push_str(&r.to_string());
        s.push('\n');
    }
    let nz: usize = rows.iter().map(|r| r.nonzero_weights).sum();
    let add: usize = rows.iter().map(LayerStats::adders).sum();
    let csd: usize = rows.iter().map(|r| r.csd_baseline).sum();
    let regs: u64 = rows.iter().map(|r| r.register_bits).sum();
    let bits: u64 = rows.iter().map(|r| r.adder_bits).sum();
    let total = [
        "total".to_string(),
        String::new(),
        nz.to_string(),
        add.to_string(),
        String::new(),
        String::new(),
        String::new(),
        format!("{:.3}", ratio(add, nz)),
        csd.to_string(),
        String::new(),
        String::new(),
        String::new(),
        regs.to_string(),
        bits.to_string(),
    ];
    let _ = write_row(
        &mut s,
        &total.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    s.push('\n');
    s
}
