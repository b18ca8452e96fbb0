//! Output sums: a depth-optimal tree over each output's leftover terms, with signs folded into
//! subtractors, and the absorption of a negative result into a subtraction.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::cse::Term;
use super::graph::{NodeKind, Operand};

/// Sums signed terms with the fewest levels: always combine the two shallowest (Huffman on
/// depth). A positive and a negative term make a subtractor; two negatives make an adder
/// whose result stays negative, so a negation is needed only if every term is negative.
pub(crate) fn sum_tree(
    ts: Vec<Term>,
    kinds: &mut Vec<NodeKind>,
    depth: &mut Vec<u32>,
) -> Option<Term> {
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
pub(crate) fn negate(
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
