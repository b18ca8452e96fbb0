//! Models shared by the RTL tests.
#![allow(dead_code)]

use semifreddo::model::manifest::{
    FrozenBn, Generation, HeadSource, HeadSpec, Input, Manifest, Stage, Topology, FORMAT,
};
use semifreddo::model::{presets, Model};
use semifreddo::modelgen::init::init;
use std::path::PathBuf;

/// The embedded `tiny` preset with a seed.
pub fn tiny(seed: u64) -> Model {
    init(&presets::preset("tiny").unwrap(), seed)
}

/// `tiny`'s frozen core with its requant baked in (`frozen_bn = "frozen"`): the same
/// parallel and folded stages, with constant requantization lowered to shift-add. Constant
/// requant is the frozen core's own matter, so the trainable cores (and the heads that read
/// them) are left out: they would more than double the Verilator build of this model.
pub fn tiny_frozen_bn(seed: u64) -> Model {
    let mut p = presets::preset("tiny").unwrap();
    p.manifest.generation.frozen_bn = FrozenBn::Frozen;
    p.manifest.topology.trainable_cores = 0;
    p.manifest.topology.repeat_banks = 0;
    let frozen: Vec<bool> = p
        .manifest
        .heads
        .iter()
        .map(|h| h.source == HeadSource::Frozen)
        .collect();
    let mut keep = frozen.iter();
    p.manifest.heads.retain(|_| *keep.next().unwrap());
    let mut keep = frozen.iter();
    p.pool.retain(|_| *keep.next().unwrap());
    init(&p, seed)
}

/// A second, different topology: grey 24x16 input, a stride-1 stage with a regular first
/// block, no trainable cores.
pub fn mini(seed: u64) -> Model {
    let manifest = Manifest {
        format: FORMAT.to_string(),
        name: "mini".to_string(),
        tensors: "model.safetensors".to_string(),
        input: Input {
            height: 16,
            width: 24,
            channels: 1,
        },
        topology: Topology {
            stem_channels: 4,
            trainable_cores: 0,
            repeat_banks: 0,
            stages: vec![
                Stage {
                    channels: 8,
                    stride: 2,
                    frozen_repeats: 0,
                    trainable_repeats: 0,
                },
                Stage {
                    channels: 8,
                    stride: 1,
                    frozen_repeats: 1,
                    trainable_repeats: 0,
                },
                Stage {
                    channels: 16,
                    stride: 2,
                    frozen_repeats: 0,
                    trainable_repeats: 0,
                },
            ],
        },
        heads: vec![HeadSpec {
            source: HeadSource::Frozen,
            outputs: 4,
            groups: 1,
        }],
        generation: Generation::default(),
    };
    init(
        &presets::Preset {
            manifest,
            pool: vec![true],
            calibration_images: 4,
        },
        seed,
    )
}

/// One simulator cache for all tests (each design is built once per test run).
pub fn sim_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sim-cache")
}

/// Fails (never skips) when an EDA tool is missing: `scripts/test` installs them.
pub fn require_tool(tool: &str) {
    let ok = std::process::Command::new(tool).arg("-V").output().is_ok()
        || std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok();
    assert!(ok, "`{tool}` is not installed; run scripts/test, which installs Debian's verilator, iverilog and yosys");
}

/// A small model with one trainable core: grey 24x16 input, C_0 = 4, a downsample stage to 8
/// channels and a stride-1 stage with one extra trainable block (a trainable stage that is
/// not a boundary), frozen head.
pub fn train_one(seed: u64) -> Model {
    small_trainable(
        "train_one",
        16,
        24,
        1,
        vec![(8, 2, 0, 0), (8, 1, 1, 1)],
        seed,
    )
}

/// A small model with two trainable cores: RGB 16x16 input, C_0 = 4, two downsample stages
/// (8 and 16 channels), core shuffle at every boundary per the model.
pub fn train_two(seed: u64) -> Model {
    small_trainable(
        "train_two",
        16,
        16,
        2,
        vec![(8, 2, 0, 0), (16, 2, 1, 0)],
        seed,
    )
}

/// Two trainable cores beside a frozen stage three blocks deeper (like qvga and vga): the
/// trainable features must wait for the frozen ones in trainable-side skew FIFOs.
pub fn train_deep(seed: u64) -> Model {
    small_trainable(
        "train_deep",
        16,
        16,
        2,
        vec![(8, 2, 3, 0), (16, 2, 0, 0)],
        seed,
    )
}

/// stages: (channels, stride, frozen_repeats, trainable_repeats).
fn small_trainable(
    name: &str,
    h: usize,
    w: usize,
    cores: usize,
    stages: Vec<(usize, usize, usize, usize)>,
    seed: u64,
) -> Model {
    let manifest = Manifest {
        format: FORMAT.to_string(),
        name: name.to_string(),
        tensors: "model.safetensors".to_string(),
        input: Input {
            height: h,
            width: w,
            channels: if cores == 1 { 1 } else { 3 },
        },
        topology: Topology {
            stem_channels: 4,
            trainable_cores: cores,
            repeat_banks: 0,
            stages: stages
                .into_iter()
                .map(
                    |(channels, stride, frozen_repeats, trainable_repeats)| Stage {
                        channels,
                        stride,
                        frozen_repeats,
                        trainable_repeats,
                    },
                )
                .collect(),
        },
        heads: vec![HeadSpec {
            source: HeadSource::Frozen,
            outputs: 4,
            groups: 1,
        }],
        generation: Generation::default(),
    };
    init(
        &presets::Preset {
            manifest,
            pool: vec![true],
            calibration_images: 4,
        },
        seed,
    )
}

