//! `init`: a complete model with seeded random weights that exercise the datapath, and
//! requantization calibrated layer by layer on sample images so that activations neither
//! clip (target < 2 %) nor die (target < 60 % zeros). The same seed gives the same model.

use crate::golden::{net, Acc, Fmap, Observer};
use crate::model::params::Requant;
use crate::model::presets::Preset;
use crate::model::tensors::{tensor_specs, Dim, TensorStore};
use crate::model::{layout::NetLayout, Model};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use std::collections::BTreeMap;

/// Standard deviation of the Gaussian int8 weights (before rounding and clipping).
pub const WEIGHT_SIGMA: f64 = 20.0;
/// Activation value the 99.5th percentile of a layer maps to.
const TARGET_INT8: f64 = 112.0;
/// Head value the 99.5th percentile maps to, leaving room in int16 for the PWL.
const TARGET_INT16: f64 = 8000.0;

/// Builds a preset's model from `seed`.
pub fn init(preset: &Preset, seed: u64) -> Model {
    let manifest = preset.manifest.clone();
    let layout = NetLayout::new(&manifest);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut store = random_store(&layout, preset, manifest.generation.k_max, &mut rng);
    let model = build(&manifest, &store);

    let images: Vec<Fmap> = (0..preset.calibration_images)
        .map(|_| crate::image::synthetic(layout.input, layout.in_channels, &mut rng))
        .map(|px| Fmap::from_pixels(layout.input, layout.in_channels, &px))
        .collect();
    let mut cal = Calibrator::default();
    net::run_batch(&model, &images, &mut cal);
    for (layer, rq) in cal.found {
        store.insert(format!("{layer}.scale"), vec![rq.scale.len()], &rq.scale);
        store.insert(format!("{layer}.bias"), vec![rq.bias.len()], &rq.bias);
        store.insert(format!("{layer}.shift"), vec![1], &[rq.shift]);
    }
    build(&manifest, &store)
}

fn build(manifest: &crate::model::Manifest, store: &TensorStore) -> Model {
    // The generator writes exactly the spec list with legal values, so this cannot fail.
    crate::model::from_store(manifest.clone(), store, std::path::Path::new("<init>"))
        .unwrap_or_else(|e| panic!("init produced an invalid model (a bug): {e}"))
}

/// A random int8 weight: rounded N(0, 20) clipped, ~10 % zeros, some +-2^k.
pub fn random_weight(rng: &mut impl Rng) -> i8 {
    let u: f64 = rng.gen();
    if u < 0.08 {
        0
    } else if u < 0.13 {
        let v = 1i16 << rng.gen_range(0..=6);
        (if rng.gen() { v } else { -v }) as i8
    } else {
        let n = Normal::new(0.0, WEIGHT_SIGMA).expect("sigma is positive");
        n.sample(rng).round().clamp(-128.0, 127.0) as i8
    }
}

fn random_store(
    layout: &NetLayout,
    preset: &Preset,
    k_max: usize,
    rng: &mut ChaCha8Rng,
) -> TensorStore {
    let mut s = TensorStore::default();
    let shuffle_phase = rng.gen_range(0..2usize);
    for spec in tensor_specs(layout) {
        let n: usize = spec
            .shape
            .iter()
            .map(|d| if let Dim::Fixed(n) = d { *n } else { 1 })
            .product();
        let shape: Vec<usize> = spec
            .shape
            .iter()
            .map(|d| if let Dim::Fixed(n) = d { *n } else { 1 })
            .collect();
        let name = spec.name.as_str();
        let leaf = name.rsplit('.').next().unwrap_or_default();
        match leaf {
            "weight" => s.insert(
                name,
                shape,
                &(0..n).map(|_| random_weight(rng)).collect::<Vec<_>>(),
            ),
            "scale" => s.insert(name, shape, &vec![1i16; n]),
            "bias" => s.insert(name, shape, &vec![0i32; n]),
            "shift" => s.insert(name, shape, &[0u8]),
            "alpha" => s.insert(
                name,
                shape,
                &(0..n).map(|_| random_alpha(rng)).collect::<Vec<_>>(),
            ),
            "shuffle" => {
                let k: usize = name
                    .trim_start_matches("blend")
                    .split('.')
                    .next()
                    .and_then(|k| k.parse().ok())
                    .unwrap_or(0);
                s.insert(name, shape, &[((k + shuffle_phase) % 2) as u8]);
            }
            "n" => {
                // Core 0 always makes at least one pass, so the repeat block is exercised.
                let r_max = layout.trainable[0].repeat_banks.len() as u8;
                let lo = if name.starts_with("train0") { 1 } else { 0 };
                s.insert(name, shape, &[rng.gen_range(lo..=r_max)]);
            }
            "pool" => {
                let h: usize = name
                    .trim_start_matches("head")
                    .split('.')
                    .next()
                    .and_then(|h| h.parse().ok())
                    .unwrap_or(0);
                s.insert(
                    name,
                    shape,
                    &[preset.pool.get(h).copied().unwrap_or(false) as u8],
                );
            }
            "x" => {
                let head = name.trim_end_matches(".pwl.x");
                let (x, y, g) = random_pwl(k_max, rng);
                s.insert(format!("{head}.pwl.x"), vec![x.len()], &x);
                s.insert(format!("{head}.pwl.y"), vec![y.len()], &y);
                s.insert(format!("{head}.pwl.g"), vec![g.len()], &g);
            }
            _ => {} // pwl.y and pwl.g are written with pwl.x
        }
    }
    s
}

