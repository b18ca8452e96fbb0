//! The network walk of SPEC §1 over a batch of images: frozen core, trainable cores with
//! blending and core shuffle at every boundary, repeat block, heads. An [`Observer`] sees
//! every named tensor (tracing) and may replace a layer's requant parameters before they
//! are applied (calibration in `init`).

use super::fmap::{Acc, Fmap};
use super::ops;
use crate::model::layout::{BlockLayout, CoreLayout};
use crate::model::manifest::HeadSource;
use crate::model::params::{Block, Branch, Conv, Core, Head, Requant};
use crate::model::Model;
use rayon::prelude::*;

/// A traced tensor's values.
#[derive(Debug, Clone, Copy)]
pub enum Values<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I64(&'a [i64]),
}

/// Hooks into the network walk; every method has a do-nothing default.
pub trait Observer {
    /// Every named intermediate tensor of image `image` of the batch (shape is [h, w, c] or [c]).
    fn tensor(&mut self, _image: usize, _name: &str, _shape: &[usize], _values: Values<'_>) {}

    /// The accumulators of conv layer `layer` (tensor prefix) for the whole batch, before
    /// requantization with `current`. Returning parameters replaces them for this run.
    fn requant(
        &mut self,
        _layer: &str,
        _accs: &[Acc],
        _relu: bool,
        _current: &Requant,
    ) -> Option<Requant> {
        None
    }

    /// The same for a head's requant16; `values[image][i]` belongs to output channel i % outputs.
    fn requant16(
        &mut self,
        _head: &str,
        _values: &[Vec<i64>],
        _outputs: usize,
        _current: &Requant,
    ) -> Option<Requant> {
        None
    }
}

/// An observer that does nothing.
pub struct NoObserver;
impl Observer for NoObserver {}

/// One head's output for one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadOutput {
    /// `head{h}`
    pub name: String,
    pub source: HeadSource,
    pub pooled: bool,
    /// [O] when pooled, else [h, w, O].
    pub shape: Vec<usize>,
    pub values: Vec<i16>,
}

type Batch = Vec<Fmap>;

struct Walk<'a, O: Observer> {
    obs: &'a mut O,
}

impl<O: Observer> Walk<'_, O> {
    fn trace(&mut self, name: &str, batch: &[Fmap]) {
        for (i, f) in batch.iter().enumerate() {
            self.obs.tensor(
                i,
                name,
                &[f.size.h, f.size.w, f.channels],
                Values::I8(&f.data),
            );
        }
    }

    /// Requantizes a layer's accumulators and traces the result under the layer's name.
    fn finish(&mut self, name: &str, accs: Vec<Acc>, rq: &Requant, relu: bool) -> Batch {
        let replaced = self.obs.requant(name, &accs, relu, rq);
        let rq = replaced.as_ref().unwrap_or(rq);
        let out: Batch = accs.iter().map(|a| ops::requant(a, rq, relu)).collect();
        self.trace(name, &out);
        out
    }

    fn stem(&mut self, name: &str, x: &[Fmap], conv: &Conv, out_channels: usize) -> Batch {
        let accs = x
            .par_iter()
            .map(|f| ops::conv3x3(f, &conv.weight, out_channels, 2))
            .collect();
        self.finish(name, accs, &conv.requant, true)
    }

    /// PW(DW(x[from..from+C])) for one branch.
    fn branch(
        &mut self,
        prefix: &str,
        x: &[Fmap],
        from: usize,
        b: &Branch,
        stride: usize,
    ) -> Batch {
        let c = b.dw.weight.len() / 9;
        let dw_acc = x
            .par_iter()
            .map(|f| ops::depthwise3x3(f, from, &b.dw.weight, stride))
            .collect();
        let d = self.finish(&format!("{prefix}.dw"), dw_acc, &b.dw.requant, false);
        let pw_acc = d
            .par_iter()
            .map(|f| ops::pointwise(f, &b.pw.weight, c, 1))
            .collect();
        self.finish(&format!("{prefix}.pw"), pw_acc, &b.pw.requant, true)
    }

    fn block(&mut self, layout: &BlockLayout, block: &Block, x: &[Fmap]) -> Batch {
        let out: Batch = match (layout, block) {
            (
                BlockLayout::Regular {
                    branch, channels, ..
                },
                Block::Regular(b),
            ) => {
                let half = channels / 2;
                let y2 = self.branch(&branch.prefix, x, half, b, 1);
                x.iter()
                    .zip(&y2)
                    .map(|(f, y)| ops::shuffle(&Fmap::concat(&f.channel_slice(0, half), y)))
                    .collect()
            }
            (BlockLayout::Downsample { br1, br2, .. }, Block::Downsample(b1, b2)) => {
                let y1 = self.branch(&br1.prefix, x, 0, b1, 2);
                let y2 = self.branch(&br2.prefix, x, 0, b2, 2);
                y1.iter()
                    .zip(&y2)
                    .map(|(a, b)| ops::shuffle(&Fmap::concat(a, b)))
                    .collect()
            }
            // Layout and parameters are built from one walk, so their kinds always agree.
            _ => unreachable!("block kind of the layout and the parameters differ"),
        };
        self.trace(layout.name(), &out);
        out
    }

    /// Runs stage k (1-based) of a core.
    fn stage(&mut self, layout: &CoreLayout, core: &Core, k: usize, x: Batch) -> Batch {
        let mut x = x;
        for (bl, b) in layout.stages[k - 1].iter().zip(&core.stages[k - 1]) {
            x = self.block(bl, b, &x);
        }
        x
    }

    fn head(
        &mut self,
        name: &str,
        head: &Head,
        outputs: usize,
        groups: usize,
        x: &[Fmap],
    ) -> Vec<HeadOutput> {
        let accs: Vec<Acc> = x
            .par_iter()
            .map(|f| ops::pointwise(f, &head.conv.weight, outputs, groups))
            .collect();
        let sums: Vec<Vec<i64>> = accs
            .iter()
            .map(|a| {
                if head.pool {
                    let mut s = vec![0i64; outputs];
                    for px in a.data.chunks_exact(outputs) {
                        for (t, &v) in s.iter_mut().zip(px) {
                            *t += v as i64;
                        }
                    }
                    s
                } else {
                    a.data.iter().map(|&v| v as i64).collect()
                }
            })
            .collect();
        let shape = |a: &Acc| {
            if head.pool {
                vec![outputs]
            } else {
                vec![a.size.h, a.size.w, outputs]
            }
        };
        for (i, (a, s)) in accs.iter().zip(&sums).enumerate() {
            self.obs
                .tensor(i, &format!("{name}.acc"), &shape(a), Values::I64(s));
        }
        let replaced = self.obs.requant16(name, &sums, outputs, &head.conv.requant);
        let rq = replaced.as_ref().unwrap_or(&head.conv.requant);
        let mut outs = Vec::new();
        for (i, (a, s)) in accs.iter().zip(&sums).enumerate() {
            let z = ops::requant16(s, outputs, rq);
            self.obs
                .tensor(i, &format!("{name}.requant"), &shape(a), Values::I16(&z));
            let values: Vec<i16> = z.iter().map(|&v| ops::pwl(v, &head.pwl)).collect();
            self.obs.tensor(i, name, &shape(a), Values::I16(&values));
            outs.push(HeadOutput {
                name: name.to_string(),
                source: HeadSource::Frozen,
                pooled: head.pool,
                shape: shape(a),
                values,
            });
        }
        outs
    }
}

