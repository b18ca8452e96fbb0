//! Synthesis of the generated RTL, one distinct module at a time, with results cached by
//! content hash.
//!
//! A *unit* is a module the top level instantiates (a streaming stage, the register block,
//! and whatever the plan grows later) or the top level itself with those modules as black
//! boxes; units are found by scanning the generated Verilog (one module per file, named
//! after it), so new kinds of blocks need no change here. Each unit is flattened with its
//! sub-modules (adder graphs, primitives) and synthesized with Yosys:
//!
//! - ASIC: `synth -flatten -noabc; dfflibmap -liberty; abc -liberty -script <fast script>;
//!   stat -liberty` against the OSU 0.18 µm standard cells (`qflow-tech-osu018`), then
//!   OpenSTA on the mapped netlist (`sta.rs`).
//!
//! The FPGA flow (`report --fpga`: ECP5 synthesis, place and route) is in `fpga.rs`.
//!
//! The memory wrappers `sf_sram_sp`, `sf_sram_1r1w` and the skew FIFO `sf_fifo` are black
//! boxes in the ASIC run (their area comes from the SRAM area model in `mod.rs`); for timing
//! they are replaced by stand-ins whose outputs leave flip-flops (`STA_STUBS`). In the FPGA
//! flow they are synthesized (Yosys infers block or LUT RAM).

use crate::emit::OutFile;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Liberty file of the OSU 0.18 µm standard cells.
pub const OSU018_LIB: &str = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib";

/// The ABC script (EDA-NOTES: ~90 s at 32x32, within 5 % of the default script's area;
/// `buffer; upsize; dnsize` keep fanouts sane for STA).
pub const ABC_SCRIPT: &str =
    "+strash;dretime;&get,-n;&dch,-f;&nf;&put;buffer;upsize;dnsize;stime,-p";

/// Primitives that are black boxes in the ASIC run.
pub const BLACK_BOXES: [&str; 3] = ["sf_sram_sp", "sf_sram_1r1w", "sf_fifo"];

/// Bump when the scripts or the parsing change: part of every cache key.
const FLOW_VERSION: &str = "cost-flow-2";

/// Timing stand-ins for the black boxes (techmapped after `stat`), as a synchronous macro's
/// pins look to timing: every input pin ends at its own flip-flop (kept, with no logic before
/// it) and every output bit leaves a flip-flop. They are library flip-flops only, so the
/// netlist needs no further mapping (gates here would stay unmapped and OpenSTA would drop
/// them, and with them the paths into the memories).
const STA_STUBS: &str = r#"
module sf_stub_pins #(parameter integer N = 1) (input wire aclk, input wire [N-1:0] d);
  wire [N-1:0] q;
  genvar i;
  generate for (i = 0; i < N; i = i + 1) begin : g
    (* keep *) \$_DFF_P_ q (.C(aclk), .D(d[i]), .Q(q[i]));
  end endgenerate
endmodule
module sf_stub_out #(parameter integer N = 1) (input wire aclk, input wire [N-1:0] d,
    output wire [N-1:0] q);
  genvar i;
  generate for (i = 0; i < N; i = i + 1) begin : g
    (* keep *) \$_DFF_P_ q (.C(aclk), .D(d[i]), .Q(q[i]));
  end endgenerate
endmodule
module sf_sram_1r1w #(parameter integer WIDTH = 32, parameter integer DEPTH = 256,
    parameter integer AW = (DEPTH > 1) ? $clog2(DEPTH) : 1) (
    input wire aclk, input wire we, input wire [AW-1:0] waddr, input wire [WIDTH-1:0] wdata,
    input wire re, input wire [AW-1:0] raddr, output wire [WIDTH-1:0] rdata);
  sf_stub_pins #(.N(2 * AW + 2)) pins (.aclk(aclk), .d({we, waddr, re, raddr}));
  sf_stub_out #(.N(WIDTH)) data (.aclk(aclk), .d(wdata), .q(rdata));
