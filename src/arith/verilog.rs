//! Verilog-2005 emission of an adder graph: one readable module per layer.
//!
//! Ports: `clk`, `aresetn` (synchronous, active low, clears only the valid bits), `en` (the
//! pipeline advances only when 1, so the caller can stall), `in_valid`/`out_valid`, one signed
//! input per matrix column (exact width of its range; an all-zero column is still a port, and
//! is consumed by the `unused_ok` idiom so lint stays clean) and one signed output per row
//! (exact width of its interval). Every operand is explicitly sign-extended or truncated to
//! its adder's width: each node's result fits its width, so the adder is computed modulo
//! 2^width and no bit is wasted. Names follow the weights: `x3_m23` is 23*x3, `s_y5_2` a
//! partial sum of output y5, `c7` a sub-sum shared by several outputs, `_q2` a value delayed
//! by two pipeline registers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::error::ArithError;
use super::graph::{AdderGraph, NodeKind, Operand};
use super::report::LayerStats;

/// Caller-given names of the input (column) and output (row) ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortNames {
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
}

impl PortNames {
    /// `x0, x1, ...` and `y0, y1, ...`.
    pub fn default_for(g: &AdderGraph) -> Self {
        PortNames {
            inputs: (0..g.num_inputs()).map(|i| format!("x{i}")).collect(),
            outputs: (0..g.outputs().len()).map(|i| format!("y{i}")).collect(),
        }
    }
}

const RESERVED: [&str; 6] = ["clk", "aresetn", "en", "in_valid", "out_valid", "valid_q"];
const KEYWORDS: [&str; 40] = [
    "always",
    "and",
    "assign",
    "begin",
    "buf",
    "case",
    "default",
    "else",
    "end",
    "endcase",
    "endfunction",
    "endmodule",
    "for",
    "function",
    "generate",
    "genvar",
    "if",
    "initial",
    "inout",
    "input",
    "integer",
    "localparam",
    "module",
    "nand",
    "negedge",
    "nor",
    "not",
    "or",
    "output",
    "parameter",
    "posedge",
    "reg",
    "signed",
    "supply0",
    "supply1",
    "task",
    "wire",
    "xor",
    "xnor",
    "logic",
];

fn check_ident(s: &str) -> Result<(), ArithError> {
    let mut ch = s.chars();
    let ok_first = ch
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !ok_first || !ch.all(|c| c.is_ascii_alphanumeric() || c == '_') || KEYWORDS.contains(&s) {
        return Err(ArithError::Names(format!(
            "`{s}` is not a plain Verilog identifier"
        )));
    }
    Ok(())
}

/// Who consumes a node: nobody yet, the tree of one output, or several outputs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    None,
    One(usize),
    Many,
}

fn merge(a: Owner, b: Owner) -> Owner {
    match (a, b) {
        (Owner::None, x) | (x, Owner::None) => x,
        (Owner::One(r), Owner::One(s)) if r == s => a,
        _ => Owner::Many,
    }
}

/// Emitter state: names and how many low bits of each signal are read.
struct Emit<'a> {
    g: &'a AdderGraph,
    names: Vec<String>,
    widths: BTreeMap<String, u32>,
    /// Which bits of each signal some expression reads.
    used: BTreeMap<String, Vec<bool>>,
}

