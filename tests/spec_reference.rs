//! An independent, deliberately naive implementation of SPEC §1–2, written only from
//! /work/shared/SPEC.md (not from src/golden), compared tensor by tensor with the golden
//! model's trace on presets, hand-built random topologies and extreme parameter values.
//!
//! The reference reads every parameter by its SPEC §3 name from `Model::to_store()` (plus the
//! manifest), so a naming or layout bug in the crate shows up as a missing tensor or a
//! mismatch. All arithmetic is i64/i128 on plain nested loops.
//!
//! SPEC readings this reference takes where the text leaves room (the golden model agrees):
//! - head groups are contiguous (PyTorch): output o belongs to group o / (O/G) and reads
//!   inputs g*I/G .. (g+1)*I/G; for train01 with G = 2, group 0 sees only train0.
//! - blocks are numbered j = 0.. across a stage, so a stride-2 stage has `b0` (downsample,
//!   `br1`/`br2`) then regular `b1..`; trainable stages get 1 + trainable_repeats_k blocks.
//! - the repeat block runs per trainable core on T''_S with that core's own `rep.n`; pass r
//!   uses bank r and there is no blend or core shuffle after it.
//! - `train{t}.rep.n` exists only when R_max > 0, `blend{k}.shuffle` only with two cores.
//! - "stride-2 layers" for the H/W divisibility rule = the stem + one per stride-2 stage.

// Plain index loops and tuple types on purpose: the reference mirrors SPEC's formulas.
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

use safetensors::tensor::Dtype;
use semifreddo::golden::{run_observed, Trace};
use semifreddo::model::layout::Size;
use semifreddo::model::manifest::{
    Generation, HeadSource, HeadSpec, Input, Manifest, Stage, Topology, FORMAT,
};
use semifreddo::model::presets::{self, Preset};
use semifreddo::model::tensors::TensorStore;
use semifreddo::model::{self, Model};
use semifreddo::modelgen::init::init;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Coverage counters of the reference (shared by all tests of this binary): how often the
/// interesting corners of SPEC §2 were actually reached.
static SAT8_LO: AtomicUsize = AtomicUsize::new(0);
static SAT8_HI: AtomicUsize = AtomicUsize::new(0);
static SAT16: AtomicUsize = AtomicUsize::new(0);
static PWL_CLAMP: AtomicUsize = AtomicUsize::new(0);
static PWL_LATER_SEGMENT: AtomicUsize = AtomicUsize::new(0);
static SHIFT40: AtomicUsize = AtomicUsize::new(0);

// ---------------------------------------------------------------------------------------
// Reference: feature maps (HWC, channel fastest, i64 values)
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Fm {
    h: usize,
    w: usize,
    c: usize,
    d: Vec<i64>,
}

impl Fm {
    fn new(h: usize, w: usize, c: usize) -> Fm {
        Fm {
            h,
            w,
            c,
            d: vec![0; h * w * c],
        }
    }
    fn idx(&self, r: usize, col: usize, ch: usize) -> usize {
        (r * self.w + col) * self.c + ch
    }
    fn get(&self, r: usize, col: usize, ch: usize) -> i64 {
        self.d[self.idx(r, col, ch)]
    }
    /// Zero padding: x = 0 outside the image.
    fn get_pad(&self, r: i64, col: i64, ch: usize) -> i64 {
        if r < 0 || col < 0 || r >= self.h as i64 || col >= self.w as i64 {
            0
        } else {
            self.get(r as usize, col as usize, ch)
        }
    }
    fn set(&mut self, r: usize, col: usize, ch: usize, v: i64) {
        let i = self.idx(r, col, ch);
        self.d[i] = v;
    }
    fn channels(&self, from: usize, to: usize) -> Fm {
        let mut o = Fm::new(self.h, self.w, to - from);
        for r in 0..self.h {
            for col in 0..self.w {
                for ch in from..to {
                    o.set(r, col, ch - from, self.get(r, col, ch));
                }
            }
        }
        o
    }
    fn concat(a: &Fm, b: &Fm) -> Fm {
        assert_eq!((a.h, a.w), (b.h, b.w));
        let mut o = Fm::new(a.h, a.w, a.c + b.c);
        for r in 0..a.h {
            for col in 0..a.w {
                for ch in 0..a.c {
                    o.set(r, col, ch, a.get(r, col, ch));
                }
                for ch in 0..b.c {
                    o.set(r, col, a.c + ch, b.get(r, col, ch));
                }
            }
        }
        o
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.h, self.w, self.c]
    }
}

/// Output size of a 3x3 conv, padding 1, stride s: ceil(H/s).
fn out_dim(n: usize, s: usize) -> usize {
    n.div_ceil(s)
}

// ---------------------------------------------------------------------------------------
// Reference: parameters, read by SPEC §3 names
// ---------------------------------------------------------------------------------------

fn tensor(store: &TensorStore, name: &str, dtype: Dtype, shape: &[usize]) -> Vec<i64> {
    let t = store
        .get(name)
        .unwrap_or_else(|| panic!("SPEC §3 tensor `{name}` is missing from Model::to_store()"));
    assert_eq!(t.dtype, dtype, "dtype of `{name}`");
    if !shape.is_empty() {
        assert_eq!(t.shape, shape, "shape of `{name}`");
    }
    match dtype {
        Dtype::I8 => t
            .values::<i8>()
            .unwrap()
            .iter()
            .map(|&v| v as i64)
            .collect(),
        Dtype::U8 => t
            .values::<u8>()
            .unwrap()
            .iter()
            .map(|&v| v as i64)
            .collect(),
        Dtype::I16 => t
            .values::<i16>()
            .unwrap()
            .iter()
            .map(|&v| v as i64)
            .collect(),
        Dtype::U16 => t
            .values::<u16>()
            .unwrap()
            .iter()
            .map(|&v| v as i64)
            .collect(),
        Dtype::I32 => t
            .values::<i32>()
            .unwrap()
            .iter()
            .map(|&v| v as i64)
            .collect(),
        d => panic!("unexpected dtype {d:?}"),
    }
}

struct Layer {
    w: Vec<i64>,
    m: Vec<i64>,
    b: Vec<i64>,
    s: i64,
}

fn layer(store: &TensorStore, prefix: &str, wshape: [usize; 4]) -> Layer {
    let o = wshape[0];
    let w = tensor(store, &format!("{prefix}.weight"), Dtype::I8, &wshape);
    let m = tensor(store, &format!("{prefix}.scale"), Dtype::I16, &[o]);
    let b = tensor(store, &format!("{prefix}.bias"), Dtype::I32, &[o]);
    let s = tensor(store, &format!("{prefix}.shift"), Dtype::U8, &[1])[0];
    assert!(
        (0..=40).contains(&s),
        "{prefix}.shift = {s} out of SPEC range"
    );
    Layer { w, m, b, s }
}

