//! Quality gates for the hand-written Verilog primitives in `templates/primitives/`:
//! every primitive is clean under `verilator --lint-only -Wall` (no waivers), compiles with
//! `iverilog -g2005` and synthesizes with `yosys synth`, each with a couple of parameter sets;
//! and the Verilator testbenches in `tests/primitives/` (random valid gaps and ready
//! backpressure, bit-exact reference models, throughput checks) pass.
//!
//! These tests need `verilator`, `iverilog` and `yosys` on PATH (Debian: `apt-get install
//! verilator iverilog yosys`). Without them the tests FAIL with a message saying so: they never
//! pass silently.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn prim_dir() -> PathBuf {
    root().join("templates/primitives")
}

fn tb_dir() -> PathBuf {
    root().join("tests/primitives")
}

fn prim(name: &str) -> String {
    prim_dir()
        .join(format!("{name}.v"))
        .to_string_lossy()
        .into_owned()
}

fn tb(name: &str) -> String {
    tb_dir().join(name).to_string_lossy().into_owned()
}

/// Panics with an actionable message when a required EDA tool is missing.
fn require_tool(tool: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{tool}` is not on PATH: the primitive quality gates need verilator, iverilog and yosys \
         (Debian: `apt-get install -y verilator iverilog yosys`). Failing rather than skipping."
    );
}

/// Runs a command in `dir`, panicking with its output if it fails. Returns stdout.
fn run(dir: &Path, what: &str, cmd: &mut Command) -> String {
    let t = Instant::now();
    let out = cmd
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start {cmd:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{cmd:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        tail(&stdout, 6000),
        tail(&stderr, 6000)
    );
    eprintln!("{what}: ok in {:.1} s", t.elapsed().as_secs_f64());
    stdout
}

fn tail(s: &str, n: usize) -> &str {
    if s.len() <= n {
        s
    } else {
        let mut i = s.len() - n;
        while !s.is_char_boundary(i) {
            i += 1;
        }
        &s[i..]
    }
}

/// One lint/compile/synthesis case: top module, source files, parameter overrides.
struct Case {
    top: &'static str,
    files: Vec<String>,
    params: Vec<(&'static str, u32)>,
}

fn cases() -> Vec<Case> {
    let c = |top: &'static str, deps: &[&str], params: &[(&'static str, u32)]| {
        let mut files = vec![prim(top)];
        files.extend(deps.iter().map(|d| prim(d)));
        Case {
            top,
            files,
            params: params.to_vec(),
        }
    };
    vec![
        c("sf_fifo", &["sf_sram_1r1w", "sf_fanout"], &[]),
        c(
            "sf_fifo",
            &["sf_sram_1r1w", "sf_fanout"],
            &[("WIDTH", 3), ("DEPTH", 5)],
        ),
        c(
            "sf_fifo",
            &["sf_sram_1r1w", "sf_fanout"],
            &[("WIDTH", 1), ("DEPTH", 2)],
        ),
        c(
            "sf_fifo",
            &["sf_sram_1r1w", "sf_fanout"],
            &[("WIDTH", 100), ("DEPTH", 9)],
        ),
        c("sf_skid_buffer", &[], &[]),
        c("sf_skid_buffer", &[], &[("WIDTH", 1)]),
        c(
            "sf_sram_sp",
            &[],
            &[("WIDTH", 16), ("DEPTH", 10), ("BE_W", 8)],
        ),
        c("sf_sram_sp", &[], &[("WIDTH", 5), ("DEPTH", 1)]),
        c("sf_sram_1r1w", &[], &[("WIDTH", 12), ("DEPTH", 7)]),
        c("sf_sram_1r1w", &[], &[("WIDTH", 1), ("DEPTH", 1)]),
        c(
            "sf_window3x3",
            &["sf_sram_1r1w", "sf_fanout"],
            &[("CH_BITS", 8), ("WIDTH", 5), ("HEIGHT", 3)],
        ),
        c(
            "sf_window3x3",
            &["sf_sram_1r1w", "sf_fanout"],
            &[("CH_BITS", 24), ("WIDTH", 8), ("HEIGHT", 6), ("STRIDE", 2)],
        ),
        c(
            "sf_window3x3",
            &["sf_sram_1r1w", "sf_fanout"],
            &[("CH_BITS", 3), ("WIDTH", 1), ("HEIGHT", 1)],
        ),
        c(
            "sf_window_reader",
            &["sf_sram_1r1w"],
            &[
                ("CH_BITS", 24),
                ("WIDTH", 5),
                ("HEIGHT", 3),
                ("GROUP_BITS", 8),
            ],
        ),
        c(
            "sf_window_reader",
            &["sf_sram_1r1w"],
            &[
                ("CH_BITS", 32),
                ("WIDTH", 8),
                ("HEIGHT", 6),
                ("STRIDE", 2),
                ("GROUP_BITS", 16),
                ("MID_BITS", 20),
            ],
        ),
        c(
            "sf_window_reader",
            &["sf_sram_1r1w"],
            &[
                ("CH_BITS", 8),
                ("WIDTH", 1),
                ("HEIGHT", 1),
                ("GROUP_BITS", 8),
            ],
        ),
        c(
            "sf_axis_video_in",
            &[],
            &[("DATA_W", 24), ("WIDTH", 7), ("HEIGHT", 5)],
        ),
        c(
            "sf_axis_video_in",
            &[],
            &[("DATA_W", 8), ("WIDTH", 1), ("HEIGHT", 1), ("CNT_W", 1)],
        ),
        c("sf_delay", &[], &[("WIDTH", 3), ("DEPTH", 0)]),
        c("sf_delay", &[], &[("WIDTH", 5), ("DEPTH", 3), ("RESET", 1)]),
        c("sf_requant_pipe", &[], &[]),
        c(
            "sf_requant_pipe",
            &[],
            &[("ACC_W", 40), ("RELU", 0), ("OUT_W", 16)],
        ),
        c(
            "sf_requant_seq",
            &["sf_requant_pipe", "sf_sram_1r1w"],
            &[("CH", 5), ("R", 2), ("ACC_W", 24), ("RELU", 0)],
        ),
        c(
            "sf_requant_seq",
            &["sf_requant_pipe", "sf_sram_1r1w"],
            &[("CH", 1), ("R", 1)],
        ),
        c("sf_axil_regbus", &[], &[("ADDR_W", 12)]),
        c("sf_blend", &["sf_fanout"], &[]),
        c("sf_fork", &[], &[]),
        c("sf_fork", &[], &[("N", 1)]),
        c("sf_blend", &["sf_fanout"], &[("CH", 5), ("SIDE_W", 2)]),
        c(
            "sf_mac_engine",
            &["sf_sram_sp", "sf_requant_pipe", "sf_fanout", "sf_delay"],
            &[],
        ),
        c(
            "sf_mac_engine",
            &["sf_sram_sp", "sf_requant_pipe", "sf_fanout", "sf_delay"],
            &[
                ("P", 3),
                ("Q", 2),
                ("MUL_REG", 1),
                ("LPR", 1),
                ("RQ_SEL", 1),
            ],
        ),
        c("sf_requant_pipe", &[], &[]),
        c(
            "sf_requant_pipe",
            &[],
            &[
                ("ACC_W", 40),
                ("OUT_W", 16),
                ("RELU", 0),
                ("SPLIT", 4),
                ("STAGES", 1),
                ("PARAMS_HELD", 3),
                ("TAG_W", 4),
            ],
        ),
        c("sf_requant_pipe", &[], &[("STAGES", 4), ("PARAMS_HELD", 1)]),
        c("sf_fanout", &[], &[]),
        c("sf_fanout", &[], &[("N", 1), ("W", 5)]),
        c("sf_pwl", &["sf_skid_buffer", "sf_delay"], &[]),
        c(
            "sf_pwl",
            &["sf_skid_buffer", "sf_delay"],
            &[("K_MAX", 1), ("SIDE_W", 3)],
        ),
        c("sf_serialize", &["sf_fanout"], &[]),
        c("sf_serialize", &["sf_fanout"], &[("N", 1), ("W", 3)]),
        c(
            "sf_head_pool",
            &["sf_sram_sp", "sf_requant_pipe", "sf_fanout"],
            &[],
        ),
        c(
            "sf_head_pool",
            &["sf_sram_sp", "sf_requant_pipe", "sf_fanout"],
            &[
                ("IN_N", 6),
                ("OUT_N", 3),
                ("L", 2),
                ("GO", 1),
                ("Q", 5),
                ("PIXELS", 1),
                ("ACC_W", 20),
            ],
        ),
    ]
}

fn describe(c: &Case) -> String {
    let p: Vec<String> = c.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}({})", c.top, p.join(","))
}

#[test]
fn primitives_lint_verilator_wall() {
    require_tool("verilator");
    let dir = tempfile::tempdir().unwrap();
    for c in cases() {
        let mut cmd = Command::new("verilator");
        cmd.args(["--lint-only", "-Wall", "--top-module", c.top]);
        for (k, v) in &c.params {
            cmd.arg(format!("-G{k}={v}"));
        }
        cmd.args(&c.files);
        run(
            dir.path(),
            &format!("verilator -Wall {}", describe(&c)),
            &mut cmd,
        );
    }
}

#[test]
fn primitives_compile_iverilog_2005() {
    require_tool("iverilog");
    let dir = tempfile::tempdir().unwrap();
    for c in cases() {
        let mut cmd = Command::new("iverilog");
        cmd.args(["-g2005", "-Wall", "-o", "out.vvp", "-s", c.top]);
        for (k, v) in &c.params {
            cmd.arg(format!("-P{}.{k}={v}", c.top));
        }
        cmd.args(&c.files);
        let what = format!("iverilog -g2005 {}", describe(&c));
        let out = cmd
            .current_dir(dir.path())
            .output()
            .expect("cannot start iverilog");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{what} failed:\n{stderr}");
        // iverilog -Wall warnings (implicit nets, width, timescale) are errors for us
        assert!(
            stderr.trim().is_empty(),
            "{what} printed warnings:\n{stderr}"
        );
        eprintln!("{what}: ok");
    }
}

#[test]
fn primitives_synthesize_yosys() {
    require_tool("yosys");
    let dir = tempfile::tempdir().unwrap();
    for c in cases() {
        let mut script = String::new();
        for f in &c.files {
            script.push_str(&format!("read_verilog -defer {f}; "));
        }
        let p: Vec<String> = c
            .params
            .iter()
            .map(|(k, v)| format!("-set {k} {v}"))
            .collect();
        if !p.is_empty() {
            script.push_str(&format!("chparam {} {}; ", p.join(" "), c.top));
        }
        script.push_str(&format!("synth -top {}; check -assert; stat", c.top));
        let mut cmd = Command::new("yosys");
        cmd.args(["-q", "-p", &script]);
        run(
            dir.path(),
            &format!("yosys synth {}", describe(&c)),
            &mut cmd,
        );
    }
}

/// sf_fanout's copies stay separate flip-flops through synthesis (its reason to exist: a
/// merged copy puts every load back on one flip-flop), in Yosys' generic flow (opt_merge after
/// ABC) and in `synth_ecp5`, and an ECP5 copy's enable costs at most one LUT4 per bit (a
/// whole-copy compare put a comparator tree into the path from d).
#[test]
fn fanout_copies_survive_synthesis() {
    require_tool("yosys");
    let dir = tempfile::tempdir().unwrap();
    let (n, w) = (4, 14);
    let cells = |flow: &str, kind: &str| -> usize {
        let script = format!(
            "read_verilog {}; chparam -set N {n} -set W {w} sf_fanout; {flow} -top sf_fanout; \
             tee -o stat.txt stat",
            prim("sf_fanout")
        );
        run(
            dir.path(),
            flow,
            Command::new("yosys").args(["-q", "-p", &script]),
        );
        let stat = std::fs::read_to_string(dir.path().join("stat.txt")).unwrap();
        stat.lines()
            .filter_map(|l| {
                let mut it = l.split_whitespace();
                let (cell, k) = (it.next()?, it.next()?.parse::<usize>().ok()?);
                cell.contains(kind).then_some(k)
            })
            .sum()
    };
    assert_eq!(
        cells("synth -flatten", "DFF"),
        n * w,
        "the generic flow merged copies"
    );
    assert_eq!(
        cells("synth_ecp5", "TRELLIS_FF"),
        n * w,
        "synth_ecp5 merged copies"
    );
    let luts = cells("synth_ecp5", "LUT4");
    assert!(luts <= 2 * n * w, "{luts} LUT4 for {n}x{w} flip-flops");
}

/// Builds a Verilator testbench (C++ `main` in `tests/primitives/`) in a temporary directory
/// and runs it with each seed; returns the concatenated stdout.
fn verilate_and_run(
    top: &str,
    sources: &[String],
    cpp: &str,
    params: &[(&str, u32)],
    cflags: &str,
    seeds: &[u32],
) -> String {
    require_tool("verilator");
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("verilator");
    cmd.args([
        "--cc",
        "--exe",
        "--build",
        "-j",
        "1",
        "--threads",
        "1",
        "--Mdir",
        "obj",
    ]);
    cmd.args(["--top-module", top, "-o", "sim"]);
    for (k, v) in params {
        cmd.arg(format!("-G{k}={v}"));
    }
    cmd.args(sources);
    cmd.arg(tb(cpp));
    cmd.arg("-CFLAGS")
        .arg(format!("-I{} {cflags}", tb_dir().display()));
    // make's own output is noise; keep it out of the failure report unless it fails
    run(
        dir.path(),
        &format!("verilator build {top} {params:?}"),
        &mut cmd,
    );
    let mut all = String::new();
    for s in seeds {
        let out = run(
            dir.path(),
            &format!("simulate {top} {params:?} seed {s}"),
            Command::new(dir.path().join("obj/sim")).arg(format!("+seed={s}")),
        );
        eprint!("{out}");
        assert!(
            out.contains("PASS"),
            "testbench {cpp} did not report PASS:\n{out}"
        );
        all.push_str(&out);
    }
    all
}

#[test]
fn sim_axil_regbus() {
    let src = vec![prim("sf_axil_regbus")];
    let out = verilate_and_run(
        "sf_axil_regbus",
        &src,
        "tb_regbus.cpp",
        &[("ADDR_W", 12)],
        "",
        &[1, 2],
    );
    assert!(out.contains("3000 writes, 3000 reads"));
}

#[test]
fn sim_blend() {
    let src = vec![prim("sf_blend"), prim("sf_fanout")];
    let params = [("CH", 5), ("SIDE_W", 2)];
    let out = verilate_and_run("sf_blend", &src, "tb_blend.cpp", &params, "", &[1, 2]);
    assert!(out.contains("full rate: 400 beats in 400 clocks"));
}

#[test]
fn sim_fifo_and_skid_buffer() {
    let src = vec![
        tb("tb_stream_top.v"),
        prim("sf_fifo"),
        prim("sf_sram_1r1w"),
        prim("sf_fanout"),
        prim("sf_skid_buffer"),
    ];
    let out = verilate_and_run("tb_stream_top", &src, "tb_stream.cpp", &[], "", &[1, 2]);
    for d in [2, 3, 4, 5, 7, 8, 16] {
        assert!(
            out.contains(&format!("fifo depth {d}:")),
            "FIFO depth {d} not exercised"
        );
    }
}

#[test]
fn sim_sram_wrappers() {
    let src = vec![
        tb("tb_sram_top.v"),
        prim("sf_sram_sp"),
        prim("sf_sram_1r1w"),
    ];
    verilate_and_run("tb_sram_top", &src, "tb_sram.cpp", &[], "", &[1]);
}

#[test]
fn sim_window3x3() {
    let src = vec![
        tb("tb_window_top.v"),
        prim("sf_window3x3"),
        prim("sf_sram_1r1w"),
        prim("sf_fanout"),
    ];
    // both write ports: as the input's handshake decides (0) and registered (1)
    for wr_reg in [0, 1] {
        let out = verilate_and_run(
            "tb_window_top",
            &src,
            "tb_window.cpp",
            &[("WR_REG", wr_reg)],
            &format!("-DTB_WR_REG={wr_reg}"),
            &[1, 2, 3],
        );
        for cfg in [
            "W=5 H=3 S=1",
            "W=5 H=3 S=2",
            "W=8 H=6 S=1",
            "W=8 H=6 S=2",
            "W=7 H=7 S=1",
            "W=7 H=7 S=2",
            "W=1 H=1 S=1",
        ] {
            assert!(
                out.contains(&format!("window {cfg}:")),
                "WR_REG={wr_reg}: configuration {cfg} not exercised"
            );
        }
    }
}

/// sf_window_reader: every read of every window (random groups, columns, repeats, consumer
/// delays) against a reference, resynchronisation, and no input stall at rate.
#[test]
fn sim_window_reader() {
    let src = vec![
        tb("tb_reader_top.v"),
        prim("sf_window_reader"),
        prim("sf_sram_1r1w"),
    ];
    let out = verilate_and_run("tb_reader_top", &src, "tb_reader.cpp", &[], "", &[1, 2, 3]);
    for cfg in ["W=33 H=4 S=2", "W=32 H=5 S=1", "W=1 H=1 S=1", "W=7 H=7 S=2"] {
        assert!(
            out.contains(&format!("reader {cfg}:")),
            "configuration {cfg} not exercised"
        );
    }
}

/// sf_requant_seq (and through it sf_requant_pipe): every result against SPEC §2 requant,
/// exact latency, parameter memories written and read back, reads while sweeping.
#[test]
fn sim_requant_seq() {
    let src = vec![
        prim("sf_requant_seq"),
        prim("sf_requant_pipe"),
        prim("sf_sram_1r1w"),
    ];
    for (ch, acc_w, r, relu) in [
        (8u32, 20u32, 2u32, 1u32),
        (5, 24, 2, 0),
        (1, 17, 1, 1),
        (16, 40, 3, 0),
    ] {
        verilate_and_run(
            "sf_requant_seq",
            &src,
            "tb_requant_seq.cpp",
            &[("CH", ch), ("ACC_W", acc_w), ("R", r), ("RELU", relu)],
            &format!("-std=c++17 -DTB_CH={ch} -DTB_ACCW={acc_w} -DTB_R={r} -DTB_RELU={relu}"),
            &[1, 2],
        );
    }
}

#[test]
fn sim_axis_video_in() {
    for (w, h) in [(7u32, 5u32), (1, 3)] {
        let src = vec![prim("sf_axis_video_in")];
        verilate_and_run(
            "sf_axis_video_in",
            &src,
            "tb_video_in.cpp",
            &[("WIDTH", w), ("HEIGHT", h)],
            &format!("-DTB_W={w} -DTB_H={h}"),
            &[1, 2],
        );
    }
}

/// Second-simulator check: a self-checking Verilog testbench of the window generator under
/// Icarus Verilog (catches reliance on Verilator-specific semantics).
#[test]
fn sim_window3x3_icarus() {
    require_tool("iverilog");
    require_tool("vvp");
    let dir = tempfile::tempdir().unwrap();
    for (w, h, s, seed, wr_reg) in [
        (5, 3, 1, 1, 0),
        (7, 7, 2, 2, 0),
        (8, 6, 2, 3, 1),
        (7, 4, 1, 4, 1),
        (1, 2, 2, 5, 0),
        (1, 3, 1, 6, 1),
    ] {
        let what = format!("iverilog tb_window_iv W={w} H={h} S={s} WR_REG={wr_reg}");
        let mut cmd = Command::new("iverilog");
        cmd.args(["-g2005", "-o", "tb.vvp"]);
        for (k, v) in [
            ("W", w),
            ("H", h),
            ("S", s),
            ("SEED", seed),
            ("WR_REG", wr_reg),
        ] {
            cmd.arg(format!("-Ptb_window_iv.{k}={v}"));
        }
        cmd.args([
            tb("tb_window_iv.v"),
            prim("sf_window3x3"),
            prim("sf_sram_1r1w"),
            prim("sf_fanout"),
        ]);
        run(dir.path(), &what, &mut cmd);
        let out = run(
            dir.path(),
            &what,
            Command::new("vvp").args(["-n", "tb.vvp"]),
        );
        eprint!("{out}");
        assert!(
            out.contains("PASS") && !out.contains("FAIL"),
            "{what}:\n{out}"
        );
    }
}

/// Conventions every primitive must follow (STYLE.md): file named after its single `sf_`
/// module, contract header, `resetall`/`default_nettype` framing, and no text that a template
/// engine (askama) would interpret, so the generator can copy or include them verbatim.
#[test]
fn primitives_follow_conventions() {
    let mut n = 0;
    for entry in std::fs::read_dir(prim_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("v") {
            continue;
        }
        n += 1;
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            name.starts_with("sf_"),
            "{name}: primitives are prefixed sf_"
        );
        let modules: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("module "))
            .collect();
        assert_eq!(modules.len(), 1, "{name}: exactly one module per file");
        assert!(
            modules[0].contains(&format!("module {name}")),
            "{name}: module named after file"
        );
        assert!(
            text.starts_with(&format!("// {name}:")),
            "{name}: header comment first"
        );
        assert!(
            text.contains("CONTRACT"),
            "{name}: header has a CONTRACT section"
        );
        for must in ["`resetall", "`timescale 1ns / 1ps", "`default_nettype none"] {
            assert!(text.contains(must), "{name}: missing {must}");
        }
        assert!(
            text.trim_end().ends_with("`default_nettype wire"),
            "{name}: restore nettype"
        );
        // `}}` is harmless (Verilog replication); `{{`, `{%`, `{#` would open askama syntax
        for bad in ["{{", "{%", "{#", "lint_off", "/* verilator", "// verilator"] {
            assert!(!text.contains(bad), "{name}: contains `{bad}`");
        }
        for (i, line) in text.lines().enumerate() {
            assert!(
                line.len() <= 100,
                "{name}:{}: longer than 100 columns",
                i + 1
            );
        }
        assert!(
            cases().iter().any(|c| c.top == name),
            "{name}: not covered by the lint/compile/synthesis cases"
        );
    }
    assert!(
        n >= 6,
        "expected the primitives in {}",
        prim_dir().display()
    );
}