endmodule
module sf_sram_sp #(parameter integer WIDTH = 32, parameter integer DEPTH = 256,
    parameter integer BE_W = WIDTH, parameter integer AW = (DEPTH > 1) ? $clog2(DEPTH) : 1,
    parameter integer NBE = WIDTH / BE_W) (
    input wire aclk, input wire req, input wire we, input wire [AW-1:0] addr,
    input wire [WIDTH-1:0] wdata, input wire [NBE-1:0] be, output wire [WIDTH-1:0] rdata);
  sf_stub_pins #(.N(AW + NBE + 2)) pins (.aclk(aclk), .d({req, we, addr, be}));
  sf_stub_out #(.N(WIDTH)) data (.aclk(aclk), .d(wdata), .q(rdata));
endmodule
module sf_fifo #(parameter integer WIDTH = 8, parameter integer DEPTH = 4,
    parameter integer CNT_W = $clog2(DEPTH + 1)) (
    input wire aclk, input wire aresetn, input wire [WIDTH-1:0] s_data, input wire s_valid,
    output wire s_ready, output wire [WIDTH-1:0] m_data, output wire m_valid,
    input wire m_ready, output wire [CNT_W-1:0] count);
  sf_stub_pins #(.N(3)) pins (.aclk(aclk), .d({s_valid, m_ready, aresetn}));
  sf_stub_out #(.N(WIDTH)) data (.aclk(aclk), .d(s_data), .q(m_data));
  sf_stub_out #(.N(CNT_W + 2)) ctl (.aclk(aclk), .d({(CNT_W + 2){s_valid}}), .q({count, s_ready, m_valid}));
endmodule
"#;

/// Paths of the external tools.
#[derive(Debug, Clone)]
pub struct Tools {
    pub yosys: PathBuf,
    pub sta: Option<PathBuf>,
    pub liberty: PathBuf,
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

impl Tools {
    /// Yosys and the OSU 0.18 µm liberty are required; OpenSTA is optional (no timing
    /// without it). Errors name the tool and the Debian package that provides it.
    pub fn find() -> Result<Tools> {
        let yosys = which("yosys").context(
            "yosys not found on PATH: install the Debian package `yosys` (apt-get install yosys)",
        )?;
        let liberty = PathBuf::from(OSU018_LIB);
        if !liberty.is_file() {
            bail!(
                "OSU 0.18 µm liberty {OSU018_LIB} not found: install the Debian package \
                 `qflow-tech-osu018` (apt-get install qflow-tech-osu018)"
            );
        }
        Ok(Tools {
            yosys,
            sta: which("sta"),
            liberty,
        })
    }

    /// Error text when OpenSTA is missing.
    pub fn sta_missing() -> &'static str {
        "OpenSTA (`sta`) not found on PATH: install the Debian package `opensta` \
         (apt-get install opensta); timing is left out"
    }

    /// `yosys -V`.
    pub fn version(&self) -> String {
        Command::new(&self.yosys)
            .arg("-V")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    }
}

/// A module to synthesize, with everything it instantiates.
#[derive(Debug, Clone)]
pub struct Unit {
    pub module: String,
    /// Instances in the top level (1 for the top itself).
    pub instances: usize,
    /// Source files to synthesize (dependencies first).
    pub files: Vec<OutFile>,
    /// Files read as black boxes (`read_verilog -lib`).
    pub black_boxes: Vec<OutFile>,
}

/// The modules a Verilog text instantiates among `known`, with instance counts: lines that
/// start with a known module name followed by a parameter list or an instance name.
pub fn instantiations(text: &str, known: &BTreeSet<String>) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let t = line.trim_start();
        let word: String = t
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if word.is_empty() || !known.contains(&word) {
            continue;
        }
        let rest = t[word.len()..].trim_start();
        if rest.starts_with('#')
            || rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '\\')
        {
            *out.entry(word).or_insert(0) += 1;
        }
    }
    out
}

/// Modules among `known` that `text` instantiates with a parameter list (`m #(`).
fn parametrized_instances(text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| {
            let t = l.trim_start();
            let word: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (known.contains(&word) && t[word.len()..].trim_start().starts_with('#')).then_some(word)
        })
        .collect()
}

fn module_of(file: &OutFile) -> Option<String> {
    file.name.strip_suffix(".v").map(str::to_string)
}