// ---------------------------------------------------------------------------------------
// Reference: SPEC §2 arithmetic
// ---------------------------------------------------------------------------------------

/// `y = clamp((acc*m + b + rnd) >> s, lo, hi)`, rnd = 1 << (s-1) (0 when s = 0), floor shift.
fn requant(acc: i64, m: i64, b: i64, s: i64, lo: i64, hi: i64) -> i64 {
    let rnd: i128 = if s == 0 { 0 } else { 1i128 << (s - 1) };
    let v: i128 = (acc as i128 * m as i128 + b as i128 + rnd) >> s;
    v.clamp(lo as i128, hi as i128) as i64
}

fn requant8(acc: i64, m: i64, b: i64, s: i64, relu: bool) -> i64 {
    let y = requant(acc, m, b, s, if relu { 0 } else { -128 }, 127);
    if y == 127 {
        SAT8_HI.fetch_add(1, Relaxed);
    } else if y == -128 {
        SAT8_LO.fetch_add(1, Relaxed);
    }
    if s == 40 {
        SHIFT40.fetch_add(1, Relaxed);
    }
    y
}

fn requant16(acc: i64, m: i64, b: i64, s: i64) -> i64 {
    let y = requant(acc, m, b, s, -32768, 32767);
    if y == 32767 || y == -32768 {
        SAT16.fetch_add(1, Relaxed);
    }
    y
}

fn requant_fm(acc: &Fm, l: &Layer, relu: bool) -> Fm {
    let mut o = acc.clone();
    for r in 0..acc.h {
        for col in 0..acc.w {
            for ch in 0..acc.c {
                let v = requant8(acc.get(r, col, ch), l.m[ch], l.b[ch], l.s, relu);
                o.set(r, col, ch, v);
            }
        }
    }
    o
}

/// Full 3x3 conv (the stem): w is [O][Cin][3][3].
fn conv3x3(x: &Fm, w: &[i64], cout: usize, stride: usize) -> Fm {
    let (oh, ow) = (out_dim(x.h, stride), out_dim(x.w, stride));
    let mut o = Fm::new(oh, ow, cout);
    for oc in 0..cout {
        for r in 0..oh {
            for col in 0..ow {
                let mut acc: i64 = 0;
                for ci in 0..x.c {
                    for i in 0..3 {
                        for j in 0..3 {
                            let wv = w[((oc * x.c + ci) * 3 + i) * 3 + j];
                            let xr = (stride * r + i) as i64 - 1;
                            let xc = (stride * col + j) as i64 - 1;
                            acc += wv * x.get_pad(xr, xc, ci);
                        }
                    }
                }
                o.set(r, col, oc, acc);
            }
        }
    }
    o
}

/// Depthwise 3x3 conv: w is [C][1][3][3].
fn depthwise(x: &Fm, w: &[i64], stride: usize) -> Fm {
    let (oh, ow) = (out_dim(x.h, stride), out_dim(x.w, stride));
    let mut o = Fm::new(oh, ow, x.c);
    for ch in 0..x.c {
        for r in 0..oh {
            for col in 0..ow {
                let mut acc: i64 = 0;
                for i in 0..3 {
                    for j in 0..3 {
                        let xr = (stride * r + i) as i64 - 1;
                        let xc = (stride * col + j) as i64 - 1;
                        acc += w[(ch * 3 + i) * 3 + j] * x.get_pad(xr, xc, ch);
                    }
                }
                o.set(r, col, ch, acc);
            }
        }
    }
    o
}

/// Grouped pointwise conv: w is [O][I/G][1][1]; output o reads input group o / (O/G).
fn pointwise_grouped(x: &Fm, w: &[i64], outs: usize, groups: usize) -> Fm {
    let gi = x.c / groups;
    let go = outs / groups;
    let mut o = Fm::new(x.h, x.w, outs);
    for r in 0..x.h {
        for col in 0..x.w {
            for oc in 0..outs {
                let g = oc / go;
                let mut acc: i64 = 0;
                for i in 0..gi {
                    acc += w[oc * gi + i] * x.get(r, col, g * gi + i);
                }
                o.set(r, col, oc, acc);
            }
        }
    }
    o
}

/// shuffle (2 groups): out[2i] = in[i], out[2i+1] = in[C/2 + i].
fn channel_shuffle(x: &Fm) -> Fm {
    let half = x.c / 2;
    let mut o = Fm::new(x.h, x.w, x.c);
    for r in 0..x.h {
        for col in 0..x.w {
            for i in 0..half {
                o.set(r, col, 2 * i, x.get(r, col, i));
                o.set(r, col, 2 * i + 1, x.get(r, col, half + i));
            }
        }
    }
    o
}

/// `y = (a*xf + (256 - a)*xt + 128) >> 8` per channel.
fn blend(f: &Fm, t: &Fm, a: &[i64]) -> Fm {
    assert_eq!(f.shape(), t.shape());
    let mut o = Fm::new(f.h, f.w, f.c);
    for r in 0..f.h {
        for col in 0..f.w {
            for ch in 0..f.c {
                let v = (a[ch] * f.get(r, col, ch) + (256 - a[ch]) * t.get(r, col, ch) + 128) >> 8;
                o.set(r, col, ch, v);
            }
        }
    }
    o
}

/// T''_0 = concat(T'_0[0:C/2], T'_1[C/2:C]), T''_1 = concat(T'_1[0:C/2], T'_0[C/2:C]).
fn core_shuffle(t0: &Fm, t1: &Fm) -> (Fm, Fm) {
    let c = t0.c;
    let h = c / 2;
    (
        Fm::concat(&t0.channels(0, h), &t1.channels(h, c)),
        Fm::concat(&t1.channels(0, h), &t0.channels(h, c)),
    )
}

/// k = max{k : z >= x_k}; out = clamp16(y_k + (((z - x_k) * g_k + 128) >> 8)).
fn pwl(z: i64, xs: &[i64], ys: &[i64], gs: &[i64]) -> i64 {
    let mut k = 0;
    for (i, &x) in xs.iter().enumerate() {
        if z >= x {
            k = i;
        }
    }
    assert!(z >= xs[0]);
    let v: i128 = ys[k] as i128 + ((((z - xs[k]) as i128) * gs[k] as i128 + 128) >> 8);
    if k > 0 {
        PWL_LATER_SEGMENT.fetch_add(1, Relaxed);
    }
    if !(-32768..=32767).contains(&v) {
        PWL_CLAMP.fetch_add(1, Relaxed);
    }
    v.clamp(-32768, 32767) as i64
}

// ---------------------------------------------------------------------------------------
// Reference: the network (SPEC §1)
// ---------------------------------------------------------------------------------------

