//! Emitted adder-graph modules simulated in Verilator against `AdderGraph::eval`, bit for bit,
//! on random and extreme inputs, with and without pipelining, with random stalls (`en`) and
//! idle cycles. Also lints each module with `verilator --lint-only -Wall` and, when present,
//! compiles it with `iverilog -g2005`. Fails if verilator is not on PATH.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use semifreddo::arith::{
    emit_verilog, lower, random_int8_matrix, AdderGraph, ConstMatrix, Interval, LowerOptions,
    PortNames,
};

fn on_path(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// One stimulus cycle: aresetn, en, in_valid, inputs.
struct Cycle {
    rst_n: bool,
    en: bool,
    vld: bool,
    x: Vec<i64>,
}

fn stimulus(g: &AdderGraph, n: usize, stall: bool, seed: u64) -> Vec<Cycle> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let r = g.input_intervals();
    let mut out = Vec::new();
    for t in 0..n {
        let x: Vec<i64> = match t % 8 {
            0 => r.iter().map(|r| r.lo).collect(),
            1 => r.iter().map(|r| r.hi).collect(),
            2 => r
                .iter()
                .enumerate()
                .map(|(i, r)| if i % 2 == 0 { r.lo } else { r.hi })
                .collect(),
            3 => r
                .iter()
                .enumerate()
                .map(|(i, r)| if i % 2 == 0 { r.hi } else { r.lo })
                .collect(),
            _ => r.iter().map(|r| rng.gen_range(r.lo..=r.hi)).collect(),
        };
        out.push(Cycle {
            rst_n: t >= 2,
            en: !stall || rng.gen_bool(0.75),
            vld: t % 8 < 4 || rng.gen_bool(0.8),
            x,
        });
    }
    out
}

fn testbench(module: &str, g: &AdderGraph, p: &PortNames) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "#include \"V{module}.h\"\n#include \"verilated.h\"\n#include <cstdio>\n#include <cstdint>"
    );
    let _ = writeln!(s, "static int64_t sx(uint64_t v, int w) {{ return w >= 64 ? (int64_t)v : (int64_t)(v << (64 - w)) >> (64 - w); }}");
    let _ = writeln!(
        s,
        "static uint64_t mk(int w) {{ return w >= 64 ? ~0ull : ((1ull << w) - 1); }}"
    );
    let _ = writeln!(
        s,
        "int main(int argc, char** argv) {{\n  VerilatedContext ctx; ctx.commandArgs(argc, argv);"
    );
    let _ = writeln!(
        s,
        "  V{module} m{{&ctx}};\n  FILE* f = fopen(argv[1], \"r\");\n  if (!f) return 2;"
    );
    let _ = writeln!(
        s,
        "  int r, e, v;\n  while (fscanf(f, \"%d %d %d\", &r, &e, &v) == 3) {{"
    );
    let _ = writeln!(
        s,
        "    long long x;\n    m.aresetn = r; m.en = e; m.in_valid = v;"
    );
    for (i, iv) in g.input_intervals().iter().enumerate() {
        let _ = writeln!(
            s,
            "    if (fscanf(f, \"%lld\", &x) != 1) return 3; m.{} = (uint64_t)x & mk({});",
            p.inputs[i],
            iv.width()
        );
    }
    let _ = writeln!(
        s,
        "    m.clk = 0; m.eval();\n    printf(\"%d\", (int)m.out_valid);"
    );
    for (i, o) in g.outputs().iter().enumerate() {
        let _ = writeln!(
            s,
            "    printf(\" %lld\", (long long)sx((uint64_t)m.{}, {}));",
            p.outputs[i], o.width
        );
    }
    let _ = writeln!(
        s,
        "    printf(\"\\n\");\n    m.clk = 1; m.eval();\n  }}\n  m.final();\n  return 0;\n}}"
    );
    s
}

/// Expected observation per cycle (before that cycle's clock edge): out_valid and, when
/// valid, the outputs. `None` where the valid bit is not yet defined (before reset).
fn model(g: &AdderGraph, cyc: &[Cycle]) -> Vec<Option<(bool, Vec<i64>)>> {
    let l = g.latency() as usize;
    let mut stages: Vec<(bool, Vec<i64>)> = vec![(false, vec![]); l];
    let mut known = false;
    let mut out = Vec::new();
    for c in cyc {
        let obs = if l == 0 {
            Some((
                c.vld,
                if c.vld {
                    g.eval(&c.x).expect("eval")
                } else {
                    vec![]
                },
            ))
        } else if known {
            let (v, x) = &stages[l - 1];
            Some((*v, if *v { g.eval(x).expect("eval") } else { vec![] }))
        } else {
            None
        };
        out.push(obs);
        if l > 0 {
            if c.en {
                stages.rotate_right(1);
                stages[0] = (c.vld, c.x.clone());
            }
            if !c.rst_n {
                stages.iter_mut().for_each(|s| s.0 = false);
                known = true;
            }
        }
    }
    out
}

