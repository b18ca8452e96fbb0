//! Properties of the lowering: exactness (`eval == M x`) on random, extreme and exhaustive
//! inputs, exact minimal widths, depth control, latency, determinism and error handling.

use proptest::prelude::*;
use semifreddo::arith::{
    csd, csd_weight, emit_verilog, layer_report, lower, signed_width, ArithError, ConstMatrix,
    Effort, Interval, LowerOptions, NodeKind, PortNames,
};

fn reference(m: &ConstMatrix, x: &[i64]) -> Vec<i64> {
    m.mul(x).into_iter().map(|v| v as i64).collect()
}

/// Extreme input vectors: all lo, all hi, alternating both ways.
fn extremes(r: &[Interval]) -> Vec<Vec<i64>> {
    vec![
        r.iter().map(|r| r.lo).collect(),
        r.iter().map(|r| r.hi).collect(),
        r.iter()
            .enumerate()
            .map(|(i, r)| if i % 2 == 0 { r.lo } else { r.hi })
            .collect(),
        r.iter()
            .enumerate()
            .map(|(i, r)| if i % 2 == 0 { r.hi } else { r.lo })
            .collect(),
    ]
}

fn weight() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => Just(0i64),
        10 => -128i64..=127,
        1 => -32768i64..=32767,
        1 => prop::sample::select(vec![1i64, -1, 64, -128, 127, -127, 85, -85, 65535, -65536]),
    ]
}

fn interval() -> impl Strategy<Value = Interval> {
    prop_oneof![
        Just(Interval::INT8),
        Just(Interval::RELU8),
        (-(1i64 << 20)..=0, 0i64..=(1 << 20)).prop_map(|(lo, hi)| Interval::new(lo, hi)),
        (-300i64..300, 0i64..50).prop_map(|(lo, d)| Interval::new(lo, lo + d)),
    ]
}

fn case() -> impl Strategy<Value = (ConstMatrix, Vec<Interval>, LowerOptions, Vec<Vec<i64>>)> {
    (1usize..7, 1usize..9)
        .prop_flat_map(|(r, c)| {
            (
                prop::collection::vec(weight(), r * c),
                prop::collection::vec(interval(), c),
                0u32..4,
                0u32..3,
                prop::sample::select(vec![
                    Effort::Fast,
                    Effort::Balanced,
                    Effort::Thorough,
                    Effort::Auto,
                ]),
                Just((r, c)),
                prop::collection::vec(prop::collection::vec(0.0f64..1.0, c), 8),
            )
        })
        .prop_map(|(w, ranges, every, slack, effort, (r, c), fr)| {
            let m = ConstMatrix::new(r, c, w).expect("valid");
            let xs = fr
                .iter()
                .map(|f| {
                    f.iter()
                        .zip(&ranges)
                        .map(|(f, r)| r.lo + ((r.hi - r.lo) as f64 * f).round() as i64)
                        .collect()
                })
                .collect();
            (
                m,
                ranges,
                LowerOptions {
                    pipeline_every: every,
                    depth_slack: slack,
                    effort,
                },
                xs,
            )
        })
}