/// Splits the generated files into units: every module the top instantiates, each with its
/// dependency closure, and the top itself with those modules as black boxes.
pub fn units(files: &[OutFile], top: &str) -> Result<Vec<Unit>> {
    let by_module: BTreeMap<String, &OutFile> = files
        .iter()
        .filter_map(|f| module_of(f).map(|m| (m, f)))
        .collect();
    let known: BTreeSet<String> = by_module.keys().cloned().collect();
    let top_file = by_module
        .get(top)
        .with_context(|| format!("the generated files hold no module {top}"))?;
    // Units: generated modules the top instantiates without parameters. Hand-written
    // primitives (`sf_*` templates, instantiated with parameters) stay part of the top.
    let primitives: BTreeSet<&str> = crate::emit::primitives::PRIMITIVES
        .iter()
        .chain(crate::emit::primitives::TRAIN_PRIMITIVES.iter())
        .filter_map(|(n, _)| n.strip_suffix(".v"))
        .collect();
    let parametrized = parametrized_instances(&top_file.contents, &known);
    let children: BTreeMap<String, usize> = instantiations(&top_file.contents, &known)
        .into_iter()
        .filter(|(m, _)| !primitives.contains(m.as_str()) && !parametrized.contains(m))
        .collect();
    let bb: BTreeSet<&str> = BLACK_BOXES.into_iter().collect();
    // Dependency closure in dependency order (post-order).
    fn closure(
        m: &str,
        by_module: &BTreeMap<String, &OutFile>,
        known: &BTreeSet<String>,
        seen: &mut BTreeSet<String>,
        order: &mut Vec<String>,
    ) {
        if !seen.insert(m.to_string()) {
            return;
        }
        if let Some(f) = by_module.get(m) {
            for d in instantiations(&f.contents, known).keys() {
                closure(d, by_module, known, seen, order);
            }
        }
        order.push(m.to_string());
    }
    let split = |order: Vec<String>, extra_bb: &BTreeSet<String>| {
        let (mut files, mut black) = (Vec::new(), Vec::new());
        for m in order {
            let f = (*by_module[&m]).clone();
            if bb.contains(m.as_str()) || extra_bb.contains(&m) {
                black.push(f);
            } else {
                files.push(f);
            }
        }
        (files, black)
    };
    let mut out = Vec::new();
    for (child, &n) in &children {
        if bb.contains(child.as_str()) {
            continue;
        }
        let (mut seen, mut order) = (BTreeSet::new(), Vec::new());
        closure(child, &by_module, &known, &mut seen, &mut order);
        let (files, black_boxes) = split(order, &BTreeSet::new());
        out.push(Unit {
            module: child.clone(),
            instances: n,
            files,
            black_boxes,
        });
    }
    // The top: children that are units become black boxes (their closures are not read).
    let unit_children: BTreeSet<String> = children
        .keys()
        .filter(|c| !bb.contains(c.as_str()))
        .cloned()
        .collect();
    let mut order: Vec<String> = Vec::new();
    let mut seen = unit_children.clone();
    for c in &unit_children {
        order.push(c.clone());
    }
    closure(top, &by_module, &known, &mut seen, &mut order);
    let (files, black_boxes) = split(order, &unit_children);
    out.push(Unit {
        module: top.to_string(),
        instances: 1,
        files,
        black_boxes,
    });
    Ok(out)
}

/// The whole design as one unit: the top with every module it instantiates, flattened
/// together (`report --synth-flat`); only the memories stay black boxes, as in every unit.
pub fn flat_unit(files: &[OutFile], top: &str) -> Result<Unit> {
    let units = units(files, top)?;
    let (top_unit, children): (Vec<Unit>, Vec<Unit>) =
        units.into_iter().partition(|u| u.module == top);
    let top_unit = top_unit
        .into_iter()
        .next()
        .with_context(|| format!("the generated files hold no module {top}"))?;
    let bb: BTreeSet<&str> = BLACK_BOXES.into_iter().collect();
    // Dependencies first: each child's closure, then the top's own files; a file shared by
    // several closures (primitives) is read once.
    let mut seen = BTreeSet::new();
    let (mut files, mut black_boxes) = (Vec::new(), Vec::new());
    for f in children
        .iter()
        .flat_map(|u| u.files.iter().chain(&u.black_boxes))
        .chain(top_unit.files.iter().chain(&top_unit.black_boxes))
    {
        let Some(m) = module_of(f) else { continue };
        if !seen.insert(m.clone()) {
            continue;
        }
        if bb.contains(m.as_str()) {
            black_boxes.push(f.clone());
        } else {
            files.push(f.clone());
        }
    }
    // The top's black boxes named the units; the top itself goes last.
    let at = files
        .iter()
        .position(|f| module_of(f).as_deref() == Some(top))
        .with_context(|| format!("no file of {top} among the top's sources"))?;
    let top_file = files.remove(at);
    files.push(top_file);
    Ok(Unit {
        module: top.to_string(),
        instances: 1,
        files,
        black_boxes,
    })
}