fn check(module: &str, m: &ConstMatrix, ranges: &[Interval], every: u32, stall: bool) {
    let g = lower(
        m,
        ranges,
        &LowerOptions {
            pipeline_every: every,
            depth_slack: 2,
            ..LowerOptions::default()
        },
    )
    .expect("lower");
    assert_eq!(
        g.latency(),
        if every == 0 {
            0
        } else {
            g.depth().div_ceil(every)
        }
    );
    let p = PortNames::default_for(&g);
    let v = emit_verilog(&g, module, &p).expect("emit");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let vf = d.join(format!("{module}.v"));
    std::fs::write(&vf, &v).expect("write");
    // Keep the generated modules for inspection when asked.
    if let Ok(keep) = std::env::var("ARITH_KEEP_VERILOG") {
        std::fs::write(Path::new(&keep).join(format!("{module}.v")), &v).expect("keep");
    }
    let lint = run(Command::new("verilator")
        .args(["--lint-only", "-Wall"])
        .arg(&vf));
    assert!(
        !lint.contains("%Warning"),
        "{module}: lint warnings\n{lint}"
    );
    if on_path("iverilog") || Command::new("iverilog").arg("-V").output().is_ok() {
        run(Command::new("iverilog")
            .args(["-g2005", "-Wall", "-o"])
            .arg(d.join("a.out"))
            .arg(&vf));
    }
    std::fs::write(d.join("tb.cpp"), testbench(module, &g, &p)).expect("write tb");
    run(Command::new("verilator")
        .current_dir(d)
        .args([
            "--cc",
            "--exe",
            "--build",
            "-j",
            "1",
            "--threads",
            "1",
            "-Wall",
            "-Wno-fatal",
            "-CFLAGS",
            "-O1",
        ])
        .args(["--Mdir", "obj", "-o", "sim"])
        .arg(format!("{module}.v"))
        .arg("tb.cpp"));
    let cyc = stimulus(&g, 400, stall, 7);
    let mut vec = String::new();
    for c in &cyc {
        let _ = write!(vec, "{} {} {}", c.rst_n as u8, c.en as u8, c.vld as u8);
        for x in &c.x {
            let _ = write!(vec, " {x}");
        }
        vec.push('\n');
    }
    std::fs::write(d.join("vec.txt"), vec).expect("write vectors");
    let sim = run(Command::new(d.join("obj/sim")).arg(d.join("vec.txt")));
    let want = model(&g, &cyc);
    let lines: Vec<&str> = sim.lines().collect();
    assert_eq!(lines.len(), cyc.len(), "{module}: simulator output\n{sim}");
    let mut checked = 0;
    for (t, (line, w)) in lines.iter().zip(&want).enumerate() {
        let Some((wv, wy)) = w else { continue };
        let got: Vec<i64> = line
            .split_whitespace()
            .map(|s| s.parse().expect("number"))
            .collect();
        assert_eq!(got[0] == 1, *wv, "{module}: out_valid at cycle {t}");
        if *wv {
            assert_eq!(&got[1..], &wy[..], "{module}: outputs at cycle {t}");
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "{module}: only {checked} valid outputs compared"
    );
}

#[test]
fn verilator_matches_eval() {
    assert!(
        on_path("verilator"),
        "verilator is not on PATH; run scripts/test, which installs Debian's verilator"
    );
    let int8 = Interval::INT8;
    let relu = Interval::RELU8;
    // Stem rows: 27 inputs (3x3x3), combinational and pipelined every level with stalls.
    check(
        "arith_stem_comb",
        &random_int8_matrix(8, 27, 11),
        &[int8; 27],
        0,
        false,
    );
    check(
        "arith_stem_p1",
        &random_int8_matrix(8, 27, 12),
        &[int8; 27],
        1,
        true,
    );
    // Depthwise 3x3 tap row on ReLU outputs.
    check(
        "arith_dw_p2",
        &random_int8_matrix(1, 9, 13),
        &[relu; 9],
        2,
        true,
    );
    // Pointwise with a zero column, a zero row and an all-negative row.
    let mut pw = random_int8_matrix(16, 16, 14).row(0).to_vec();
    pw.clear();
    let base = random_int8_matrix(16, 16, 14);
    for r in 0..16 {
        for c in 0..16 {
            let w = base.get(r, c);
            pw.push(match (r, c) {
                (_, 5) | (3, _) => 0,
                (7, _) => -(w.abs().max(1)),
                _ => w,
            });
        }
    }
    let pw = ConstMatrix::new(16, 16, pw).expect("matrix");
    check("arith_pw16_p3", &pw, &[relu; 16], 3, true);
    check(
        "arith_pw32_p2",
        &random_int8_matrix(32, 32, 15),
        &[int8; 32],
        2,
        true,
    );
    // Requant multipliers on a wide accumulator: a negative power of two (negation), a
    // negative int16 constant.
    let rq = ConstMatrix::new(3, 1, vec![-12345, -64, 32767]).expect("matrix");
    check(
        "arith_requant_p1",
        &rq,
        &[Interval::new(-(1 << 30), (1 << 30) - 7)],
        1,
        true,
    );
}
