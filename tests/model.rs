//! Presets, init and model-level properties of the golden model.

use proptest::prelude::*;
use semifreddo::golden::{self, ops, Fmap, Trace};
use semifreddo::model::layout::{CoreId, Size};
use semifreddo::model::params::Pwl;
use semifreddo::model::{self, presets, summary};
use semifreddo::modelgen::init::init;

fn preset(name: &str) -> presets::Preset {
    presets::preset(name).expect("preset exists")
}

#[test]
fn vga_has_the_papers_weight_counts() {
    let m = preset("vga").manifest;
    let net = model::NetLayout::new(&m);
    assert_eq!(summary::core_weights(&net.frozen), 137_152);
    assert_eq!(net.trainable.len(), 2);
    for t in &net.trainable {
        assert_eq!(summary::core_weights(t), 52_576);
    }
    assert_eq!(net.output_size(), Size { h: 30, w: 40 });
    assert_eq!(net.boundary_channels.last(), Some(&256));
}

#[test]
fn every_preset_is_valid() {
    for name in presets::NAMES {
        let m = preset(name).manifest;
        let text = model::manifest_text(&m).unwrap();
        let parsed = model::parse_manifest(&text, std::path::Path::new("preset.toml")).unwrap();
        assert_eq!(parsed, m, "{name} survives a TOML round trip");
    }
}

#[test]
fn init_is_deterministic_and_round_trips_through_files() {
    let p = preset("tiny");
    let a = init(&p, 7);
    let b = init(&p, 7);
    assert_eq!(a, b);
    assert_ne!(a, init(&p, 8), "another seed gives other weights");
    let dir = tempfile::tempdir().unwrap();
    let (d1, d2) = (dir.path().join("a"), dir.path().join("b"));
    model::save(&a, &d1).unwrap();
    model::save(&b, &d2).unwrap();
    for f in [model::MANIFEST_FILE, model::TENSOR_FILE] {
        assert_eq!(
            std::fs::read(d1.join(f)).unwrap(),
            std::fs::read(d2.join(f)).unwrap(),
            "{f} is byte-identical"
        );
    }
    let loaded = model::load(&d1).unwrap();
    assert_eq!(loaded.frozen, a.frozen);
    assert_eq!(loaded.trainable, a.trainable);
    assert_eq!(loaded.heads, a.heads);
    assert_eq!(loaded.shuffle, a.shuffle);
}

#[test]
fn init_weights_look_like_the_issue_asks() {
    let m = init(&preset("qvga"), 3);
    let w: Vec<i8> = m
        .frozen
        .stages
        .iter()
        .flatten()
        .flat_map(|b| b.branches())
        .flat_map(|br| br.pw.weight.clone())
        .collect();
    let zeros = w.iter().filter(|&&v| v == 0).count() as f64 / w.len() as f64;
    assert!(
        (0.07..0.14).contains(&zeros),
        "about 10 % zeros, found {zeros:.3}"
    );
    let pow2 = w
        .iter()
        .filter(|&&v| v != 0 && (v as i32).unsigned_abs().is_power_of_two())
        .count() as f64
        / w.len() as f64;
    assert!(pow2 > 0.05, "some +-2^k, found {pow2:.3}");
    let alphas: Vec<u16> = m
        .trainable
        .iter()
        .flat_map(|t| t.alpha.iter().flatten().copied())
        .collect();
    for special in [0, 128, 256] {
        assert!(alphas.contains(&special), "alpha {special} appears");
    }
    assert!(alphas.iter().any(|&a| a != 0 && a != 128 && a != 256));
    assert!(
        m.shuffle.contains(&true) && m.shuffle.contains(&false),
        "both shuffle settings"
    );
    assert!(
        m.heads.iter().all(|h| h.pwl.x.len() >= 2),
        "PWL tables with several segments"
    );
}

/// Fractions of clipped (at 127, or -128 without ReLU) and zero values per conv layer, over
/// images the calibration never saw.
#[test]
fn calibration_keeps_layers_from_clipping_or_dying() {
    for (name, seed) in [("tiny", 1), ("tiny", 2), ("qvga", 1)] {
        let m = init(&preset(name), seed);
        let mut clipped = std::collections::BTreeMap::<String, (usize, usize, usize)>::new();
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(99);
        for _ in 0..4 {
            let px = semifreddo::image::synthetic(m.layout.input, m.layout.in_channels, &mut rng);
            let mut t = Trace::default();
            golden::run_observed(&m, &px, &mut t);
            for e in &t.entries {
                let leaf = e.name.rsplit('.').next().unwrap();
                if !matches!(leaf, "stem" | "dw" | "pw") {
                    continue;
                }
                let v = e.values.as_i64();
                let s = clipped.entry(e.name.clone()).or_default();
                s.0 += v
                    .iter()
                    .filter(|&&x| x == 127 || (leaf == "dw" && x == -128))
                    .count();
                s.1 += v.iter().filter(|&&x| x == 0).count();
                s.2 += v.len();
            }
        }
        let mut total = (0, 0, 0);
        for (layer, (c, z, n)) in &clipped {
            let (c, z) = (*c as f64 / *n as f64, *z as f64 / *n as f64);
            // Per layer with slack for the tiny maps (2x2 pixels), the target over all layers.
            eprintln!(
                "{name}/{seed} {layer}: {:.1} % clipped, {:.1} % zeros",
                c * 100.0,
                z * 100.0
            );
            assert!(
                c < 0.06,
                "{name}/{seed} {layer}: {:.1} % clipped",
                c * 100.0
            );
            assert!(z < 0.75, "{name}/{seed} {layer}: {:.1} % zeros", z * 100.0);
        }
        for (c, z, n) in clipped.values() {
            total = (total.0 + c, total.1 + z, total.2 + n);
        }
        let (c, z) = (
            total.0 as f64 / total.2 as f64,
            total.1 as f64 / total.2 as f64,
        );
        assert!(
            c < 0.02,
            "{name}/{seed}: {:.2} % clipped overall",
            c * 100.0
        );
        assert!(z < 0.60, "{name}/{seed}: {:.1} % zeros overall", z * 100.0);
    }
}

