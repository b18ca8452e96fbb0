//! The arithmetic benchmark (`semifreddo bench arith`): random int8 pointwise layers drawn like
//! the tool's initial weights, lowered and compared with the baselines.

use std::fmt::Write;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::error::ArithError;
use super::lower::{lower, LowerOptions};
use super::matrix::ConstMatrix;
use super::report::{mcm_plus_trees, LayerStats};
use super::width::Interval;

/// `rows x cols` int8 weights: 10 % zeros, the rest round(N(0, 20)) clipped to int8.
pub fn random_int8_matrix(rows: usize, cols: usize, seed: u64) -> ConstMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0f64, 20.0).unwrap_or_else(|_| unreachable!("sigma is positive"));
    let data = (0..rows * cols)
        .map(|_| {
            if rng.gen_bool(0.1) {
                0
            } else {
                (normal.sample(&mut rng).round() as i64).clamp(-128, 127)
            }
        })
        .collect();
    // Shape and range are valid by construction.
    ConstMatrix::new(rows, cols, data).unwrap_or_else(|_| unreachable!("int8 data"))
}

/// One benchmark row.
#[derive(Debug, Clone)]
pub struct BenchRow {
    pub stats: LayerStats,
    pub mcm_plus_trees: usize,
}

/// Lowers an `n x n` random layer (int8 inputs) and measures it.
pub fn bench_layer(n: usize, seed: u64, opts: &LowerOptions) -> Result<BenchRow, ArithError> {
    let m = random_int8_matrix(n, n, seed);
    let t = Instant::now();
    let g = lower(&m, &vec![Interval::INT8; n], opts)?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    Ok(BenchRow {
        stats: LayerStats::of(&format!("pw{n}"), &g, ms),
        mcm_plus_trees: mcm_plus_trees(&m)?,
    })
}

/// The benchmark table at 32x32, 64x64 and 128x128 (seed 1), default options.
pub fn bench_report() -> Result<String, ArithError> {
    bench_report_with(&[32, 64, 128], 1, &LowerOptions::default())
}

pub fn bench_report_with(
    sizes: &[usize],
    seed: u64,
    opts: &LowerOptions,
) -> Result<String, ArithError> {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "arith benchmark: random int8 N(0,20) weights, 10% zeros, ChaCha8 seed {seed}, depth slack {}",
        opts.depth_slack
    );
    let _ = writeln!(
        s,
        "{:>9} {:>8} {:>8} {:>9} {:>9} {:>13} {:>11} {:>11}",
        "layer", "nonzero", "adders", "adders/w", "csd/w", "mcm+trees/w", "depth(min)", "lower ms"
    );
    for &n in sizes {
        let r = bench_layer(n, seed, opts)?;
        let st = &r.stats;
        let per = |a: usize| a as f64 / st.nonzero_weights.max(1) as f64;
        let _ = writeln!(
            s,
            "{:>9} {:>8} {:>8} {:>9.3} {:>9.3} {:>13.3} {:>11} {:>11.1}",
            format!("{n}x{n}"),
            st.nonzero_weights,
            st.adders(),
            st.adders_per_weight(),
            per(st.csd_baseline),
            per(r.mcm_plus_trees),
            format!("{} ({})", st.depth, st.min_depth),
            st.lowering_ms
        );
    }
    Ok(s)
}
