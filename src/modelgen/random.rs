//! Random models for the hardware regression suite: small topologies within the supported
//! limits (every structural feature: 0..2 trainable cores, extra blocks, repeat banks, heads
//! of every source with and without pooling, groups 1/2/4, K_max, both `frozen_bn` modes),
//! sized so one Verilator build takes about a minute, and random run-time programs of a
//! model (repeat passes, PWL segments, alphas, shuffle) that reuse the same RTL.

use super::init::{init, random_alpha, random_pwl_segments};
use crate::model::manifest::{
    FrozenBn, Generation, HeadSource, HeadSpec, Input, Manifest, Stage, Topology, FORMAT,
};
use crate::model::params::Pwl;
use crate::model::presets::Preset;
use crate::model::Model;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The shape of random model `seed` (named `rand{seed}`).
pub fn random_preset(seed: u64) -> Preset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_f00d);
    let nt = rng.gen_range(0..=2usize);
    let c0 = 2 * rng.gen_range(1..=2usize);
    let mut stages = Vec::new();
    let mut c = c0;
    let mut s2 = 1;
    for _ in 0..rng.gen_range(1..=3usize) {
        let stride = if c <= 8 && rng.gen_bool(0.7) { 2 } else { 1 };
        if stride == 2 {
            c *= 2;
            s2 += 1;
        }
        stages.push(Stage {
            channels: c,
            stride,
            frozen_repeats: rng.gen_range(0..=1),
            trainable_repeats: usize::from(rng.gen_bool(0.2)),
        });
    }
    let unit = 1usize << s2;
    let cells = (32 / unit).max(1);
    let height = unit * rng.gen_range(1..=cells.min(3));
    let width = unit * rng.gen_range(1..=cells.min(3));
    let repeat_banks = if nt > 0 { rng.gen_range(0..=2) } else { 0 };
    let mut heads = Vec::new();
    let mut pool = Vec::new();
    for _ in 0..rng.gen_range(1..=3usize) {
        let sources: &[HeadSource] = match nt {
            0 => &[HeadSource::Frozen],
            1 => &[HeadSource::Frozen, HeadSource::Train0],
            _ => &[
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
        let groups: Vec<usize> = [1usize, 2, 4]
            .into_iter()
            .filter(|g| inputs % g == 0)
            .collect();
        let groups = groups[rng.gen_range(0..groups.len())];
        heads.push(HeadSpec {
            source,
            outputs: groups * rng.gen_range(1..=3usize),
            groups,
        });
        pool.push(rng.gen_bool(0.5));
    }
    let frozen_bn = if rng.gen_bool(0.3) {
        FrozenBn::Frozen
    } else {
        FrozenBn::Trainable
    };
    Preset {
        manifest: Manifest {
            format: FORMAT.to_string(),
            name: format!("rand{seed}"),
            tensors: crate::model::TENSOR_FILE.to_string(),
            input: Input {
                height,
                width,
                channels: rng.gen_range(1..=3),
            },
            topology: Topology {
                stem_channels: c0,
                trainable_cores: nt,
                repeat_banks,
                stages,
            },
            heads,
            generation: Generation {
                frozen_bn,
                k_max: rng.gen_range(1..=8),
                ..Generation::default()
            },
        },
        pool,
        calibration_images: 2,
    }
}

/// Random model `seed` with seeded weights and calibrated requantization.
pub fn random_model(seed: u64) -> Model {
    init(&random_preset(seed), seed)
}

/// The model with new run-time parameters, as a configuration image would load them into
/// the same RTL: repeat passes `n` (0..=R_max, all values across the cores when possible),
/// PWL segments (K in 1..=K_max, the full range across the heads), alphas and core shuffle.
/// Frozen weights, shapes and pooling stay.
pub fn reprogram(model: &Model, seed: u64) -> Model {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut m = model.clone();
    let r_max = m.manifest.topology.repeat_banks;
    for (t, tr) in m.trainable.iter_mut().enumerate() {
        tr.repeat_n = ((seed as usize + t) % (r_max + 1)) as u8;
        for a in tr.alpha.iter_mut().flatten() {
            *a = random_alpha(&mut rng);
        }
    }
    for s in m.shuffle.iter_mut() {
        *s = rng.gen_bool(0.5);
    }
    let k_max = m.manifest.generation.k_max;
    let heads = m.heads.len();
    for (h, head) in m.heads.iter_mut().enumerate() {
        let k = 1 + (seed as usize * heads + h) % k_max;
        let (x, y, g) = random_pwl_segments(k, &mut rng);
        head.pwl = Pwl { x, y, g };
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::validate;

    #[test]
    fn random_models_are_valid_and_small() {
        for seed in 0..40 {
            let p = random_preset(seed);
            let mut problems = crate::model::error::Problems::new(std::path::Path::new("x"));
            validate::check_manifest(&p.manifest, &mut problems);
            assert!(problems.is_empty(), "seed {seed}: {:?}", p.manifest);
            assert!(p.manifest.input.height * p.manifest.input.width <= 32 * 32);
        }
    }

    #[test]
    fn reprogramming_keeps_the_frozen_hash() {
        let m = random_model(3);
        let p = reprogram(&m, 5);
        assert_eq!(
            crate::passes::hash::frozen_hash(&m),
            crate::passes::hash::frozen_hash(&p)
        );
    }
}
