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
//! sum stays `<= 2^max_depth`.
//!
//! Ties: between equally frequent patterns, the shallower one. Optionally (`Careful`), once
//! only pairs or triples repeat, the choice is a matching problem: the solver then takes the
//! pattern whose occurrences destroy the least of the savings still available to the other
//! pairs they touch (a per-term "potential"), from a heap re-evaluated only where outputs
//! changed.
//!
//! Speed: pattern counts are updated incrementally on every substitution (only the pairs
//! touching the two removed and one added term change); pairs of two inputs are indexed
//! directly, others hashed; counts >= 2 are listed in lazily maintained buckets by count.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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

#[derive(Clone, Copy, Default)]
struct Entry {
    /// The bucket this pattern is listed in (0: none) and its position there. Listing is
    /// lazy: a listed pattern's count may have dropped below its bucket (decrements do not
    /// move it; the selection re-files stale entries), but never exceeds it.
    bucket: u32,
    pos: u32,
    banned: bool,
}

/// Pattern counts. Patterns between two inputs (most of the updates) are indexed directly;
/// the others are interned to dense ids by hashing. Ids with count >= 2 are listed in
/// `buckets[b]` with `b >= count` (a pattern seen once saves nothing), so the most frequent
/// pattern is found without a global scan, and a decrement (most updates) touches one entry.
#[derive(Default)]
struct Counts {
    n_inputs: u64,
    n_shifts: u64,
    n_direct: usize,
    ids: FxMap<u64, u32>,
    keys: Vec<u64>,
    /// Counts apart from the rest of the entry: decrements, the most frequent update, touch
    /// only this compact array.
    count: Vec<u32>,
    e: Vec<Entry>,
    buckets: Vec<Vec<u32>>,
    top: usize,
    /// Bucket maintenance is off while the initial counts are taken (see `enable_buckets`).
    live: bool,
    /// Id of the first node built by the solver.
    first_built: u32,
    /// Ids filed into a bucket since the solver last looked (harm tie-break only).
    arrivals: Vec<u32>,
    track_arrivals: bool,
    /// For each built node, the partner nodes of its published patterns (sorted). A pattern
    /// with a built node exists only if published when its newer node was built, so most
    /// decrements skip the hash lookup after a binary search in this short list.
    partners: Vec<Vec<u32>>,
}

/// Direct table size limit (entries).
const MAX_DIRECT: u64 = 1 << 24;