impl Emit<'_> {
    fn sig(&self, node: usize, delay: u32) -> String {
        if delay == 0 {
            self.names[node].clone()
        } else {
            format!("{}_q{delay}", self.names[node])
        }
    }

    /// Bits `lo .. lo + len` of the sign-extended `sig << shift` (`sig` is `ws` bits wide), as
    /// a Verilog expression of exactly `len` bits. Bits above the consumer's width are never
    /// requested: the consumer's result fits its width, so the sum is exact modulo 2^width.
    fn bits(&mut self, sig: &str, ws: u32, shift: u32, lo: u32, len: u32) -> String {
        let used = self
            .used
            .entry(sig.to_string())
            .or_insert_with(|| vec![false; ws as usize]);
        let bit = |j: u32| {
            if ws == 1 {
                format!("{sig}[0]")
            } else {
                format!("{sig}[{j}]")
            }
        };
        // Segments from the top: sign extension, the signal's own bits, zeros below the shift.
        let mut parts = Vec::new();
        let hi = lo + len; // exclusive
        let top_own = shift + ws; // first bit position that is sign extension
        if hi > top_own {
            let n = hi - top_own.max(lo);
            used[ws as usize - 1] = true;
            parts.push(if n == 1 {
                bit(ws - 1)
            } else {
                format!("{{{n}{{{}}}}}", bit(ws - 1))
            });
        }
        let (a, b) = (lo.max(shift), hi.min(top_own)); // own bits at positions a..b
        if a < b {
            let (sa, sb) = (a - shift, b - shift);
            used[sa as usize..sb as usize]
                .iter_mut()
                .for_each(|u| *u = true);
            parts.push(if sa == 0 && sb == ws {
                sig.to_string()
            } else if sb - sa == 1 {
                bit(sa)
            } else {
                format!("{sig}[{}:{sa}]", sb - 1)
            });
        }
        if lo < shift {
            let n = hi.min(shift) - lo;
            parts.push(format!("{n}'d0"));
        }
        if parts.len() == 1 {
            parts.pop().unwrap_or_default()
        } else {
            format!("{{{}}}", parts.join(", "))
        }
    }

    fn operand_bits(&mut self, op: &Operand, delay: u32, lo: u32, len: u32) -> String {
        let s = self.sig(op.node, delay);
        let ws = self.g.nodes()[op.node].width;
        self.bits(&s, ws, op.shift, lo, len)
    }

    fn operand(&mut self, op: &Operand, delay: u32, w: u32) -> String {
        self.operand_bits(op, delay, 0, w)
    }
}

/// `23*x3 - x7` for comments; long sums are summarised.
fn coeff_text(coeffs: &[(u32, i64)], inputs: &[String]) -> String {
    if coeffs.len() > 4 {
        return format!("sum over {} inputs", coeffs.len());
    }
    let mut s = String::new();
    for (k, &(i, c)) in coeffs.iter().enumerate() {
        let name = &inputs[i as usize];
        let mag = c.unsigned_abs();
        let t = if mag == 1 {
            name.clone()
        } else {
            format!("{mag}*{name}")
        };
        match (k, c < 0) {
            (0, false) => {}
            (0, true) => s.push('-'),
            (_, false) => s.push_str(" + "),
            (_, true) => s.push_str(" - "),
        }
        s.push_str(&t);
    }
    s
}