proptest! {
    // No regression file: the cases that once failed are pinned in `negation_cases` below.
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn eval_equals_matrix_product((m, ranges, opts, xs) in case()) {
        let g = lower(&m, &ranges, &opts).expect("lower");
        for x in xs.iter().chain(&extremes(&ranges)) {
            prop_assert_eq!(g.eval(x).expect("eval"), reference(&m, x));
            // Every node stays inside its interval, hence inside its width.
            for (v, n) in g.eval_nodes(x).expect("nodes").iter().zip(g.nodes()) {
                prop_assert!(n.interval.lo <= *v && *v <= n.interval.hi);
            }
        }
        // Widths are minimal for exact intervals, and each interval is attained at a corner.
        for n in g.nodes() {
            prop_assert_eq!(n.width, signed_width(n.interval.lo as i128, n.interval.hi as i128));
            let corner = |low: bool| -> Vec<i64> {
                (0..m.cols()).map(|i| {
                    let c = n.coeffs.iter().find(|p| p.0 as usize == i).map_or(0, |p| p.1);
                    if (c > 0) == low { ranges[i].lo } else { ranges[i].hi }
                }).collect()
            };
            let id = g.nodes().iter().position(|k| std::ptr::eq(k, n)).expect("node");
            prop_assert_eq!(g.eval_nodes(&corner(true)).expect("lo")[id], n.interval.lo);
            prop_assert_eq!(g.eval_nodes(&corner(false)).expect("hi")[id], n.interval.hi);
        }
        for (o, out) in g.outputs().iter().enumerate() {
            let mut lo = 0i128; let mut hi = 0i128;
            for (c, r) in m.row(o).iter().zip(&ranges) {
                let (a, b) = (*c as i128 * r.lo as i128, *c as i128 * r.hi as i128);
                lo += a.min(b); hi += a.max(b);
            }
            prop_assert_eq!((out.interval.lo as i128, out.interval.hi as i128), (lo, hi));
            prop_assert_eq!(out.width, signed_width(lo, hi));
        }
        prop_assert!(g.depth() <= g.min_depth() + opts.depth_slack + 1, "depth {} min {}", g.depth(), g.min_depth());
        let lat = if opts.pipeline_every == 0 { 0 } else { g.depth().div_ceil(opts.pipeline_every) };
        prop_assert_eq!(g.latency(), lat);
        // Never worse than per-weight CSD with plain trees.
        let st = layer_report("t", &m, &ranges, &opts).expect("report");
        prop_assert!(st.adders() <= st.csd_baseline + st.negations, "{} > {}", st.adders(), st.csd_baseline);
        // Negations only where every term of an output is negative.
        // A negation is only allowed where no subtraction is reachable through additions used by
        // this output alone (such a subtraction could absorb the sign for free).
        let mut uses = vec![0usize; g.nodes().len()];
        for n in g.nodes() {
            match &n.kind {
                NodeKind::Add { lhs, rhs, .. } => { uses[lhs.node] += 1; uses[rhs.node] += 1; }
                NodeKind::Neg(op) => uses[op.node] += 1,
                NodeKind::Input(_) => {}
            }
        }
        for o in g.outputs().iter().filter_map(|o| o.term) {
            uses[o.node] += 1;
        }
        for (r, out) in g.outputs().iter().enumerate() {
            if let Some(t) = out.term {
                if let NodeKind::Neg(op) = g.nodes()[t.node].kind {
                    let mut stack = vec![op.node];
                    while let Some(n) = stack.pop() {
                        if uses[n] != 1 {
                            continue;
                        }
                        if let NodeKind::Add { lhs, rhs, sub } = g.nodes()[n].kind {
                            prop_assert!(!sub, "needless negation in row {:?}", m.row(r));
                            stack.extend([lhs.node, rhs.node]);
                        }
                    }
                }
            }
        }
        let negs = g.nodes().iter().filter(|n| matches!(n.kind, NodeKind::Neg(_))).count();
        let roots = g.outputs().iter().filter(|o| o.term.is_some_and(|t| matches!(g.nodes()[t.node].kind, NodeKind::Neg(_)))).count();
        prop_assert_eq!(negs, roots, "negations only at output roots");
    }
}

/// Every int8 constant as a 1x1 block, over all 256 inputs; adders never exceed CSD.
#[test]
fn single_constants_exhaustive() {
    for c in -128i64..=127 {
        let m = ConstMatrix::new(1, 1, vec![c]).expect("matrix");
        let g = lower(&m, &[Interval::INT8], &LowerOptions::default()).expect("lower");
        for x in -128i64..=127 {
            assert_eq!(g.eval(&[x]).expect("eval"), vec![c * x], "{c} * {x}");
        }
        let adders = g
            .nodes()
            .iter()
            .filter(|n| !matches!(n.kind, NodeKind::Input(_)))
            .count();
        // A negation only where every CSD digit is negative.
        let neg = (c < 0 && csd(c).iter().all(|d| d.neg)) as usize;
        assert!(
            adders <= (csd_weight(c) as usize).saturating_sub(1) + neg,
            "{c}: {adders} adders"
        );
        // Zero is free, powers of two are wiring (a negative one needs the negation).
        if c == 0 || (c > 0 && c.count_ones() == 1) {
            assert_eq!(adders, 0, "{c}");
        }
    }
}

