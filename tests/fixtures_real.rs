//! A SemifreddoNet trained in PyTorch on Fashion-MNIST (train/make_fixture.py) and a few
//! hundred labelled test images: the golden model must reproduce the PyTorch integer path's
//! head outputs bit for bit and reach the accuracy recorded at export. No torch needed.

mod common;

use semifreddo::golden::{self, HeadOutput};
use semifreddo::model::{self, Model};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fashion")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(fixture_dir().join("expected.json"))
        .expect("tests/fixtures/fashion/expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

fn load_model() -> Model {
    model::load(&fixture_dir()).unwrap_or_else(|e| panic!("fixture model: {e}"))
}

fn pixels(m: &Model, sample: &Value) -> Vec<u8> {
    let path = fixture_dir().join(sample["image"].as_str().expect("image path"));
    semifreddo::image::load_for_model(&path, m.layout.input, m.layout.in_channels)
        .unwrap_or_else(|e| panic!("{e}"))
        .pixels
}

fn want_logits(sample: &Value, head: usize) -> Vec<i64> {
    sample["logits"][head]
        .as_array()
        .expect("logits per head")
        .iter()
        .map(|v| v.as_i64().expect("integer logit"))
        .collect()
}

/// Index of the first maximum (torch.argmax's rule).
fn argmax(v: &[i16]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

fn as_i64(h: &HeadOutput) -> Vec<i64> {
    h.values.iter().map(|&v| v as i64).collect()
}

#[test]
fn golden_matches_pytorch_integer_logits_and_accuracy_on_real_images() {
    let m = load_model();
    let exp = expected();
    let heads = exp["heads"].as_array().expect("heads");
    let samples = exp["samples"].as_array().expect("samples");
    assert!(
        samples.len() >= 100,
        "only {} fixture images",
        samples.len()
    );
    assert_eq!(m.heads.len(), heads.len());

    let mut correct = vec![0u64; heads.len()];
    let mut mismatches = Vec::new();
    for s in samples {
        let outs = golden::run(&m, &pixels(&m, s));
        assert_eq!(outs.len(), heads.len());
        let label = s["label"].as_u64().expect("label") as usize;
        for (h, out) in outs.iter().enumerate() {
            assert!(out.pooled, "fixture heads are pooled class logits");
            let want = want_logits(s, h);
            if as_i64(out) != want {
                mismatches.push(format!(
                    "{} {}: golden {:?}, PyTorch {:?}",
                    s["image"], out.name, out.values, want
                ));
            }
            if argmax(&out.values) == label {
                correct[h] += 1;
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} head outputs differ from the PyTorch integer path, e.g.\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(5)].join("\n")
    );
    for (h, head) in heads.iter().enumerate() {
        let recorded = head["correct"].as_u64().expect("correct");
        assert_eq!(head["total"].as_u64(), Some(samples.len() as u64));
        assert_eq!(
            correct[h],
            recorded,
            "head{h}: {} of {} right, {} recorded at export",
            correct[h],
            samples.len(),
            recorded
        );
        // A trained classifier, not noise: far above the 10 % of chance.
        assert!(
            correct[h] * 100 >= 70 * samples.len() as u64,
            "head{h}: accuracy {}/{}",
            correct[h],
            samples.len()
        );
    }
}

#[test]
fn cli_golden_json_matches_on_a_few_images() {
    let exp = expected();
    let samples = exp["samples"].as_array().expect("samples");
    let tmp = tempfile::tempdir().unwrap();
    for s in samples.iter().step_by(97).take(4) {
        let json = tmp.path().join("out.json");
        let status = Command::new(env!("CARGO_BIN_EXE_semifreddo"))
            .arg("golden")
            .arg(fixture_dir())
            .arg("--image")
            .arg(fixture_dir().join(s["image"].as_str().unwrap()))
            .arg("--json")
            .arg(&json)
            .output()
            .expect("run semifreddo golden");
        assert!(status.status.success(), "{status:?}");
        let out: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        for (h, head) in out["heads"].as_array().unwrap().iter().enumerate() {
            let got: Vec<i64> = head["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            assert_eq!(got, want_logits(s, h), "{} head{h}", s["image"]);
        }
    }
}

/// The comparison is sensitive: moving one head output by 8 requant16 steps (before its PWL,
/// whose smallest slope is 3/8) changes the outputs.
#[test]
fn a_small_change_of_a_head_bias_is_detected() {
    let mut m = load_model();
    let exp = expected();
    let s = &exp["samples"][0];
    let px = pixels(&m, s);
    assert_eq!(as_i64(&golden::run(&m, &px)[1]), want_logits(s, 1));
    let shift = m.heads[1].conv.requant.shift;
    let b = &mut m.heads[1].conv.requant.bias[3];
    *b = i32::try_from(*b as i64 + (8i64 << shift)).expect("bias stays in int32");
    let changed = as_i64(&golden::run(&m, &px)[1]);
    assert_ne!(changed, want_logits(s, 1));
}

/// The generated RTL, in Verilator, classifies a handful of the real images exactly like the
/// PyTorch integer path: every head value of every frame equals the exported logits (and the
/// golden model, which `verify::check` compares everything else against).
#[test]
fn rtl_outputs_equal_pytorch_logits_on_real_images() {
    common::require_tool("verilator");
    let m = load_model();
    let exp = expected();
    let samples: Vec<&Value> = exp["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .take(4)
        .collect();
    let frames: Vec<Vec<u8>> = samples.iter().map(|s| pixels(&m, s)).collect();
    let opts = common::verify_opts(frames.len(), 3, 0.1, 0.1);
    let prepared = semifreddo::verify::prepare(&m, &m, &opts).unwrap();
    let size = m.layout.input;
    let stim =
        semifreddo::sim::Stimulus::from_frames(&frames, size.w, size.h, m.layout.in_channels);
    let result = prepared
        .built
        .run(&stim, &prepared.run_options(&opts, frames.len()))
        .unwrap();
    for (h, head) in m.layout.heads.iter().enumerate() {
        let beats = &result.outputs[&format!("m_axis_h{h}")];
        let got: Vec<i64> = beats
            .iter()
            .map(|b| i16::from_le_bytes([b.data[0], b.data[1]]) as i64)
            .collect();
        let want: Vec<i64> = samples.iter().flat_map(|s| want_logits(s, h)).collect();
        assert_eq!(got.len(), frames.len() * head.outputs, "head {h} beats");
        assert_eq!(got, want, "head {h}: RTL logits differ from PyTorch's");
    }
    let run = semifreddo::verify::SimRun {
        plan: prepared.plan.clone(),
        frames,
        result,
        build_seconds: 0.0,
        build_cached: true,
    };
    let r = semifreddo::verify::check(&m, &run);
    assert!(r.passed(), "{r}");
}
