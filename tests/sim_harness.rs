//! Verilator co-simulation harness (src/sim, sim/harness.cpp) on toy designs in
//! tests/fixtures/sim. Needs Debian's `verilator` (>= 5.0), `g++` and `make`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use semifreddo::sim::{
    self, AxilPort, Beat, Built, Design, RunOptions, SimError, Stimulus, StreamPort, Tap,
};

const W: usize = 8;
const H: usize = 4;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sim")
        .join(name)
}

fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("sim-cache")
}

fn require_verilator() {
    if let Err(e) = sim::verilator_version() {
        panic!("these tests need Verilator >= 5.0 (apt-get install verilator): {e}");
    }
}

fn toy_design() -> Design {
    Design {
        top: "toy_top".into(),
        rtl_files: vec![fixture("toy_top.v"), fixture("toy_stage.v")],
        include_dirs: vec![],
        input_bits: 24,
        outputs: vec![
            StreamPort {
                prefix: "m_axis_feat".into(),
                bits: 24,
            },
            StreamPort {
                prefix: "m_axis_win".into(),
                bits: 100,
            },
        ],
        taps: vec![Tap {
            name: "s0".into(),
            valid: "u_s0.m_valid".into(),
            ready: Some("u_s0.m_ready".into()),
            data: "u_s0.m_data".into(),
            bits: 24,
        }],
        fifos: vec![],
        compile_once: vec![],
        axil: Some(AxilPort {
            addr_bits: 8,
            has_prot: true,
        }),
    }
}

fn toy() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        require_verilator();
        sim::build(&toy_design(), &cache_dir(), false).unwrap_or_else(|e| panic!("{e:#}"))
    })
}

fn frames(seed: u64, n: usize) -> Vec<Vec<u8>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| (0..W * H * 3).map(|_| rng.gen()).collect())
        .collect()
}

/// What toy_top must produce for these frames with register k.
fn expected(frames: &[Vec<u8>], k: &[u8]) -> (Vec<Beat>, Vec<Beat>) {
    let (mut feat, mut win) = (Vec::new(), Vec::new());
    let mut hist = [[0u8; 3]; 3];
    let mut idx = 0u32;
    for (f, frame) in frames.iter().enumerate() {
        for (p, px) in frame.chunks_exact(3).enumerate() {
            let user = p == 0;
            let last = p % W == W - 1;
            feat.push(Beat {
                user,
                last,
                data: px.iter().map(|b| b.wrapping_add(k[f])).collect(),
            });
            hist = [[px[0], px[1], px[2]], hist[0], hist[1]];
            let mut d: Vec<u8> = hist.iter().flatten().copied().collect();
            d.extend_from_slice(&idx.to_le_bytes()[..3]);
            d.push(0xA);
            win.push(Beat {
                user,
                last,
                data: d,
            });
            idx += 1;
        }
    }
    (feat, win)
}

fn expect_all(n: usize) -> BTreeMap<String, u64> {
    [
        ("m_axis_feat".to_string(), n as u64),
        ("m_axis_win".to_string(), n as u64),
    ]
    .into()
}

#[test]
fn bit_exact_without_gaps_and_cycles_per_frame() {
    let fr = frames(1, 3);
    let stim = Stimulus::from_frames(&fr, W, H, 3);
    let opts = RunOptions {
        expect: expect_all(3 * W * H),
        ..RunOptions::default()
    };
    let r = toy().run(&stim, &opts).unwrap_or_else(|e| panic!("{e:#}"));
    let (feat, win) = expected(&fr, &[0, 0, 0]);
    assert_eq!(r.stream("m_axis_feat"), &feat[..]);
    assert_eq!(r.stream("m_axis_win"), &win[..]);
    // the tap sees every beat after the add, with the cycle it happened
    let tap = &r.taps["s0"];
    assert_eq!(tap.len(), 3 * W * H);
    assert!(tap.iter().zip(&feat).all(|(t, b)| t.data == b.data));
    assert!(
        tap.windows(2).all(|w| w[1].cycle == w[0].cycle + 1),
        "no gaps: one beat per cycle"
    );
    let s = &r.stats;
    assert_eq!(s.status, "ok");
    assert_eq!(s.in_beats, (3 * W * H) as u64);
    assert_eq!(s.in_stall_cycles, 0);
    assert_eq!(
        s.frame_intervals(),
        vec![(W * H) as u64; 2],
        "cycles per frame = pixels"
    );
    assert_eq!(s.latency("m_axis_feat"), Some(2));
    let feat_stats = &s.streams["m_axis_feat"];
    assert_eq!(feat_stats.user_cycles.len(), 3);
    assert_eq!(feat_stats.last_cycles.len(), 3 * H);
    assert_eq!(feat_stats.stall_cycles, 0);
    assert!(s.cycles_per_second > 0.0);
}

