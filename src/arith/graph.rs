//! The adder graph: inputs, shifted adds/subtracts, the rare negation, and outputs. Node ids
//! are topological (operands always have smaller ids). Every node carries its exact value
//! interval, minimal width and adder depth; the pipeline plan (which values are registered and
//! for how many clocks) is derived here so that the Verilog, the statistics and the latency
//! agree by construction.

use super::error::ArithError;
use super::matrix::ConstMatrix;
use super::width::{linear_interval, Interval};

/// `node << shift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Operand {
    pub node: usize,
    pub shift: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// Column `index` of the matrix.
    Input(usize),
    /// `(lhs << lhs.shift) + (rhs << rhs.shift)`, or `-` when `sub`.
    Add {
        lhs: Operand,
        rhs: Operand,
        sub: bool,
    },
    /// `-(op << op.shift)`: only for an output all of whose terms are negative.
    Neg(Operand),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// Sparse coefficients over the inputs: the node's value is `sum c * x[i]`.
    pub coeffs: Vec<(u32, i64)>,
    pub interval: Interval,
    pub width: u32,
    /// Adder levels from the inputs (0 for inputs).
    pub depth: u32,
}

/// Output `r` of the layer: `term.node << term.shift`, or constant zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub term: Option<Operand>,
    pub interval: Interval,
    pub width: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdderGraph {
    pub(crate) matrix: ConstMatrix,
    pub(crate) inputs: Vec<Interval>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) outputs: Vec<Output>,
    pub(crate) pipeline_every: u32,
    pub(crate) min_depth: u32,
    /// Scheduled adder level of every node (its depth, or later where that saves registers).
    pub(crate) level: Vec<u32>,
}

impl AdderGraph {
    /// Checks operands, computes coefficients, intervals, widths and depths, drops nodes no
    /// output reaches. `kinds` must be topological; inputs are nodes `0..cols`.
    pub(crate) fn build(
        matrix: ConstMatrix,
        inputs: Vec<Interval>,
        kinds: Vec<NodeKind>,
        outputs: Vec<Option<Operand>>,
        pipeline_every: u32,
        min_depth: u32,
    ) -> Result<Self, ArithError> {
        // Reachability from the outputs, then renumber densely keeping the order.
        let mut live = vec![false; kinds.len()];
        for t in outputs.iter().flatten() {
            live[t.node] = true;
        }
        for id in (0..kinds.len()).rev() {
            if !live[id] {
                continue;
            }
            match &kinds[id] {
                NodeKind::Input(_) => {}
                NodeKind::Add { lhs, rhs, .. } => {
                    live[lhs.node] = true;
                    live[rhs.node] = true;
                }
                NodeKind::Neg(op) => live[op.node] = true,
            }
        }
        let mut remap = vec![usize::MAX; kinds.len()];
        let mut nodes: Vec<Node> = Vec::new();
        for (id, kind) in kinds.into_iter().enumerate() {
            let is_input = matches!(kind, NodeKind::Input(_));
            if !live[id] && !is_input {
                continue;
            }
            let re = |op: Operand| -> Result<Operand, ArithError> {
                let node = *remap
                    .get(op.node)
                    .filter(|&&n| n != usize::MAX)
                    .ok_or_else(|| {
                        ArithError::TooLarge(format!(
                            "internal: operand {} not topological",
                            op.node
                        ))
                    })?;
                Ok(Operand {
                    node,
                    shift: op.shift,
                })
            };
            let (kind, coeffs, depth) = match kind {
                NodeKind::Input(i) => (NodeKind::Input(i), vec![(i as u32, 1)], 0),
                NodeKind::Add { lhs, rhs, sub } => {
                    let (l, r) = (re(lhs)?, re(rhs)?);
                    let c = combine(
                        &nodes[l.node].coeffs,
                        l.shift,
                        &nodes[r.node].coeffs,
                        r.shift,
                        sub,
                    )?;
                    let d = nodes[l.node].depth.max(nodes[r.node].depth) + 1;
                    (
                        NodeKind::Add {
                            lhs: l,
                            rhs: r,
                            sub,
                        },
                        c,
                        d,
                    )
                }
                NodeKind::Neg(op) => {
                    let o = re(op)?;
                    let c = combine(&[], 0, &nodes[o.node].coeffs, o.shift, true)?;
                    (NodeKind::Neg(o), c, nodes[o.node].depth + 1)
                }
            };
            let interval = linear_interval(&coeffs, &inputs).ok_or_else(too_wide)?;
            remap[id] = nodes.len();
            nodes.push(Node {
                kind,
                coeffs,
                interval,
                width: interval.width(),
                depth,
            });
        }
        let mut outs = Vec::with_capacity(outputs.len());
        for t in outputs {
            let term = t.map(|t| Operand {
                node: remap[t.node],
                shift: t.shift,
            });
            let interval = match term {
                None => Interval::new(0, 0),
                Some(t) => {
                    let c = combine(&[], 0, &nodes[t.node].coeffs, t.shift, false)?;
                    linear_interval(&c, &inputs).ok_or_else(too_wide)?
                }
            };
            outs.push(Output {
                term,
                interval,
                width: interval.width(),
            });
        }
        let mut g = AdderGraph {
            level: nodes.iter().map(|n| n.depth).collect(),
            matrix,
            inputs,
            nodes,
            outputs: outs,
            pipeline_every,
            min_depth,
        };
        g.schedule();
        Ok(g)
    }

