//! The arithmetic benchmark as an ignored test (run with
//! `cargo test --release --test arith_bench -- --ignored --nocapture`).

use semifreddo::arith::{bench_report_with, LowerOptions};

#[test]
#[ignore = "benchmark: run explicitly in release mode"]
fn arith_bench() {
    let slack = std::env::var("ARITH_SLACK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let opts = LowerOptions {
        pipeline_every: 0,
        depth_slack: slack,
    };
    let report = bench_report_with(&[32, 64, 128], 1, &opts).expect("bench");
    println!("{report}");
}
