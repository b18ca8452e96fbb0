//! Quality gates for `templates/primitives/sf_mac_engine.v`, the SRAM-backed time-folded MAC
//! engine: `verilator --lint-only -Wall` (no waivers), `iverilog -g2005` and `yosys synth` (the
//! weight SRAM `sf_sram_sp` read with `read_verilog -lib`, a black box) for every parameter set,
//! and a Verilator testbench (`tests/primitives/tb_mac_engine.cpp`) per parameter set: random
//! weights programmed and read back through the cfg port, random input vectors with valid gaps,
//! ready backpressure and cfg accesses in flight, every output and sideband compared with a
//! reference model (index formula + SPEC §2 requant), every output a register, the latency of
//! the Rust mirror `EngineSchedule::latency()` and throughput G*S clocks per vector asserted;
//! and the Verilog testbench `tb_mac_iv.v` under Icarus Verilog. The cases cover every
//! pipeline parameter (product register, adder levels per register, requant stages and split).
//!
//! Needs `verilator`, `iverilog` and `yosys` on PATH; FAILS (never skips) without them.

use semifreddo::model::layout::Size;
use semifreddo::passes::schedule::{EngineKind, EnginePipe, EngineSchedule};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn engine() -> String {
    root()
        .join("templates/primitives/sf_mac_engine.v")
        .to_string_lossy()
        .into_owned()
}

/// The primitives the engine instantiates besides the SRAM: requant units, fan-out copies and
/// the operand registers.
fn engine_deps() -> [String; 3] {
    ["sf_requant_pipe.v", "sf_fanout.v", "sf_delay.v"].map(|f| {
        root()
            .join("templates/primitives")
            .join(f)
            .to_string_lossy()
            .into_owned()
    })
}

/// `sf_sram_sp` is copied into the build directory read-only (it is not ours to change).
fn sram_copy(dir: &Path) -> String {
    let src = root().join("templates/primitives/sf_sram_sp.v");
    let dst = dir.join("sf_sram_sp.v");
    if !dst.exists() {
        std::fs::copy(&src, &dst).unwrap();
        let mut perm = std::fs::metadata(&dst).unwrap().permissions();
        perm.set_readonly(true);
        std::fs::set_permissions(&dst, perm).unwrap();
    }
    dst.to_string_lossy().into_owned()
}