/// Two processes (here threads) building the same new design: one builds, the other waits
/// on the cache's build lock and reuses that build.
#[test]
fn concurrent_builds_of_one_design_build_it_once() {
    require_verilator();
    let cache = tempfile::tempdir().unwrap();
    let builds: Vec<Built> = std::thread::scope(|s| {
        let jobs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| sim::build(&toy_design(), cache.path(), false).unwrap()))
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    assert_eq!(builds.iter().filter(|b| !b.cached).count(), 1, "built once");
    assert_eq!(builds[0].exe, builds[1].exe);
    assert!(builds[0].exe.is_file());
}

#[test]
fn bit_exact_with_random_gaps_and_backpressure() {
    let fr = frames(2, 2);
    let stim = Stimulus::from_frames(&fr, W, H, 3);
    let (feat, win) = expected(&fr, &[5, 5]);
    for seed in 1..=3 {
        let opts = RunOptions {
            seed,
            p_gap: 0.3,
            p_stall: 0.4,
            expect: expect_all(2 * W * H),
            config_script: Some("W 0 5\nR 0 5\n".into()),
            ..RunOptions::default()
        };
        let r = toy()
            .run(&stim, &opts)
            .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
        assert_eq!(r.stream("m_axis_feat"), &feat[..], "seed {seed}");
        assert_eq!(r.stream("m_axis_win"), &win[..], "seed {seed}");
        assert!(
            r.stats.in_stall_cycles > 0,
            "backpressure reached the input"
        );
        assert!(r.stats.streams.values().all(|s| s.stall_cycles > 0));
        assert!(r.stats.frame_intervals()[0] > (W * H) as u64);
    }
}

#[test]
fn axil_write_readback_and_reconfiguration_between_frames() {
    let fr = frames(3, 3);
    let stim = Stimulus::from_frames(&fr, W, H, 3);
    let script =
        "# k = 2 for frame 0\nW 0 2\nW 4 12345678\nW 4 ff 1   # byte strobe\nR 4 123456ff\n\
                  R 8 70790001\nR? c\nW? 10 1\n@frame 2\nQ 10\nW 0 7\nI 20\nR? c\n@end\nR c 60\nR? 0\n";
    let opts = RunOptions {
        p_gap: 0.2,
        p_stall: 0.2,
        expect: expect_all(3 * W * H),
        config_script: Some(script.into()),
        ..RunOptions::default()
    };
    let r = toy().run(&stim, &opts).unwrap_or_else(|e| panic!("{e:#}"));
    let (feat, _) = expected(&fr, &[2, 2, 7]);
    assert_eq!(r.stream("m_axis_feat"), &feat[..]);
    let reads: Vec<(u32, u32, &str)> = r
        .axil_reads
        .iter()
        .map(|a| (a.addr, a.data, a.resp.as_str()))
        .collect();
    assert_eq!(
        reads,
        vec![
            (4, 0x123456ff, "OKAY"),
            (8, 0x70790001, "OKAY"),
            (0xc, 0, "OKAY"),
            (0xc, (2 * W * H) as u32, "OKAY"),
            (0xc, (3 * W * H) as u32, "OKAY"),
            (0, 7, "OKAY")
        ],
        "the input beat counter reads 0 before streaming and 2 frames' worth before frame 2"
    );
    assert!(r.log.contains("W? 10 1 -> SLVERR"), "log: {}", r.log);
}