impl Counts {
    fn new(n_inputs: usize, n_shifts: u32, n_terms: usize) -> Self {
        let (n, d) = (n_inputs as u64, n_shifts as u64);
        let mut c = Counts::default();
        // Patterns with built nodes: a few per term in practice.
        c.ids.reserve(n_terms * 8);
        c.first_built = n_inputs as u32;
        if n * n * d * 2 <= MAX_DIRECT {
            c.n_inputs = n;
            c.n_shifts = d;
            c.n_direct = (n * n * d * 2) as usize;
            c.e = vec![Entry::default(); c.n_direct];
            c.count = vec![0; c.n_direct];
            c.keys = (0..c.n_direct as u64)
                .map(|i| {
                    let (sub, i) = (i & 1 == 1, i >> 1);
                    let (dd, i) = (i % d, i / d);
                    pack((i / n) as u32, (i % n) as u32, dd as u32, sub)
                })
                .collect();
        }
        c
    }
    fn direct(&self, k: u64) -> Option<u32> {
        let p = unpack(k);
        let (a, b, d) = (p.a as u64, p.b as u64, p.d as u64);
        (a < self.n_inputs && b < self.n_inputs && d < self.n_shifts)
            .then(|| ((((a * self.n_inputs + b) * self.n_shifts + d) << 1) | p.sub as u64) as u32)
    }
    fn lookup(&self, k: u64) -> Option<u32> {
        self.direct(k).or_else(|| self.ids.get(&k).copied())
    }
    fn intern(&mut self, k: u64) -> u32 {
        if let Some(id) = self.direct(k) {
            return id;
        }
        let next = self.keys.len() as u32;
        let id = *self.ids.entry(k).or_insert(next);
        if id == next {
            self.keys.push(k);
            self.e.push(Entry::default());
            self.count.push(0);
        }
        id
    }
    fn unbucket(&mut self, id: u32) {
        let e = self.e[id as usize];
        let b = &mut self.buckets[e.bucket as usize];
        b.swap_remove(e.pos as usize);
        if let Some(&moved) = b.get(e.pos as usize) {
            self.e[moved as usize].pos = e.pos;
        }
        self.e[id as usize].bucket = 0;
    }
    fn bucket(&mut self, id: u32) {
        let c = self.count[id as usize] as usize;
        if self.buckets.len() <= c {
            self.buckets.resize_with(c + 1, Vec::new);
        }
        self.top = self.top.max(c);
        let e = &mut self.e[id as usize];
        e.bucket = c as u32;
        e.pos = self.buckets[c].len() as u32;
        self.buckets[c].push(id);
        if self.track_arrivals {
            self.arrivals.push(id);
        }
    }
    fn eligible(&self, id: u32) -> bool {
        let e = &self.e[id as usize];
        self.live && !e.banned && self.count[id as usize] >= 2
    }
    /// Files `id` in the bucket of its current count (or none).
    fn refile(&mut self, id: u32) {
        if self.e[id as usize].bucket != 0 {
            self.unbucket(id);
        }
        if self.eligible(id) {
            self.bucket(id);
        }
    }
    fn inc(&mut self, k: u64) {
        self.add(k, 1);
    }
    fn add(&mut self, k: u64, n: u32) {
        let id = self.intern(k);
        self.count[id as usize] += n;
        if self.count[id as usize] > self.e[id as usize].bucket && self.eligible(id) {
            self.refile(id);
        }
    }
    /// Whether the pattern of two terms may be in the table (see `partners`).
    fn may_exist(&self, t: Term, u: Term) -> bool {
        let (newer, older) = if t.node >= u.node {
            (t.node, u.node)
        } else {
            (u.node, t.node)
        };
        newer < self.first_built
            || self
                .partners
                .get((newer - self.first_built) as usize)
                .is_some_and(|p| p.binary_search(&older).is_ok())
    }
    /// Decrements the pattern of two terms; returns its count before. (Counts of patterns with
    /// a node built by the solver start at the occurrences published for it, so they may
    /// undercount: never below zero.)
    fn dec_pair(&mut self, t: Term, u: Term) -> u32 {
        if !self.may_exist(t, u) {
            return 0;
        }
        let Some(id) = self.lookup(key(t, u)) else {
            return 0;
        };
        let c = &mut self.count[id as usize];
        let old = *c;
        *c = old.saturating_sub(1);
        old
    }
    /// The id of the pattern of two terms if its count is at least 2.
    fn hot_id(&self, t: Term, u: Term) -> Option<u32> {
        if !self.may_exist(t, u) {
            return None;
        }
        self.lookup(key(t, u))
            .filter(|&id| self.count[id as usize] >= 2)
    }
    /// Publishes the patterns of newly built node `id` seen at least twice.
    fn publish(&mut self, id: u32, mut fresh: Vec<(u64, u32)>) {
        fresh.sort_unstable();
        let mut partners = Vec::with_capacity(fresh.len());
        for &(k, c) in &fresh {
            self.add(k, c);
            let p = unpack(k);
            partners.push(if p.a == id { p.b } else { p.a });
        }
        partners.sort_unstable();
        partners.dedup();
        let slot = (id - self.first_built) as usize;
        if self.partners.len() <= slot {
            self.partners.resize_with(slot + 1, Vec::new);
        }
        self.partners[slot] = partners;
    }
    fn ban(&mut self, id: u32) {
        self.e[id as usize].banned = true;
        self.refile(id);
    }
    /// Up to `n` patterns of the highest count, re-filing stale entries on the way.
    fn top_candidates(&mut self, n: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(n);
        while self.top >= 2 {
            let t = self.top;
            let mut i = 0;
            while i < self.buckets[t].len() && out.len() < n {
                let id = self.buckets[t][i];
                if self.count[id as usize] as usize == t {
                    out.push(id);
                    i += 1;
                } else {
                    self.refile(id); // moves it out of position i
                }
            }
            if !out.is_empty() {
                return out;
            }
            self.top -= 1;
        }
        out
    }
    fn enable_buckets(&mut self) {
        self.live = true;
        for id in 0..self.keys.len() as u32 {
            if self.eligible(id) {
                self.bucket(id);
            }
        }
    }
}

/// One output's live terms. Dead slots stay in place (indices are stable).
struct Out {
    terms: Vec<Term>,
    alive: Vec<bool>,
    by_node: FxMap<u32, Vec<u32>>,
    n_alive: usize,
    kraft: u64,
    /// For the harm tie-break, per term slot: `(slot, pattern id)` of the terms it shares a
    /// pattern of count >= 2 with (or had: counts are read fresh). Counts only grow at initialisation
    /// and when a node is built, so these lists stay complete.
    hot: Option<Vec<Vec<(u32, u32)>>>,
}