/// Multiplier blocks (one input, many constants) over all 256 inputs: shared terms make them
/// cheaper than separate CSD multipliers, and identical odd constants are built once.
#[test]
fn mcm_blocks_exhaustive() {
    let cols = [
        vec![23i64, 46, -23, 92, 23, 81, 127, -105, 3, 5, 7, 9],
        (1..=64).map(|k| 2 * k - 1).collect::<Vec<i64>>(),
        vec![45, 45, -45, 90, 0, 0, 1, -1, -128, 64],
    ];
    for col in cols {
        let m = ConstMatrix::new(col.len(), 1, col.clone()).expect("matrix");
        for ranges in [[Interval::INT8], [Interval::RELU8]] {
            let g = lower(&m, &ranges, &LowerOptions::default()).expect("lower");
            for x in ranges[0].lo..=ranges[0].hi {
                assert_eq!(g.eval(&[x]).expect("eval"), reference(&m, &[x]));
            }
        }
        let g = lower(&m, &[Interval::INT8], &LowerOptions::default()).expect("lower");
        let adders = g
            .nodes()
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Add { .. }))
            .count();
        let odd: std::collections::BTreeSet<u64> = col
            .iter()
            .map(|c| c.unsigned_abs())
            .filter(|&c| c != 0)
            .map(|c| c >> c.trailing_zeros())
            .collect();
        let csd: usize = odd.iter().map(|&c| csd_weight(c as i64) as usize - 1).sum();
        assert!(
            adders <= csd,
            "{col:?}: {adders} adders, CSD of distinct odd constants {csd}"
        );
    }
}

#[test]
fn sparse_and_degenerate_matrices() {
    let m = ConstMatrix::new(3, 4, vec![0, 0, 0, 0, 0, 4, 0, 0, -8, 0, 0, 0]).expect("matrix");
    let g = lower(
        &m,
        &[Interval::INT8; 4],
        &LowerOptions {
            pipeline_every: 1,
            depth_slack: 2,
            ..LowerOptions::default()
        },
    )
    .expect("lower");
    assert_eq!(g.outputs()[0].term, None);
    assert_eq!(g.outputs()[1].width, 10);
    assert_eq!(
        g.eval(&[-128, -128, 5, 7]).expect("eval"),
        vec![0, -512, 1024]
    );
    // Wiring only except the single negation.
    assert_eq!(
        g.nodes()
            .iter()
            .filter(|n| !matches!(n.kind, NodeKind::Input(_)))
            .count(),
        1
    );
    let empty = ConstMatrix::new(0, 0, vec![]).expect("empty");
    let g = lower(&empty, &[], &LowerOptions::default()).expect("lower");
    assert_eq!(g.eval(&[]).expect("eval"), Vec::<i64>::new());
}

#[test]
fn errors_instead_of_panics() {
    let m = ConstMatrix::new(1, 2, vec![3, 5]).expect("matrix");
    assert!(matches!(
        ConstMatrix::new(2, 2, vec![1]),
        Err(ArithError::Shape { .. })
    ));
    assert!(matches!(
        ConstMatrix::new(1, 1, vec![1 << 20]),
        Err(ArithError::WeightTooLarge { .. })
    ));
    assert!(matches!(
        lower(&m, &[Interval::INT8], &LowerOptions::default()),
        Err(ArithError::RangeCount(2, 1))
    ));
    let bad = [Interval::new(3, 2), Interval::INT8];
    assert!(matches!(
        lower(&m, &bad, &LowerOptions::default()),
        Err(ArithError::EmptyRange { .. })
    ));
    let wide = [Interval::new(i64::MIN, 0), Interval::INT8];
    assert!(matches!(
        lower(&m, &wide, &LowerOptions::default()),
        Err(ArithError::RangeTooWide { .. })
    ));
    let g = lower(&m, &[Interval::INT8; 2], &LowerOptions::default()).expect("lower");
    assert!(matches!(g.eval(&[1]), Err(ArithError::InputCount { .. })));
    assert!(matches!(
        g.eval(&[1, 200]),
        Err(ArithError::InputOutOfRange { .. })
    ));
    let mut names = PortNames::default_for(&g);
    assert!(emit_verilog(&g, "module", &names).is_err());
    assert!(emit_verilog(&g, "3abc", &names).is_err());
    names.inputs[1] = "x0".into();
    assert!(emit_verilog(&g, "ok", &names).is_err());
    names.inputs[1] = "x0_q1".into();
    assert!(emit_verilog(&g, "ok", &names).is_err());
    names.inputs[1] = "clk".into();
    assert!(emit_verilog(&g, "ok", &names).is_err());
}