/// Runs the whole network on a batch of input maps (already converted to int8). Returns, per
/// image, every head's output in head order.
pub fn run_batch<O: Observer>(model: &Model, inputs: &[Fmap], obs: &mut O) -> Vec<Vec<HeadOutput>> {
    let lay = &model.layout;
    let mut w = Walk { obs };
    w.trace("input", inputs);
    let s = lay.stages();

    // Frozen core: F_0 (stem) .. F_S.
    let mut frozen = vec![w.stem(
        &lay.frozen.stem,
        inputs,
        &model.frozen.stem,
        lay.frozen.stem_out,
    )];
    for k in 1..=s {
        let next = w.stage(&lay.frozen, &model.frozen, k, frozen[k - 1].clone());
        frozen.push(next);
    }

    // Trainable cores, boundary by boundary (core shuffle couples them).
    let cores = &model.trainable;
    let mut t: Vec<Batch> = Vec::new();
    for (cl, tr) in lay.trainable.iter().zip(cores) {
        t.push(w.stem(&cl.stem, inputs, &tr.core.stem, cl.stem_out));
    }
    for (k, f_k) in frozen.iter().enumerate() {
        for (i, (cl, tr)) in lay.trainable.iter().zip(cores).enumerate() {
            if k > 0 {
                t[i] = w.stage(cl, &tr.core, k, std::mem::take(&mut t[i]));
            }
            t[i] = f_k
                .iter()
                .zip(&t[i])
                .map(|(f, x)| ops::blend(f, x, &tr.alpha[k]))
                .collect();
            w.trace(&format!("train{i}.blend{k}"), &t[i]);
        }
        if cores.len() == 2 {
            if model.shuffle[k] {
                let (a, b): (Batch, Batch) = t[0]
                    .iter()
                    .zip(&t[1])
                    .map(|(x0, x1)| ops::core_shuffle(x0, x1))
                    .unzip();
                t = vec![a, b];
            }
            for (i, ti) in t.iter().enumerate() {
                w.trace(&format!("train{i}.shuffle{k}"), ti);
            }
        }
    }

    // Repeat block: pass r uses bank r.
    for (i, (cl, tr)) in lay.trainable.iter().zip(cores).enumerate() {
        for r in 0..tr.repeat_n as usize {
            t[i] = w.block(&cl.repeat_banks[r], &tr.repeat[r], &t[i]);
        }
    }

    // Heads.
    let mut per_image: Vec<Vec<HeadOutput>> = vec![Vec::new(); inputs.len()];
    for (hl, head) in lay.heads.iter().zip(&model.heads) {
        let x: Batch = match hl.source {
            HeadSource::Frozen => frozen[s].clone(),
            HeadSource::Train0 => t[0].clone(),
            HeadSource::Train1 => t[1].clone(),
            HeadSource::Train01 => t[0]
                .iter()
                .zip(&t[1])
                .map(|(a, b)| Fmap::concat(a, b))
                .collect(),
        };
        for (i, mut out) in w
            .head(&hl.name, head, hl.outputs, hl.groups, &x)
            .into_iter()
            .enumerate()
        {
            out.source = hl.source;
            per_image[i].push(out);
        }
    }
    per_image
}
