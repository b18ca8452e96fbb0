//! The regression matrix in the default suite: seeded random topologies (every structural
//! feature within the supported limits, see `semifreddo::modelgen::random`), each built once
//! and co-simulated with random valid/ready gaps under its own parameters and under random
//! run-time programs (repeat passes, PWL segments, alphas, shuffle), every value compared.
//! The longer nightly-style run is `semifreddo regress --presets tiny,qvga --seeds 1..=40`
//! (docs/verification.md).

mod common;

use common::{require_tool, sim_cache};
use semifreddo::regress::{self, RegressOptions};

#[test]
fn random_topologies_are_bit_exact() {
    require_tool("verilator");
    let opts = RegressOptions {
        presets: Vec::new(),
        seeds: vec![1, 2, 3, 5],
        programs: 2,
        frames: 2,
        p_gap: 0.2,
        p_stall: 0.2,
        cache_dir: sim_cache(),
        shard: regress::Shard::ALL,
    };
    let runs = regress::run(&opts, |r| eprintln!("{}", regress::row(r))).unwrap();
    assert_eq!(runs.len(), 4 * 3);
    for r in &runs {
        let report = r.result.as_ref().unwrap();
        assert!(report.passed(), "{} ({}): {report}", r.model, r.program);
        assert!(report.values_compared > 0);
        assert_eq!(
            report.heads.len(),
            report
                .heads
                .iter()
                .filter(|h| h.values_compared > 0)
                .count()
        );
    }
    cli_shard_writes_the_same_runs_as_junit_and_markdown(&runs);
    // The matrix covers what it claims.
    let models = regress::models(&opts).unwrap();
    assert!(models.iter().any(|m| m.heads.iter().any(|h| h.pool)));
    assert!(models.iter().any(|m| m.heads.iter().any(|h| !h.pool)));
    assert!(models.iter().any(|m| m.manifest.topology.repeat_banks > 0));
}

/// `regress --shard 2/3` over seeds 1..=3 is model 1, seed 2, model 1 above too (so the same
/// programs, and the build is cached): its JUnit and Markdown files hold exactly its runs,
/// with the values compared that the library run found.
fn cli_shard_writes_the_same_runs_as_junit_and_markdown(runs: &[regress::RegressRun]) {
    let dir = tempfile::tempdir().unwrap();
    let (xml, md) = (dir.path().join("r.xml"), dir.path().join("r.md"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_semifreddo"))
        .args(["regress", "--seeds", "1..=3", "--programs", "2"])
        .args(["--shard", "2/3", "--gap", "0.2", "--stall", "0.2"])
        .args(["--frames", "2", "--cache"])
        .arg(sim_cache())
        .arg("--junit")
        .arg(&xml)
        .arg("--markdown")
        .arg(&md)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = std::fs::read_to_string(&xml).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.attribute("tests"), Some("3"), "{xml}");
    assert_eq!(root.attribute("failures"), Some("0"));
    assert_eq!(root.attribute("errors"), Some("0"));
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let expected: Vec<&regress::RegressRun> = runs.iter().filter(|r| r.model == "rand2").collect();
    assert_eq!(cases.len(), expected.len());
    for (case, r) in cases.iter().zip(&expected) {
        assert_eq!(
            case.attribute("name"),
            Some(format!("{} {}", r.model, r.program).as_str())
        );
        let values = r.values_compared().to_string();
        assert_eq!(case.attribute("assertions"), Some(values.as_str()));
    }
    let md = std::fs::read_to_string(&md).unwrap();
    assert_eq!(
        md.lines().filter(|l| l.contains("| bit-exact |")).count(),
        3,
        "{md}"
    );
}
