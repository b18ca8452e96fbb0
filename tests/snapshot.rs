//! Snapshot of everything `generate` decides: the generated files of two models, the plan
//! report, the plan-count cost report, the Verilator design description and header, and the
//! stand-alone MAC-engine units of the cost benchmarks, each checked against the SHA-256
//! committed in `tests/snapshots/<model>.sha256` (sha256sum format, one file a line).
//!
//! An intended change is blessed with one command (docs/verification.md):
//! `SEMIFREDDO_BLESS=1 cargo test --test snapshot`, which rewrites the digest files; review
//! and commit them with the change.
//!
//! Models: `tiny` seed 1 (the embedded default: frozen, train0 and train01 heads, two
//! trainable cores with skew FIFOs, R_max = 2) and random model 5 (two trainable cores, a
//! trainable extra block, R_max = 1, frozen, train0 and train1 heads pooled and not,
//! groups 1 and 2, `frozen_bn = "frozen"` so the constant requant modules, K_max = 1); so
//! that every branch of the top level is fixed too: random models 8 (one trainable core,
//! R_max = 1), 11 (no trainable core) and 24 (train01 head without a repeat block), and
//! `train_deep` (trainable-side skew FIFOs).

mod common;

use semifreddo::model::Model;
use semifreddo::modelgen::{default_model, random};
use semifreddo::passes::{self, PlanOptions};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every artefact of a model whose bytes the snapshot fixes, by name.
fn artefacts(model: &Model) -> BTreeMap<String, String> {
    let plan = passes::plan(model, &PlanOptions::default()).expect("plan");
    let files = semifreddo::emit::render(&plan).expect("render");
    let mut out = BTreeMap::new();
    for f in &files {
        out.insert(format!("rtl/{}", f.name), f.contents.clone());
    }
    out.insert(
        "plan/report.txt".into(),
        semifreddo::emit::report::text(&plan),
    );
    let cost = semifreddo::cost::analyze(&plan, &semifreddo::cost::CostOptions::default())
        .expect("cost report");
    out.insert(
        "plan/cost.json".into(),
        serde_json::to_string_pretty(&semifreddo::cost::json(&cost)).unwrap(),
    );
    out.insert("plan/cost.txt".into(), semifreddo::cost::text(&cost));
    let design = semifreddo::verify::design(&plan, &files, Path::new("rtl"));
    out.insert(
        "sim/design.json".into(),
        serde_json::to_string_pretty(&design).unwrap(),
    );
    out.insert(
        "sim/design.h".into(),
        semifreddo::sim::design_header(&design),
    );
    for (i, e) in plan.engines().enumerate() {
        // The wrapper only: the primitives it uses are the ones under rtl/.
        let module = format!("engine{i}");
        let unit = semifreddo::cost::paper::mac_engine_unit(e, &module).expect("engine unit");
        let wrapper = unit.files.iter().find(|f| f.name == format!("{module}.v"));
        out.insert(
            format!("cost/{module}.v"),
            wrapper.unwrap().contents.clone(),
        );
    }
    out
}

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn snapshot_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.sha256"))
}

/// `<sha256>  <name>` lines, sorted by name.
fn render(digests: &BTreeMap<String, String>) -> String {
    digests.iter().map(|(n, d)| format!("{d}  {n}\n")).collect()
}

fn parse(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(d, n)| (n.to_string(), d.to_string()))
        .collect()
}

/// The names that differ, are missing or are new, one line each.
fn differences(want: &BTreeMap<String, String>, got: &BTreeMap<String, String>) -> Vec<String> {
    let mut v = Vec::new();
    for (n, d) in want {
        match got.get(n) {
            None => v.push(format!("  missing: {n}")),
            Some(g) if g != d => v.push(format!("  differs: {n}")),
            _ => {}
        }
    }
    for n in got.keys().filter(|n| !want.contains_key(*n)) {
        v.push(format!("  new:     {n}"));
    }
    v
}

fn check(name: &str, model: &Model) {
    let got: BTreeMap<String, String> = artefacts(model)
        .iter()
        .map(|(n, text)| (n.clone(), digest(text)))
        .collect();
    let path = snapshot_file(name);
    if std::env::var_os("SEMIFREDDO_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, render(&got)).unwrap();
        eprintln!("blessed {}", path.display());
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; create it with `SEMIFREDDO_BLESS=1 cargo test --test snapshot`",
            path.display()
        )
    });
    let diff = differences(&parse(&text), &got);
    assert!(
        diff.is_empty(),
        "the generated files of {name} differ from {}:\n{}\nif the change is intended, bless \
         it with `SEMIFREDDO_BLESS=1 cargo test --test snapshot` and commit the digests",
        path.display(),
        diff.join("\n")
    );
}

#[test]
fn tiny_seed1_matches_snapshot() {
    check("tiny_seed1", &default_model());
}

#[test]
fn random_seed5_matches_snapshot() {
    check("random_seed5", &random::random_model(5));
}

#[test]
fn other_top_levels_match_snapshots() {
    for seed in [8, 11, 24] {
        check(&format!("random_seed{seed}"), &random::random_model(seed));
    }
    check("train_deep_seed1", &common::train_deep(1));
}

#[test]
fn differences_name_every_changed_file() {
    let want = parse("aa  a.v\nbb  b.v\ncc  c.v\n");
    let got = parse("aa  a.v\nbX  b.v\ndd  d.v\n");
    assert_eq!(
        differences(&want, &got),
        vec!["  differs: b.v", "  missing: c.v", "  new:     d.v"]
    );
    assert_eq!(parse(&render(&want)), want);
}