#[test]
fn golden_output_shapes_follow_the_heads() {
    let m = semifreddo::modelgen::default_model();
    let px = semifreddo::image::builtin(m.layout.input, m.layout.in_channels);
    let outs = golden::run(&m, &px);
    assert_eq!(outs.len(), 3);
    assert_eq!(outs[0].shape, vec![10]);
    assert_eq!(outs[1].shape, vec![2, 2, 4]);
    assert_eq!(outs[2].shape, vec![10]);
    assert_eq!(outs[1].values.len(), 16);
}

#[test]
fn trace_names_every_layer_in_order() {
    let m = semifreddo::modelgen::default_model();
    let px = semifreddo::image::builtin(m.layout.input, m.layout.in_channels);
    let mut t = Trace::default();
    golden::run_observed(&m, &px, &mut t);
    let names: Vec<&str> = t.entries.iter().map(|e| e.name.as_str()).collect();
    for want in [
        "input",
        "frozen.stem",
        "frozen.s1.b0.br1.dw",
        "frozen.s1.b0.br2.pw",
        "frozen.s1.b0",
        "frozen.s3.b0.dw",
        "frozen.s4.b1",
        "train0.blend0",
        "train1.shuffle4",
        "train0.rep.r0",
        "head0.acc",
        "head2.requant",
        "head2",
    ] {
        assert!(names.contains(&want), "trace has {want}");
    }
    let dir = tempfile::tempdir().unwrap();
    t.write(&dir.path().join("trace")).unwrap();
    let bytes = std::fs::read(dir.path().join("trace/trace.safetensors")).unwrap();
    let store = model::tensors::TensorStore::from_safetensors(&bytes).unwrap();
    assert_eq!(store.tensors.len(), t.entries.len());
    assert!(std::fs::read_to_string(dir.path().join("trace/trace.json"))
        .unwrap()
        .contains("\"frozen.stem\""));
}

/// n = 0 repeat passes is the identity: the repeat banks' weights then cannot matter.
#[test]
fn zero_repeat_passes_ignore_the_repeat_weights() {
    let mut m = init(&preset("tiny"), 5);
    let px = semifreddo::image::builtin(m.layout.input, m.layout.in_channels);
    for t in &mut m.trainable {
        t.repeat_n = 0;
    }
    let before = golden::run(&m, &px);
    for t in &mut m.trainable {
        for b in &mut t.repeat {
            for br in b.branches_mut() {
                br.pw.weight.iter_mut().for_each(|w| *w = w.wrapping_mul(3));
            }
        }
    }
    assert_eq!(golden::run(&m, &px), before);
    // One pass changes the output (the weights are used).
    m.trainable[0].repeat_n = 1;
    assert_ne!(golden::run(&m, &px), before);
}

/// a = 256 gives the frozen features, a = 0 the trainable ones.
#[test]
fn alpha_extremes_select_one_core() {
    let mut m = init(&preset("tiny"), 6);
    m.shuffle.iter_mut().for_each(|s| *s = false);
    let px = semifreddo::image::builtin(m.layout.input, m.layout.in_channels);
    for (a, from_frozen) in [(256u16, true), (0, false)] {
        for t in &mut m.trainable {
            t.alpha.iter_mut().flatten().for_each(|x| *x = a);
        }
        let mut tr = Trace::default();
        golden::run_observed(&m, &px, &mut tr);
        let blended = &tr.get("train0.blend2").unwrap().values;
        let want = if from_frozen {
            "frozen.s2.b1"
        } else {
            "train0.s2.b0"
        };
        assert_eq!(blended, &tr.get(want).unwrap().values, "alpha {a}");
    }
    let _ = CoreId::Frozen;
}

proptest! {
    #[test]
    fn blend_stays_between_its_inputs(xf in any::<i8>(), xt in any::<i8>(), a in 0u16..=256) {
        let y = ops::blend_value(xf, xt, a);
        prop_assert!(y >= xf.min(xt) && y <= xf.max(xt));
        prop_assert_eq!(ops::blend_value(xf, xt, 256), xf);
        prop_assert_eq!(ops::blend_value(xf, xt, 0), xt);
    }

    #[test]
    fn identity_pwl_is_the_identity(z in any::<i16>()) {
        prop_assert_eq!(ops::pwl(z, &Pwl::identity()), z);
    }

    #[test]
    fn shuffle_is_a_permutation(c in 1usize..40, seed in any::<u64>()) {
        let c = 2 * c;
        let data: Vec<i8> = (0..c).map(|i| (i as u64 ^ seed) as i8).collect();
        let x = Fmap { size: Size { h: 1, w: 1 }, channels: c, data: data.clone() };
        let mut a = ops::shuffle(&x).data;
        let mut b = data;
        a.sort_unstable();
        b.sort_unstable();
        prop_assert_eq!(a, b);
    }
}

/// The complete example in docs/model-format.md is a valid manifest (the doc stays true).
#[test]
fn documented_manifest_example_parses() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/model-format.md"))
        .unwrap();
    let start = doc.find("```toml\n").expect("a toml example") + 8;
    let end = start + doc[start..].find("```").unwrap();
    let m = model::parse_manifest(
        &doc[start..end],
        std::path::Path::new("docs/model-format.md"),
    )
    .unwrap();
    assert_eq!(m, preset("tiny").manifest);
}