struct Solver {
    depth: Vec<u32>,
    pairs: Vec<Pair>,
    outs: Vec<Out>,
    /// Outputs in which a node has (or had) a term; filtered when read.
    node_outs: Vec<Vec<u32>>,
    counts: Counts,
    max_depth: u32,
    tie: Option<Careful>,
    careful: CarefulState,
    /// Scratch map for the pairs of a newly built node (kept to reuse its allocation).
    local: FxMap<u64, u32>,
}

fn remove_term(out: &mut Out, counts: &mut Counts, depth: &[u32], i: usize) {
    remove_terms(out, counts, depth, &[i]);
}

/// Removes live terms (distinct slots) in one pass over the output, decrementing the patterns
/// of every pair they were part of.
fn remove_terms(out: &mut Out, counts: &mut Counts, depth: &[u32], slots: &[usize]) {
    for (n, &i) in slots.iter().enumerate() {
        out.alive[i] = false;
        out.n_alive -= 1;
        for &j in &slots[..n] {
            counts.dec_pair(out.terms[i], out.terms[j]);
        }
    }
    for (k, &u) in out.terms.iter().enumerate() {
        if out.alive[k] {
            for &i in slots {
                counts.dec_pair(out.terms[i], u);
            }
        }
    }
    for &i in slots {
        let t = out.terms[i];
        if let Some(v) = out.by_node.get_mut(&t.node) {
            v.retain(|&j| j as usize != i);
            if v.is_empty() {
                out.by_node.remove(&t.node);
            }
        }
        out.kraft -= 1u64 << depth[t.node as usize];
    }
}

/// Adds a term, merging with an equal `(node, shift)` term: `t + t = t << 1`, `t - t = 0`.
/// The new pairs are counted in `local` when given (see `Solver::apply`), else globally.
fn add_term(
    out: &mut Out,
    counts: &mut Counts,
    depth: &[u32],
    node_outs: &mut [Vec<u32>],
    o: u32,
    mut t: Term,
    mut local: Option<&mut FxMap<u64, u32>>,
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
                if u.neg != t.neg {
                    return;
                }
                t.shift += 1;
            }
        }
    }
    for (k, &u) in out.terms.iter().enumerate() {
        if out.alive[k] {
            match local.as_deref_mut() {
                Some(l) => *l.entry(key(t, u)).or_insert(0) += 1,
                None => counts.inc(key(t, u)),
            }
        }
    }
    let idx = out.terms.len() as u32;
    out.terms.push(t);
    out.alive.push(true);
    out.n_alive += 1;
    if let Some(h) = out.hot.as_mut() {
        h.push(Vec::new());
    }
    let v = out.by_node.entry(t.node).or_default();
    if v.is_empty() {
        node_outs[t.node as usize].push(o);
    }
    v.push(idx);
    out.kraft += 1u64 << depth[t.node as usize];
}

impl Solver {
    /// For live term `i` of output `o`: the adders its pairs with the other live terms could
    /// still save, `sum (count - 1)`. Cached per term until the output changes.
    fn potential(&mut self, o: usize, i: usize) -> u32 {
        let out = &mut self.outs[o];
        if out.hot.is_none() {
            let mut hot = vec![Vec::new(); out.terms.len()];
            for (i, &t) in out.terms.iter().enumerate() {
                if !out.alive[i] {
                    continue;
                }
                for (q, &u) in out.terms.iter().enumerate().skip(i + 1) {
                    if let Some(id) = out.alive[q].then(|| self.counts.hot_id(t, u)).flatten() {
                        hot[i].push((q as u32, id));
                        hot[q].push((i as u32, id));
                    }
                }
            }
            out.hot = Some(hot);
        }
        let out = &self.outs[o];
        let partners = out.hot.as_ref().map_or(&[][..], |h| &h[i][..]);
        partners
            .iter()
            .filter(|&&(q, _)| out.alive[q as usize])
            .map(|&(_, id)| self.counts.count[id as usize].saturating_sub(1))
            .sum()
    }