/// Alphas spread over 0..=256, with the special values 0, 128 and 256 well represented.
pub fn random_alpha(rng: &mut impl Rng) -> u16 {
    match rng.gen_range(0..20) {
        0..=2 => 0,
        3..=5 => 256,
        6..=7 => 128,
        _ => rng.gen_range(0..=256),
    }
}

/// A continuous PWL with 2..=min(K_max, 6) segments and slopes between -0.25 and 1.5.
fn random_pwl(k_max: usize, rng: &mut impl Rng) -> (Vec<i16>, Vec<i16>, Vec<i16>) {
    let k = if k_max == 1 {
        1
    } else {
        rng.gen_range(2..=k_max.min(6))
    };
    random_pwl_segments(k, rng)
}

/// A continuous PWL with exactly `k` segments (x_0 = -32768), slopes between -0.25 and 1.5.
pub fn random_pwl_segments(k: usize, rng: &mut impl Rng) -> (Vec<i16>, Vec<i16>, Vec<i16>) {
    let mut starts: Vec<i16> = Vec::new();
    while starts.len() < k - 1 {
        let v = rng.gen_range(-12000..=12000);
        if !starts.contains(&v) {
            starts.push(v);
        }
    }
    starts.sort_unstable();
    let mut x = vec![i16::MIN];
    x.extend(starts);
    let mut y = vec![rng.gen_range(-16000..=-8000i16)];
    let mut g = vec![rng.gen_range(0..=128i16)];
    for i in 1..k {
        let prev = crate::golden::ops::pwl(
            x[i],
            &crate::model::params::Pwl {
                x: x[..i].to_vec(),
                y: y.clone(),
                g: g.clone(),
            },
        );
        y.push(prev);
        g.push(rng.gen_range(-64..=384));
    }
    (x, y, g)
}

/// Chooses requant parameters from observed accumulators.
#[derive(Default)]
struct Calibrator {
    found: BTreeMap<String, Requant>,
}

impl Observer for Calibrator {
    fn requant(
        &mut self,
        layer: &str,
        accs: &[Acc],
        relu: bool,
        _current: &Requant,
    ) -> Option<Requant> {
        let c = accs.first()?.channels;
        let per_channel: Vec<Vec<i64>> = (0..c)
            .map(|ch| {
                accs.iter()
                    .flat_map(|a| sample_channel(&a.data, c, ch))
                    .collect()
            })
            .collect();
        let rq = fit(&per_channel, relu, TARGET_INT8);
        self.found.insert(layer.to_string(), rq.clone());
        Some(rq)
    }

    fn requant16(
        &mut self,
        head: &str,
        values: &[Vec<i64>],
        outputs: usize,
        _current: &Requant,
    ) -> Option<Requant> {
        let per_channel: Vec<Vec<i64>> = (0..outputs)
            .map(|o| {
                values
                    .iter()
                    .flat_map(|v| v.iter().skip(o).step_by(outputs).copied())
                    .collect()
            })
            .collect();
        let rq = fit(&per_channel, false, TARGET_INT16);
        self.found.insert(head.to_string(), rq.clone());
        Some(rq)
    }
}

/// At most ~4096 values of channel `ch` (a regular subsample keeps calibration fast on vga).
fn sample_channel(data: &[i32], channels: usize, ch: usize) -> Vec<i64> {
    let pixels = data.len() / channels;
    let step = pixels.div_ceil(4096).max(1);
    (0..pixels)
        .step_by(step)
        .map(|p| data[p * channels + ch] as i64)
        .collect()
}

fn quantile(sorted: &[i64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64
}

/// Per channel: map a centre to 0 and the 99.5th percentile to `target`. With ReLU the centre
/// is the 40th percentile (so about 40 % of outputs are zero), without it the median.
fn fit(per_channel: &[Vec<i64>], relu: bool, target: f64) -> Requant {
    let params: Vec<(f64, f64)> = per_channel
        .iter()
        .map(|v| {
            let mut s = v.clone();
            s.sort_unstable();
            let center = quantile(&s, if relu { 0.40 } else { 0.5 });
            let up = quantile(&s, 0.995) - center;
            let down = if relu {
                0.0
            } else {
                center - quantile(&s, 0.005)
            };
            let spread = up.max(down).max(1.0);
            (target / spread, center)
        })
        .collect();
    // One shift per layer: the largest that keeps every m in int16 and every b in int32.
    let fits = |s: u8| {
        params.iter().all(|&(scale, center)| {
            let f = (s as f64).exp2();
            (scale * f).round() <= i16::MAX as f64
                && (center * scale * f).round().abs() <= i32::MAX as f64
        })
    };
    let shift = (0..=crate::model::validate::MAX_SHIFT)
        .rev()
        .find(|&s| fits(s))
        .unwrap_or(0);
    let f = (shift as f64).exp2();
    Requant {
        scale: params
            .iter()
            .map(|&(scale, _)| (scale * f).round().clamp(1.0, i16::MAX as f64) as i16)
            .collect(),
        bias: params
            .iter()
            .map(|&(scale, c)| {
                (-c * scale * f)
                    .round()
                    .clamp(i32::MIN as f64, i32::MAX as f64) as i32
            })
            .collect(),
        shift,
    }
}
