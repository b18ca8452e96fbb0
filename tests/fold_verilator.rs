//! Folded frozen blocks (`passes::fold`, `emit::folded`) co-simulated on their own in
//! Verilator against the golden model's operations: every output pixel of several frames,
//! under random gaps and backpressure, configuration reads while streaming, and no input stall
//! at the pixel rate the block sees in the model. Blocks of the embedded tiny model with the
//! parameters the pass chooses, plus forced parameter sets that exercise wide groups, several
//! products per lane, several requant units and lanes without an output in their last round.

use semifreddo::emit::folded::{render_block as render, FoldHeader};
use semifreddo::golden::{ops, Fmap};
use semifreddo::model::layout::{BlockLayout, Size};
use semifreddo::model::params::{Block, Branch};
use semifreddo::passes::fold::{choose, FoldParams, FoldShape, FoldedBranch, FoldedHw, UnitCost};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Deterministic values for inputs and requant parameters.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
}

fn shape_of(layout: &BlockLayout) -> FoldShape {
    match layout {
        BlockLayout::Regular {
            channels, branch, ..
        } => FoldShape {
            in_size: branch.in_size,
            in_channels: *channels,
            stride: 1,
            branches: 1,
            from: channels / 2,
            channels: channels / 2,
            passthrough: channels / 2,
        },
        BlockLayout::Downsample {
            in_channels, br1, ..
        } => FoldShape {
            in_size: br1.in_size,
            in_channels: *in_channels,
            stride: 2,
            branches: 2,
            from: 0,
            channels: *in_channels,
            passthrough: 0,
        },
    }
}

fn folded(
    layout: &BlockLayout,
    block: &Block,
    params: FoldParams,
    t: usize,
    prog: bool,
) -> FoldedHw {
    let shape = shape_of(layout);
    let branches = layout
        .branches()
        .iter()
        .zip(block.branches())
        .map(|(bl, b)| FoldedBranch::new(bl.dw(), bl.pw(), &b.dw, &b.pw, shape.channels))
        .collect();
    FoldedHw {
        shape,
        params,
        clocks_per_pixel: t,
        branches,
        programmable: prog,
        rq_dsp_w: 0,
    }
}

/// The golden block: shuffle(concat(x1, PW(DW(x2)))) or shuffle(concat(b1, b2)).
fn reference(hw: &FoldedHw, block: &Block, x: &Fmap) -> Fmap {
    let s = &hw.shape;
    let branch = |b: &Branch| {
        let d = ops::requant(
            &ops::depthwise3x3(x, s.from, &b.dw.weight, s.stride),
            &b.dw.requant,
            false,
        );
        ops::requant(
            &ops::pointwise(&d, &b.pw.weight, s.channels, 1),
            &b.pw.requant,
            true,
        )
    };
    let parts: Vec<Fmap> = block.branches().into_iter().map(branch).collect();
    let first = if s.passthrough > 0 {
        x.channel_slice(0, s.passthrough)
    } else {
        parts[0].clone()
    };
    ops::shuffle(&Fmap::concat(&first, parts.last().unwrap()))
}

fn run(name: &str, hw: &FoldedHw, block: &Block, pace: usize, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = FoldHeader {
        version: "test",
        model: "tiny",
        model_hash: "-",
        frozen_hash: "-",
    };
    let module = format!("fold_{}", name.replace('.', "_"));
    let files = render(&header, &module, name, "test block", "forced", hw).unwrap();
    let mut sources: Vec<String> = Vec::new();
    for f in &files {
        std::fs::write(d.join(&f.name), &f.contents).unwrap();
        sources.push(f.name.clone());
    }
    for p in ["sf_window_reader", "sf_sram_1r1w", "sf_requant_pipe"] {
        sources.push(
            root()
                .join(format!("templates/primitives/{p}.v"))
                .display()
                .to_string(),
        );
    }
    // SF_FOLD_KEEP=DIR keeps the generated block (e.g. for a synthesis run by hand)
    if let Ok(keep) = std::env::var("SF_FOLD_KEEP") {
        let k = Path::new(&keep).join(&module);
        std::fs::create_dir_all(&k).unwrap();
        for f in &files {
            std::fs::write(k.join(&f.name), &f.contents).unwrap();
        }
    }
    std::fs::write(d.join("tb_fold_top.v"), wrapper(&module, hw)).unwrap();
    sources.push("tb_fold_top.v".into());
    std::fs::write(d.join("data.txt"), data(hw, block, pace, seed)).unwrap();
    lint(d, &sources);
    let mut cmd = Command::new("verilator");
    cmd.current_dir(d)
        .args([
            "--cc", "--exe", "--build", "-j", "1", "-O2", "--Mdir", "obj",
        ])
        .args(["--top-module", "tb_fold_top", "-o", "sim"])
        .args(&sources)
        .arg(root().join("tests/primitives/tb_fold.cpp"))
        .arg("-CFLAGS")
        .arg(format!("-I{}", root().join("tests/primitives").display()));
    check(cmd, &format!("verilator build {name}"));
    let out = check(
        {
            let mut c = Command::new(d.join("obj/sim"));
            c.current_dir(d)
                .arg(format!("+seed={seed}"))
                .arg("+data=data.txt");
            c
        },
        &format!("simulate {name}"),
    );
    eprint!("{name}: {out}");
    assert!(out.contains("tb_fold: PASS"), "{name}:\n{out}");
}

