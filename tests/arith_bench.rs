//! The arithmetic benchmark as an ignored test (run with
//! `cargo test --release --test arith_bench -- --ignored --nocapture`).

use semifreddo::arith::{bench_report_with, Effort, LowerOptions};

#[test]
#[ignore = "benchmark: run explicitly in release mode"]
fn arith_bench() {
    let slack = std::env::var("ARITH_SLACK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let effort = match std::env::var("ARITH_EFFORT").as_deref() {
        Ok("fast") => Effort::Fast,
        Ok("balanced") => Effort::Balanced,
        Ok("thorough") => Effort::Thorough,
        _ => Effort::Auto,
    };
    let opts = LowerOptions {
        pipeline_every: 0,
        depth_slack: slack,
        effort,
    };
    let seed = std::env::var("ARITH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let sizes: Vec<usize> = std::env::var("ARITH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|v| v.parse().ok()).collect())
        .unwrap_or_else(|| vec![32, 64, 128]);
    let report = bench_report_with(
        &sizes,
        seed,
        &opts,
        std::env::var("ARITH_VGA").as_deref() != Ok("0"),
    )
    .expect("bench");
    println!("{report}");
}

/// Writes the 32x32 seed-1 frozen layer (combinational) and its programmable counterpart to
/// `$ARITH_SYNTH_DIR` for the Yosys measurement in docs/benchmarks-arith.md.
#[test]
#[ignore = "writes synthesis inputs; run explicitly"]
fn write_synth_inputs() {
    use semifreddo::arith::{
        emit_verilog, lower, programmable_layer_verilog, random_int8_matrix, Interval, PortNames,
    };
    let dir = std::env::var("ARITH_SYNTH_DIR").unwrap_or_else(|_| ".".into());
    let n = 32;
    let m = random_int8_matrix(n, n, 1);
    let g = lower(&m, &vec![Interval::INT8; n], &LowerOptions::default()).expect("lower");
    let v = emit_verilog(&g, "frozen_pw32", &PortNames::default_for(&g)).expect("emit");
    std::fs::write(format!("{dir}/frozen_pw32.v"), v).expect("write");
    std::fs::write(
        format!("{dir}/prog_pw32.v"),
        programmable_layer_verilog(n, n, "prog_pw32"),
    )
    .expect("write");
}

/// Writes a pipelined 64x64 layer (ReLU inputs) to `$ARITH_SYNTH_DIR/lint_pw64.v` for a one-off
/// lint of a large module.
#[test]
#[ignore = "writes a large module; run explicitly"]
fn write_lint_input() {
    use semifreddo::arith::{emit_verilog, lower, random_int8_matrix, Interval, PortNames};
    let dir = std::env::var("ARITH_SYNTH_DIR").unwrap_or_else(|_| ".".into());
    let m = random_int8_matrix(64, 64, 9);
    let opts = LowerOptions {
        pipeline_every: 2,
        ..LowerOptions::default()
    };
    let g = lower(&m, &vec![Interval::RELU8; 64], &opts).expect("lower");
    let v = emit_verilog(&g, "lint_pw64", &PortNames::default_for(&g)).expect("emit");
    std::fs::write(format!("{dir}/lint_pw64.v"), v).expect("write");
}