/// One ASIC synthesis result (OSU 0.18 µm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsicResult {
    pub module: String,
    /// `stat -liberty` chip area of the standard cells, µm² (black boxes excluded).
    pub area_um2: f64,
    pub cells: u64,
    /// Sequential cells (DFFPOSX1, DFFNEGX1, DFFSR, LATCH).
    pub flip_flops: u64,
    /// Black-box instances by type (memories, sub-units).
    pub black_boxes: BTreeMap<String, u64>,
    /// Critical path from OpenSTA (register to register, or through the unit's ports), ns.
    pub critical_path_ns: Option<f64>,
    /// Startpoint and endpoint of the critical path.
    pub critical_path: Option<String>,
    pub yosys_seconds: f64,
    pub sta_seconds: f64,
    pub yosys_version: String,
    pub cache_key: String,
}

/// Text a unit's result depends on: comment lines dropped and the trainable-core index
/// normalised (`train1_` → `trainN_`), so that modules equal up to those names share one
/// synthesis (the two trainable cores' stages).
fn canonical(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for line in text.lines() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        s.push_str(line);
        s.push('\n');
    }
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"train") {
            let mut j = i + 5;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j > i + 5 && j < b.len() && b[j] == b'_' {
                out.push_str("trainN");
                i = j;
                continue;
            }
        }
        out.push(b[i] as char);
        i += 1;
    }
    out
}

/// Content hash of a unit under a flow.
pub fn unit_key(unit: &Unit, flow: &str, tool_version: &str) -> String {
    let mut h = Sha256::new();
    h.update(FLOW_VERSION.as_bytes());
    h.update(flow.as_bytes());
    h.update(tool_version.as_bytes());
    // The top's name is the only one a unit cannot rename; normalise it too.
    for (tag, list) in [("src", &unit.files), ("bb", &unit.black_boxes)] {
        for f in list.iter() {
            h.update(tag.as_bytes());
            h.update(canonical(&f.contents.replace(&unit.module, "SF_UNIT")).as_bytes());
        }
    }
    crate::passes::hash::hex(&h.finalize())
}

/// The default cache folder: `$XDG_CACHE_HOME/semifreddo/synth` or `~/.cache/semifreddo/synth`.
pub fn default_cache() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("semifreddo/synth");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache/semifreddo/synth");
    }
    PathBuf::from(".semifreddo-cache/synth")
}

fn write_sources(dir: &Path, unit: &Unit) -> Result<(Vec<String>, Vec<String>)> {
    let mut src = Vec::new();
    let mut bb = Vec::new();
    for (list, names) in [(&unit.files, &mut src), (&unit.black_boxes, &mut bb)] {
        for f in list.iter() {
            std::fs::write(dir.join(&f.name), &f.contents)
                .with_context(|| format!("cannot write {}", dir.join(&f.name).display()))?;
            names.push(f.name.clone());
        }
    }
    Ok((src, bb))
}

