//! Verilator co-simulation: describe a generated top module ([`Design`]), build the generic
//! C++ harness (`sim/harness.cpp`) against it once per content hash ([`build`]), and run it on a
//! [`Stimulus`] with random valid/ready gaps ([`Built::run`]), getting every output beat, every
//! debug-tap handshake and cycle statistics back ([`SimResult`]). File formats: docs/sim.md.

mod build;
mod header;
mod run;
mod stimulus;

use std::path::PathBuf;

pub use build::{build, build_with, prune_cache, verilator_version, BuildOptions, Built};
pub use header::{design_header, mangle, public_config};
pub use run::{AxilRead, FifoStats, RunOptions, SimResult, Stats, StreamStats, TapBeat};
pub use stimulus::{flatten_i16, flatten_i8, parse_beats, Beat, StimItem, Stimulus};

/// The top module to simulate and its ports (the contract with the RTL generator, docs/sim.md).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Design {
    /// Top module name; Verilator's class is `V<top>`.
    pub top: String,
    /// Verilog sources, in the order they are given to Verilator.
    pub rtl_files: Vec<PathBuf>,
    /// `-I` directories (for `` `include ``); their files are hashed too.
    pub include_dirs: Vec<PathBuf>,
    /// Width of `s_axis_tdata` (8 * input channels; the input stream and the AXI4-Lite slave
    /// carry the names of `passes::interface::VIDEO_IN` and `AXIL`).
    pub input_bits: u32,
    /// AXI4-Stream outputs, each with ports `<prefix>_tdata/_tvalid/_tready/_tuser/_tlast`.
    pub outputs: Vec<StreamPort>,
    /// Internal handshakes marked `/* verilator public_flat_rd */` to record.
    pub taps: Vec<Tap>,
    /// FIFO instances whose occupancy the harness reads every clock (peak, cycles full,
    /// cycles full with the writer stalled: `fifos` in `stats.json`). Their `count` and
    /// `s_valid` ports are made public by a generated Verilator configuration file, so the
    /// RTL needs no marking.
    #[serde(default)]
    pub fifos: Vec<FifoProbe>,
    /// Modules instantiated several times that Verilator keeps as one class (`no_inline` in
    /// the generated configuration file) instead of inlining every instance, so their C++ is
    /// generated and compiled once: the trainable stages the cores share.
    #[serde(default)]
    pub compile_once: Vec<String>,
    /// The `s_axil_*` slave, if the top has one.
    pub axil: Option<AxilPort>,
}

/// One AXI4-Stream master output of the top.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StreamPort {
    /// Port prefix, e.g. `m_axis_feat` or `m_axis_h0`; also the output file name.
    pub prefix: String,
    /// Width of `<prefix>_tdata` in bits (any width; > 64 bits is a Verilator wide signal).
    pub bits: u32,
}

/// A debug tap: an internal valid/ready/data handshake, by hierarchical names below the top
/// (e.g. `u_s1_b0.m_valid`); each must be marked `/* verilator public_flat_rd */`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tap {
    /// Short name: the record is `tap_<name>.bin`.
    pub name: String,
    pub valid: String,
    /// `None` for a point without backpressure (always ready).
    pub ready: Option<String>,
    pub data: String,
    /// Width of the data signal in bits.
    pub bits: u32,
}

/// A FIFO instance to measure: a module with an occupancy output `count` and the writer's
/// `s_valid` input (full means `count == depth`; with `s_valid` high then, the writer waits).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FifoProbe {
    /// Short name: the key in `stats.json`.
    pub name: String,
    /// Hierarchical instance path below the top, e.g. `u_skew0`.
    pub instance: String,
    /// The instance's module (before parameterisation), e.g. `sf_fifo`.
    pub module: String,
    /// Entries (the FIFO is full at `count == depth`).
    pub depth: u64,
}

/// The AXI4-Lite slave `s_axil_*` (32-bit data).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AxilPort {
    /// Width of `s_axil_awaddr`/`s_axil_araddr` (at most 32).
    pub addr_bits: u32,
    /// Whether `s_axil_awprot`/`s_axil_arprot` exist (driven to 0).
    pub has_prot: bool,
}