/// Every tensor the reference computes, by trace name, in order.
#[derive(Default)]
struct Rec {
    list: Vec<(String, Vec<usize>, Vec<i64>)>,
}

impl Rec {
    fn fm(&mut self, name: &str, x: &Fm) {
        self.list.push((name.to_string(), x.shape(), x.d.clone()));
    }
    fn raw(&mut self, name: &str, shape: Vec<usize>, v: Vec<i64>) {
        self.list.push((name.to_string(), shape, v));
    }
}

struct Ref<'a> {
    store: &'a TensorStore,
    rec: Rec,
}

impl Ref<'_> {
    fn stem(&mut self, core: &str, x: &Fm, c0: usize) -> Fm {
        let name = format!("{core}.stem");
        let l = layer(self.store, &name, [c0, x.c, 3, 3]);
        let y = requant_fm(&conv3x3(x, &l.w, c0, 2), &l, true);
        self.rec.fm(&name, &y);
        y
    }

    /// DW (stride s, no ReLU) then PW C -> C (ReLU), both requantized; traces `.dw`, `.pw`.
    fn branch(&mut self, prefix: &str, x: &Fm, stride: usize) -> Fm {
        let c = x.c;
        let dname = format!("{prefix}.dw");
        let dl = layer(self.store, &dname, [c, 1, 3, 3]);
        let d = requant_fm(&depthwise(x, &dl.w, stride), &dl, false);
        self.rec.fm(&dname, &d);
        let pname = format!("{prefix}.pw");
        let pl = layer(self.store, &pname, [c, c, 1, 1]);
        let p = requant_fm(&pointwise_grouped(&d, &pl.w, c, 1), &pl, true);
        self.rec.fm(&pname, &p);
        p
    }

    fn regular(&mut self, prefix: &str, x: &Fm) -> Fm {
        let c = x.c;
        let x1 = x.channels(0, c / 2);
        let x2 = x.channels(c / 2, c);
        let y2 = self.branch(prefix, &x2, 1);
        let y = channel_shuffle(&Fm::concat(&x1, &y2));
        self.rec.fm(prefix, &y);
        y
    }

    fn downsample(&mut self, prefix: &str, x: &Fm) -> Fm {
        let b1 = self.branch(&format!("{prefix}.br1"), x, 2);
        let b2 = self.branch(&format!("{prefix}.br2"), x, 2);
        let y = channel_shuffle(&Fm::concat(&b1, &b2));
        self.rec.fm(prefix, &y);
        y
    }

    fn stage(&mut self, core: &str, k: usize, st: &Stage, extra: usize, x: &Fm) -> Fm {
        let mut y = if st.stride == 2 {
            assert_eq!(st.channels, 2 * x.c);
            self.downsample(&format!("{core}.s{k}.b0"), x)
        } else {
            assert_eq!(st.channels, x.c);
            self.regular(&format!("{core}.s{k}.b0"), x)
        };
        for j in 1..=extra {
            y = self.regular(&format!("{core}.s{k}.b{j}"), &y);
        }
        y
    }

    /// Blend and (two cores) core shuffle at boundary k.
    fn boundary(&mut self, k: usize, f: &Fm, ts: Vec<Fm>) -> Vec<Fm> {
        let mut out = Vec::new();
        for (t, x) in ts.iter().enumerate() {
            let name = format!("train{t}.blend{k}.alpha");
            let a = tensor(self.store, &name, Dtype::U16, &[f.c]);
            assert!(a.iter().all(|&v| (0..=256).contains(&v)));
            let y = blend(f, x, &a);
            self.rec.fm(&format!("train{t}.blend{k}"), &y);
            out.push(y);
        }
        if out.len() == 2 {
            let on = tensor(self.store, &format!("blend{k}.shuffle"), Dtype::U8, &[1])[0];
            assert!(on <= 1);
            if on == 1 {
                let (a, b) = core_shuffle(&out[0], &out[1]);
                out = vec![a, b];
            }
            for (t, y) in out.iter().enumerate() {
                self.rec.fm(&format!("train{t}.shuffle{k}"), y);
            }
        }
        out
    }

    fn head(&mut self, h: usize, spec: &HeadSpec, x: &Fm, k_max: usize) -> (Vec<usize>, Vec<i64>) {
        let name = format!("head{h}");
        let (o, g) = (spec.outputs, spec.groups);
        assert_eq!(x.c % g, 0);
        assert_eq!(o % g, 0);
        let l = layer(self.store, &name, [o, x.c / g, 1, 1]);
        let pool = tensor(self.store, &format!("{name}.pool"), Dtype::U8, &[1])[0];
        assert!(pool <= 1);
        let xs = tensor(self.store, &format!("{name}.pwl.x"), Dtype::I16, &[]);
        let ys = tensor(self.store, &format!("{name}.pwl.y"), Dtype::I16, &[]);
        let gs = tensor(self.store, &format!("{name}.pwl.g"), Dtype::I16, &[]);
        assert!(!xs.is_empty() && xs.len() <= k_max);
        assert_eq!(xs.len(), ys.len());
        assert_eq!(xs.len(), gs.len());
        assert_eq!(xs[0], -32768);
        let acc = pointwise_grouped(x, &l.w, o, g);
        let (shape, accv) = if pool == 1 {
            let mut sums = vec![0i64; o];
            for r in 0..acc.h {
                for col in 0..acc.w {
                    for (oc, s) in sums.iter_mut().enumerate() {
                        *s += acc.get(r, col, oc);
                    }
                }
            }
            (vec![o], sums)
        } else {
            (acc.shape(), acc.d.clone())
        };
        self.rec
            .raw(&format!("{name}.acc"), shape.clone(), accv.clone());
        // Channel is the fastest index in both layouts.
        let z: Vec<i64> = accv
            .iter()
            .enumerate()
            .map(|(i, &a)| {
                let oc = i % o;
                requant16(a, l.m[oc], l.b[oc], l.s)
            })
            .collect();
        self.rec
            .raw(&format!("{name}.requant"), shape.clone(), z.clone());
        let y: Vec<i64> = z.iter().map(|&v| pwl(v, &xs, &ys, &gs)).collect();
        self.rec.raw(&name, shape.clone(), y.clone());
        (shape, y)
    }
}