#[test]
fn deterministic_output() {
    let m = semifreddo::arith::random_int8_matrix(24, 24, 5);
    let r = vec![Interval::INT8; 24];
    let opts = LowerOptions {
        pipeline_every: 2,
        depth_slack: 2,
        ..LowerOptions::default()
    };
    let a = lower(&m, &r, &opts).expect("lower");
    let b = lower(&m, &r, &opts).expect("lower");
    let p = PortNames::default_for(&a);
    assert_eq!(
        emit_verilog(&a, "d", &p).expect("emit"),
        emit_verilog(&b, "d", &p).expect("emit")
    );
}

/// Layers large enough for every phase of the solver (high counts, the harm tie-break, merges)
/// stay exact, within depth, and within the CSD baseline, for every effort.
#[test]
fn medium_layers_exact() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    for (rows, cols, seed) in [(48usize, 40usize, 21u64), (9, 72, 22), (64, 64, 23)] {
        let m = semifreddo::arith::random_int8_matrix(rows, cols, seed);
        let ranges = vec![Interval::INT8; cols];
        for effort in [Effort::Fast, Effort::Balanced, Effort::Thorough] {
            let opts = LowerOptions {
                pipeline_every: 2,
                depth_slack: 2,
                effort,
            };
            let g = lower(&m, &ranges, &opts).expect("lower");
            for x in extremes(&ranges)
                .into_iter()
                .chain((0..16).map(|_| (0..cols).map(|_| rng.gen_range(-128..=127)).collect()))
            {
                assert_eq!(
                    g.eval(&x).expect("eval"),
                    reference(&m, &x),
                    "{rows}x{cols} {effort:?}"
                );
            }
            // No constant multiple of one input is built twice (up to shift and sign).
            let mut consts = std::collections::BTreeSet::new();
            for n in g
                .nodes()
                .iter()
                .filter(|n| matches!(n.kind, NodeKind::Add { .. }) && n.coeffs.len() == 1)
            {
                let (i, c) = n.coeffs[0];
                let a = c.unsigned_abs();
                assert!(
                    consts.insert((i, a >> a.trailing_zeros())),
                    "{rows}x{cols} {effort:?}: {c}*x{i} twice"
                );
            }
            let st = layer_report("m", &m, &ranges, &opts).expect("report");
            assert!(g.depth() <= g.min_depth() + 2);
            assert!(st.adders() < st.csd_baseline, "{rows}x{cols} {effort:?}");
        }
    }
}

/// Shapes that once tripped the negation rules (shared nodes on the way to a negative root):
/// exact over all int8 inputs, and never more operations (negations included) than CSD
/// multipliers for the distinct odd constants plus one negation per negative row.
#[test]
fn negation_cases() {
    for col in [
        vec![3115i64],
        vec![23, -23, 0, -3],
        vec![0, 0, 15163, 11],
        vec![-84],
        vec![-64, 5],
    ] {
        let m = ConstMatrix::new(col.len(), 1, col.clone()).expect("matrix");
        for slack in 0..3 {
            let g = lower(
                &m,
                &[Interval::INT8],
                &LowerOptions {
                    depth_slack: slack,
                    ..LowerOptions::default()
                },
            )
            .expect("lower");
            for x in -128i64..=127 {
                assert_eq!(g.eval(&[x]).expect("eval"), reference(&m, &[x]), "{col:?}");
            }
            let ops = g
                .nodes()
                .iter()
                .filter(|n| !matches!(n.kind, NodeKind::Input(_)))
                .count();
            let odd: std::collections::BTreeSet<i64> = col
                .iter()
                .filter(|&&c| c != 0)
                .map(|&c| c.abs() >> c.abs().trailing_zeros())
                .collect();
            let bound: usize = odd
                .iter()
                .map(|&c| csd_weight(c) as usize - 1)
                .sum::<usize>()
                + col.iter().filter(|&&c| c < 0).count();
            assert!(ops <= bound, "{col:?}: {ops} operations, bound {bound}");
        }
    }
}