fn lint(d: &Path, sources: &[String]) {
    let mut cmd = Command::new("verilator");
    cmd.current_dir(d)
        .args(["--lint-only", "-Wall", "--top-module", "tb_fold_top"])
        .args(sources);
    check(cmd, "verilator --lint-only -Wall");
}

fn check(mut cmd: Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let so = String::from_utf8_lossy(&out.stdout).into_owned();
    let se = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{what} failed:\n{so}\n{se}");
    so
}

/// A wrapper with fixed-width ports so one C++ testbench drives any block.
fn wrapper(module: &str, hw: &FoldedHw) -> String {
    let (ib, ob) = (8 * hw.shape.in_channels, 8 * hw.out_channels());
    let mut conns = String::new();
    let layers: Vec<&String> = hw.branches.iter().flat_map(|b| [&b.dw, &b.pw]).collect();
    if hw.programmable {
        for (n, l) in layers.iter().enumerate() {
            let port = semifreddo::emit::folded::shift_port(l);
            writeln!(conns, "        .{port}(shifts[{}:{}]),", 6 * n + 5, 6 * n).unwrap();
        }
        let aw = semifreddo::emit::folded::stage_ports(hw)
            .iter()
            .find(|p| p.0 == "cfg_addr")
            .map(|p| p.1)
            .unwrap();
        writeln!(
            conns,
            "        .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr[{}:0]),\n        \
             .cfg_wdata(cfg_wdata), .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata),",
            aw - 1
        )
        .unwrap();
    }
    let tie = if hw.programmable {
        String::new()
    } else {
        "    assign cfg_ack = 1'b0;\n    assign cfg_rdata = 32'd0;\n".to_string()
    };
    format!(
        "`default_nettype none\nmodule tb_fold_top (\n    input wire aclk, input wire aresetn,\n    \
         input wire [511:0] s_data, input wire s_valid, output wire s_ready, input wire s_sof,\n    \
         output wire [511:0] m_data, output wire m_valid, input wire m_ready,\n    \
         output wire m_sof, output wire m_eol, input wire [23:0] shifts,\n    \
         input wire cfg_req, input wire cfg_we, input wire [15:0] cfg_addr,\n    \
         input wire [31:0] cfg_wdata, output wire cfg_ack, output wire [31:0] cfg_rdata);\n    \
         wire [{om}:0] data;\n    \
         {module} u_dut (\n        .aclk(aclk), .aresetn(aresetn),\n        \
         .s_data(s_data[{im}:0]), .s_valid(s_valid), .s_ready(s_ready), .s_sof(s_sof),\n{conns}        \
         .m_data(data), .m_valid(m_valid), .m_ready(m_ready), .m_sof(m_sof), .m_eol(m_eol));\n    \
         assign m_data = {{{{{pad}{{1'b0}}}}, data}};\n{tie}    \
         wire unused = &{{1'b0, s_data, shifts, cfg_req, cfg_we, cfg_addr, cfg_wdata, 1'b0}};\n\
         endmodule\n",
        om = ob - 1,
        im = ib - 1,
        pad = 512 - ob
    )
}