/// Emits the graph as one Verilog-2005 module (deterministic text).
pub fn emit_verilog(g: &AdderGraph, module: &str, ports: &PortNames) -> Result<String, ArithError> {
    check_ident(module)?;
    if ports.inputs.len() != g.num_inputs() || ports.outputs.len() != g.outputs().len() {
        return Err(ArithError::Names(format!(
            "{} input and {} output names for a {}x{} layer",
            ports.inputs.len(),
            ports.outputs.len(),
            g.outputs().len(),
            g.num_inputs()
        )));
    }
    let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    taken.insert("unused_ok".into());
    for n in ports.inputs.iter().chain(&ports.outputs) {
        check_ident(n)?;
        // `_q<digits>` is the suffix of delayed copies, `unused` the lint waiver prefix.
        let delayed = n
            .rsplit_once("_q")
            .is_some_and(|(_, d)| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        if delayed || n.starts_with("unused") || !taken.insert(n.clone()) {
            return Err(ArithError::Names(format!(
                "port name `{n}` is reserved or repeated"
            )));
        }
    }
    let nodes = g.nodes();
    // Owners, in reverse topological order.
    let mut owner = vec![Owner::None; nodes.len()];
    for (r, o) in g.outputs().iter().enumerate() {
        if let Some(t) = o.term {
            owner[t.node] = merge(owner[t.node], Owner::One(r));
        }
    }
    for id in (0..nodes.len()).rev() {
        let ow = owner[id];
        match &nodes[id].kind {
            NodeKind::Input(_) => {}
            NodeKind::Add { lhs, rhs, .. } => {
                owner[lhs.node] = merge(owner[lhs.node], ow);
                owner[rhs.node] = merge(owner[rhs.node], ow);
            }
            NodeKind::Neg(op) => owner[op.node] = merge(owner[op.node], ow),
        }
    }
    // Names: unique, with suffixes for the delayed copies reserved too.
    let mut names = Vec::with_capacity(nodes.len());
    let mut per_output = vec![0usize; g.outputs().len()];
    let mut shared = 0usize;
    for (id, n) in nodes.iter().enumerate() {
        let base = match (&n.kind, owner[id]) {
            (NodeKind::Input(i), _) => {
                names.push(ports.inputs[*i].clone());
                continue;
            }
            (NodeKind::Neg(_), Owner::One(r)) => format!("{}_neg", ports.outputs[r]),
            _ if n.coeffs.len() == 1 => {
                let (i, c) = n.coeffs[0];
                let c = if c < 0 {
                    format!("mn{}", c.unsigned_abs())
                } else {
                    format!("m{c}")
                };
                format!("{}_{c}", ports.inputs[i as usize])
            }
            (_, Owner::One(r)) => {
                per_output[r] += 1;
                format!("s_{}_{}", ports.outputs[r], per_output[r] - 1)
            }
            _ => {
                shared += 1;
                format!("c{}", shared - 1)
            }
        };
        let mut name = base.clone();
        let mut k = 0;
        while taken.contains(&name)
            || name.contains("_q") && taken.contains(name.split("_q").next().unwrap_or(""))
        {
            k += 1;
            name = format!("{base}_{k}");
        }
        taken.insert(name.clone());
        names.push(name);
    }
    let delays = g.delays();
    let lat = g.latency();
    let stats = LayerStats::of(module, g, 0.0);
    let mut e = Emit {
        g,
        names,
        widths: BTreeMap::new(),
        used: BTreeMap::new(),
    };

    let mut body = String::new();
    let mut regs = String::new();
    let mut shifts = String::new();
    for (id, n) in nodes.iter().enumerate() {
        let w = n.width;
        e.widths.insert(e.names[id].clone(), w);
        let c = g.cycle(id);
        let expr = match &n.kind {
            NodeKind::Input(_) => None,
            NodeKind::Add { lhs, rhs, sub } => {
                let (dl, dr) = (c - g.cycle(lhs.node), c - g.cycle(rhs.node));
                let op = if *sub { '-' } else { '+' };
                // Below the shifted operand's lowest bit the result is the other operand's
                // bits (lhs +/- (rhs << t), or rhs + (lhs << t)): wire them past the adder.
                let (wired, other, wd) = if rhs.shift > lhs.shift {
                    (lhs, rhs, dl)
                } else {
                    (rhs, lhs, dr)
                };
                let t = (other.shift - wired.shift).min(w);
                if t > 0 && (!*sub || wired == lhs) {
                    let low = e.operand_bits(wired, wd, 0, t);
                    if t == w {
                        Some(low)
                    } else {
                        let a = e.operand_bits(lhs, dl, t, w - t);
                        let b = e.operand_bits(rhs, dr, t, w - t);
                        Some(format!("{{{a} {op} {b}, {low}}}"))
                    }
                } else {
                    let a = e.operand(lhs, dl, w);
                    let b = e.operand(rhs, dr, w);
                    Some(format!("{a} {op} {b}"))
                }
            }
            NodeKind::Neg(op) => Some(format!("-{}", e.operand(op, c - g.cycle(op.node), w))),
        };
        if let Some(expr) = expr {
            let iv = n.interval;
            let _ = writeln!(
                body,
                "    // {} in [{}, {}]",
                coeff_text(&n.coeffs, &ports.inputs),
                iv.lo,
                iv.hi
            );
            let _ = writeln!(body, "    wire [{}:0] {} = {expr};", w - 1, e.names[id]);
        }
        for d in 1..=delays[id] {
            let (q, prev) = (e.sig(id, d), e.sig(id, d - 1));
            let _ = writeln!(regs, "    reg [{}:0] {q};", w - 1);
            let _ = writeln!(shifts, "            {q} <= {prev};");
            e.widths.insert(q, w);
            e.used.insert(prev, vec![true; w as usize]);
        }
    }
    let mut outs = String::new();
    for (r, o) in g.outputs().iter().enumerate() {
        let y = &ports.outputs[r];
        let expr = match o.term {
            None => format!("{}'d0", o.width),
            Some(t) => {
                let d = lat - g.cycle(t.node);
                e.operand(&t, d, o.width)
            }
        };
        let _ = writeln!(outs, "    assign {y} = {expr};");
    }

    // Header and ports.
    let mut v = String::new();
    let _ = writeln!(
        v,
        "// Generated by semifreddo {} (arith): do not edit.",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        v,
        "// y = M x for a constant {}x{} matrix with {} nonzero weights, as shift-add logic:",
        stats.rows, stats.cols, stats.nonzero_weights
    );
    let _ = writeln!(
        v,
        "// {} adders ({} in constant multipliers, {} in sums, {} negations), adder depth {}",
        stats.adders(),
        stats.mult_adders,
        stats.tree_adders,
        stats.negations,
        stats.depth
    );
    let every = if g.pipeline_every() == 0 {
        "none".to_string()
    } else {
        format!("every {} levels", g.pipeline_every())
    };
    let _ = writeln!(
        v,
        "// (lower bound {}), pipeline registers {every}, latency {lat} clocks, {} register bits.",
        stats.min_depth, stats.register_bits
    );
    let _ = writeln!(
        v,
        "// Data and valid advance together while en = 1; aresetn (synchronous, active low)"
    );
    let _ = writeln!(
        v,
        "// clears only the valid bits. Inputs and outputs are two's complement."
    );
    let _ = writeln!(v, "`resetall\n`default_nettype none\n\nmodule {module} (");
    let mut plist = vec![
        "    input  wire clk".to_string(),
        "    input  wire aresetn".to_string(),
        "    input  wire en".to_string(),
        "    input  wire in_valid".to_string(),
        "    output wire out_valid".to_string(),
    ];
    for (i, r) in g.input_intervals().iter().enumerate() {
        plist.push(format!(
            "    input  wire signed [{}:0] {}",
            r.width() - 1,
            ports.inputs[i]
        ));
    }
    for (r, o) in g.outputs().iter().enumerate() {
        plist.push(format!(
            "    output wire signed [{}:0] {}",
            o.width - 1,
            ports.outputs[r]
        ));
    }
    let _ = writeln!(v, "{}\n);", plist.join(",\n"));
    for (i, r) in g.input_intervals().iter().enumerate() {
        e.widths.insert(ports.inputs[i].clone(), r.width());
    }
    v.push_str(&body);
    if lat > 0 {
        let _ = writeln!(v, "\n    // Pipeline registers (datapath, not reset).");
        v.push_str(&regs);
        if !shifts.is_empty() {
            let _ = writeln!(v, "    always @(posedge clk) begin\n        if (en) begin");
            v.push_str(&shifts);
            let _ = writeln!(v, "        end\n    end");
        }
        let _ = writeln!(
            v,
            "\n    // Valid bits travel with the data; only they are reset."
        );
        let _ = writeln!(v, "    reg [{}:0] valid_q;", lat - 1);
        let next = if lat == 1 {
            "in_valid".to_string()
        } else {
            format!("{{valid_q[{}:0], in_valid}}", lat - 2)
        };
        let _ = writeln!(
            v,
            "    always @(posedge clk) begin\n        if (!aresetn) valid_q <= {lat}'d0;\n        else if (en) valid_q <= {next};\n    end"
        );
        let _ = writeln!(v, "    assign out_valid = valid_q[{}];", lat - 1);
    } else {
        let _ = writeln!(v, "\n    assign out_valid = in_valid;");
    }
    let _ = writeln!(v);
    v.push_str(&outs);
    // Bits nobody reads (all-zero columns, truncated high bits, clocking when combinational).
    let mut unused: Vec<String> = Vec::new();
    if lat == 0 {
        unused.extend(["clk", "aresetn", "en"].map(String::from));
    }
    for (sig, &w) in &e.widths {
        let Some(u) = e.used.get(sig) else {
            unused.push(sig.clone());
            continue;
        };
        // Maximal runs of unread bits, from the top.
        let mut j = w as usize;
        while j > 0 {
            if u[j - 1] {
                j -= 1;
                continue;
            }
            let end = j;
            while j > 0 && !u[j - 1] {
                j -= 1;
            }
            unused.push(if end - j == 1 {
                format!("{sig}[{j}]")
            } else {
                format!("{sig}[{}:{j}]", end - 1)
            });
        }
    }
    if !unused.is_empty() {
        let _ = writeln!(
            v,
            "\n    // Bits no adder reads (zero weights, redundant high bits)."
        );
        let _ = writeln!(
            v,
            "    wire unused_ok = &{{1'b0, {}, 1'b0}};",
            unused.join(", ")
        );
    }
    let _ = writeln!(v, "\nendmodule\n\n`resetall");
    Ok(v)
}