pub(crate) fn run_yosys(tools: &Tools, dir: &Path, script: &str) -> Result<f64> {
    std::fs::write(dir.join("run.ys"), script)?;
    let t = Instant::now();
    let out = Command::new(&tools.yosys)
        .current_dir(dir)
        .args(["-q", "-l", "yosys.log", "run.ys"])
        .output()
        .with_context(|| format!("cannot run {}", tools.yosys.display()))?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        let log = std::fs::read_to_string(dir.join("yosys.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        bail!(
            "yosys failed in {}:\n{}\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    Ok(secs)
}

/// Cell counts and chip area from a `stat` report: (cells by type, area).
pub fn parse_stat(text: &str) -> (BTreeMap<String, u64>, Option<f64>) {
    let mut cells = BTreeMap::new();
    let mut area = None;
    let mut in_cells = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("Number of cells:") {
            in_cells = true;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Chip area for module") {
            area = rest
                .rsplit(':')
                .next()
                .and_then(|v| v.trim().parse::<f64>().ok());
            in_cells = false;
            continue;
        }
        if in_cells {
            let mut it = t.split_whitespace();
            match (it.next(), it.next(), it.next()) {
                (Some(name), Some(n), None) => {
                    if let Ok(n) = n.parse::<u64>() {
                        *cells
                            .entry(name.trim_start_matches('\\').to_string())
                            .or_insert(0) += n;
                        continue;
                    }
                    in_cells = false;
                }
                _ => in_cells = false,
            }
        }
    }
    (cells, area)
}

/// Copies the files of a working folder to `to` (replaced if it exists): what `--fpga-keep`
/// and `--synth-keep` leave for a run by hand.
pub(crate) fn keep_folder(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to).with_context(|| format!("cannot replace {}", to.display()))?;
    }
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).with_context(|| {
                format!("cannot copy {} to {}", entry.path().display(), to.display())
            })?;
        }
    }
    Ok(())
}

/// Synthesizes a unit for OSU 0.18 µm and times it with OpenSTA, or returns the cached
/// result (`true` when it came from the cache).
pub fn synth_asic(unit: &Unit, tools: &Tools, cache: &Path) -> Result<(AsicResult, bool)> {
    synth_asic_kept(unit, tools, cache, None)
}

/// [`synth_asic`], and with `keep` the working folder is copied there after the run: the
/// sources, the Yosys script and log, `stat.txt`, the mapped netlist `netlist.v` with the
/// memories' timing stand-ins, and OpenSTA's script and report (`sta.tcl`, `sta.log`, the
/// critical path cell by cell). A result taken from the cache is not synthesized again, so
/// nothing is kept for it.
pub fn synth_asic_kept(
    unit: &Unit,
    tools: &Tools,
    cache: &Path,
    keep: Option<&Path>,
) -> Result<(AsicResult, bool)> {
    if let Some(r) = cached_asic(unit, tools, cache) {
        return Ok((r, true));
    }
    let version = tools.version();
    let key = unit_key(unit, "asic-osu018", &version);
    let work = tempfile::Builder::new()
        .prefix("semifreddo-synth-")
        .tempdir()?;
    let dir = work.path();
    let (src, bb) = write_sources(dir, unit)?;
    std::fs::write(dir.join("sta_stubs.v"), STA_STUBS)?;
    let lib = tools.liberty.display().to_string();
    let top = &unit.module;
    let mut script = String::new();
    if !bb.is_empty() {
        script += &format!("read_verilog -lib {}\n", bb.join(" "));
    }
    // `autoname` (after `stat`, renaming only) names the netlist's cells after the wires
    // they drive, so that critical paths name flip-flops of the RTL, not `_107871_`.
    script += &format!(
        "read_verilog {src}\nhierarchy -check -top {top}\nsynth -top {top} -flatten -noabc\n\
         dfflibmap -liberty {lib}\nabc -liberty {lib} -script {ABC_SCRIPT}\nopt_clean\n\
         tee -q -o stat.txt stat -liberty {lib}\n\
         techmap -map sta_stubs.v\ndfflibmap -liberty {lib}\nopt_clean\n\
         autoname\nwrite_verilog -noattr -noexpr -simple-lhs netlist.v\n",
        src = src.join(" ")
    );
    let yosys_seconds = run_yosys(tools, dir, &script)?;
    let stat = std::fs::read_to_string(dir.join("stat.txt"))?;
    let (cells, area) = parse_stat(&stat);
    let area = area.with_context(|| format!("no chip area in the stat report of {top}"))?;
    let seq = ["DFFPOSX1", "DFFNEGX1", "DFFSR", "LATCH"];
    let lib_cells = lib_cell_names(&tools.liberty);
    let mut black_boxes = BTreeMap::new();
    let (mut n, mut ff) = (0, 0);
    for (c, &k) in &cells {
        if lib_cells.contains(c) {
            n += k;
            if seq.contains(&c.as_str()) {
                ff += k;
            }
        } else {
            black_boxes.insert(c.clone(), k);
        }
    }
    let (critical_path_ns, critical_path, sta_seconds) = match &tools.sta {
        Some(sta) => {
            let t = Instant::now();
            // Generated stages use `aclk`; stand-alone adder graphs use `clk`.
            let text = unit
                .files
                .iter()
                .find(|f| module_of(f).as_deref() == Some(top.as_str()))
                .map_or("", |f| f.contents.as_str());
            let clock = if text.contains("aclk") { "aclk" } else { "clk" };
            let r =
                super::sta::critical_path(sta, &tools.liberty, &dir.join("netlist.v"), top, clock)?;
            (
                r.as_ref().map(|r| r.0),
                r.map(|r| r.1),
                t.elapsed().as_secs_f64(),
            )
        }
        None => (None, None, 0.0),
    };
    let result = AsicResult {
        module: top.clone(),
        area_um2: area,
        cells: n,
        flip_flops: ff,
        black_boxes,
        critical_path_ns,
        critical_path,
        yosys_seconds,
        sta_seconds,
        yosys_version: version,
        cache_key: key.clone(),
    };
    // Only complete results are cached (with OpenSTA present, or explicitly without).
    if tools.sta.is_some() {
        let json = serde_json::to_string_pretty(&result)?;
        crate::output::publish_dir_once(&cache.join(&key), |d| {
            std::fs::write(d.join("asic.json"), &json)?;
            std::fs::write(d.join("stat.txt"), &stat)?;
            Ok(())
        })?;
    }
    // after the cache: a folder that cannot be written loses no synthesis
    if let Some(to) = keep {
        keep_folder(dir, to)?;
    }
    Ok((result, false))
}