    /// The savings the occurrences of `k` would destroy: for every other pair they break, the
    /// adders its pattern could still save (count - 1). Among equally frequent patterns, the
    /// least destructive keeps the most sharing alive. Also returns the outputs involved.
    fn conflicts(&mut self, k: u64) -> (u32, Vec<u32>) {
        let p = unpack(k);
        let own = self
            .counts
            .lookup(k)
            .map_or(0, |id| self.counts.count[id as usize].saturating_sub(1));
        let mut n = 0u32;
        let mut outs = self.node_outs[p.a as usize].clone();
        outs.sort_unstable();
        outs.dedup();
        let mut seen = Vec::new();
        for &o in &outs {
            let out = &self.outs[o as usize];
            let (Some(ia), Some(ib)) = (out.by_node.get(&p.a), out.by_node.get(&p.b)) else {
                continue;
            };
            let mut pairs = Vec::new();
            for &i in ia {
                let t1 = out.terms[i as usize];
                let want = (t1.shift + p.d, t1.neg != p.sub);
                if let Some(&j) = ib.iter().find(|&&j| {
                    j != i && {
                        let t2 = out.terms[j as usize];
                        (t2.shift, t2.neg) == want
                    }
                }) {
                    pairs.push((i as usize, j as usize));
                }
            }
            if pairs.is_empty() {
                continue;
            }
            seen.push(o);
            for (i, j) in pairs {
                let (pi, pj) = (self.potential(o as usize, i), self.potential(o as usize, j));
                n += (pi + pj).saturating_sub(2 * own);
            }
        }
        (n, seen)
    }

    /// Computes the harm of candidate `id`, files it in the careful heap and watches the
    /// outputs it depends on. (Counts of the broken pairs also move with substitutions in other
    /// outputs; ignoring that keeps re-evaluation proportional to what changed.)
    fn push_careful(&mut self, id: u32) {
        let k = self.counts.keys[id as usize];
        let (h, outs) = self.conflicts(k);
        let v = self.careful.version.entry(id).or_insert(0);
        *v += 1;
        let v = *v;
        for o in outs {
            self.careful.watch[o as usize].push(id);
        }
        let d = self.pattern_depth(k);
        self.careful.heap.push(Reverse((h, d, k, id, v)));
    }

    /// The least harmful pattern of the top count (`careful.level`), keeping the heap in sync
    /// with new arrivals and changed outputs.
    fn careful_pick(&mut self) -> Option<(u64, u32)> {
        let top = self.counts.top;
        if self.careful.level != top {
            self.careful.level = top;
            self.careful.heap.clear();
            self.careful.dirty.clear();
            self.counts.arrivals.clear();
            self.counts.track_arrivals = true;
            let ids = self.counts.buckets[top].clone();
            for id in ids {
                if self.counts.count[id as usize] as usize == top {
                    self.push_careful(id);
                }
            }
        } else {
            let mut todo = std::mem::take(&mut self.careful.dirty);
            todo.append(&mut self.counts.arrivals);
            todo.sort_unstable();
            todo.dedup();
            for id in todo {
                let e = self.counts.e[id as usize];
                if self.counts.count[id as usize] as usize == top && !e.banned {
                    self.push_careful(id);
                }
            }
        }
        while let Some(Reverse((_, _, k, id, v))) = self.careful.heap.pop() {
            let e = self.counts.e[id as usize];
            if self.counts.count[id as usize] as usize == top
                && !e.banned
                && self.careful.version.get(&id) == Some(&v)
            {
                return Some((k, id));
            }
        }
        None
    }

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
        // Pairs with the new node can only gain occurrences now, where it is placed: count them
        // in a small local map and publish only those seen at least twice. This keeps the
        // global table (and its cache misses) small; later changes are decrements.
        let mut local = std::mem::take(&mut self.local);
        local.clear();
        for &(o, i, j) in &occ {
            let w = std::mem::take(&mut self.careful.watch[o as usize]);
            self.careful.dirty.extend(w);
            let out = &mut self.outs[o as usize];
            let t1 = out.terms[i as usize];
            remove_terms(
                out,
                &mut self.counts,
                &self.depth,
                &[i as usize, j as usize],
            );
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
                Some(&mut local),
            );
        }
        let fresh: Vec<(u64, u32)> = local
            .iter()
            .filter(|&(_, &c)| c >= 2)
            .map(|(&k, &c)| (k, c))
            .collect();
        self.local = local;
        self.counts.publish(id, fresh);
        // The new node's published pairs join the hot lists of its outputs.
        let mut touched: Vec<u32> = occ.iter().map(|o| o.0).collect();
        touched.dedup();
        for o in touched {
            let out = &mut self.outs[o as usize];
            let Some(hot) = out.hot.as_mut() else {
                continue;
            };
            let news: Vec<u32> = out.by_node.get(&id).cloned().unwrap_or_default();
            for &n in &news {
                let t = out.terms[n as usize];
                for (q, &u) in out.terms.iter().enumerate() {
                    // Pairs of two new terms are seen from both ends: record them once.
                    let other_new = u.node == id && (q as u32) <= n;
                    if !out.alive[q] || q == n as usize || other_new {
                        continue;
                    }
                    if let Some(pid) = self.counts.hot_id(t, u) {
                        hot[n as usize].push((q as u32, pid));
                        hot[q].push((n, pid));
                    }
                }
            }
        }
        occ.len()
    }

    /// Drops dead term slots of outputs that are mostly dead, so the pair updates stay
    /// proportional to the live terms.
    fn compact(&mut self) {
        for out in self.outs.iter_mut() {
            let live = out.n_alive;
            if out.terms.len() < 32 || live * 2 > out.terms.len() {
                continue;
            }
            let terms: Vec<Term> = out
                .terms
                .iter()
                .zip(&out.alive)
                .filter(|(_, &a)| a)
                .map(|(t, _)| *t)
                .collect();
            out.by_node.clear();
            for (i, t) in terms.iter().enumerate() {
                out.by_node.entry(t.node).or_default().push(i as u32);
            }
            out.alive = vec![true; terms.len()];
            out.terms = terms;
            out.hot = None; // indexed by term slot
        }
    }

    fn run(&mut self) {
        loop {
            // Establishes the real top count (re-filing stale entries).
            if self.counts.top_candidates(1).is_empty() {
                break;
            }
            self.compact();
            // Equally frequent patterns: the shallower first; with the harm tie-break, once
            // only pairs (and triples) are left, a matching problem, the least destructive.
            let pick = if self.tie.is_some_and(|t| self.counts.top <= t.top) {
                self.careful_pick()
            } else {
                None
            };
            let (k, id) = match pick {
                Some(p) => p,
                None => {
                    let best = self
                        .counts
                        .top_candidates(SCAN)
                        .iter()
                        .map(|&id| {
                            let k = self.counts.keys[id as usize];
                            ((self.pattern_depth(k), k), id)
                        })
                        .min();
                    let Some(((_, k), id)) = best else { break };
                    (k, id)
                }
            };
            if self.apply(k) == 0 {
                self.counts.ban(id);
            }
        }
    }
}