/// Runs the reference; returns every named tensor and the head outputs.
fn reference(
    m: &Manifest,
    store: &TensorStore,
    pixels: &[u8],
) -> (Rec, Vec<(Vec<usize>, Vec<i64>)>) {
    let (h, w, cin) = (m.input.height, m.input.width, m.input.channels);
    assert_eq!(pixels.len(), h * w * cin);
    let mut x = Fm::new(h, w, cin);
    x.d = pixels.iter().map(|&p| p as i64 - 128).collect();
    let mut r = Ref {
        store,
        rec: Rec::default(),
    };
    r.rec.fm("input", &x);
    let top = &m.topology;
    let nt = top.trainable_cores;
    let c0 = top.stem_channels;

    let mut f = r.stem("frozen", &x, c0);
    let mut ts: Vec<Fm> = (0..nt)
        .map(|t| r.stem(&format!("train{t}"), &x, c0))
        .collect();
    ts = r.boundary(0, &f, ts);
    for (i, st) in top.stages.iter().enumerate() {
        let k = i + 1;
        f = r.stage("frozen", k, st, st.frozen_repeats, &f);
        let next: Vec<Fm> = ts
            .iter()
            .enumerate()
            .map(|(t, xt)| r.stage(&format!("train{t}"), k, st, st.trainable_repeats, xt))
            .collect();
        ts = r.boundary(k, &f, next);
    }
    if top.repeat_banks > 0 {
        for (t, xt) in ts.iter_mut().enumerate() {
            let n = tensor(store, &format!("train{t}.rep.n"), Dtype::U8, &[1])[0];
            assert!(n as usize <= top.repeat_banks);
            for pass in 0..n as usize {
                *xt = r.regular(&format!("train{t}.rep.r{pass}"), xt);
            }
        }
    }
    let mut outs = Vec::new();
    for (hi, spec) in m.heads.iter().enumerate() {
        let src = match spec.source {
            HeadSource::Frozen => f.clone(),
            HeadSource::Train0 => ts[0].clone(),
            HeadSource::Train1 => ts[1].clone(),
            HeadSource::Train01 => Fm::concat(&ts[0], &ts[1]),
        };
        outs.push(r.head(hi, spec, &src, m.generation.k_max));
    }
    (r.rec, outs)
}

// ---------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------

/// Compares the reference with the golden model on one image; Err describes the first
/// mismatch (tensor, position, both values).
fn compare(model: &Model, store: &TensorStore, pixels: &[u8], what: &str) -> Result<usize, String> {
    let (rec, ref_outs) = reference(&model.manifest, store, pixels);
    let mut trace = Trace::default();
    let outs = run_observed(model, pixels, &mut trace);
    for (name, shape, vals) in &rec.list {
        let Some(e) = trace.get(name) else {
            return Err(format!("{what}: golden trace lacks tensor `{name}`"));
        };
        if &e.shape != shape {
            return Err(format!(
                "{what}: tensor `{name}`: golden shape {:?}, reference {:?}",
                e.shape, shape
            ));
        }
        let g = e.values.as_i64();
        if g.len() != vals.len() {
            return Err(format!(
                "{what}: tensor `{name}`: length {} vs {}",
                g.len(),
                vals.len()
            ));
        }
        if let Some(i) = (0..g.len()).find(|&i| g[i] != vals[i]) {
            let pos = if shape.len() == 3 {
                let c = shape[2];
                format!(
                    "(row {}, col {}, ch {})",
                    i / c / shape[1],
                    (i / c) % shape[1],
                    i % c
                )
            } else {
                format!("[{i}]")
            };
            let n = (0..g.len()).filter(|&i| g[i] != vals[i]).count();
            return Err(format!(
                "{what}: tensor `{name}` shape {shape:?} first mismatch at {pos}: golden {} reference {} ({n} of {} values differ)",
                g[i],
                vals[i],
                g.len()
            ));
        }
    }
    // Every golden tensor must be one the reference knows.
    for e in &trace.entries {
        if !rec.list.iter().any(|(n, _, _)| n == &e.name) {
            return Err(format!(
                "{what}: golden traces `{}`, which SPEC does not define",
                e.name
            ));
        }
    }
    if outs.len() != ref_outs.len() {
        return Err(format!(
            "{what}: {} head outputs, reference {}",
            outs.len(),
            ref_outs.len()
        ));
    }
    for (h, (o, (shape, vals))) in outs.iter().zip(&ref_outs).enumerate() {
        let g: Vec<i64> = o.values.iter().map(|&v| v as i64).collect();
        if &o.shape != shape || &g != vals || o.name != format!("head{h}") {
            return Err(format!(
                "{what}: head output {h} differs from the reference"
            ));
        }
    }
    Ok(rec.list.len())
}

fn images(m: &Manifest, rng: &mut ChaCha8Rng) -> Vec<(&'static str, Vec<u8>)> {
    let (h, w, c) = (m.input.height, m.input.width, m.input.channels);
    let n = h * w * c;
    vec![
        ("builtin", semifreddo::image::builtin(Size { h, w }, c)),
        ("random", (0..n).map(|_| rng.gen()).collect()),
        ("zeros", vec![0u8; n]),
        ("all-255", vec![255u8; n]),
    ]
}

/// Compares on the four image kinds. `store` is the tensor store the model was built from
/// (or `None` for a model from `init`, whose `to_store()` is then used).
fn check(
    model: &Model,
    store: Option<&TensorStore>,
    rng: &mut ChaCha8Rng,
    what: &str,
    failures: &mut Vec<String>,
) -> usize {
    let own;
    let store = match store {
        Some(s) => s,
        None => {
            own = model.to_store();
            // The store round-trips through the safetensors container to the same model.
            let bytes = own.to_safetensors();
            let again = model::from_parts(model.manifest.clone(), &bytes, Path::new("x"))
                .unwrap_or_else(|e| panic!("{what}: saved store rejected: {e}"));
            assert!(
                again == *model,
                "{what}: model changed in a safetensors round trip"
            );
            &own
        }
    };
    let mut n = 0;
    for (iname, px) in images(&model.manifest, rng) {
        match compare(model, store, &px, &format!("{what}, image {iname}")) {
            Ok(k) => n += k,
            Err(e) => failures.push(e),
        }
    }
    n
}

// ---------------------------------------------------------------------------------------
// Random topologies and extreme parameters
// ---------------------------------------------------------------------------------------

