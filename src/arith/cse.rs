//! Constant matrix-vector common subexpression elimination (the da4ml / Hcub family).
//!
//! Every output starts as a list of signed, shifted terms `±(node << shift)` (the CSD digits
//! of its weights, each on its input node). A *pattern* is a pair of terms normalised to the
//! lower shift: `a + (b << d)` or `a - (b << d)`. The solver repeatedly takes the pattern that
//! occurs most often over all outputs, builds it once as a new adder node, and substitutes it
//! wherever it occurs. Pairs of terms on the same input give multiple-constant-multiplication
//! sharing for free; pairs across inputs share partial sums between outputs.
//!
//! Depth control: each output keeps the Kraft sum `sum 2^depth(term)`; a balanced tree over its
//! terms has depth `ceil(log2 kraft)`, so a substitution is only made where the output's Kraft
//! sum stays `<= 2^max_depth`. Ties between equally frequent patterns go to the shallower one.
//!
//! Speed: pattern counts live in a hash map and in buckets by count, updated incrementally on
//! every substitution (only the pairs touching the two removed and one added term change).

use super::fxhash::FxMap;

/// `±(node << shift)` inside one output's sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Term {
    pub node: u32,
    pub shift: u32,
    pub neg: bool,
}

/// A node built by the solver: `a + (b << d)`, or `a - (b << d)` when `sub`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pair {
    pub a: u32,
    pub b: u32,
    pub d: u32,
    pub sub: bool,
}

/// Result: the new nodes (ids `n_inputs..`) and the remaining terms of every output.
pub(crate) struct Solution {
    pub pairs: Vec<Pair>,
    pub depth: Vec<u32>,
    pub terms: Vec<Vec<Term>>,
}

const NODE_BITS: u32 = 26;
pub(crate) const MAX_NODES: usize = 1 << NODE_BITS;
pub(crate) const MAX_SHIFT: u32 = (1 << 11) - 1;
/// How many entries of the top bucket are examined for the depth tie-break.
const SCAN: usize = 64;

fn pack(a: u32, b: u32, d: u32, sub: bool) -> u64 {
    ((a as u64) << 38) | ((b as u64) << 12) | ((d as u64) << 1) | sub as u64
}
fn unpack(k: u64) -> Pair {
    let m = (1u64 << NODE_BITS) - 1;
    Pair {
        a: ((k >> 38) & m) as u32,
        b: ((k >> 12) & m) as u32,
        d: ((k >> 1) & 0x7ff) as u32,
        sub: k & 1 == 1,
    }
}
/// Canonical pattern of two terms: first the lower shift (then the lower node id).
fn key(x: Term, y: Term) -> u64 {
    let (f, s) = if (x.shift, x.node) <= (y.shift, y.node) {
        (x, y)
    } else {
        (y, x)
    };
    pack(f.node, s.node, s.shift - f.shift, f.neg != s.neg)
}

struct Entry {
    count: u32,
    pos: u32,
    banned: bool,
}

/// Pattern counts with buckets by count (only counts >= 2 are bucketed: a pattern seen once
/// saves nothing).
#[derive(Default)]
struct Counts {
    map: FxMap<u64, Entry>,
    buckets: Vec<Vec<u64>>,
    top: usize,
}

