//! The lowering pipeline: validate, recode every weight in CSD, run the CMVM solver
//! ([`super::cse`]), sum each output's leftover terms in a depth-optimal tree, and hand the
//! node list to [`AdderGraph::build`] for intervals, widths and the pipeline plan.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::csd::{ceil_log2, csd};
use super::cse::{self, Term, MAX_NODES};
use super::error::ArithError;
use super::graph::{AdderGraph, NodeKind, Operand};
use super::matrix::ConstMatrix;
use super::width::Interval;

/// Largest supported input magnitude (a 48-bit accumulator feeding a requant multiplier).
pub const MAX_INPUT: i64 = 1 << 48;

/// How hard the solver works on ties between equally frequent patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// Shallowest pattern first: O(1) per choice.
    Fast,
    /// Among the last pairs and triples, the pattern that breaks the fewest other shareable
    /// pairs (about 5x slower, 1-2 % fewer adders).
    Thorough,
    /// Thorough up to [`AUTO_THOROUGH_TERMS`] CSD digits in the matrix (about 64x64 int8),
    /// fast beyond, so a 128x128 layer still lowers in well under a second.
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
    let thorough = match opts.effort {
        Effort::Fast => false,
        Effort::Thorough => true,
        Effort::Auto => n_terms <= AUTO_THOROUGH_TERMS,
    };
    let sol = cse::solve(n, terms, min_depth + opts.depth_slack, thorough);

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

/// Sums signed terms with the fewest levels: always combine the two shallowest (Huffman on
/// depth). A positive and a negative term make a subtractor; two negatives make an adder
/// whose result stays negative, so a negation is needed only if every term is negative.
fn sum_tree(ts: Vec<Term>, kinds: &mut Vec<NodeKind>, depth: &mut Vec<u32>) -> Option<Term> {
    let mut heap: BinaryHeap<Reverse<(u32, u32, u32, bool)>> = ts
        .into_iter()
        .map(|t| Reverse((depth[t.node as usize], t.shift, t.node, t.neg)))
        .collect();
    // Positive terms in the heap: while another one remains, a subtraction may produce a
    // negative partial sum, and the root still ends positive.
    let mut pos = heap.iter().filter(|r| !r.0 .3).count();
    loop {
        let Reverse((dx, sx, nx, gx)) = heap.pop()?;
        let Some(Reverse((dy, sy, ny, gy))) = heap.pop() else {
            return Some(Term {
                node: nx,
                shift: sx,
                neg: gx,
            });
        };
        let (x, y) = (
            Term {
                node: nx,
                shift: sx,
                neg: gx,
            },
            Term {
                node: ny,
                shift: sy,
                neg: gy,
            },
        );
        let base = sx.min(sy);
        pos -= (!gx) as usize + (!gy) as usize;
        let (l, r, sub, neg) = if gx == gy {
            let (l, r) = if (sx, nx) <= (sy, ny) { (x, y) } else { (y, x) };
            (l, r, false, gx)
        } else {
            let (p, n) = if gx { (y, x) } else { (x, y) };
            // `p - n` with `p` shifted needs carry logic in its low bits; `n - p` (a negative
            // partial sum) wires them, so prefer it while a positive term remains.
            if p.shift > n.shift && pos >= 1 {
                (n, p, true, true)
            } else {
                (p, n, true, false)
            }
        };
        pos += (!neg) as usize;
        kinds.push(NodeKind::Add {
            lhs: Operand {
                node: l.node as usize,
                shift: l.shift - base,
            },
            rhs: Operand {
                node: r.node as usize,
                shift: r.shift - base,
            },
            sub,
        });
        let d = dx.max(dy) + 1;
        depth.push(d);
        heap.push(Reverse((d, base, (kinds.len() - 1) as u32, neg)));
    }
}

/// A node computing `-node` without a negation, if a subtraction is reachable through
/// additions: `-(a - b) = b - a`, `-(a + b) = (-a) - b`. Nodes on the way that other consumers
/// also use must be copied (one adder each): at most `copies` of them. Nodes used only here
/// are replaced and later pruned. Returns the new node's id and the copies left.
fn negate(
    node: usize,
    kinds: &mut Vec<NodeKind>,
    depth: &mut Vec<u32>,
    uses: &[u32],
    mut copies: u32,
    budget: u32,
) -> Option<(usize, u32)> {
    let NodeKind::Add { lhs, rhs, sub } = kinds.get(node)?.clone() else {
        return None;
    };
    if uses.get(node) != Some(&1) {
        copies = copies.checked_sub(1)?;
    }
    let (new, left) = if sub {
        (
            NodeKind::Add {
                lhs: rhs,
                rhs: lhs,
                sub: true,
            },
            copies,
        )
    } else if budget == 0 {
        return None;
    } else if let Some((nl, left)) = negate(lhs.node, kinds, depth, uses, copies, budget - 1) {
        (
            NodeKind::Add {
                lhs: Operand {
                    node: nl,
                    shift: lhs.shift,
                },
                rhs,
                sub: true,
            },
            left,
        )
    } else {
        let (nr, left) = negate(rhs.node, kinds, depth, uses, copies, budget - 1)?;
        (
            NodeKind::Add {
                lhs: Operand {
                    node: nr,
                    shift: rhs.shift,
                },
                rhs: lhs,
                sub: true,
            },
            left,
        )
    };
    let d = match &new {
        NodeKind::Add { lhs, rhs, .. } => depth[lhs.node].max(depth[rhs.node]) + 1,
        _ => return None,
    };
    kinds.push(new);
    depth.push(d);
    Some((kinds.len() - 1, left))
}