fn random_manifest(rng: &mut ChaCha8Rng, i: usize) -> Preset {
    let nt = rng.gen_range(0..=2usize);
    let c0 = 2 * rng.gen_range(1..=4usize);
    let nst = rng.gen_range(1..=4usize);
    let mut stages = Vec::new();
    let mut c = c0;
    let mut s2 = 1;
    for _ in 0..nst {
        let stride = if c <= 16 && s2 < 4 && rng.gen_bool(0.6) {
            2
        } else {
            1
        };
        if stride == 2 {
            c *= 2;
            s2 += 1;
        }
        stages.push(Stage {
            channels: c,
            stride,
            frozen_repeats: rng.gen_range(0..=2),
            trainable_repeats: if rng.gen_bool(0.3) {
                rng.gen_range(1..=2)
            } else {
                0
            },
        });
    }
    let unit = 1usize << s2;
    let height = unit * rng.gen_range(1..=4usize);
    let width = unit * rng.gen_range(1..=4usize);
    let repeat_banks = if nt > 0 { rng.gen_range(0..=4) } else { 0 };
    let mut heads = Vec::new();
    for _ in 0..rng.gen_range(0..=3usize) {
        let sources: Vec<HeadSource> = match nt {
            0 => vec![HeadSource::Frozen],
            1 => vec![HeadSource::Frozen, HeadSource::Train0],
            _ => vec![
                HeadSource::Frozen,
                HeadSource::Train0,
                HeadSource::Train1,
                HeadSource::Train01,
            ],
        };
        let source = sources[rng.gen_range(0..sources.len())];
        let inputs = if source == HeadSource::Train01 {
            2 * c
        } else {
            c
        };
        let cands: Vec<usize> = [1usize, 2, 4]
            .into_iter()
            .filter(|g| inputs % g == 0)
            .collect();
        let groups = cands[rng.gen_range(0..cands.len())];
        let outputs = groups * rng.gen_range(1..=3usize);
        heads.push(HeadSpec {
            source,
            outputs,
            groups,
        });
    }
    let pool = heads.iter().map(|_| rng.gen_bool(0.5)).collect();
    Preset {
        manifest: Manifest {
            format: FORMAT.to_string(),
            name: format!("rand{i}"),
            tensors: "model.safetensors".to_string(),
            input: Input {
                height,
                width,
                channels: rng.gen_range(1..=4),
            },
            topology: Topology {
                stem_channels: c0,
                trainable_cores: nt,
                repeat_banks,
                stages,
            },
            heads,
            generation: Generation {
                k_max: rng.gen_range(1..=16),
                ..Generation::default()
            },
        },
        pool,
        calibration_images: 1,
    }
}

fn put_u8(store: &mut TensorStore, name: &str, v: u8) {
    assert!(store.get(name).is_some(), "{name}");
    store.insert(name, vec![1], &[v]);
}

/// Rewrites parameters of a store with extreme but legal values, with probability `p` per
/// tensor group.
fn mutate(store: &mut TensorStore, m: &Manifest, rng: &mut ChaCha8Rng, p: f64) {
    let names: Vec<String> = store.tensors.keys().cloned().collect();
    for name in &names {
        if !rng.gen_bool(p) {
            continue;
        }
        let t = store.get(name).unwrap().clone();
        let n = t.shape.iter().product::<usize>();
        if name.ends_with(".shift") {
            let v = *[0u8, 40, 1, 39, 20, 8].get(rng.gen_range(0..6)).unwrap();
            put_u8(store, name, v);
        } else if name.ends_with(".scale") {
            let v: Vec<i16> = (0..n)
                .map(|_| match rng.gen_range(0..6) {
                    0 => 32767,
                    1 => -32768,
                    2 => -32767,
                    3 => 0,
                    4 => 1,
                    _ => rng.gen(),
                })
                .collect();
            store.insert(name, t.shape.clone(), &v);
        } else if name.ends_with(".bias") {
            let v: Vec<i32> = (0..n)
                .map(|_| match rng.gen_range(0..5) {
                    0 => i32::MAX,
                    1 => i32::MIN,
                    2 => 0,
                    3 => rng.gen_range(-100000..100000),
                    _ => rng.gen(),
                })
                .collect();
            store.insert(name, t.shape.clone(), &v);
        } else if name.ends_with(".weight") {
            let v: Vec<i8> = (0..n)
                .map(|_| match rng.gen_range(0..4) {
                    0 => 127,
                    1 => -128,
                    _ => rng.gen(),
                })
                .collect();
            store.insert(name, t.shape.clone(), &v);
        } else if name.ends_with(".alpha") {
            let v: Vec<u16> = (0..n)
                .map(|_| match rng.gen_range(0..5) {
                    0 => 0,
                    1 => 256,
                    2 => 128,
                    _ => rng.gen_range(0..=256),
                })
                .collect();
            store.insert(name, t.shape.clone(), &v);
        } else if name.ends_with(".shuffle") || name.ends_with(".pool") {
            put_u8(store, name, rng.gen_range(0..=1));
        } else if name.ends_with(".rep.n") {
            put_u8(
                store,
                name,
                rng.gen_range(0..=m.topology.repeat_banks as u8),
            );
        } else if name.ends_with(".pwl.x") {
            let head = name.trim_end_matches(".pwl.x");
            let k = rng.gen_range(1..=m.generation.k_max);
            let mut xs: Vec<i16> = vec![i16::MIN];
            let mut cands: Vec<i16> = (0..k * 4).map(|_| rng.gen()).collect();
            cands.push(i16::MAX);
            cands.push(0);
            cands.sort();
            cands.dedup();
            cands.retain(|&c| c != i16::MIN);
            while xs.len() < k && !cands.is_empty() {
                let c = cands.remove(rng.gen_range(0..cands.len()));
                xs.push(c);
            }
            xs.sort();
            let k = xs.len();
            let extreme = |rng: &mut ChaCha8Rng| -> i16 {
                match rng.gen_range(0..5) {
                    0 => i16::MAX,
                    1 => i16::MIN,
                    2 => 256,
                    3 => -256,
                    _ => rng.gen(),
                }
            };
            let ys: Vec<i16> = (0..k).map(|_| extreme(rng)).collect();
            let gs: Vec<i16> = (0..k).map(|_| extreme(rng)).collect();
            store.insert(name, vec![k], &xs);
            store.insert(format!("{head}.pwl.y"), vec![k], &ys);
            store.insert(format!("{head}.pwl.g"), vec![k], &gs);
        }
    }
}