impl Counts {
    fn unbucket(&mut self, k: u64, count: u32, pos: u32) {
        let b = &mut self.buckets[count as usize];
        b.swap_remove(pos as usize);
        if let Some(&moved) = b.get(pos as usize) {
            if let Some(e) = self.map.get_mut(&moved) {
                e.pos = pos;
            }
        }
        let _ = k;
    }
    fn bucket(&mut self, k: u64, count: u32) -> u32 {
        let c = count as usize;
        if self.buckets.len() <= c {
            self.buckets.resize_with(c + 1, Vec::new);
        }
        self.top = self.top.max(c);
        self.buckets[c].push(k);
        (self.buckets[c].len() - 1) as u32
    }
    fn inc(&mut self, k: u64) {
        let e = self.map.entry(k).or_insert(Entry {
            count: 0,
            pos: 0,
            banned: false,
        });
        e.count += 1;
        let (c, pos, banned) = (e.count, e.pos, e.banned);
        if banned {
            return;
        }
        if c > 2 {
            self.unbucket(k, c - 1, pos);
        }
        if c >= 2 {
            let p = self.bucket(k, c);
            if let Some(e) = self.map.get_mut(&k) {
                e.pos = p;
            }
        }
    }
    fn dec(&mut self, k: u64) {
        let Some(e) = self.map.get_mut(&k) else {
            return;
        };
        e.count -= 1;
        let (c, pos, banned) = (e.count, e.pos, e.banned);
        if c == 0 {
            self.map.remove(&k);
        }
        if banned {
            return;
        }
        if c + 1 >= 2 {
            self.unbucket(k, c + 1, pos);
        }
        if c >= 2 {
            let p = self.bucket(k, c);
            if let Some(e) = self.map.get_mut(&k) {
                e.pos = p;
            }
        }
    }
    fn ban(&mut self, k: u64) {
        if let Some(e) = self.map.get_mut(&k) {
            let (c, pos) = (e.count, e.pos);
            if !e.banned {
                e.banned = true;
                if c >= 2 {
                    self.unbucket(k, c, pos);
                }
            }
        }
    }
}

/// One output's live terms. Dead slots stay in place (indices are stable).
struct Out {
    terms: Vec<Term>,
    alive: Vec<bool>,
    by_node: FxMap<u32, Vec<u32>>,
    kraft: u64,
}

struct Solver {
    depth: Vec<u32>,
    pairs: Vec<Pair>,
    n_inputs: u32,
    outs: Vec<Out>,
    /// Outputs in which a node has (or had) a term; filtered when read.
    node_outs: Vec<Vec<u32>>,
    counts: Counts,
    max_depth: u32,
}

fn remove_term(out: &mut Out, counts: &mut Counts, depth: &[u32], i: usize) {
    let t = out.terms[i];
    out.alive[i] = false;
    for (k, &u) in out.terms.iter().enumerate() {
        if out.alive[k] {
            counts.dec(key(t, u));
        }
    }
    if let Some(v) = out.by_node.get_mut(&t.node) {
        v.retain(|&j| j as usize != i);
        if v.is_empty() {
            out.by_node.remove(&t.node);
        }
    }
    out.kraft -= 1u64 << depth[t.node as usize];
}

/// Adds a term, merging with an equal `(node, shift)` term: `t + t = t << 1`, `t - t = 0`.
fn add_term(
    out: &mut Out,
    counts: &mut Counts,
    depth: &[u32],
    node_outs: &mut [Vec<u32>],
    o: u32,
    mut t: Term,
) {
    loop {
        let same = out.by_node.get(&t.node).and_then(|v| {
            v.iter()
                .copied()
                .find(|&j| out.terms[j as usize].shift == t.shift)
        });
        match same {
            None => break,
            Some(j) => {
                let u = out.terms[j as usize];
                remove_term(out, counts, depth, j as usize);
                if u.neg != t.neg || t.shift >= MAX_SHIFT {
                    return;
                }
                t.shift += 1;
            }
        }
    }
    for (k, &u) in out.terms.iter().enumerate() {
        if out.alive[k] {
            counts.inc(key(t, u));
        }
    }
    let idx = out.terms.len() as u32;
    out.terms.push(t);
    out.alive.push(true);
    let v = out.by_node.entry(t.node).or_default();
    if v.is_empty() {
        node_outs[t.node as usize].push(o);
    }
    v.push(idx);
    out.kraft += 1u64 << depth[t.node as usize];
}

impl Solver {
    fn pattern_depth(&self, k: u64) -> u32 {
        let p = unpack(k);
        self.depth[p.a as usize].max(self.depth[p.b as usize]) + 1
    }