    /// Chooses node levels for pipelining: as soon as possible (each node at its depth) or as
    /// late as possible (each node just before its first consumer, outputs at the full depth),
    /// whichever needs fewer register bits. Late placement lets multipliers read one shared
    /// delayed copy of their input instead of each carrying its own wide product forward.
    fn schedule(&mut self) {
        if self.pipeline_every == 0 {
            return;
        }
        let asap = self.level.clone();
        let asap_bits = self.register_bits();
        let d = self.depth();
        let mut alap = vec![d; self.nodes.len()];
        for id in (0..self.nodes.len()).rev() {
            match self.nodes[id].kind {
                NodeKind::Input(_) => alap[id] = 0,
                NodeKind::Add { lhs, rhs, .. } => {
                    for op in [lhs, rhs] {
                        alap[op.node] = alap[op.node].min(alap[id].saturating_sub(1));
                    }
                }
                NodeKind::Neg(op) => alap[op.node] = alap[op.node].min(alap[id].saturating_sub(1)),
            }
        }
        // Inputs stay at level 0; every other node keeps level >= its depth (ALAP >= ASAP).
        for (id, n) in self.nodes.iter().enumerate() {
            if matches!(n.kind, NodeKind::Input(_)) {
                alap[id] = 0;
            }
        }
        self.level = alap;
        if self.register_bits() >= asap_bits {
            self.level = asap;
        }
    }

    /// Pipeline flip-flops of the datapath (node width times delay, summed).
    fn register_bits(&self) -> u64 {
        self.delays()
            .iter()
            .zip(&self.nodes)
            .map(|(&d, n)| d as u64 * n.width as u64)
            .sum()
    }

