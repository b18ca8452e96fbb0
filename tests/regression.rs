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
    };
    let runs = regress::run(&opts, |r| eprintln!("{}", regress::row(r))).unwrap();
    assert_eq!(runs.len(), 4 * 3);
    for r in &runs {
        assert!(
            r.report.passed(),
            "{} ({}): {}",
            r.model,
            r.program,
            r.report
        );
        assert!(r.report.values_compared > 0);
        assert_eq!(
            r.report.heads.len(),
            r.report
                .heads
                .iter()
                .filter(|h| h.values_compared > 0)
                .count()
        );
    }
    // The matrix covers what it claims.
    let models = regress::models(&opts).unwrap();
    assert!(models.iter().any(|m| m.heads.iter().any(|h| h.pool)));
    assert!(models.iter().any(|m| m.heads.iter().any(|h| !h.pool)));
    assert!(models.iter().any(|m| m.manifest.topology.repeat_banks > 0));
}