    /// Substitutes pattern `k` wherever the depth budget allows; returns the substitutions made
    /// (none unless at least two, since one occurrence saves nothing).
    fn apply(&mut self, k: u64) -> usize {
        let p = unpack(k);
        let (da, db) = (self.depth[p.a as usize], self.depth[p.b as usize]);
        let nd = da.max(db) + 1;
        if nd > self.max_depth || self.depth.len() >= MAX_NODES {
            return 0;
        }
        let budget = 1u64 << self.max_depth;
        let mut outs = std::mem::take(&mut self.node_outs[p.a as usize]);
        outs.sort_unstable();
        outs.dedup();
        outs.retain(|&o| self.outs[o as usize].by_node.contains_key(&p.a));
        let mut occ: Vec<(u32, u32, u32)> = Vec::new();
        for &o in &outs {
            let out = &self.outs[o as usize];
            let (Some(ia), Some(ib)) = (out.by_node.get(&p.a), out.by_node.get(&p.b)) else {
                continue;
            };
            let mut firsts: Vec<u32> = ia.clone();
            firsts.sort_unstable_by_key(|&i| out.terms[i as usize].shift);
            let mut used: Vec<u32> = Vec::new();
            let mut kraft = out.kraft;
            for i in firsts {
                let t1 = out.terms[i as usize];
                if used.contains(&i) {
                    continue;
                }
                let want = (t1.shift + p.d, t1.neg != p.sub);
                let Some(&j) = ib.iter().find(|&&j| {
                    let t2 = out.terms[j as usize];
                    j != i && !used.contains(&j) && (t2.shift, t2.neg) == want
                }) else {
                    continue;
                };
                let next = kraft - (1 << da) - (1 << db) + (1 << nd);
                if next > budget {
                    continue;
                }
                kraft = next;
                used.extend([i, j]);
                occ.push((o, i, j));
            }
        }
        self.node_outs[p.a as usize] = outs;
        if occ.len() < 2 {
            return 0;
        }
        let id = self.depth.len() as u32;
        self.depth.push(nd);
        self.pairs.push(p);
        self.node_outs.push(Vec::new());
        for &(o, i, j) in &occ {
            let out = &mut self.outs[o as usize];
            let t1 = out.terms[i as usize];
            remove_term(out, &mut self.counts, &self.depth, i as usize);
            remove_term(out, &mut self.counts, &self.depth, j as usize);
            let t = Term {
                node: id,
                shift: t1.shift,
                neg: t1.neg,
            };
            add_term(
                out,
                &mut self.counts,
                &self.depth,
                &mut self.node_outs,
                o,
                t,
            );
        }
        occ.len()
    }

    fn run(&mut self) {
        loop {
            while self.counts.top >= 2 && self.counts.buckets[self.counts.top].is_empty() {
                self.counts.top -= 1;
            }
            if self.counts.top < 2 {
                break;
            }
            let b = &self.counts.buckets[self.counts.top];
            let best = b
                .iter()
                .take(SCAN)
                .copied()
                .min_by_key(|&k| (self.pattern_depth(k), k));
            let Some(k) = best else { break };
            if self.apply(k) == 0 {
                self.counts.ban(k);
            }
        }
    }
}

/// Runs the solver on the initial per-output terms (nodes `0..n_inputs` are the inputs, at
/// depth 0). `max_depth` bounds every output's eventual tree depth.
pub(crate) fn solve(n_inputs: usize, terms: Vec<Vec<Term>>, max_depth: u32) -> Solution {
    let mut s = Solver {
        depth: vec![0; n_inputs],
        pairs: Vec::new(),
        n_inputs: n_inputs as u32,
        outs: Vec::with_capacity(terms.len()),
        node_outs: vec![Vec::new(); n_inputs],
        counts: Counts::default(),
        max_depth,
    };
    for (o, ts) in terms.into_iter().enumerate() {
        let mut out = Out {
            terms: Vec::new(),
            alive: Vec::new(),
            by_node: FxMap::default(),
            kraft: 0,
        };
        for t in ts {
            add_term(
                &mut out,
                &mut s.counts,
                &s.depth,
                &mut s.node_outs,
                o as u32,
                t,
            );
        }
        s.outs.push(out);
    }
    s.run();
    let _ = s.n_inputs;
    let terms = s
        .outs
        .iter()
        .map(|o| {
            let mut v: Vec<Term> = o
                .terms
                .iter()
                .zip(&o.alive)
                .filter(|(_, &a)| a)
                .map(|(t, _)| *t)
                .collect();
            v.sort_unstable();
            v
        })
        .collect();
    Solution {
        pairs: s.pairs,
        depth: s.depth,
        terms,
    }
}