/// Header, configuration words, shifts, frames and expected outputs (hex bytes).
fn data(hw: &FoldedHw, block: &Block, pace: usize, seed: u64) -> String {
    let s = &hw.shape;
    let out_size = s.in_size.strided(s.stride);
    let mut rng = Lcg(seed);
    let mut cfg = Vec::new();
    if hw.programmable {
        let mut base = 0;
        for u in hw.units() {
            let br = &hw.branches[u.branch];
            let rq = if u.pointwise {
                &br.pw_requant
            } else {
                &br.dw_requant
            };
            for &c in &u.channels {
                cfg.push((base, rq.bias[c] as u32));
                cfg.push((base + 1, rq.scale[c] as i32 as u32));
                base += 2;
            }
        }
    }
    let shifts: u32 = hw
        .branches
        .iter()
        .flat_map(|b| [b.dw_requant.shift, b.pw_requant.shift])
        .enumerate()
        .map(|(n, sh)| (sh as u32) << (6 * n))
        .sum();
    let frames = 4;
    let mut t = format!(
        "{} {} {} {} {} {} {} {} {} {:x}\n",
        s.in_channels,
        hw.out_channels(),
        s.in_size.w,
        s.in_size.h,
        out_size.w,
        out_size.h,
        pace,
        cfg.len(),
        frames,
        shifts
    );
    for (a, v) in &cfg {
        writeln!(t, "{a:x} {v:x}").unwrap();
    }
    for _ in 0..frames {
        let n = s.in_size.pixels() * s.in_channels;
        // block inputs follow a ReLU: 0..127, with some zeros
        let x: Vec<i8> = (0..n)
            .map(|_| {
                let v = rng.next() % 160;
                if v >= 128 {
                    0
                } else {
                    v as i8
                }
            })
            .collect();
        let f = Fmap {
            size: s.in_size,
            channels: s.in_channels,
            data: x,
        };
        let y = reference(hw, block, &f);
        for px in f.data.chunks(s.in_channels) {
            let line: Vec<String> = px.iter().map(|&v| format!("{:x}", v as u8)).collect();
            writeln!(t, "{}", line.join(" ")).unwrap();
        }
        for px in y.data.chunks(y.channels) {
            let line: Vec<String> = px.iter().map(|&v| format!("{:x}", v as u8)).collect();
            writeln!(t, "{}", line.join(" ")).unwrap();
        }
    }
    t
}

/// Clocks per output pixel of a frozen block at one input pixel per clock, and per input
/// pixel (the pace the block sees).
fn rates(model_in: Size, layout: &BlockLayout) -> (usize, usize, usize) {
    let s = shape_of(layout);
    let out = s.in_size.strided(s.stride);
    let t = model_in.pixels() / out.pixels();
    (t, t / (s.stride * s.stride), out.w)
}

fn tiny_block(k: usize, j: usize) -> (String, BlockLayout, Block, Size) {
    let m = semifreddo::modelgen::default_model();
    let bl = m.layout.frozen.stages[k][j].clone();
    let b = m.frozen.stages[k][j].clone();
    (bl.name().to_string(), bl, b, m.layout.input)
}

fn tiny_case(k: usize, j: usize, prog: bool) {
    let (name, bl, b, input) = tiny_block(k, j);
    let (t, pace, _) = rates(input, &bl);
    let p = choose(&shape_of(&bl), t, &UnitCost).expect("fits");
    let hw = folded(&bl, &b, p, t, prog);
    assert!(p.fits_rate(&hw.shape, t));
    run(&name, &hw, &b, pace, 1);
}

#[test]
fn tiny_s2_downsample_folded() {
    tiny_case(1, 0, true);
}

#[test]
fn tiny_s3_regular_folded() {
    tiny_case(2, 1, true);
}

#[test]
fn tiny_s4_blocks_folded_constant_requant() {
    tiny_case(3, 0, false);
    tiny_case(3, 1, false);
}

/// Forced parameters: groups of 4 channels (two depthwise requant units), 2 products per lane,
/// 3 lanes in 2 emission groups (the last lane idles in its last round), requant multipliers
/// cut into DSP-sized partial products (`DSP_W`).
#[test]
fn forced_wide_groups_products_units() {
    let (name, bl, b, input) = tiny_block(2, 0);
    let (t, pace, _) = rates(input, &bl);
    let p = FoldParams {
        group: 4,
        products: 2,
        lanes: 3,
        units: 2,
    };
    let mut hw = folded(&bl, &b, p, t, true);
    // requant multipliers cut for a 10-bit DSP, so tiny's 17-bit accumulators are cut too
    hw.rq_dsp_w = 10;
    assert!(p.fits_shape(&hw.shape));
    run(
        &format!("{name}.forced"),
        &hw,
        &b,
        pace.max(p.period(&hw.shape)),
        2,
    );
}