/// Runs a tool, panicking with its output when it fails; returns stdout and stderr.
pub fn run_tool(cmd: &mut std::process::Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// Verification options on the shared simulator cache.
pub fn verify_opts(
    frames: usize,
    seed: u64,
    gap: f64,
    stall: f64,
) -> semifreddo::verify::VerifyOptions {
    let mut o = semifreddo::verify::VerifyOptions::new(sim_cache());
    o.frames = frames;
    o.seed = seed;
    o.p_gap = gap;
    o.p_stall = stall;
    o
}

/// `verilator --lint-only -Wall` (no warnings allowed) and `iverilog -g2005` on a design's
/// Verilog sources.
pub fn lint_and_compile(top: &str, srcs: &[String], scratch: &std::path::Path) {
    use std::process::Command;
    let lint = run_tool(
        Command::new("verilator")
            .args(["--lint-only", "-Wall", "--top-module", top])
            .args(srcs),
    );
    assert!(!lint.contains("%Warning"), "{top}: lint warnings:\n{lint}");
    run_tool(
        Command::new("iverilog")
            .args(["-g2005", "-o"])
            .arg(scratch.join("a.out"))
            .args(["-s", top])
            .args(srcs),
    );
}

/// Each malformed input frame sets its sticky STATUS bit (readable and clearable over
/// AXI4-Lite), is completed with zero pixels (or dropped, without a start of frame), and the
/// next good frame is bit-exact; nothing deadlocks, with random gaps and backpressure.
pub fn malformed_frames_raise_a_flag_and_the_pipeline_recovers(m: &Model) {
    use semifreddo::sim::Stimulus;
    use semifreddo::verify;
    let size = m.layout.input;
    let (w, h, ch) = (size.w, size.h, m.layout.in_channels);
    let o = verify_opts(3, 21, 0.2, 0.2);
    let prepared = verify::prepare(m, m, &o).unwrap();
    let fr = verify::frames(m, &o).unwrap();
    let (good0, bad, good1) = (&fr[0], &fr[1], &fr[2]);
    // What the sanitizer passes on: the first `n` pixels, then zero pixels.
    let cut = |n: usize| -> Vec<u8> {
        let mut v = bad[..n * ch].to_vec();
        v.resize(w * h * ch, 0);
        v
    };
    type Push<'a> = Box<dyn Fn(&mut Stimulus) + 'a>;
    let cases: Vec<(&str, u32, Option<Vec<u8>>, Push)> = vec![
        (
            "short line",
            0x1,
            Some(cut(2 * w + 5)),
            Box::new(|s: &mut Stimulus| {
                s.push_frame_short_line(bad, w, h, 2, 5);
            }),
        ),
        (
            "long line",
            0x2,
            Some(cut(4 * w)),
            Box::new(|s: &mut Stimulus| {
                s.push_frame_long_line(bad, w, h, 3, 4);
            }),
        ),
        (
            "missing start of frame",
            0x4,
            None,
            Box::new(|s: &mut Stimulus| {
                s.push_frame_without_sof(bad, w, h);
            }),
        ),
        (
            "start of frame inside a frame",
            0x8,
            Some(cut(5 * w + 7)),
            Box::new(|s: &mut Stimulus| {
                s.push_frame_truncated(bad, w, h, 5, 7);
            }),
        ),
    ];
    for (name, flag, sanitized, push) in cases {
        let mut stim = Stimulus::new(ch);
        stim.push_frame(good0, w, h);
        push(&mut stim);
        stim.push_idle(50);
        stim.push_frame(good1, w, h);
        let mut expected = vec![good0.clone()];
        expected.extend(sanitized);
        expected.push(good1.clone());
        let mut ro = prepared.run_options(&o, expected.len());
        let script = ro.config_script.take().unwrap_or_default();
        ro.config_script = Some(format!(
            "{script}@end\nR 0xc {flag:#x}\nW 0x14 0x1\nR 0xc 0x0\n"
        ));
        let result = prepared
            .built
            .run(&stim, &ro)
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let run = verify::SimRun {
            plan: prepared.plan.clone(),
            frames: expected,
            result,
            build_seconds: 0.0,
            build_cached: true,
        };
        let r = verify::check(m, &run);
        assert!(r.passed(), "{name}: {r}");
    }
}

/// `semifreddo verify`'s skew-FIFO table is there and every FIFO the plan sized was measured,
/// used (peak > 0) and never full (peak < planned depth).
pub fn assert_fifos_measured(r: &semifreddo::verify::VerifyReport) {
    let text = r.to_string();
    assert!(!r.fifos.is_empty(), "no skew FIFOs: {text}");
    assert!(
        text.contains("skew FIFOs, planned depth vs peak occupancy"),
        "{text}"
    );
    for q in &r.fifos {
        let peak = q
            .peak
            .unwrap_or_else(|| panic!("{} was not measured: {text}", q.name));
        assert!(
            peak > 0 && peak < q.depth,
            "{}: peak {peak} of depth {}: {text}",
            q.name,
            q.depth
        );
        assert!(text.contains(&format!("    {:<12} {:>6} {:>6}", q.name, q.depth, peak)));
    }
}