    pub fn matrix(&self) -> &ConstMatrix {
        &self.matrix
    }
    pub fn input_intervals(&self) -> &[Interval] {
        &self.inputs
    }
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }
    pub fn num_inputs(&self) -> usize {
        self.inputs.len()
    }
    /// Adder depth of the deepest output.
    pub fn depth(&self) -> u32 {
        self.outputs
            .iter()
            .filter_map(|o| o.term)
            .map(|t| self.nodes[t.node].depth)
            .max()
            .unwrap_or(0)
    }
    /// Lower bound on the depth of any adder graph for this matrix: an output with `k` signed
    /// power-of-two digits (CSD, summed over its weights) needs `ceil(log2 k)` levels.
    pub fn min_depth(&self) -> u32 {
        self.min_depth
    }
    /// Adder levels per pipeline stage (0: purely combinational).
    pub fn pipeline_every(&self) -> u32 {
        self.pipeline_every
    }
    /// Clocks from `in_valid` to `out_valid`: `ceil(depth / pipeline_every)`, 0 when
    /// combinational or when every output is wiring.
    pub fn latency(&self) -> u32 {
        if self.pipeline_every == 0 {
            0
        } else {
            self.depth().div_ceil(self.pipeline_every)
        }
    }
    /// The clock cycle (relative to the input) in which node `id`'s combinational value exists.
    /// A node scheduled at level l (see `schedule`) lives in stage `ceil(l / N)` and is computed
    /// in cycle `stage - 1`.
    pub fn cycle(&self, id: usize) -> u32 {
        let d = self.level[id];
        if self.pipeline_every == 0 || d == 0 {
            0
        } else {
            d.div_ceil(self.pipeline_every) - 1
        }
    }
    /// For every node, the number of clocks its value must be delayed for its last consumer
    /// (operand of a later-stage node, or an output). Each delay clock is one register of the
    /// node's width.
    pub fn delays(&self) -> Vec<u32> {
        let mut del = vec![0u32; self.nodes.len()];
        for (id, n) in self.nodes.iter().enumerate() {
            let c = self.cycle(id);
            let mut use_at = |op: &Operand| {
                let need = c - self.cycle(op.node);
                del[op.node] = del[op.node].max(need);
            };
            match &n.kind {
                NodeKind::Input(_) => {}
                NodeKind::Add { lhs, rhs, .. } => {
                    use_at(lhs);
                    use_at(rhs);
                }
                NodeKind::Neg(op) => use_at(op),
            }
        }
        let l = self.latency();
        for t in self.outputs.iter().filter_map(|o| o.term) {
            del[t.node] = del[t.node].max(l - self.cycle(t.node));
        }
        del
    }

    /// Bit-true evaluation of the hardware: `y = M x`, checked against the input ranges.
    pub fn eval(&self, x: &[i64]) -> Result<Vec<i64>, ArithError> {
        let v = self.eval_nodes(x)?;
        Ok(self
            .outputs
            .iter()
            .map(|o| {
                o.term
                    .map_or(0, |t| ((v[t.node] as i128) << t.shift) as i64)
            })
            .collect())
    }

    /// The value of every node for input `x` (each lies in its node's interval).
    pub fn eval_nodes(&self, x: &[i64]) -> Result<Vec<i64>, ArithError> {
        if x.len() != self.inputs.len() {
            return Err(ArithError::InputCount {
                expected: self.inputs.len(),
                got: x.len(),
            });
        }
        for (i, (&v, r)) in x.iter().zip(&self.inputs).enumerate() {
            if v < r.lo || v > r.hi {
                return Err(ArithError::InputOutOfRange {
                    index: i,
                    value: v,
                    lo: r.lo,
                    hi: r.hi,
                });
            }
        }
        // Node values fit in i64 (their intervals were checked at build); a shifted operand
        // may not, so the arithmetic is done in i128 and the result narrowed exactly.
        let mut v = vec![0i64; self.nodes.len()];
        for (id, n) in self.nodes.iter().enumerate() {
            let sh = |op: &Operand| (v[op.node] as i128) << op.shift;
            let r = match &n.kind {
                NodeKind::Input(i) => x[*i] as i128,
                NodeKind::Add { lhs, rhs, sub } => {
                    if *sub {
                        sh(lhs) - sh(rhs)
                    } else {
                        sh(lhs) + sh(rhs)
                    }
                }
                NodeKind::Neg(op) => -sh(op),
            };
            v[id] = i64::try_from(r).map_err(|_| too_wide())?;
        }
        Ok(v)
    }
}

/// Bit-true model of the emitted hardware (see [`AdderGraph::eval`]).
pub fn eval(graph: &AdderGraph, x: &[i64]) -> Result<Vec<i64>, ArithError> {
    graph.eval(x)
}

fn too_wide() -> ArithError {
    ArithError::TooLarge("a node's value range exceeds 64 bits".into())
}

/// Sparse `a << sa (+|-) b << sb`, dropping cancelled coefficients.
fn combine(
    a: &[(u32, i64)],
    sa: u32,
    b: &[(u32, i64)],
    sb: u32,
    sub: bool,
) -> Result<Vec<(u32, i64)>, ArithError> {
    let sh = |c: i64, s: u32| -> Result<i64, ArithError> {
        c.checked_mul(
            1i64.checked_shl(s)
                .filter(|&m| m > 0)
                .ok_or_else(too_wide)?,
        )
        .ok_or_else(too_wide)
    };
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let ka = a.get(i).map_or(u32::MAX, |p| p.0);
        let kb = b.get(j).map_or(u32::MAX, |p| p.0);
        let (k, mut c) = (ka.min(kb), 0i64);
        if ka == k {
            c = sh(a[i].1, sa)?;
            i += 1;
        }
        if kb == k {
            let t = sh(b[j].1, sb)?;
            c = if sub {
                c.checked_sub(t)
            } else {
                c.checked_add(t)
            }
            .ok_or_else(too_wide)?;
            j += 1;
        }
        if c != 0 {
            out.push((k, c));
        }
    }
    Ok(out)
}
