//! `regress --shard K/N`, `--list` and the JUnit/Markdown results, without building anything:
//! the shards of any matrix together are the unsharded matrix, each run once; bad shard
//! values are clear errors; the JUnit XML parses with the right counts and texts.

use proptest::prelude::*;
use semifreddo::model::presets;
use semifreddo::regress::results::{junit, markdown};
use semifreddo::regress::{plan, PlannedRun, RegressOptions, RegressRun, Shard};
use semifreddo::verify::{Mismatch, VerifyReport};
use std::collections::BTreeSet;
use std::process::Command;

fn options(presets: Vec<String>, seeds: Vec<u64>, programs: usize, shard: Shard) -> RegressOptions {
    RegressOptions {
        presets,
        seeds,
        programs,
        frames: 2,
        p_gap: 0.2,
        p_stall: 0.2,
        cache_dir: "unused".into(),
        shard,
    }
}

proptest! {
    #[test]
    fn shards_together_are_the_unsharded_matrix(
        preset_picks in proptest::collection::vec(0..presets::NAMES.len(), 0..4),
        first in 0u64..100,
        len in 0u64..45,
        programs in 0usize..4,
        count in 1usize..12,
    ) {
        let names: Vec<String> = preset_picks.iter().map(|&i| presets::NAMES[i].to_string()).collect();
        let seeds: Vec<u64> = (first..first + len).collect();
        let all = plan(&options(names.clone(), seeds.clone(), programs, Shard::ALL)).unwrap();
        prop_assert_eq!(all.len(), (names.len() + seeds.len()) * (programs + 1));
        let mut union: Vec<PlannedRun> = Vec::new();
        for index in 1..=count {
            let part = plan(&options(names.clone(), seeds.clone(), programs, Shard { index, count })).unwrap();
            // Each shard is a subsequence of the matrix, with whole models.
            let mut at = all.iter();
            for r in &part {
                prop_assert!(at.any(|a| a == r), "{r:?} out of order or not in the matrix");
            }
            let models: BTreeSet<usize> = part.iter().map(|r| r.model_number).collect();
            for m in models {
                prop_assert_eq!(
                    part.iter().filter(|r| r.model_number == m).count(),
                    programs + 1
                );
            }
            union.extend(part);
        }
        prop_assert_eq!(union.len(), all.len(), "a run in two shards, or one in none");
        union.sort();
        let mut sorted = all.clone();
        sorted.sort();
        prop_assert_eq!(union, sorted);
    }
}

#[test]
fn sharding_keeps_each_runs_seeds() {
    let opts = |shard| options(vec!["tiny".into()], vec![3, 4, 5], 2, shard);
    let all = plan(&opts(Shard::ALL)).unwrap();
    let second = plan(&opts(Shard { index: 2, count: 2 })).unwrap();
    // Models 1 and 3 (seeds 3 and 5) with their programs, exactly as in the whole matrix.
    assert_eq!(second.len(), 6);
    assert_eq!(second[..3], all[3..6]);
    assert_eq!(second[3..], all[9..12]);
    assert_eq!(second[1].program.to_string(), "program 2000");
}

