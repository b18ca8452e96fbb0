//! The lowering pipeline: validate, recode every weight in CSD, run the CMVM solver
//! ([`super::cse`]), sum each output's leftover terms in a depth-optimal tree, and hand the
//! node list to [`AdderGraph::build`] for intervals, widths and the pipeline plan.

use super::csd::{ceil_log2, csd};
use super::cse::{self, Careful, Term, MAX_NODES};
use super::error::ArithError;
use super::graph::{AdderGraph, NodeKind, Operand};
use super::matrix::ConstMatrix;
use super::tree::{negate, sum_tree};
use super::width::Interval;

/// Largest supported input magnitude (a 48-bit accumulator feeding a requant multiplier).
pub const MAX_INPUT: i64 = 1 << 48;

/// How hard the solver works on ties between equally frequent patterns. Measured on random
/// int8 layers (docs/benchmarks-arith.md): at 128x128 `Fast` needs about 2.5 % more adders
/// than `Thorough` in a third of the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// Shallowest pattern first: O(1) per choice.
    Fast,
    /// Once only pairs are left, the pattern whose substitution destroys the least of the
    /// other pairs' remaining savings (per-term potentials updated incrementally).
    Balanced,
    /// The same from triples on, with potentials recomputed from the current counts.
    Thorough,
    /// Thorough up to [`AUTO_THOROUGH_TERMS`] CSD digits in the matrix (about 64x64 int8),
    /// balanced beyond, so a 128x128 layer lowers in under a second.
    Auto,
}

/// Size limit of [`Effort::Auto`]'s thorough mode, in CSD digits of the whole matrix.
pub const AUTO_THOROUGH_TERMS: usize = 10_000;

/// Generation options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowerOptions {
    /// Pipeline register every N adder levels; 0 = purely combinational (latency 0).
    pub pipeline_every: u32,
    /// Allowed adder depth above the lower bound `ceil(log2(max CSD digits per output))`.
    /// More slack lets the solver share more; 0 forces minimal depth.
    pub depth_slack: u32,
    pub effort: Effort,
}

impl Default for LowerOptions {
    fn default() -> Self {
        LowerOptions {
            pipeline_every: 0,
            depth_slack: 2,
            effort: Effort::Auto,
        }
    }
}

/// Lowers `y = M x` (inputs `x[i]` in `ranges[i]`) to an exact adder graph.
pub fn lower(
    m: &ConstMatrix,
    ranges: &[Interval],
    opts: &LowerOptions,
) -> Result<AdderGraph, ArithError> {
    if ranges.len() != m.cols() {
        return Err(ArithError::RangeCount(m.cols(), ranges.len()));
    }
    for (index, r) in ranges.iter().enumerate() {
        if r.lo > r.hi {
            return Err(ArithError::EmptyRange {
                index,
                lo: r.lo,
                hi: r.hi,
            });
        }
        if r.lo < -MAX_INPUT || r.hi > MAX_INPUT {
            return Err(ArithError::RangeTooWide {
                index,
                lo: r.lo,
                hi: r.hi,
            });
        }
    }
    // Every CSD digit can become at most one node; keep ids inside the solver's key space.
    if m.rows()
        .saturating_mul(m.cols())
        .saturating_mul(18)
        .saturating_add(m.cols())
        >= MAX_NODES
    {
        return Err(ArithError::TooLarge(format!(
            "{}x{} matrix",
            m.rows(),
            m.cols()
        )));
    }
    let n = m.cols();
    let mut terms: Vec<Vec<Term>> = Vec::with_capacity(m.rows());
    let mut min_depth = 0;
    for r in 0..m.rows() {
        let mut ts = Vec::new();
        for (c, &w) in m.row(r).iter().enumerate() {
            for d in csd(w) {
                ts.push(Term {
                    node: c as u32,
                    shift: d.shift,
                    neg: d.neg,
                });
            }
        }
        min_depth = min_depth.max(ceil_log2(ts.len() as u64));
        terms.push(ts);
    }
    let n_terms: usize = terms.iter().map(Vec::len).sum();
    let balanced = Some(Careful { top: 2 });
    let thorough = Some(Careful { top: 3 });
    let tie = match opts.effort {
        Effort::Fast => None,
        Effort::Balanced => balanced,
        Effort::Thorough => thorough,
        Effort::Auto if n_terms <= AUTO_THOROUGH_TERMS => thorough,
        Effort::Auto => balanced,
    };
    let sol = cse::solve(n, terms, min_depth + opts.depth_slack, tie);

    let mut kinds: Vec<NodeKind> = (0..n).map(NodeKind::Input).collect();
    let mut depth = sol.depth;
    for p in &sol.pairs {
        kinds.push(NodeKind::Add {
            lhs: Operand {
                node: p.a as usize,
                shift: 0,
            },
            rhs: Operand {
                node: p.b as usize,
                shift: p.d,
            },
            sub: p.sub,
        });
    }
    let roots: Vec<Option<Term>> = sol
        .terms
        .into_iter()
        .map(|ts| sum_tree(ts, &mut kinds, &mut depth))
        .collect();
    // Uses of every node, to know which subtrees a negative root owns exclusively.
    let mut uses = vec![0u32; kinds.len()];
    for k in &kinds {
        if let NodeKind::Add { lhs, rhs, .. } = k {
            uses[lhs.node] += 1;
            uses[rhs.node] += 1;
        }
    }
    for t in roots.iter().flatten() {
        uses[t.node as usize] += 1;
    }
    let mut outputs = Vec::with_capacity(m.rows());
    for root in roots {
        outputs.push(root.map(|t| {
            let n = t.node as usize;
            let node = if !t.neg {
                n
            } else {
                // A negative root: rebuild it with a subtraction's operands swapped, else
                // negate (every term of the output is negative).
                // First for free, then for the price of the negation (one copied node).
                let swapped = negate(n, &mut kinds, &mut depth, &uses, 0, 64)
                    .or_else(|| negate(n, &mut kinds, &mut depth, &uses, 1, 64));
                match swapped {
                    Some((id, _)) => id,
                    None => {
                        kinds.push(NodeKind::Neg(Operand { node: n, shift: 0 }));
                        depth.push(depth[n] + 1);
                        kinds.len() - 1
                    }
                }
            };
            Operand {
                node,
                shift: t.shift,
            }
        }));
    }
    AdderGraph::build(
        m.clone(),
        ranges.to_vec(),
        kinds,
        outputs,
        opts.pipeline_every,
        min_depth,
    )
}