/// `(harm, depth, pattern key, pattern id, version)`, smallest first.
type HeapEntry = Reverse<(u32, u32, u64, u32, u32)>;

/// State of the harm tie-break: candidates of the top count in a heap by harm, with
/// versions (stale entries are skipped) and, per output, the candidates to re-evaluate when it
/// changes.
#[derive(Default)]
struct CarefulState {
    level: usize,
    heap: BinaryHeap<HeapEntry>,
    version: FxMap<u32, u32>,
    watch: Vec<Vec<u32>>,
    dirty: Vec<u32>,
}

/// The harm-based tie-break, used once the top count is at most `top`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Careful {
    pub top: usize,
}

/// Runs the solver on the initial per-output terms (nodes `0..n_inputs` are the inputs, at
/// depth 0). `max_depth` bounds every output's eventual tree depth.
pub(crate) fn solve(
    n_inputs: usize,
    terms: Vec<Vec<Term>>,
    max_depth: u32,
    tie: Option<Careful>,
) -> Solution {
    let max_shift = terms.iter().flatten().map(|t| t.shift).max().unwrap_or(0);
    let n_terms: usize = terms.iter().map(Vec::len).sum();
    let mut s = Solver {
        depth: vec![0; n_inputs],
        pairs: Vec::new(),

        outs: Vec::with_capacity(terms.len()),
        node_outs: vec![Vec::new(); n_inputs],
        counts: Counts::new(n_inputs, max_shift + 1, n_terms),
        max_depth,
        tie,
        careful: CarefulState::default(),
        local: FxMap::default(),
    };
    for (o, ts) in terms.into_iter().enumerate() {
        let mut out = Out {
            terms: Vec::new(),
            alive: Vec::new(),
            by_node: FxMap::default(),
            n_alive: 0,
            kraft: 0,
            hot: None,
        };
        for t in ts {
            add_term(
                &mut out,
                &mut s.counts,
                &s.depth,
                &mut s.node_outs,
                o as u32,
                t,
                None,
            );
        }
        s.outs.push(out);
    }
    let t0 = std::time::Instant::now();
    s.careful.watch = vec![Vec::new(); s.outs.len()];
    s.counts.enable_buckets();
    let npat = s.counts.keys.len();
    s.run();
    if std::env::var("ARITH_DEBUG").is_ok() {
        eprintln!(
            "patterns {npat} -> {} nodes {} run {:?}",
            s.counts.keys.len(),
            s.pairs.len(),
            t0.elapsed()
        );
    }
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