/// `verilator -Wall` lint and `iverilog -g2005 -Wall` compile of one testbench parameter set
/// (a module can simulate under `verilator --cc` yet fail both, as sf_head_pool did with an
/// exact ACC_W).
fn lint_and_compile(top: &str, sources: &[String], params: &[(&str, u32)]) {
    require_tool("verilator");
    require_tool("iverilog");
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("verilator");
    cmd.args(["--lint-only", "-Wall", "--top-module", top]);
    for (k, v) in params {
        cmd.arg(format!("-G{k}={v}"));
    }
    cmd.args(sources);
    run(
        dir.path(),
        &format!("verilator -Wall {top} {params:?}"),
        &mut cmd,
    );
    let mut cmd = Command::new("iverilog");
    cmd.args(["-g2005", "-Wall", "-o", "out.vvp", "-s", top]);
    for (k, v) in params {
        cmd.arg(format!("-P{top}.{k}={v}"));
    }
    cmd.args(sources);
    let out = cmd
        .current_dir(dir.path())
        .output()
        .expect("cannot start iverilog");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "iverilog -g2005 {top} {params:?}:\n{stderr}"
    );
}

/// `-G` overrides plus the same values as `-DTB_<NAME>` for the C++ testbench.
fn tb_defines(params: &[(&str, u32)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("-DTB_{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// sf_pwl against its contract and SPEC §2: every `segments` value the port holds (0, 1..K_MAX,
/// above K_MAX), sorted and unsorted starts, extreme values and slopes (clamping both sides),
/// the identity, random valid gaps and ready backpressure, full rate and latency 6.
#[test]
fn sim_pwl() {
    for params in [[("K_MAX", 8), ("SIDE_W", 1)], [("K_MAX", 1), ("SIDE_W", 3)]] {
        let src = vec![prim("sf_pwl"), prim("sf_skid_buffer"), prim("sf_delay")];
        let out = verilate_and_run(
            "sf_pwl",
            &src,
            "tb_pwl.cpp",
            &params,
            &tb_defines(&params),
            &[1, 2],
        );
        assert!(out.contains("full rate: 500 values in 500 clocks, latency 6"));
    }
}

/// sf_requant_pipe against a 128-bit model of SPEC §2 requant: random samples with the
/// extremes (acc at its limits, scale -32768 and 32767, bias at the int32 limits, shift 0 and
/// 40), random stalls and gaps, every result and tag, latency STAGES, every STAGES and SPLIT,
/// DSP-sized partial products (DSP_W), parameters carried and held, OUT_W 8 (with and without
/// ReLU) and 16.
#[test]
fn sim_requant_pipe() {
    let sets: [[(&str, u32); 8]; 9] = [
        [
            ("ACC_W", 24),
            ("OUT_W", 8),
            ("RELU", 1),
            ("SPLIT", 1),
            ("STAGES", 3),
            ("PARAMS_HELD", 0),
            ("TAG_W", 3),
            ("DSP_W", 0),
        ],
        [
            ("ACC_W", 40),
            ("OUT_W", 16),
            ("RELU", 0),
            ("SPLIT", 2),
            ("STAGES", 4),
            ("PARAMS_HELD", 2),
            ("TAG_W", 5),
            ("DSP_W", 0),
        ],
        [
            ("ACC_W", 17),
            ("OUT_W", 8),
            ("RELU", 0),
            ("SPLIT", 4),
            ("STAGES", 1),
            ("PARAMS_HELD", 3),
            ("TAG_W", 1),
            ("DSP_W", 0),
        ],
        [
            ("ACC_W", 34),
            ("OUT_W", 16),
            ("RELU", 0),
            ("SPLIT", 1),
            ("STAGES", 2),
            ("PARAMS_HELD", 1),
            ("TAG_W", 8),
            ("DSP_W", 0),
        ],
        [
            ("ACC_W", 48),
            ("OUT_W", 8),
            ("RELU", 1),
            ("SPLIT", 2),
            ("STAGES", 3),
            ("PARAMS_HELD", 2),
            ("TAG_W", 2),
            ("DSP_W", 0),
        ],
        // DSP-sized partial products (DSP_W): the trainable engines' ECP5 case (one cut),
        // three accumulator pieces, a top piece of exactly DSP_W bits, and two scale pieces
        // with a narrow DSP
        [
            ("ACC_W", 21),
            ("OUT_W", 8),
            ("RELU", 1),
            ("SPLIT", 1),
            ("STAGES", 3),
            ("PARAMS_HELD", 0),
            ("TAG_W", 2),
            ("DSP_W", 18),
        ],
        [
            ("ACC_W", 40),
            ("OUT_W", 16),
            ("RELU", 0),
            ("SPLIT", 1),
            ("STAGES", 2),
            ("PARAMS_HELD", 2),
            ("TAG_W", 3),
            ("DSP_W", 18),
        ],
        [
            ("ACC_W", 35),
            ("OUT_W", 8),
            ("RELU", 0),
            ("SPLIT", 2),
            ("STAGES", 4),
            ("PARAMS_HELD", 1),
            ("TAG_W", 1),
            ("DSP_W", 18),
        ],
        [
            ("ACC_W", 19),
            ("OUT_W", 8),
            ("RELU", 1),
            ("SPLIT", 2),
            ("STAGES", 1),
            ("PARAMS_HELD", 3),
            ("TAG_W", 4),
            ("DSP_W", 10),
        ],
    ];
    for params in sets {
        let src = vec![prim("sf_requant_pipe")];
        lint_and_compile("sf_requant_pipe", &src, &params);
        let out = verilate_and_run(
            "sf_requant_pipe",
            &src,
            "tb_requant_pipe.cpp",
            &params,
            &tb_defines(&params),
            &[1, 2],
        );
        assert!(out.contains("results ("), "no results counted:\n{out}");
    }
    // The frozen stages' use: en tied to 1, a 1-bit tag, bias and shift carried per sample,
    // the default SPLIT and STAGES (latency 3).
    let params = [
        ("ACC_W", 20),
        ("OUT_W", 8),
        ("RELU", 0),
        ("SPLIT", 2),
        ("STAGES", 3),
        ("PARAMS_HELD", 0),
        ("TAG_W", 1),
        ("DSP_W", 0),
    ];
    let src = vec![prim("sf_requant_pipe")];
    lint_and_compile("sf_requant_pipe", &src, &params);
    let out = verilate_and_run(
        "sf_requant_pipe",
        &src,
        "tb_requant_pipe.cpp",
        &params,
        &format!("{} -DTB_EN_ONE=1", tb_defines(&params)),
        &[1],
    );
    assert!(out.contains("results ("), "no results counted:\n{out}");
}

/// sf_serialize: beats in vector order with m_first / m_last framing, N = 1 and N > 1 (a value
/// wider than 32 bits), random gaps and backpressure, back-to-back vectors at one beat per
/// clock, latency 1.
#[test]
fn sim_serialize() {
    for params in [[("N", 1), ("W", 3)], [("N", 3), ("W", 37)]] {
        let src = vec![prim("sf_serialize"), prim("sf_fanout")];
        let out = verilate_and_run(
            "sf_serialize",
            &src,
            "tb_serialize.cpp",
            &params,
            &tb_defines(&params),
            &[1, 2],
        );
        let n = params[0].1;
        assert!(out.contains(&format!(
            "back to back: 200 vectors, {} beats in {} clocks, latency 1",
            200 * n,
            200 * n
        )));
    }
}

/// sf_head_pool against its contract: weight layout and configuration port (readback, words
/// beyond the window, accesses delayed by the dot products), several frames with sums
/// restarted at s_sof, groups, Q not dividing L, Q > 4 (multi-word memory lines), Q > L,
/// PIXELS = 1, exact ACC_W (as `pool_acc_bits` sizes it), x = w = -128, shift 0 to 40, long
/// output stalls while the next frame streams in, full-rate frame period.
#[test]
fn sim_head_pool() {
    let sets: [[(&str, u32); 10]; 3] = [
        // 3 groups, Q = 3 does not divide L = 4, PIXELS = 50 > OUT_N*(S+5): no stall at full
        // rate; ACC_W exact (4*128*128*50 needs 23 bits)
        [
            ("IN_N", 12),
            ("OUT_N", 6),
            ("L", 4),
            ("GO", 2),
            ("Q", 3),
            ("PIXELS", 50),
            ("ACC_W", 23),
            ("RQ_STAGES", 3),
            ("RQ_DSP_W", 0),
            ("MUL_REG", 0),
        ],
        // 2 groups, Q = 6 > 4 (two config words per memory line), S = 2, PIXELS = 1,
        // ACC_W exact (18), products registered
        [
            ("IN_N", 14),
            ("OUT_N", 6),
            ("L", 7),
            ("GO", 3),
            ("Q", 6),
            ("PIXELS", 1),
            ("ACC_W", 18),
            ("RQ_STAGES", 1),
            ("RQ_DSP_W", 0),
            ("MUL_REG", 1),
        ],
        // 2 groups, Q = 9 > L = 8 (one step, three words per line), PIXELS = 3, wide ACC_W
        // with the requant multiplier cut for an 18-bit DSP and the products registered (the
        // ECP5 plan; four pieces)
        [
            ("IN_N", 16),
            ("OUT_N", 8),
            ("L", 8),
            ("GO", 4),
            ("Q", 9),
            ("PIXELS", 3),
            ("ACC_W", 48),
            ("RQ_STAGES", 4),
            ("RQ_DSP_W", 18),
            ("MUL_REG", 1),
        ],
    ];
    for params in sets {
        let src = vec![
            prim("sf_head_pool"),
            prim("sf_sram_sp"),
            prim("sf_requant_pipe"),
            prim("sf_fanout"),
        ];
        lint_and_compile("sf_head_pool", &src, &params);
        let out = verilate_and_run(
            "sf_head_pool",
            &src,
            "tb_head_pool.cpp",
            &params,
            &tb_defines(&params),
            &[1, 2],
        );
        assert!(out.contains("45 frames"), "not every epoch ran:\n{out}");
    }
}

/// Every primitive checks its parameters against its CONTRACT: an illegal set stops the
/// simulation at time 0 with a message naming the instance (iverilog; synthesis skips the
/// check, see `primitives_synthesize_yosys`), and a legal set runs silently.
#[test]
fn primitives_stop_on_illegal_parameters() {
    require_tool("iverilog");
    // (top, dependencies, illegal parameters)
    type Case<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, i64)]);
    let cases: [Case; 11] = [
        (
            "sf_window3x3",
            &["sf_sram_1r1w", "sf_fanout"],
            &[("STRIDE", 3)],
        ),
        (
            "sf_window_reader",
            &["sf_sram_1r1w"],
            &[("CH_BITS", 24), ("GROUP_BITS", 16)],
        ),
        ("sf_requant_pipe", &[], &[("OUT_W", 16), ("RELU", 1)]),
        (
            "sf_requant_seq",
            &["sf_requant_pipe", "sf_sram_1r1w"],
            &[("CH", 2), ("R", 3)],
        ),
        (
            "sf_mac_engine",
            &["sf_sram_sp", "sf_requant_pipe", "sf_fanout", "sf_delay"],
            &[("L", 27), ("ACC_W", 18)],
        ),
        (
            "sf_mac_engine",
            &["sf_sram_sp", "sf_requant_pipe", "sf_fanout", "sf_delay"],
            &[("RQ_STAGES", 5)],
        ),
        ("sf_requant_pipe", &[], &[("SPLIT", 3)]),
        // a 17-bit scale piece does not fit a 16-bit DSP operand
        ("sf_requant_pipe", &[], &[("SPLIT", 1), ("DSP_W", 16)]),
        ("sf_sram_sp", &[], &[("WIDTH", 12), ("BE_W", 8)]),
        (
            "sf_head_pool",
            &["sf_sram_sp", "sf_requant_pipe", "sf_fanout"],
            &[("IN_N", 15)],
        ),
        ("sf_delay", &[], &[("RESET", 2)]),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (top, deps, params) in cases {
        let run_with = |params: &[(&str, i64)]| -> String {
            let mut cmd = Command::new("iverilog");
            cmd.args(["-g2005", "-o", "sim.vvp", "-s", top]);
            for (k, v) in params {
                cmd.arg(format!("-P{top}.{k}={v}"));
            }
            cmd.args(deps.iter().map(|d| prim(d))).arg(prim(top));
            run(dir.path(), &format!("iverilog {top} {params:?}"), &mut cmd);
            run(
                dir.path(),
                &format!("vvp {top}"),
                Command::new("vvp").args(["-n", "sim.vvp"]),
            )
        };
        let bad = run_with(params);
        assert!(
            bad.contains(&format!("{top}: {top} parameters outside its CONTRACT")),
            "{top} {params:?}: no parameter error:\n{bad}"
        );
        let good = run_with(&[]);
        assert!(
            !good.contains("CONTRACT"),
            "{top} defaults: unexpected error:\n{good}"
        );
    }
}