/// The cached ASIC result of a unit, if any (never runs a tool but `yosys -V`).
pub fn cached_asic(unit: &Unit, tools: &Tools, cache: &Path) -> Option<AsicResult> {
    let key = unit_key(unit, "asic-osu018", &tools.version());
    let text = std::fs::read_to_string(cache.join(&key).join("asic.json")).ok()?;
    let mut r = serde_json::from_str::<AsicResult>(&text).ok()?;
    r.module = unit.module.clone();
    Some(r)
}

/// Cell names defined in a liberty file.
fn lib_cell_names(lib: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(lib).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let t = l.trim_start();
            let rest = t.strip_prefix("cell")?.trim_start().strip_prefix('(')?;
            Some(rest.split(')').next()?.trim().trim_matches('"').to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instantiations_are_found_by_line_shape() {
        let known: BTreeSet<String> = ["sf_fifo", "m_a"].iter().map(|s| s.to_string()).collect();
        let text = "  sf_fifo #(.WIDTH(8)) u_f (\n  m_a u_a (.x(y));\n  // m_a in a comment\n  wire m_a_x;\n  m_a\\u (\n";
        let m = instantiations(text, &known);
        assert_eq!(m.get("sf_fifo"), Some(&1));
        assert_eq!(m.get("m_a"), Some(&2));
    }

    #[test]
    fn canonical_text_ignores_comments_and_core_index() {
        assert_eq!(
            canonical("// a\nwire train1_x;\nwire train12_y;\n"),
            canonical("// b\nwire train0_x;\nwire train3_y;\n")
        );
        assert_ne!(canonical("wire train1x;\n"), canonical("wire train0x;\n"));
    }

    #[test]
    fn stat_reports_parse() {
        let t = "=== m ===\n\n   Number of cells:                3\n     DFFPOSX1                     2\n     sf_fifo                      1\n\n   Area for cell type \\sf_fifo is unknown!\n\n   Chip area for module '\\m': 192.000000\n";
        let (cells, area) = parse_stat(t);
        assert_eq!(cells.get("DFFPOSX1"), Some(&2));
        assert_eq!(cells.get("sf_fifo"), Some(&1));
        assert_eq!(area, Some(192.0));
    }
}