fn require_tool(tool: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{tool}` is not on PATH: the sf_mac_engine gates need verilator, iverilog and yosys \
         (Debian: `apt-get install -y verilator iverilog yosys`). Failing rather than skipping."
    );
}

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
        return s;
    }
    let mut i = s.len() - n;
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}

/// One parameter set. Every parameter is given explicitly (the testbench needs all of them).
#[derive(Clone, Debug)]
struct Cfg {
    name: &'static str,
    in_n: i64,
    out_n: i64,
    l: i64,
    p: i64,
    q: i64,
    offset: i64,
    si: i64,
    so: i64,
    go: i64,
    sg: i64,
    acc_w: i64,
    relu: i64,
    out_w: i64,
    side_w: i64,
    synth: bool,
    pipe: EnginePipe,
}

impl Cfg {
    fn params(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("IN_N", self.in_n),
            ("OUT_N", self.out_n),
            ("L", self.l),
            ("P", self.p),
            ("Q", self.q),
            ("OFFSET", self.offset),
            ("SI", self.si),
            ("SO", self.so),
            ("GO", self.go),
            ("SG", self.sg),
            ("ACC_W", self.acc_w),
            ("RELU", self.relu),
            ("OUT_W", self.out_w),
            ("SIDE_W", self.side_w),
            ("OP_REG", i64::from(self.pipe.op_reg)),
            ("MUL_REG", i64::from(self.pipe.mul_reg)),
            ("MUL_LUT", i64::from(self.pipe.mul_lut)),
            ("LPR", i64::from(self.pipe.lpr)),
            ("RQ_STAGES", i64::from(self.pipe.rq_stages)),
            ("RQ_SPLIT", i64::from(self.pipe.rq_split)),
            ("RQ_SEL", i64::from(self.pipe.rq_sel)),
            ("RQ_DSP_W", i64::from(self.pipe.rq_dsp_w)),
        ]
    }
    /// The Rust mirror of this engine (only the fields latency and throughput depend on).
    fn schedule(&self) -> EngineSchedule {
        EngineSchedule {
            layer: self.name.into(),
            kind: EngineKind::Pointwise,
            in_n: self.in_n as usize,
            out_n: self.out_n as usize,
            l: self.l as usize,
            relu: self.relu != 0,
            out_size: Size { h: 1, w: 1 },
            clocks_available: (self.g() * self.s()) as usize,
            p: self.p as usize,
            q: self.q as usize,
            pipe: self.pipe,
        }
    }
    fn with_pipe(mut self, mul_reg: bool, lpr: u32, rq_stages: u32, rq_split: u32) -> Cfg {
        self.pipe = EnginePipe {
            op_reg: self.pipe.op_reg,
            mul_reg,
            mul_lut: self.pipe.mul_lut,
            lpr,
            rq_stages,
            rq_split,
            rq_sel: self.pipe.rq_sel,
            rq_dsp_w: self.pipe.rq_dsp_w,
        };
        self
    }
    fn with_rq_sel(mut self) -> Cfg {
        self.pipe.rq_sel = true;
        self
    }
    /// Requant multipliers cut to DSP-sized partial products (the ECP5 plan).
    /// The products' operands registered by the multipliers (the ECP5 plan).
    fn with_op_reg(mut self) -> Cfg {
        self.pipe.op_reg = true;
        self
    }
    /// The products from shifted weight rows, no `*` (the ECP5 plan's many-product engines).
    fn with_mul_lut(mut self) -> Cfg {
        self.pipe.mul_lut = true;
        self
    }
    fn with_rq_dsp(mut self, bits: u32) -> Cfg {
        self.pipe.rq_dsp_w = bits;
        self
    }
    fn g(&self) -> i64 {
        (self.out_n + self.p - 1) / self.p
    }
    fn s(&self) -> i64 {
        (self.l + self.q - 1) / self.q
    }
    /// Checks the index formula stays in range (a malformed case would test nothing).
    fn validate(&self) {
        for o in 0..self.out_n {
            for i in 0..self.l {
                let n = self.offset + i * self.si + o * self.so + (o / self.go) * self.sg;
                assert!(
                    (0..self.in_n).contains(&n),
                    "{}: idx({o},{i}) = {n}",
                    self.name
                );
            }
        }
        assert!(
            self.l * 128 * 128 < (1 << (self.acc_w - 1)),
            "{}: ACC_W",
            self.name
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn cfg(
    name: &'static str,
    in_n: i64,
    out_n: i64,
    l: i64,
    p: i64,
    q: i64,
    idx: (i64, i64, i64, i64, i64),
    acc_w: i64,
    relu: i64,
    out_w: i64,
    side_w: i64,
    synth: bool,
) -> Cfg {
    Cfg {
        name,
        in_n,
        out_n,
        l,
        p,
        q,
        offset: idx.0,
        si: idx.1,
        so: idx.2,
        go: idx.3,
        sg: idx.4,
        acc_w,
        relu,
        out_w,
        side_w,
        synth,
        pipe: EnginePipe::default(),
    }
}

fn cases() -> Vec<Cfg> {
    let dense = (0, 1, 0, 1, 0);
    vec![
        // stem, Cin = 3 -> 8: one group, one product per lane per clock (P*Q divides O*L)
        cfg("stem_g1", 27, 8, 27, 8, 1, dense, 24, 1, 8, 2, true),
        // the stem as generated (P = 8, Q = 9): products registered, a register every level;
        // the products from shifted rows as the ECP5 plan builds this engine
        cfg("stem_q9", 27, 8, 27, 8, 9, dense, 20, 1, 8, 2, true)
            .with_pipe(true, 1, 4, 2)
            .with_rq_sel()
            .with_mul_lut(),
        // stem folded harder: 3 groups with an idle lane, Q = 2 not dividing L = 27; the
        // requant multipliers cut for an 18-bit DSP (two accumulator pieces), the products'
        // operands registered (the ECP5 plan)
        cfg("stem_fold", 27, 8, 27, 3, 2, dense, 24, 1, 8, 3, false)
            .with_pipe(false, 1, 2, 1)
            .with_rq_dsp(18)
            .with_op_reg(),
        // depthwise, two branches over a 4-channel window: o mod 4 + 4 i
        cfg(
            "dw_2br",
            36,
            8,
            9,
            4,
            3,
            (0, 4, 1, 4, -4),
            20,
            0,
            8,
            1,
            true,
        ),
        // depthwise, second half (channels 4..7) of an 8-channel window
        cfg(
            "dw_from",
            72,
            4,
            9,
            2,
            1,
            (4, 8, 1, 4, -4),
            20,
            0,
            8,
            1,
            false,
        ),
        // depthwise over a 32-channel window as in the presets: 7 groups, 5 lanes with 7 bases
        // each, a wide sideband (x1)
        cfg(
            "dw_wide",
            288,
            32,
            9,
            5,
            1,
            (0, 32, 1, 32, -32),
            19,
            0,
            8,
            130,
            false,
        ),
        // pointwise 16 -> 16, Q = 4, products from shifted rows feeding the tree directly
        cfg("pw", 16, 16, 16, 4, 4, dense, 22, 1, 8, 1, false)
            .with_pipe(false, 2, 3, 4)
            .with_rq_sel()
            .with_mul_lut(),
        // grouped pointwise head, I = 16, O = 8, 4 groups; requant16; WB = 12 (3 words / line)
        cfg(
            "head_grp",
            16,
            8,
            4,
            3,
            3,
            (0, 1, 0, 2, 4),
            18,
            0,
            16,
            2,
            true,
        ),
        // fully serial head: one lane, one product per clock
        cfg("head_serial", 5, 3, 5, 1, 1, dense, 18, 0, 16, 1, false),
        // fully parallel: G = S = 1, one vector per clock; operands and products registered
        cfg("parallel", 4, 2, 4, 2, 4, dense, 18, 1, 8, 4, false)
            .with_pipe(true, 1, 1, 1)
            .with_op_reg(),
    ]
}

#[test]
fn mac_engine_lint_iverilog_yosys() {
    require_tool("verilator");
    require_tool("iverilog");
    require_tool("yosys");
    let dir = tempfile::tempdir().unwrap();
    let sram = sram_copy(dir.path());
    for c in cases() {
        c.validate();
        let mut cmd = Command::new("verilator");
        cmd.args(["--lint-only", "-Wall", "--top-module", "sf_mac_engine"]);
        for (k, v) in c.params() {
            cmd.arg(format!("-G{k}={v}"));
        }
        cmd.args([&engine(), &sram]).args(engine_deps());
        run(dir.path(), &format!("verilator -Wall {}", c.name), &mut cmd);

        let mut cmd = Command::new("iverilog");
        cmd.args(["-g2005", "-Wall", "-o", "out.vvp", "-s", "sf_mac_engine"]);
        for (k, v) in c.params() {
            cmd.arg(format!("-Psf_mac_engine.{k}={v}"));
        }
        cmd.args([&engine(), &sram]).args(engine_deps());
        let out = cmd.current_dir(dir.path()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "iverilog -g2005 {}:\n{stderr}",
            c.name
        );
        eprintln!("iverilog -g2005 {}: ok", c.name);

        if c.synth {
            let p: Vec<String> = c
                .params()
                .iter()
                // yosys cannot parse `-4`: negative values as signed 32-bit literals
                .map(|(k, v)| {
                    if *v < 0 {
                        format!("-set {k} 32'sh{:08X}", *v as i32 as u32)
                    } else {
                        format!("-set {k} {v}")
                    }
                })
                .collect();
            let script = format!(
                "read_verilog -lib {sram}; read_verilog -defer {} {}; chparam {} sf_mac_engine; \
                 synth -top sf_mac_engine -flatten; check -assert; stat",
                engine(),
                engine_deps().join(" "),
                p.join(" ")
            );
            let out = run(
                dir.path(),
                &format!("yosys synth {}", c.name),
                Command::new("yosys").args(["-p", &script]),
            );
            // final statistics: the weight memory stays one black-box instance
            let stat = out
                .rsplit("=== sf_mac_engine ===")
                .next()
                .unwrap_or("")
                .to_string();
            let count = |key: &str| -> Option<u64> {
                stat.lines()
                    .find(|l| l.trim_start().starts_with(key))
                    .and_then(|l| l.split_whitespace().last())
                    .and_then(|v| v.parse().ok())
            };
            assert_eq!(
                count("sf_sram_sp"),
                Some(1),
                "{}: sf_sram_sp should be one black box:\n{stat}",
                c.name
            );
            assert_eq!(count("Number of memories:"), Some(0), "{}: {stat}", c.name);
            let ff: u64 = stat
                .lines()
                .filter(|l| l.contains("DFF"))
                .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
                .sum();
            eprintln!(
                "yosys {}: {} cells, {ff} flip-flops",
                c.name,
                count("Number of cells:").unwrap_or(0)
            );
        }
    }
}

#[test]
fn mac_engine_simulation() {
    require_tool("verilator");
    let t0 = Instant::now();
    let tb_dir = root().join("tests/primitives");
    for c in cases() {
        c.validate();
        let dir = tempfile::tempdir().unwrap();
        let sram = sram_copy(dir.path());
        let mut cmd = Command::new("verilator");
        cmd.args([
            "--cc",
            "--exe",
            "--build",
            "-j",
            "2",
            "--threads",
            "1",
            "--Mdir",
            "obj",
            "--top-module",
            "sf_mac_engine",
            "-o",
            "sim",
        ]);
        let mut defs = format!("-I{}", tb_dir.display());
        for (k, v) in c.params() {
            cmd.arg(format!("-G{k}={v}"));
            defs.push_str(&format!(" -DTB_{k}={v}"));
        }
        cmd.args([&engine(), &sram]).args(engine_deps());
        cmd.arg(tb_dir.join("tb_mac_engine.cpp"));
        cmd.arg("-CFLAGS").arg(defs);
        run(dir.path(), &format!("verilator build {}", c.name), &mut cmd);
        for seed in [1, 2] {
            let out = run(
                dir.path(),
                &format!("simulate {} seed {seed}", c.name),
                Command::new(dir.path().join("obj/sim")).arg(format!("+seed={seed}")),
            );
            eprint!("{out}");
            assert!(
                out.contains("PASS") && !out.contains("FAIL"),
                "{}: testbench failed:\n{out}",
                c.name
            );
            // the Rust mirror (src/passes/schedule.rs) must predict the simulated latency
            let want = format!(
                "latency {} clocks, {}.000 clocks/vector",
                c.schedule().latency(),
                c.g() * c.s()
            );
            assert!(out.contains(&want), "{}: expected `{want}`:\n{out}", c.name);
        }
    }
    eprintln!(
        "sf_mac_engine simulations: {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}

/// Second simulator: the self-checking Verilog testbench `tb_mac_iv.v` under Icarus Verilog
/// (4-state; random gaps, backpressure and cfg reads in flight, every output checked).
#[test]
fn mac_engine_icarus() {
    require_tool("iverilog");
    require_tool("vvp");
    let dir = tempfile::tempdir().unwrap();
    let sram = sram_copy(dir.path());
    let tb = root().join("tests/primitives/tb_mac_iv.v");
    for c in cases() {
        for (shift, seed) in [(14, 1), (0, 2), (40, 3)] {
            let what = format!("iverilog tb_mac_iv {} shift {shift}", c.name);
            let mut cmd = Command::new("iverilog");
            cmd.args(["-g2005", "-o", "tb.vvp"]);
            for (k, v) in c.params() {
                cmd.arg(format!("-Ptb_mac_iv.{k}={v}"));
            }
            cmd.arg(format!("-Ptb_mac_iv.SHIFT={shift}"));
            cmd.arg(format!("-Ptb_mac_iv.SEED={seed}"));
            cmd.arg(&tb).args([&engine(), &sram]).args(engine_deps());
            run(dir.path(), &what, &mut cmd);
            let out = run(
                dir.path(),
                &what,
                Command::new("vvp").args(["-n", "tb.vvp"]),
            );
            assert!(
                out.contains("PASS") && !out.contains("FAIL"),
                "{what}:\n{out}"
            );
        }
    }
}