#[test]
fn axil_failing_expectation_is_a_clear_error() {
    let stim = Stimulus::from_frames(&frames(4, 1), W, H, 3);
    let opts = RunOptions {
        config_script: Some("W 4 cafe\nR 4 beef\n".into()),
        ..RunOptions::default()
    };
    let err = toy()
        .run(&stim, &opts)
        .expect_err("readback mismatch must fail");
    let msg = format!("{err:#}");
    assert!(
        matches!(err.downcast_ref::<SimError>(), Some(SimError::Axil { .. })),
        "{msg}"
    );
    assert!(
        msg.contains("line 2") && msg.contains("expected 0x0000beef, got 0x0000cafe"),
        "unclear message: {msg}"
    );
    let opts = RunOptions {
        config_script: Some("W 20 1\n".into()),
        ..RunOptions::default()
    };
    let msg = format!(
        "{:#}",
        toy().run(&stim, &opts).expect_err("SLVERR must fail")
    );
    assert!(
        msg.contains("bresp SLVERR") && msg.contains("line 1"),
        "{msg}"
    );
}

#[test]
fn idle_markers_are_not_deadlocks_and_extra_beats_are_errors() {
    let fr = frames(5, 2);
    let mut stim = Stimulus::new(3);
    stim.push_frame(&fr[0], W, H)
        .push_idle(500)
        .push_frame(&fr[1], W, H);
    let opts = RunOptions {
        timeout: 100,
        expect: expect_all(2 * W * H),
        ..RunOptions::default()
    };
    let r = toy().run(&stim, &opts).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(r.stats.frame_intervals(), vec![(W * H + 500) as u64]);
    let (feat, _) = expected(&fr, &[0, 0]);
    assert_eq!(r.stream("m_axis_feat"), &feat[..]);

    // without expectations the run ends after `timeout` quiet cycles
    let opts = RunOptions {
        timeout: 1000,
        ..RunOptions::default()
    };
    let r = toy().run(&stim, &opts).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(r.stream("m_axis_feat"), &feat[..]);
    assert!(r.stats.cycles >= (2 * W * H + 500 + 1000) as u64);

    let opts = RunOptions {
        expect: expect_all(2 * W * H - 1),
        ..RunOptions::default()
    };
    let msg = format!(
        "{:#}",
        toy().run(&stim, &opts).expect_err("one beat too many")
    );
    assert!(
        msg.contains("m_axis_feat produced more beats than the 63 expected"),
        "{msg}"
    );
}

