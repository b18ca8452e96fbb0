//! Benchmarks printed by `semifreddo bench`; figures go to docs/benchmarks.md.

use crate::golden::{self, Fmap};
use crate::model::{presets::Preset, summary};
use crate::modelgen::init;
use std::fmt::Write;
use std::time::Instant;

/// Golden-model time per frame through all cores and heads.
pub fn golden(preset: &Preset, seed: u64, frames: usize) -> String {
    let mut out = String::new();
    let t0 = Instant::now();
    let model = init::init(preset, seed);
    let init_s = t0.elapsed().as_secs_f64();
    let size = model.layout.input;
    let pixels = crate::image::builtin(size, model.layout.in_channels);
    let _ = Fmap::from_pixels(size, model.layout.in_channels, &pixels);
    // One warm-up frame, then the timed ones.
    golden::run(&model, &pixels);
    let mut times = Vec::new();
    for _ in 0..frames.max(1) {
        let t = Instant::now();
        std::hint::black_box(golden::run(&model, &pixels));
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    let macs = summary::model_macs(&model);
    let _ = writeln!(
        out,
        "golden model, preset {} ({}x{}), seed {seed}",
        model.manifest.name, size.w, size.h
    );
    let _ = writeln!(
        out,
        "  threads:            {}",
        rayon::current_num_threads()
    );
    let _ = writeln!(out, "  init (incl. calibration): {init_s:.2} s");
    let _ = writeln!(out, "  frames timed:       {}", times.len());
    let _ = writeln!(
        out,
        "  time per frame:     min {:.3} s, median {median:.3} s, max {:.3} s",
        times[0],
        times[times.len() - 1]
    );
    let _ = writeln!(out, "  MACs per frame:     {macs}");
    let _ = writeln!(
        out,
        "  MAC rate (median):  {:.2} GMAC/s",
        macs as f64 / median / 1e9
    );
    out
}