/// Errors of the simulation flow. Returned inside `anyhow::Error`; use `downcast_ref` to match.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(
        "{tool} not found ({detail}); install Debian's `verilator` (>= 5.0) and `g++`, `make`"
    )]
    ToolMissing { tool: String, detail: String },
    #[error("invalid design description: {0}")]
    BadDesign(String),
    #[error("{step} failed (exit {status}):\n{tail}")]
    Build {
        step: String,
        status: String,
        tail: String,
    },
    #[error("simulation of `{top}` deadlocked: {message}")]
    Deadlock { top: String, message: String },
    #[error("simulation of `{top}`: AXI4-Lite configuration failed: {message}")]
    Axil { top: String, message: String },
    #[error("simulation of `{top}` failed (exit {status}): {message}")]
    Run {
        top: String,
        status: String,
        message: String,
    },
}

impl Design {
    /// Bytes per input beat: `ceil(input_bits / 8)`.
    pub fn input_bytes(&self) -> usize {
        bytes_for(self.input_bits)
    }

    /// Checks names and widths before anything is generated.
    pub fn validate(&self) -> Result<(), SimError> {
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !s.starts_with(|c: char| c.is_ascii_digit())
        };
        let bad = |m: String| Err(SimError::BadDesign(m));
        if !ident(&self.top) {
            return bad(format!(
                "top module name `{}` is not a plain identifier",
                self.top
            ));
        }
        if self.rtl_files.is_empty() {
            return bad("no RTL files".into());
        }
        if self.input_bits == 0 {
            return bad("input_bits is 0".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for o in &self.outputs {
            if !ident(&o.prefix) || o.bits == 0 {
                return bad(format!("output `{}`: bad prefix or zero width", o.prefix));
            }
            if !seen.insert(o.prefix.clone()) {
                return bad(format!("output `{}` listed twice", o.prefix));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &self.taps {
            if !ident(&t.name) || t.bits == 0 {
                return bad(format!("tap `{}`: bad name or zero width", t.name));
            }
            if !seen.insert(t.name.clone()) {
                return bad(format!("tap `{}` listed twice", t.name));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for f in &self.fifos {
            let path_ok = !f.instance.is_empty()
                && f.instance
                    .split('.')
                    .all(|p| ident(p.split('[').next().unwrap_or("")));
            if !ident(&f.name) || !ident(&f.module) || !path_ok || f.depth == 0 {
                return bad(format!(
                    "FIFO probe `{}`: bad name, module or instance path, or zero depth",
                    f.name
                ));
            }
            if !seen.insert(f.name.clone()) {
                return bad(format!("FIFO probe `{}` listed twice", f.name));
            }
        }
        if let Some(m) = self.compile_once.iter().find(|m| !ident(m)) {
            return bad(format!(
                "compile_once module `{m}` is not a plain identifier"
            ));
        }
        if let Some(a) = &self.axil {
            if a.addr_bits == 0 || a.addr_bits > 32 {
                return bad(format!(
                    "AXI4-Lite address width {} (1..=32 supported)",
                    a.addr_bits
                ));
            }
        }
        Ok(())
    }
}

pub(crate) fn bytes_for(bits: u32) -> usize {
    (bits as usize).div_ceil(8)
}

/// Reads a Verilog filelist (`<top>.f`): one source per line, relative to the filelist's
/// folder unless absolute; `+incdir+DIR` and `-I DIR`/`-IDIR` give include dirs; `//` and `#`
/// start comments. Returns (sources, include dirs) for [`Design`].
pub fn read_filelist(path: &std::path::Path) -> anyhow::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading filelist {}", path.display()))?;
    let base = path.parent().unwrap_or(std::path::Path::new("."));
    let resolve = |p: &str| {
        let p = std::path::Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    };
    let (mut files, mut incs) = (Vec::new(), Vec::new());
    let mut want_inc = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("");
        let line = line.split('#').next().unwrap_or("");
        for tok in line.split_whitespace() {
            if want_inc {
                incs.push(resolve(tok));
                want_inc = false;
            } else if let Some(d) = tok.strip_prefix("+incdir+") {
                incs.extend(d.split('+').filter(|s| !s.is_empty()).map(resolve));
            } else if tok == "-I" {
                want_inc = true;
            } else if let Some(d) = tok.strip_prefix("-I") {
                incs.push(resolve(d));
            } else if tok.starts_with('-') || tok.starts_with('+') {
                anyhow::bail!("{}: unsupported filelist option `{tok}`", path.display());
            } else {
                files.push(resolve(tok));
            }
        }
    }
    Ok((files, incs))
}