#[test]
fn malformed_frames_reach_the_design_as_written() {
    let fr = frames(6, 1);
    let mut stim = Stimulus::new(3);
    stim.push_frame_short_line(&fr[0], W, H, 1, 3)
        .push_frame_long_line(&fr[0], W, H, 2, 2)
        .push_frame_without_sof(&fr[0], W, H)
        .push_frame_mid_sof(&fr[0], W, H, 2, 5)
        .push_frame_truncated(&fr[0], W, H, 1, 4);
    let n = stim.beats();
    assert_eq!(n, (W * H - 5) + (W * H + 2) + W * H + W * H + (W + 4));
    let opts = RunOptions {
        p_gap: 0.3,
        p_stall: 0.3,
        expect: expect_all(n),
        ..RunOptions::default()
    };
    let r = toy().run(&stim, &opts).unwrap_or_else(|e| panic!("{e:#}"));
    let sent: Vec<Beat> = stim
        .items()
        .iter()
        .filter_map(|i| match i {
            sim::StimItem::Beat(b) => Some(b.clone()),
            _ => None,
        })
        .collect();
    let got: Vec<(bool, bool, Vec<u8>)> = r
        .stream("m_axis_feat")
        .iter()
        .map(|b| (b.user, b.last, b.data.clone()))
        .collect();
    let want: Vec<(bool, bool, Vec<u8>)> = sent
        .iter()
        .map(|b| (b.user, b.last, b.data.clone()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        r.stats.frame_start_cycles.len(),
        5,
        "tuser beats: 3 frame starts + mid-frame + truncated"
    );
    // file format round trip
    assert_eq!(Stimulus::from_bytes(&stim.to_bytes(), 3).unwrap(), stim);
}

#[test]
fn deadlock_is_reported_and_build_is_cached() {
    require_verilator();
    let cache = tempfile::tempdir().unwrap();
    let design = Design {
        top: "toy_stuck".into(),
        rtl_files: vec![fixture("toy_stuck.v")],
        include_dirs: vec![],
        input_bits: 8,
        outputs: vec![StreamPort {
            prefix: "m_axis_o".into(),
            bits: 8,
        }],
        taps: vec![],
        fifos: vec![],
        compile_once: vec![],
        axil: None,
    };
    let first = sim::build(&design, cache.path(), false).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!first.cached);
    let t = Instant::now();
    let again = sim::build(&design, cache.path(), false).unwrap();
    assert!(again.cached, "unchanged inputs must not rebuild");
    assert_eq!(again.exe, first.exe);
    assert!(
        t.elapsed().as_secs_f64() < 2.0,
        "cached build took {:?}",
        t.elapsed()
    );

    let mut stim = Stimulus::new(1);
    stim.push_lines(&[&[1u8; 16][..], &[2u8; 16][..]], true);
    let opts = RunOptions {
        timeout: 300,
        p_stall: 0.3,
        expect: [("m_axis_o".to_string(), 32)].into(),
        ..RunOptions::default()
    };
    let t = Instant::now();
    let err = first
        .run(&stim, &opts)
        .expect_err("toy_stuck must deadlock");
    assert!(t.elapsed().as_secs_f64() < 10.0);
    let msg = format!("{err:#}");
    assert!(
        matches!(
            err.downcast_ref::<SimError>(),
            Some(SimError::Deadlock { .. })
        ),
        "{msg}"
    );
    assert!(
        msg.contains("s_axis: 10 of 32 beats accepted, tvalid=1 tready=0"),
        "{msg}"
    );
    assert!(msg.contains("m_axis_o: 10 of 32 beats"), "{msg}");

    // pruning keeps the newest build per top
    std::fs::create_dir_all(cache.path().join(".tmp-abandoned")).unwrap();
    assert_eq!(sim::prune_cache(cache.path(), 1).unwrap(), 0);
    assert!(first.exe.is_file());
    let lock = cache.path().join(format!(
        ".lock-{}",
        first.dir.file_name().unwrap().to_string_lossy()
    ));
    assert!(lock.is_file(), "the build lock beside the build");
    assert_eq!(sim::prune_cache(cache.path(), 0).unwrap(), 1);
    assert!(!first.exe.exists());
    assert!(!lock.exists(), "pruned with its build");
    assert!(!sim::build(&design, cache.path(), false).unwrap().cached);

    // a tap on a signal Verilator does not keep (not `public_flat_rd`, or misspelt) fails the
    // build with a hint
    let tapped = Design {
        taps: vec![Tap {
            name: "n".into(),
            valid: "v_q".into(),
            ready: None,
            data: "no_such_signal".into(),
            bits: 4,
        }],
        ..design.clone()
    };
    let msg = format!(
        "{:#}",
        sim::build(&tapped, cache.path(), false).expect_err("private tap")
    );
    assert!(msg.contains("verilator public_flat_rd"), "{msg}");

    // an unknown top is a build error with Verilator's message
    let bad = Design {
        top: "no_such_top".into(),
        ..design
    };
    let msg = format!(
        "{:#}",
        sim::build(&bad, cache.path(), false).expect_err("unknown top")
    );
    assert!(
        msg.contains("verilator build of `no_such_top`") && msg.contains("%Error"),
        "{msg}"
    );
}

#[test]
fn waveform_build_writes_fst() {
    require_verilator();
    let built = sim::build(&toy_design(), &cache_dir(), true).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(built.waveform);
    let dir = tempfile::tempdir().unwrap();
    let fst = dir.path().join("toy.fst");
    let stim = Stimulus::from_frames(&frames(7, 1), W, H, 3);
    let opts = RunOptions {
        fst: Some(fst.clone()),
        expect: expect_all(W * H),
        ..RunOptions::default()
    };
    built.run(&stim, &opts).unwrap_or_else(|e| panic!("{e:#}"));
    let len = std::fs::metadata(&fst).map(|m| m.len()).unwrap_or(0);
    assert!(len > 100, "FST file missing or empty ({len} bytes)");
    // a window of 10 cycles gives a smaller file
    let small = dir.path().join("window.fst");
    let opts_w = RunOptions {
        fst: Some(small.clone()),
        fst_window: Some((5, 15)),
        ..opts.clone()
    };
    built
        .run(&stim, &opts_w)
        .unwrap_or_else(|e| panic!("{e:#}"));
    let small_len = std::fs::metadata(&small).map(|m| m.len()).unwrap_or(0);
    assert!(
        small_len > 0 && small_len < len,
        "window {small_len} vs full {len} bytes"
    );
    // the plain build refuses --fst
    let err = toy()
        .run(&stim, &opts)
        .expect_err("no tracing in the plain build");
    assert!(format!("{err}").contains("without tracing"));
}