fn semifreddo(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_semifreddo"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_shard_values_are_clear_errors() {
    for (value, says) in [
        ("0/3", "expected K in 1..=3, found 0"),
        ("4/3", "expected K in 1..=3, found 4"),
        ("1/0", "expected at least one shard (N >= 1), found N = 0"),
        ("garbage", "expected K/N"),
        ("3", "expected K/N"),
        ("1/2/3", "expected K/N"),
        ("-1/3", "expected K/N"),
        ("", "expected K/N"),
    ] {
        let arg = format!("--shard={value}");
        let (code, out, err) = semifreddo(&["regress", &arg, "--list"]);
        assert_ne!(code, 0, "--shard {value:?} accepted: {out}");
        assert!(
            err.contains("--shard") && err.contains(says),
            "{value:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn cli_list_of_all_shards_is_the_unsharded_list() {
    let args = [
        "regress",
        "--presets",
        "tiny,qvga",
        "--seeds",
        "1..=7",
        "--programs",
        "2",
    ];
    let list = |shard: &str| {
        let mut a = args.to_vec();
        a.extend(["--shard", shard, "--list"]);
        let (code, out, err) = semifreddo(&a);
        assert_eq!(code, 0, "{err}");
        out.lines().map(str::to_string).collect::<Vec<_>>()
    };
    let all = list("1/1");
    assert_eq!(all.len(), 9 * 3);
    let mut union: Vec<String> = (1..=4).flat_map(|k| list(&format!("{k}/4"))).collect();
    union.sort();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(union, sorted);
    let (code, _, err) = semifreddo(&["regress", "--presets", "vgaa", "--list"]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown preset `vgaa`"), "{err}");
}

fn report(values: usize, mismatch: Option<Mismatch>) -> VerifyReport {
    VerifyReport {
        top: "sf_rand1_top".into(),
        frames: 2,
        values_compared: values,
        stream_errors: Vec::new(),
        mismatch,
        build_seconds: 1.0,
        build_cached: false,
        cycles: 100,
        frame_intervals: vec![40],
        pixels_per_frame: 16,
        latency: Some(3),
        input_stall_cycles: 0,
        cycles_per_second: 1e6,
        heads: Vec::new(),
        fifos: Vec::new(),
    }
}

fn run(
    model: &str,
    program: &str,
    seconds: f64,
    result: Result<VerifyReport, String>,
) -> RegressRun {
    RegressRun {
        model: model.into(),
        shape: "4x4x1 C0=2 [4s2+0] heads [frozen:2o/1g]".into(),
        program: program.into(),
        frames: 2,
        seconds,
        result,
    }
}

fn sample_runs() -> Vec<RegressRun> {
    let mismatch = Mismatch {
        place: "m_axis_h0".into(),
        frame: 1,
        row: 2,
        col: 3,
        channel: 0,
        expected: 5,
        found: -7,
    };
    vec![
        run("rand1", "own", 1.5, Ok(report(1234, None))),
        run(
            "rand1",
            "program 1000",
            0.25,
            Ok(report(99, Some(mismatch))),
        ),
        run(
            "rand2",
            "own",
            2.0,
            Err("building <sim> failed: \"x & y\"\nsecond line".into()),
        ),
    ]
}

#[test]
fn junit_parses_with_the_right_counts_and_texts() {
    let opts = options(vec![], vec![1, 2], 1, Shard { index: 2, count: 3 });
    let xml = junit(&opts, &sample_runs()).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    for node in [root, root.first_element_child().unwrap()] {
        assert_eq!(node.attribute("tests"), Some("3"), "{xml}");
        assert_eq!(node.attribute("failures"), Some("1"));
        assert_eq!(node.attribute("errors"), Some("1"));
    }
    let suite = root.first_element_child().unwrap();
    assert_eq!(
        suite.attribute("name"),
        Some("semifreddo regress, shard 2/3")
    );
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 3);
    let prop = |case: roxmltree::Node, name: &str| {
        case.descendants()
            .find(|n| n.has_tag_name("property") && n.attribute("name") == Some(name))
            .and_then(|n| n.attribute("value"))
            .map(str::to_string)
    };
    assert_eq!(cases[0].attribute("name"), Some("rand1 own"));
    assert_eq!(cases[0].attribute("classname"), Some("regress.rand1"));
    assert_eq!(cases[0].attribute("assertions"), Some("1234"));
    let t: f64 = cases[0].attribute("time").unwrap().parse().unwrap();
    assert!((t - 1.5).abs() < 1e-3);
    assert_eq!(prop(cases[0], "values_compared").as_deref(), Some("1234"));
    assert_eq!(prop(cases[0], "frames").as_deref(), Some("2"));
    assert_eq!(prop(cases[1], "program").as_deref(), Some("program 1000"));
    assert!(!cases[0]
        .children()
        .any(|n| n.has_tag_name("failure") || n.has_tag_name("error")));
    let failure = cases[1]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("first mismatch at m_axis_h0: frame 1, pixel (row 2, col 3), channel 0: expected 5, found -7")
    );
    assert!(failure.text().unwrap().contains("MISMATCH"));
    let error = cases[2]
        .children()
        .find(|n| n.has_tag_name("error"))
        .unwrap();
    assert_eq!(
        error.attribute("message"),
        Some("building <sim> failed: \"x & y\"")
    );
    assert!(error.text().unwrap().contains("second line"));
}

#[test]
fn markdown_has_one_row_per_run_and_totals() {
    let md = markdown(&sample_runs());
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(
        lines[0],
        "| model | program | frames | values compared | result | seconds | shape |"
    );
    assert_eq!(
        lines[2],
        "| rand1 | own | 2 | 1234 | bit-exact | 1.5 | 4x4x1 C0=2 [4s2+0] heads [frozen:2o/1g] |"
    );
    assert!(lines[3].starts_with("| rand1 | program 1000 | 2 | 99 | MISMATCH | 0.2"));
    assert!(lines[4].starts_with("| rand2 | own | 2 | 0 | ERROR | 2.0 |"));
    assert!(
        md.contains("3 run(s), 1333 values compared, 2 failed, 3.8 s in all"),
        "{md}"
    );
}