fn rebuild(m: &Manifest, store: &TensorStore) -> Model {
    let model = model::from_store(m.clone(), store, Path::new("x"))
        .unwrap_or_else(|e| panic!("mutated store rejected: {e}"));
    assert!(
        model.to_store() == *store,
        "Model::to_store() does not give back the store it was built from"
    );
    model
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

fn report(failures: &[String]) {
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(15).collect();
        panic!(
            "{} comparison(s) failed; first ones:\n{}",
            failures.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn tiny_preset_matches_reference() {
    let preset = presets::preset("tiny").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut failures = Vec::new();
    let mut tensors = 0;
    for seed in [1u64, 2, 3, 7] {
        let model = init(&preset, seed);
        tensors += check(
            &model,
            None,
            &mut rng,
            &format!("tiny seed {seed}"),
            &mut failures,
        );
    }
    report(&failures);
    assert!(tensors > 100);
}

#[test]
fn tiny_preset_with_extreme_parameters_matches_reference() {
    let preset = presets::preset("tiny").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut failures = Vec::new();
    let base = init(&preset, 5);
    let m = base.manifest.clone();
    for case in 0..12 {
        let mut store = base.to_store();
        let p = [0.1, 0.3, 1.0][case % 3];
        mutate(&mut store, &m, &mut rng, p);
        // Every repeat count 0..=R_max and both shuffle settings get covered.
        for t in 0..m.topology.trainable_cores {
            put_u8(&mut store, &format!("train{t}.rep.n"), (case % 3) as u8);
        }
        let model = rebuild(&m, &store);
        check(
            &model,
            Some(&store),
            &mut rng,
            &format!("tiny extreme case {case}"),
            &mut failures,
        );
    }
    report(&failures);
}

#[test]
fn random_topologies_match_reference() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let mut failures = Vec::new();
    let (mut tensors, mut cores, mut banks, mut heads, mut pooled, mut grouped) =
        (0, [0usize; 3], 0, 0, 0, 0);
    for i in 0..250 {
        let preset = random_manifest(&mut rng, i);
        let seed = rng.gen();
        let model = init(&preset, seed);
        let what = format!("random topology {i} {:?}", preset.manifest.topology);
        tensors += check(&model, None, &mut rng, &what, &mut failures);
        let m = model.manifest.clone();
        let top = &m.topology;
        cores[top.trainable_cores] += 1;
        banks += (top.repeat_banks > 0) as usize;
        heads += m.heads.len();
        pooled += model.heads.iter().filter(|h| h.pool).count();
        grouped += m.heads.iter().filter(|h| h.groups > 1).count();
        for case in 0..3 {
            let mut store = model.to_store();
            mutate(&mut store, &m, &mut rng, [0.2, 0.5, 1.0][case]);
            let mm = rebuild(&m, &store);
            tensors += check(
                &mm,
                Some(&store),
                &mut rng,
                &format!("{what} extreme case {case}"),
                &mut failures,
            );
        }
    }
    eprintln!(
        "random topologies: {tensors} tensors compared; cores 0/1/2: {cores:?}; with repeat block: {banks}; heads: {heads} ({pooled} pooled, {grouped} grouped)"
    );
    let cov = [
        ("int8 -128", SAT8_LO.load(Relaxed)),
        ("int8 127", SAT8_HI.load(Relaxed)),
        ("shift 40", SHIFT40.load(Relaxed)),
        ("int16 saturated", SAT16.load(Relaxed)),
        ("PWL clamped", PWL_CLAMP.load(Relaxed)),
        ("PWL segment k>0", PWL_LATER_SEGMENT.load(Relaxed)),
    ];
    eprintln!("reference coverage: {cov:?}");
    report(&failures);
    for (what, n) in cov {
        assert!(n > 0, "corner never reached: {what}");
    }
}

// Hand-computed unit checks of the reference's own primitives against SPEC examples, so a
// shared misreading would at least have to survive these.
#[test]
fn reference_primitives_follow_spec() {
    // Requant: round half up via floor shift, ReLU / int8 limits.
    assert_eq!(requant8(3, 1, 0, 1, false), 2); // (3 + 1) >> 1
    assert_eq!(requant8(-3, 1, 0, 1, false), -1); // (-3 + 1) >> 1 = -1 (floor)
    assert_eq!(requant8(-5, 1, 0, 1, false), -2);
    assert_eq!(requant8(-1000, 1, 0, 0, false), -128);
    assert_eq!(requant8(-1000, 1, 0, 0, true), 0);
    assert_eq!(requant8(1000, 1, 0, 0, true), 127);
    assert_eq!(requant16(1 << 20, 32767, i32::MAX as i64, 40), 0);
    assert_eq!(requant16(100000, 1, 0, 0), 32767);
    // Blend endpoints.
    let f = Fm {
        h: 1,
        w: 1,
        c: 3,
        d: vec![-128, 127, 5],
    };
    let t = Fm {
        h: 1,
        w: 1,
        c: 3,
        d: vec![127, -128, -7],
    };
    assert_eq!(blend(&f, &t, &[256, 0, 128]).d, vec![-128, -128, -1]);
    // Shuffle.
    let x = Fm {
        h: 1,
        w: 1,
        c: 4,
        d: vec![0, 1, 2, 3],
    };
    assert_eq!(channel_shuffle(&x).d, vec![0, 2, 1, 3]);
    // PWL identity.
    for z in [-32768, -1, 0, 1, 32767] {
        assert_eq!(pwl(z, &[-32768], &[-32768], &[256]), z);
    }
    assert_eq!(pwl(10, &[-32768, 0], &[0, 100], &[0, -32768]), -1180);
    assert_eq!(pwl(300, &[-32768, 0], &[0, 100], &[0, -32768]), -32768);
    assert_eq!(pwl(-1, &[-32768, 0], &[5, 100], &[256, 0]), 32767);
}

/// Uniform alpha 0 / 128 / 256 (the paper's examples), every shuffle pattern, every repeat
/// count, and PWLs with K = K_max segments reaching both ends of int16.
#[test]
fn tiny_blend_shuffle_repeat_pwl_grid_matches_reference() {
    let preset = presets::preset("tiny").unwrap();
    let base = init(&preset, 9);
    let m = base.manifest.clone();
    let s = m.topology.stages.len();
    let k_max = m.generation.k_max;
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let mut failures = Vec::new();
    for alpha in [0u16, 128, 256, 1, 255] {
        for pattern in 0..3usize {
            for n in 0..=m.topology.repeat_banks as u8 {
                let mut store = base.to_store();
                for t in 0..2 {
                    for k in 0..=s {
                        let c = if k == 0 {
                            m.topology.stem_channels
                        } else {
                            m.topology.stages[k - 1].channels
                        };
                        store.insert(format!("train{t}.blend{k}.alpha"), vec![c], &vec![alpha; c]);
                    }
                    put_u8(&mut store, &format!("train{t}.rep.n"), n);
                }
                for k in 0..=s {
                    let on = match pattern {
                        0 => 0,
                        1 => 1,
                        _ => (k % 2) as u8,
                    };
                    put_u8(&mut store, &format!("blend{k}.shuffle"), on);
                }
                for h in 0..m.heads.len() {
                    // K = K_max, last segment starting at 32767; steep and flat slopes.
                    let mut xs: Vec<i16> = (0..k_max)
                        .map(|i| (-32768 + (65535 * i / (k_max - 1).max(1)) as i32) as i16)
                        .collect();
                    xs[0] = i16::MIN;
                    xs[k_max - 1] = i16::MAX;
                    xs.sort();
                    xs.dedup();
                    let k = xs.len();
                    let ys: Vec<i16> = (0..k)
                        .map(|i| [i16::MIN, i16::MAX, 0, -5][(i + h) % 4])
                        .collect();
                    let gs: Vec<i16> = (0..k)
                        .map(|i| [256, i16::MIN, i16::MAX, 0, -256][(i + pattern) % 5])
                        .collect();
                    store.insert(format!("head{h}.pwl.x"), vec![k], &xs);
                    store.insert(format!("head{h}.pwl.y"), vec![k], &ys);
                    store.insert(format!("head{h}.pwl.g"), vec![k], &gs);
                    put_u8(
                        &mut store,
                        &format!("head{h}.pool"),
                        ((h + pattern) % 2) as u8,
                    );
                }
                let model = rebuild(&m, &store);
                let what = format!("tiny alpha={alpha} shuffle pattern {pattern} n={n}");
                check(&model, Some(&store), &mut rng, &what, &mut failures);
                // SPEC §1 properties, checked on the golden trace directly.
                let px = semifreddo::image::builtin(Size { h: 32, w: 32 }, 3);
                let mut tr = Trace::default();
                run_observed(&model, &px, &mut tr);
                let get = |name: &str| {
                    tr.get(name)
                        .unwrap_or_else(|| panic!("{what}: no `{name}`"))
                        .values
                        .as_i64()
                };
                for k in 0..=s {
                    let fk = if k == 0 {
                        "frozen.stem".to_string()
                    } else {
                        format!("frozen.s{k}.b{}", m.topology.stages[k - 1].frozen_repeats)
                    };
                    for t in 0..2 {
                        if alpha == 256 {
                            assert_eq!(
                                get(&format!("train{t}.blend{k}")),
                                get(&fk),
                                "{what}: alpha 256 must give the frozen map"
                            );
                        }
                        if alpha == 0 {
                            let tk = if k == 0 {
                                format!("train{t}.stem")
                            } else {
                                format!("train{t}.s{k}.b0")
                            };
                            assert_eq!(
                                get(&format!("train{t}.blend{k}")),
                                get(&tk),
                                "{what}: alpha 0 must give the trainable map"
                            );
                        }
                    }
                }
            }
        }
    }
    report(&failures);
}

/// SPEC §3: the tensor store holds exactly the names, dtypes and shapes the SPEC lists for
/// the topology (built here independently of the crate's layout code).
#[test]
fn store_holds_exactly_the_spec_tensor_names() {
    fn conv(out: &mut Vec<(String, Dtype, Vec<usize>)>, p: &str, w: [usize; 4]) {
        out.push((format!("{p}.weight"), Dtype::I8, w.to_vec()));
        out.push((format!("{p}.scale"), Dtype::I16, vec![w[0]]));
        out.push((format!("{p}.bias"), Dtype::I32, vec![w[0]]));
        out.push((format!("{p}.shift"), Dtype::U8, vec![1]));
    }
    fn regular(out: &mut Vec<(String, Dtype, Vec<usize>)>, p: &str, c: usize) {
        conv(out, &format!("{p}.dw"), [c / 2, 1, 3, 3]);
        conv(out, &format!("{p}.pw"), [c / 2, c / 2, 1, 1]);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let mut presets_list: Vec<Preset> = (0..40).map(|i| random_manifest(&mut rng, i)).collect();
    presets_list.push(presets::preset("tiny").unwrap());
    for preset in presets_list {
        let m = &preset.manifest;
        let top = &m.topology;
        let mut want = Vec::new();
        let cores: Vec<String> = std::iter::once("frozen".to_string())
            .chain((0..top.trainable_cores).map(|t| format!("train{t}")))
            .collect();
        for core in &cores {
            conv(
                &mut want,
                &format!("{core}.stem"),
                [top.stem_channels, m.input.channels, 3, 3],
            );
            let mut c = top.stem_channels;
            for (i, st) in top.stages.iter().enumerate() {
                let k = i + 1;
                if st.stride == 2 {
                    for br in ["br1", "br2"] {
                        conv(&mut want, &format!("{core}.s{k}.b0.{br}.dw"), [c, 1, 3, 3]);
                        conv(&mut want, &format!("{core}.s{k}.b0.{br}.pw"), [c, c, 1, 1]);
                    }
                    c *= 2;
                } else {
                    regular(&mut want, &format!("{core}.s{k}.b0"), c);
                }
                let extra = if core == "frozen" {
                    st.frozen_repeats
                } else {
                    st.trainable_repeats
                };
                for j in 1..=extra {
                    regular(&mut want, &format!("{core}.s{k}.b{j}"), c);
                }
            }
            if core != "frozen" {
                for r in 0..top.repeat_banks {
                    regular(&mut want, &format!("{core}.rep.r{r}"), c);
                }
                if top.repeat_banks > 0 {
                    want.push((format!("{core}.rep.n"), Dtype::U8, vec![1]));
                }
                for k in 0..=top.stages.len() {
                    let ck = if k == 0 {
                        top.stem_channels
                    } else {
                        top.stages[k - 1].channels
                    };
                    want.push((format!("{core}.blend{k}.alpha"), Dtype::U16, vec![ck]));
                }
            }
        }
        if top.trainable_cores == 2 {
            for k in 0..=top.stages.len() {
                want.push((format!("blend{k}.shuffle"), Dtype::U8, vec![1]));
            }
        }
        let cs = top.stages.last().unwrap().channels;
        for (h, hs) in m.heads.iter().enumerate() {
            let i = if hs.source == HeadSource::Train01 {
                2 * cs
            } else {
                cs
            };
            conv(
                &mut want,
                &format!("head{h}"),
                [hs.outputs, i / hs.groups, 1, 1],
            );
            want.push((format!("head{h}.pool"), Dtype::U8, vec![1]));
            for part in ["x", "y", "g"] {
                want.push((format!("head{h}.pwl.{part}"), Dtype::I16, vec![]));
            }
        }
        let store = init(&preset, 3).to_store();
        let mut names: Vec<&String> = store.tensors.keys().collect();
        names.sort();
        let mut want_names: Vec<&String> = want.iter().map(|(n, _, _)| n).collect();
        want_names.sort();
        assert_eq!(
            names, want_names,
            "{}: tensor names differ from SPEC §3",
            m.name
        );
        for (name, dtype, shape) in &want {
            let t = store.get(name).unwrap();
            assert_eq!(&t.dtype, dtype, "{name}");
            if shape.is_empty() {
                assert_eq!(t.shape.len(), 1, "{name}");
            } else {
                assert_eq!(&t.shape, shape, "{name}");
            }
        }
    }
}

/// SPEC §1: H and W must be divisible by 2^(stride-2 layers); anything else is an error.
#[test]
fn indivisible_input_sizes_are_rejected() {
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    for i in 0..30 {
        let p = random_manifest(&mut rng, i);
        let m = p.manifest.clone();
        let s2 = 1 + m.topology.stages.iter().filter(|s| s.stride == 2).count();
        let text = model::manifest_text(&m).unwrap();
        assert!(model::parse_manifest(&text, Path::new("m.toml")).is_ok());
        for (dh, dw) in [
            (1usize << (s2 - 1), 0usize),
            (0, 1usize << (s2 - 1)),
            (1, 0),
            (0, 3),
        ] {
            let mut bad = m.clone();
            bad.input.height += dh;
            bad.input.width += dw;
            let text = model::manifest_text(&bad).unwrap();
            assert!(
                model::parse_manifest(&text, Path::new("m.toml")).is_err(),
                "{}x{} accepted with {s2} stride-2 layers",
                bad.input.height,
                bad.input.width
            );
        }
    }
}

/// A mid-size preset once, on the built-in image.
#[test]
fn qvga_preset_matches_reference_on_builtin_image() {
    let preset = presets::preset("qvga").unwrap();
    let model = init(&preset, 1);
    let m = &model.manifest;
    let px = semifreddo::image::builtin(
        Size {
            h: m.input.height,
            w: m.input.width,
        },
        m.input.channels,
    );
    if let Err(e) = compare(&model, &model.to_store(), &px, "qvga seed 1, builtin") {
        panic!("{e}");
    }
}

/// Pooled head sums beyond 32 bits (SPEC §2: "sums use 64 bits"): 2048 output pixels of
/// 128 saturated channels against weights of -128 / 127.
#[test]
fn pooled_sums_beyond_32_bits_match_reference() {
    let m = Manifest {
        format: FORMAT.to_string(),
        name: "bigpool".to_string(),
        tensors: "model.safetensors".to_string(),
        input: Input {
            height: 256,
            width: 128,
            channels: 1,
        },
        topology: Topology {
            stem_channels: 32,
            trainable_cores: 2,
            repeat_banks: 0,
            stages: vec![Stage {
                channels: 64,
                stride: 2,
                frozen_repeats: 0,
                trainable_repeats: 0,
            }],
        },
        heads: vec![
            HeadSpec {
                source: HeadSource::Train01,
                outputs: 4,
                groups: 1,
            },
            HeadSpec {
                source: HeadSource::Frozen,
                outputs: 2,
                groups: 2,
            },
            HeadSpec {
                source: HeadSource::Train1,
                outputs: 4,
                groups: 4,
            },
        ],
        generation: Generation::default(),
    };
    let preset = Preset {
        manifest: m.clone(),
        pool: vec![true, true, true],
        calibration_images: 1,
    };
    let base = init(&preset, 21);
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let mut failures = Vec::new();
    for (case, (w, scale, shift)) in [
        (-128i8, 1i16, 0u8),
        (127, 1, 0),
        (-128, 32767, 40),
        (127, -32768, 24),
        (-128, 1, 16),
    ]
    .into_iter()
    .enumerate()
    {
        let mut store = base.to_store();
        for core in ["frozen", "train0", "train1"] {
            for br in ["br1", "br2"] {
                let p = format!("{core}.s1.b0.{br}.pw");
                store.insert(format!("{p}.scale"), vec![32], &[0i16; 32]);
                store.insert(format!("{p}.bias"), vec![32], &[i32::MAX; 32]);
                put_u8(&mut store, &format!("{p}.shift"), 0);
            }
        }
        for (h, hs) in m.heads.iter().enumerate() {
            let i = if hs.source == HeadSource::Train01 {
                128
            } else {
                64
            };
            let n = hs.outputs * i / hs.groups;
            store.insert(
                format!("head{h}.weight"),
                vec![hs.outputs, i / hs.groups, 1, 1],
                &vec![w; n],
            );
            store.insert(
                format!("head{h}.scale"),
                vec![hs.outputs],
                &vec![scale; hs.outputs],
            );
            store.insert(
                format!("head{h}.bias"),
                vec![hs.outputs],
                &vec![0i32; hs.outputs],
            );
            put_u8(&mut store, &format!("head{h}.shift"), shift);
        }
        let model = rebuild(&m, &store);
        let px: Vec<u8> = (0..256 * 128).map(|_| rng.gen()).collect();
        match compare(&model, &store, &px, &format!("bigpool case {case}")) {
            Ok(_) => {}
            Err(e) => failures.push(e),
        }
        let (rec, _) = reference(&m, &store, &px);
        let acc0 = &rec
            .list
            .iter()
            .find(|(n, _, _)| n == "head0.acc")
            .unwrap()
            .2;
        assert!(
            acc0.iter().all(|&a| a.abs() > 1i64 << 31),
            "case {case}: sums {acc0:?} do not exceed 32 bits"
        );
    }
    report(&failures);
}

/// The batched entry point (used by calibration) gives every image the reference's head
/// outputs: no state leaks from one image into the next (e.g. pooled sums).
#[test]
fn batched_runs_match_reference_per_image() {
    use semifreddo::golden::{net::run_batch, Fmap, NoObserver};
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let mut presets_list: Vec<Preset> = (0..25).map(|i| random_manifest(&mut rng, i)).collect();
    presets_list.push(presets::preset("tiny").unwrap());
    for preset in presets_list {
        let model = init(&preset, 4);
        let m = &model.manifest;
        let size = Size {
            h: m.input.height,
            w: m.input.width,
        };
        let imgs: Vec<(&str, Vec<u8>)> = images(m, &mut rng);
        let fmaps: Vec<Fmap> = imgs
            .iter()
            .map(|(_, px)| Fmap::from_pixels(size, m.input.channels, px))
            .collect();
        let outs = run_batch(&model, &fmaps, &mut NoObserver);
        assert_eq!(outs.len(), imgs.len());
        let store = model.to_store();
        for ((iname, px), o) in imgs.iter().zip(&outs) {
            let (_, ref_outs) = reference(m, &store, px);
            assert_eq!(o.len(), ref_outs.len(), "{}: image {iname}", m.name);
            for (h, (go, (shape, vals))) in o.iter().zip(&ref_outs).enumerate() {
                let g: Vec<i64> = go.values.iter().map(|&v| v as i64).collect();
                assert_eq!(&go.shape, shape, "{}: image {iname} head {h}", m.name);
                assert_eq!(&g, vals, "{}: image {iname} head {h} (batched run)", m.name);
            }
        }
    }
}

/// The paper's preset (Table 1), once, on the built-in image.
#[test]
fn vga_preset_matches_reference_on_builtin_image() {
    let preset = presets::preset("vga").unwrap();
    let model = init(&preset, 1);
    let m = &model.manifest;
    let px = semifreddo::image::builtin(
        Size {
            h: m.input.height,
            w: m.input.width,
        },
        m.input.channels,
    );
    if let Err(e) = compare(&model, &model.to_store(), &px, "vga seed 1, builtin") {
        panic!("{e}");
    }
}