#[test]
fn filelist_is_resolved_relative_to_its_folder() {
    let (files, incs) = sim::read_filelist(&fixture("toy_top.f")).unwrap();
    assert_eq!(files, vec![fixture("toy_top.v"), fixture("toy_stage.v")]);
    assert_eq!(incs, vec![fixture(".")]);
}

#[test]
fn header_mangles_hierarchical_names_like_verilator() {
    assert_eq!(
        sim::mangle("top", "u_s1_b0.m_valid"),
        "top__DOT__u_s1_b0__DOT__m_valid"
    );
    assert_eq!(
        sim::mangle("top", "g_x[2].u.d"),
        "top__DOT__g_x__BRA__2__KET____DOT__u__DOT__d"
    );
    let h = sim::design_header(&toy_design());
    assert!(h.contains("t->rootp->toy_top__DOT__u_s0__DOT__m_data"));
    assert!(h.contains("#define SF_HAS_AXIL 1"));
}

#[test]
fn wide_input_and_odd_widths_are_bit_exact() {
    require_verilator();
    let design = Design {
        top: "toy_wide".into(),
        rtl_files: vec![fixture("toy_wide.v")],
        include_dirs: vec![],
        input_bits: 80,
        outputs: vec![
            StreamPort {
                prefix: "m_axis_o".into(),
                bits: 80,
            },
            StreamPort {
                prefix: "m_axis_s".into(),
                bits: 12,
            },
        ],
        taps: vec![],
        fifos: vec![],
        compile_once: vec![],
        axil: None,
    };
    let built = sim::build(&design, &cache_dir(), false).unwrap_or_else(|e| panic!("{e:#}"));
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let fr: Vec<Vec<u8>> = (0..2)
        .map(|_| (0..5 * 3 * 10).map(|_| rng.gen()).collect())
        .collect();
    let stim = Stimulus::from_frames(&fr, 5, 3, 10);
    let n = 2 * 5 * 3;
    let opts = RunOptions {
        seed: 4,
        p_gap: 0.25,
        p_stall: 0.25,
        expect: [("m_axis_o".to_string(), n), ("m_axis_s".to_string(), n)].into(),
        ..RunOptions::default()
    };
    let r = built.run(&stim, &opts).unwrap_or_else(|e| panic!("{e:#}"));
    let px: Vec<&[u8]> = fr.iter().flat_map(|f| f.chunks_exact(10)).collect();
    let o = r.stream("m_axis_o");
    assert_eq!(o.iter().map(|b| b.data.as_slice()).collect::<Vec<_>>(), px);
    let flat: Vec<u8> = sim::flatten_i8(o).iter().map(|&v| v as u8).collect();
    assert_eq!(flat, fr.concat());
    let sums: Vec<i16> = r.stream("m_axis_s").iter().map(|b| b.as_i16()[0]).collect();
    let want: Vec<i16> = px
        .iter()
        .map(|p| p.iter().map(|&b| b as i16).sum())
        .collect();
    assert_eq!(sums, want);
    let s = &r.stats.streams["m_axis_s"];
    assert_eq!(s.user_cycles.len(), 2);
    assert_eq!(s.frame_end_cycles().len(), 2);
    assert!(s.frame_end_cycles().iter().all(|c| c.is_some()));
    assert_eq!(
        Some(*s.last_cycles.last().unwrap()),
        s.frame_end_cycles()[1]
    );
    assert!(o[0].user && !o[1].user && o[4].last && !o[3].last);
}

#[test]
fn randomized_initial_state_does_not_change_outputs() {
    require_verilator();
    let opts = sim::BuildOptions {
        randomize_x: true,
        ..Default::default()
    };
    let built =
        sim::build_with(&toy_design(), &cache_dir(), &opts).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(built.randomize_x);
    let fr = frames(8, 1);
    let stim = Stimulus::from_frames(&fr, W, H, 3);
    let (feat, win) = expected(&fr, &[0]);
    for seed in [3, 11] {
        let run = RunOptions {
            seed,
            p_gap: 0.2,
            p_stall: 0.2,
            expect: expect_all(W * H),
            ..Default::default()
        };
        let r = built
            .run(&stim, &run)
            .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
        assert_eq!(r.stream("m_axis_feat"), &feat[..]);
        assert_eq!(r.stream("m_axis_win"), &win[..]);
    }
}
