//! Hardware cost of a plan: counts from the plan (`plan_counts`), OSU 0.18 µm area and
//! timing from Yosys and OpenSTA on each distinct generated module (`synth`, `sta`), the
//! plan-based estimate calibrated against those (`calibrate`), and the benchmarks against
//! the paper (`paper`), and with `--fpga` each unit placed and routed on a Lattice ECP5
//! (`fpga`). Every figure carries its provenance.
//!
//! Memories are priced by the SRAM area model (`SramModel`), not synthesized: the weight
//! SRAMs, the line memories and the skew FIFOs are black boxes to Yosys.

pub mod calibrate;
pub mod fpga;
pub mod freezing;
pub mod paper;
pub mod plan_counts;
pub mod sta;
pub mod svg;
pub mod synth;

use crate::passes::HwPlan;
use anyhow::Result;
use plan_counts::{Block, Counts, Part};
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt::Write;
use std::path::PathBuf;

/// Where a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Provenance {
    /// Counted from the hardware plan (no tool run).
    Counted,
    /// Yosys (`stat -liberty`, OSU 0.18 µm) or OpenSTA on the mapped netlist.
    Synthesized,
    /// The plan-based model with coefficients fitted on synthesized blocks.
    Calibrated,
    /// Memory bits x the SRAM area model's µm² per bit (an assumption, see `SramModel`).
    SramModel,
    /// Sum of figures of different provenance.
    Mixed,
}

impl Provenance {
    pub fn text(self) -> &'static str {
        match self {
            Provenance::Counted => "counted from the plan",
            Provenance::Synthesized => "synthesized (yosys + OSU 0.18 um liberty; OpenSTA)",
            Provenance::Calibrated => "estimated from calibration",
            Provenance::SramModel => "SRAM area model (bits x um2/bit)",
            Provenance::Mixed => {
                "sum: synthesized where available, else estimated from calibration"
            }
        }
    }
    fn short(self) -> &'static str {
        match self {
            Provenance::Counted => "C",
            Provenance::Synthesized => "S",
            Provenance::Calibrated => "E",
            Provenance::SramModel => "M",
            Provenance::Mixed => "S+E",
        }
    }
}

/// Area of memories in µm² per bit.
///
/// Assumption (not a measurement): published 180 nm six-transistor SRAM bit cells are
/// 4.4-5.6 µm² (e.g. 5.6 µm² in Intel's 180 nm logic process, IEDM 1998); small compiled
/// macros like these (tens of words to a few kbit) spend about half their area on decoders,
/// sense amplifiers and I/O, so 10 µm² per bit. For scale, an OSU 0.18 µm `DFFPOSX1` is
/// 96 µm², so register-file memories would cost about ten times as much.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SramModel {
    pub um2_per_bit: f64,
}

impl Default for SramModel {
    fn default() -> Self {
        SramModel { um2_per_bit: 10.0 }
    }
}

/// Which units to synthesize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynthMode {
    /// Plan counts only.
    Off,
    /// Every unit whose size (`synth_size`) is at most the limit; the others are estimated.
    Limit(u64),
    /// Synthesis results from the cache only (no tool run); the others are estimated.
    CacheOnly,
}

#[derive(Debug, Clone)]
pub struct CostOptions {
    pub synth: SynthMode,
    pub fpga: bool,
    pub cache: PathBuf,
    pub sram: SramModel,
    /// Progress lines on stderr.
    pub verbose: bool,
    /// When not empty, only these modules are synthesized (after a change to them); the
    /// others come from the cache or the estimate, as with `SynthMode::CacheOnly`.
    pub synth_only: Vec<String>,
    /// Where to keep each unit's place-and-route folder (`<dir>/<module>`), if anywhere.
    pub fpga_keep: Option<PathBuf>,
    /// Also synthesize the whole design flat and compare with the per-block sum.
    pub flat: bool,
    /// Where to keep each synthesized unit's folder (`<dir>/<module>`, the flat design in
    /// `<dir>/<top>_flat`), if anywhere.
    pub synth_keep: Option<PathBuf>,
}

impl Default for CostOptions {
    fn default() -> Self {
        CostOptions {
            synth: SynthMode::Off,
            fpga: false,
            cache: synth::default_cache(),
            sram: SramModel::default(),
            verbose: false,
            synth_only: Vec::new(),
            fpga_keep: None,
            flat: false,
            synth_keep: None,
        }
    }
}

/// A rough size of a unit for deciding whether to synthesize it (about one per 2 cells;
/// register-block flip-flops, plain enabled registers, count once).
pub fn synth_size(b: &Block) -> u64 {
    let c = &b.counts;
    let ff = if b.name == "regs" { 1 } else { 4 };
    c.adder_bits
        + c.requant_mult_bits
        + 64 * c.mac_units
        + ff * c.flip_flops
        + c.blend_bits
        + 4 * c.window_bits
}

/// Cost of one block.
#[derive(Debug, Clone, Serialize)]
pub struct BlockCost {
    pub block: Block,
    pub instances: usize,
    pub asic: Option<synth::AsicResult>,
    pub cache_hit: bool,
    /// ECP5 synthesis, place and route (`--fpga`).
    pub fpga: Option<fpga::Ecp5Result>,
    /// Calibrated logic area when not synthesized (or for comparison when synthesized).
    pub estimated_um2: Option<f64>,
}

impl BlockCost {
    /// Standard-cell area: synthesized, else calibrated.
    pub fn logic_um2(&self) -> Option<(f64, Provenance)> {
        if let Some(a) = &self.asic {
            return Some((a.area_um2 * self.instances as f64, Provenance::Synthesized));
        }
        self.estimated_um2
            .map(|v| (v * self.instances as f64, Provenance::Calibrated))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CostReport {
    pub model: String,
    pub input: (usize, usize, usize),
    pub frame_cycles: u64,
    pub blocks: Vec<BlockCost>,
    pub sram: SramModel,
    pub calibration: Option<calibrate::Calibration>,
    #[serde(skip)]
    pub coefficients: Option<[f64; calibrate::NF]>,
    /// Register-block bits per owning part (`plan_counts::register_bits_by_part`).
    pub register_bits: Vec<(Part, u64)>,
    /// The frozen stages next to their trainable equivalents.
    pub frozen: Vec<freezing::FrozenStageView>,
    /// The target clock the plan's pipelines were chosen for (`HwPlan::timing`), MHz.
    pub target_mhz: f64,
    /// The whole design synthesized flat (`--synth-flat`).
    pub flat: Option<synth::AsicResult>,
    pub notes: Vec<String>,
}

/// The flat synthesis next to the per-block figures the report sums.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FlatCheck {
    /// Logic area of the flat synthesis, µm² (memories excluded, as in every unit).
    pub flat_um2: f64,
    /// The report's logic area: per-block syntheses times instances, plus estimates.
    pub per_block_um2: f64,
    pub per_block_provenance: Provenance,
    /// (flat - per block) / per block.
    pub difference: f64,
}

/// What the timing pass's pipelines cost: the flip-flops they add over the shallowest form
/// and their area at the datapath flip-flop coefficient.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Pipelining {
    pub flip_flops: u64,
    pub area_um2: f64,
    /// Of the design's area (logic and memories).
    pub fraction: f64,
}

/// ECP5 totals over the placed units.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Ecp5Total {
    pub units: usize,
    pub lut4: u64,
    pub ccu2c: u64,
    pub ff: u64,
    pub dsp: u64,
    pub bram: u64,
    pub lutram: u64,
    /// The slowest unit's post-route Fmax.
    pub fmax_mhz: f64,
    pub target_mhz: f64,
}

/// Totals of a set of blocks.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Totals {
    pub counts: Counts,
    pub logic_um2: f64,
    pub logic_provenance: Provenance,
    pub memory_um2: f64,
    /// Blocks with no logic area at all (no synthesis and no calibration).
    pub missing: usize,
    pub critical_path_ns: Option<f64>,
    pub critical_path_provenance: Provenance,
}

impl Totals {
    pub fn area_um2(&self) -> f64 {
        self.logic_um2 + self.memory_um2
    }
}

impl CostReport {
    /// The pipelining cost of the whole design (`Counts::pipeline_bits`).
    pub fn pipelining(&self) -> Pipelining {
        let t = self.totals(&[]);
        let coef = self
            .coefficients
            .unwrap_or(crate::area::DEFAULT_COEFFICIENTS)[1];
        let area_um2 = t.counts.pipeline_bits as f64 * coef;
        Pipelining {
            flip_flops: t.counts.pipeline_bits,
            area_um2,
            fraction: area_um2 / t.area_um2().max(1.0),
        }
    }

    /// Totals over the blocks of the given parts (all with an empty slice).
    pub fn totals(&self, parts: &[Part]) -> Totals {
        let mut t = Totals {
            counts: Counts::default(),
            logic_um2: 0.0,
            logic_provenance: Provenance::Synthesized,
            memory_um2: 0.0,
            missing: 0,
            critical_path_ns: None,
            critical_path_provenance: Provenance::Synthesized,
        };
        let mut any_est = false;
        let mut any_syn = false;
        for b in self
            .blocks
            .iter()
            .filter(|b| parts.is_empty() || parts.contains(&b.block.part))
        {
            t.counts += b.block.counts;
            match b.logic_um2() {
                Some((v, p)) => {
                    t.logic_um2 += v;
                    if p == Provenance::Synthesized {
                        any_syn = true;
                    } else {
                        any_est = true;
                    }
                }
                None => t.missing += 1,
            }
            if let Some(cp) = b.asic.as_ref().and_then(|a| a.critical_path_ns) {
                t.critical_path_ns = Some(t.critical_path_ns.map_or(cp, |v: f64| v.max(cp)));
            }
        }
        t.memory_um2 = t.counts.memory_bits() as f64 * self.sram.um2_per_bit;
        t.logic_provenance = match (any_syn, any_est) {
            (true, false) => Provenance::Synthesized,
            (false, true) => Provenance::Calibrated,
            _ => Provenance::Mixed,
        };
        if any_est && t.critical_path_ns.is_some() {
            // Unsynthesized blocks are assumed no slower than the slowest synthesized one.
            t.critical_path_provenance = Provenance::Mixed;
        }
        t
    }

    /// The flat synthesis against the per-block sum (with `--synth-flat`).
    pub fn flat_check(&self) -> Option<FlatCheck> {
        let flat = self.flat.as_ref()?;
        let t = self.totals(&[]);
        Some(FlatCheck {
            flat_um2: flat.area_um2,
            per_block_um2: t.logic_um2,
            per_block_provenance: t.logic_provenance,
            difference: (flat.area_um2 - t.logic_um2) / t.logic_um2.max(1.0),
        })
    }

    /// Fmax of the whole design in MHz: the slowest synthesized unit.
    pub fn fmax_mhz(&self) -> Option<f64> {
        self.totals(&[]).critical_path_ns.map(|cp| 1000.0 / cp)
    }

    /// The ECP5 results summed over the placed units (times their instances) and the
    /// design's ECP5 Fmax (the slowest unit) with that unit's block name.
    pub fn ecp5_total(&self) -> Option<(Ecp5Total, String)> {
        let mut t = Ecp5Total::default();
        let mut slowest: Option<(f64, &str)> = None;
        for b in &self.blocks {
            let Some(f) = &b.fpga else { continue };
            let n = b.instances as u64;
            t.units += 1;
            t.lut4 += n * f.lut4;
            t.ccu2c += n * f.ccu2c;
            t.ff += n * f.ff;
            t.dsp += n * f.dsp;
            t.bram += n * f.bram;
            t.lutram += n * f.lutram;
            t.target_mhz = f.target_mhz;
            if slowest.is_none_or(|(v, _)| f.fmax_mhz < v) {
                slowest = Some((f.fmax_mhz, &b.block.name));
            }
        }
        let (fmax, name) = slowest?;
        t.fmax_mhz = fmax;
        Some((t, name.to_string()))
    }

    /// Parts present, in order.
    pub fn parts(&self) -> Vec<Part> {
        let mut v: Vec<Part> = self.blocks.iter().map(|b| b.block.part).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Counts from the plan, synthesis of the units allowed by `opts.synth`, calibration of the
/// rest.
pub fn analyze(plan: &HwPlan, opts: &CostOptions) -> Result<CostReport> {
    let blocks = plan_counts::blocks(plan);
    let mut notes = Vec::new();
    let mut flat = None;
    let mut out: Vec<BlockCost> = blocks
        .into_iter()
        .map(|b| BlockCost {
            block: b,
            instances: 1,
            asic: None,
            cache_hit: false,
            fpga: None,
            estimated_um2: None,
        })
        .collect();
    if opts.synth != SynthMode::Off {
        let limit = match opts.synth {
            SynthMode::Limit(l) => l,
            _ => u64::MAX,
        };
        let tools = synth::Tools::find()?;
        // Before any long run: the place-and-route tool must be there.
        let pnr = if opts.fpga {
            Some(fpga::Nextpnr::find()?)
        } else {
            None
        };
        let target_mhz = plan.options.target_mhz.unwrap_or(150.0);
        if tools.sta.is_none() {
            notes.push(synth::Tools::sta_missing().to_string());
            eprintln!("warning: {}", synth::Tools::sta_missing());
        }
        let files = crate::emit::render(plan)?;
        let units = synth::units(&files, &plan.top())?;
        if let Some(m) = opts
            .synth_only
            .iter()
            .find(|m| !units.iter().any(|u| &u.module == *m))
        {
            let names: Vec<&str> = units.iter().map(|u| u.module.as_str()).collect();
            anyhow::bail!(
                "--synth-only {m}: no such unit in {}; its units are {}",
                plan.top(),
                names.join(", ")
            );
        }
        for u in &units {
            let idx = match out.iter().position(|b| b.block.module == u.module) {
                Some(i) => i,
                None => {
                    // A module the plan counts do not know yet (new block kinds): synthesized only.
                    out.push(BlockCost {
                        block: Block {
                            name: u.module.clone(),
                            module: u.module.clone(),
                            part: Part::Glue,
                            latency: 0,
                            counts: Counts::default(),
                        },
                        instances: u.instances,
                        asic: None,
                        cache_hit: false,
                        fpga: None,
                        estimated_um2: None,
                    });
                    out.len() - 1
                }
            };
            // A module shared by several blocks (trainable stages of the same hardware) is
            // synthesized once; each block is one of its instances.
            let users: Vec<usize> = (0..out.len())
                .filter(|&i| out[i].block.module == u.module)
                .collect();
            if users.len() == 1 {
                out[idx].instances = u.instances;
            }
            let size = synth_size(&out[idx].block);
            if size > limit {
                if opts.verbose {
                    eprintln!("skip {} (size {size} > limit {limit})", u.module);
                }
                continue;
            }
            let cache_only = opts.synth == SynthMode::CacheOnly
                || !(opts.synth_only.is_empty() || opts.synth_only.contains(&u.module));
            let (r, hit) = if cache_only {
                match synth::cached_asic(u, &tools, &opts.cache) {
                    Some(r) => (r, true),
                    None => continue,
                }
            } else {
                if opts.verbose {
                    eprint!("synthesize {} (size {size}) ... ", u.module);
                }
                let keep = opts.synth_keep.as_ref().map(|d| d.join(&u.module));
                synth::synth_asic_kept(u, &tools, &opts.cache, keep.as_deref())?
            };
            if opts.verbose && !cache_only {
                eprintln!("{}", synth_progress(&r, hit));
            }
            for &i in &users {
                out[i].asic = Some(r.clone());
                out[i].cache_hit = hit;
            }
            if let Some(pnr) = &pnr {
                // a unit outside --synth-only is placed only if the cache has it
                let (f, hit) = if cache_only {
                    match fpga::cached(u, &tools, pnr, &opts.cache, target_mhz) {
                        Some(f) => (f, true),
                        None => continue,
                    }
                } else {
                    if opts.verbose {
                        eprint!("place and route {} on the ECP5 ... ", u.module);
                    }
                    fpga::place_and_route(
                        u,
                        &tools,
                        pnr,
                        &opts.cache,
                        target_mhz,
                        opts.fpga_keep.as_deref(),
                    )?
                };
                if opts.verbose && !cache_only {
                    eprintln!(
                        "{} LUT4 + {} CCU2C, {} FF, {} DSP, {} BRAM, Fmax {:.1} MHz{}",
                        f.lut4,
                        f.ccu2c,
                        f.ff,
                        f.dsp,
                        f.bram,
                        f.fmax_mhz,
                        if hit {
                            " (cached)".to_string()
                        } else {
                            format!(" ({:.0} s)", f.yosys_seconds + f.nextpnr_seconds)
                        }
                    );
                }
                for &i in &users {
                    out[i].fpga = Some(f.clone());
                }
            }
        }
        if opts.flat {
            let unit = synth::flat_unit(&files, &plan.top())?;
            if opts.verbose {
                eprint!("synthesize the whole design {} flat ... ", unit.module);
            }
            let keep = opts
                .synth_keep
                .as_ref()
                .map(|d| d.join(format!("{}_flat", unit.module)));
            let (r, hit) = synth::synth_asic_kept(&unit, &tools, &opts.cache, keep.as_deref())?;
            if opts.verbose {
                eprintln!("{}", synth_progress(&r, hit));
            }
            flat = Some(r);
        }
    }
    // Calibration on the synthesized units with plan counts (new block kinds are excluded).
    // A shared module is one sample (its first block).
    let samples: Vec<(&Block, f64)> = out
        .iter()
        .enumerate()
        .filter(|(i, b)| !out[..*i].iter().any(|o| o.block.module == b.block.module))
        .map(|(_, b)| b)
        .filter(|b| b.block.counts != Counts::default() || b.block.name == "top")
        .filter_map(|b| b.asic.as_ref().map(|a| (&b.block, a.area_um2)))
        .collect();
    let fitted = calibrate::fit(&samples);
    let (coefficients, calibration) = match fitted {
        Some((mut c, cal)) => {
            // A register block too large to synthesize leaves its feature unfitted.
            if c[7] == 0.0 {
                c[7] = crate::area::DEFAULT_COEFFICIENTS[7];
            }
            (Some(c), Some(cal))
        }
        None => (None, None),
    };
    // Without a fit of its own the report estimates with the recorded calibration.
    let c = coefficients.unwrap_or(crate::area::DEFAULT_COEFFICIENTS);
    for b in out.iter_mut() {
        b.estimated_um2 = Some(calibrate::predict(&c, &calibrate::features(&b.block)));
    }
    if plan.trainable.is_empty() {
        notes.push("model has no trainable cores".into());
    }
    Ok(CostReport {
        model: plan.model_name.clone(),
        input: (plan.input.w, plan.input.h, plan.in_channels),
        frame_cycles: plan_counts::frame_cycles(plan),
        blocks: out,
        sram: opts.sram,
        calibration,
        coefficients,
        register_bits: plan_counts::register_bits_by_part(plan),
        frozen: freezing::frozen_views(plan),
        target_mhz: plan.timing.target_mhz,
        flat,
        notes,
    })
}

/// The progress line of one synthesis: area, flip-flops, critical path, and its Yosys time
/// (or that it came from the cache).
fn synth_progress(r: &synth::AsicResult, hit: bool) -> String {
    format!(
        "{:.0} um2, {} FFs, critical path {:?} ns{}",
        r.area_um2,
        r.flip_flops,
        r.critical_path_ns,
        if hit {
            " (cached)".to_string()
        } else {
            format!(" ({:.0} s)", r.yosys_seconds)
        }
    )
}

/// Estimated logic area of arbitrary counts with a report's calibration.
pub fn estimate(report: &CostReport, block: &Block) -> Option<f64> {
    report
        .coefficients
        .as_ref()
        .map(|c| calibrate::predict(c, &calibrate::features(block)))
}

/// Where the ECP5 figures come from.
pub const ECP5_PROVENANCE: &str = "placed and routed (yosys synth_ecp5 + nextpnr-ecp5, \
     LFE5U-85F-6BG381, unit in an LFSR/XOR-tree wrapper; see docs/cost.md)";

fn ecp5_json(x: &fpga::Ecp5Result) -> Value {
    json!({
        "lut4": x.lut4, "ccu2c": x.ccu2c, "ff": x.ff, "dsp": x.dsp, "bram": x.bram,
        "lutram": x.lutram, "fmax_mhz": x.fmax_mhz, "target_mhz": x.target_mhz,
        "critical_path": x.critical_path,
        "yosys_seconds": x.yosys_seconds, "nextpnr_seconds": x.nextpnr_seconds,
        "yosys_version": x.yosys_version, "nextpnr_version": x.nextpnr_version,
        "cache_key": x.cache_key, "device": fpga::DEVICE, "provenance": ECP5_PROVENANCE,
    })
}

fn fig(value: f64, unit: &str, p: Provenance) -> Value {
    json!({"value": value, "unit": unit, "provenance": p.text()})
}

/// report.json: per block every figure with its unit and provenance, totals per part.
pub fn json(report: &CostReport) -> Value {
    let counted = |c: &Counts| {
        json!({
            "adders": fig(c.adders as f64, "adders", Provenance::Counted),
            "adder_bits": fig(c.adder_bits as f64, "bits", Provenance::Counted),
            "flip_flops_plan": fig(c.flip_flops as f64, "flip-flops", Provenance::Counted),
            "mac_units": fig(c.mac_units as f64, "8x8 multipliers", Provenance::Counted),
            "sram_bits": fig(c.sram_bits as f64, "bits", Provenance::Counted),
            "line_buffer_bits": fig(c.line_buffer_bits as f64, "bits", Provenance::Counted),
            "fifo_bits": fig(c.fifo_bits as f64, "bits", Provenance::Counted),
            "busy_cycles_per_frame": fig(c.busy_cycles_per_frame as f64, "clocks", Provenance::Counted),
        })
    };
    let sram = report.sram.um2_per_bit;
    let blocks: Vec<Value> = report
        .blocks
        .iter()
        .map(|b| {
            let mut f = counted(&b.block.counts);
            let m = f.as_object_mut().expect("object");
            m.insert(
                "memory_area_um2".into(),
                fig(
                    b.block.counts.memory_bits() as f64 * sram,
                    "um2",
                    Provenance::SramModel,
                ),
            );
            if let Some((v, p)) = b.logic_um2() {
                m.insert("logic_area_um2".into(), fig(v, "um2", p));
            }
            if let Some(e) = b.estimated_um2 {
                m.insert(
                    "logic_area_um2_calibrated".into(),
                    fig(e * b.instances as f64, "um2", Provenance::Calibrated),
                );
            }
            if let Some(a) = &b.asic {
                m.insert(
                    "flip_flops".into(),
                    fig(a.flip_flops as f64, "flip-flops", Provenance::Synthesized),
                );
                m.insert(
                    "cells".into(),
                    fig(a.cells as f64, "cells", Provenance::Synthesized),
                );
                if let Some(cp) = a.critical_path_ns {
                    m.insert(
                        "critical_path_ns".into(),
                        fig(cp, "ns", Provenance::Synthesized),
                    );
                    m.insert(
                        "fmax_mhz".into(),
                        fig(1000.0 / cp, "MHz", Provenance::Synthesized),
                    );
                }
            }
            if let Some(fz) = freezing::frozen_block_json(report, &b.block.name) {
                for (k, v) in fz.as_object().expect("object") {
                    m.insert(k.clone(), v.clone());
                }
            }
            json!({
                "name": b.block.name,
                "module": b.block.module,
                "part": b.block.part.label(),
                "instances": b.instances,
                "latency_clocks": fig(b.block.latency as f64, "clocks", Provenance::Counted),
                "synthesis": b.asic.as_ref().map(|a| json!({
                    "cache_key": a.cache_key, "cache_hit": b.cache_hit,
                    "yosys_seconds": a.yosys_seconds, "sta_seconds": a.sta_seconds,
                    "yosys_version": a.yosys_version, "black_boxes": a.black_boxes,
                    "critical_path": a.critical_path,
                })),
                "figures": f,
                "ecp5": b.fpga.as_ref().map(ecp5_json),
            })
        })
        .collect();
    let total_json = |t: Totals| {
        let mut v = counted(&t.counts);
        let m = v.as_object_mut().expect("object");
        m.insert(
            "logic_area_um2".into(),
            fig(t.logic_um2, "um2", t.logic_provenance),
        );
        m.insert(
            "memory_area_um2".into(),
            fig(t.memory_um2, "um2", Provenance::SramModel),
        );
        m.insert(
            "area_um2".into(),
            fig(t.area_um2(), "um2", Provenance::Mixed),
        );
        m.insert("blocks_without_area".into(), json!(t.missing));
        if let Some(cp) = t.critical_path_ns {
            m.insert(
                "critical_path_ns".into(),
                fig(cp, "ns", t.critical_path_provenance),
            );
            m.insert(
                "fmax_mhz".into(),
                fig(1000.0 / cp, "MHz", t.critical_path_provenance),
            );
        }
        v
    };
    let pipe = report.pipelining();
    let mut parts = serde_json::Map::new();
    for p in report.parts() {
        let mut v = total_json(report.totals(&[p]));
        let own = freezing::part_json(report, p);
        for (k, x) in own.as_object().expect("object") {
            v[k] = x.clone();
        }
        parts.insert(p.label(), v);
    }
    json!({
        "model": report.model,
        "input": {"width": report.input.0, "height": report.input.1, "channels": report.input.2},
        "tool": format!("semifreddo {}", env!("CARGO_PKG_VERSION")),
        "technology": "OSU 0.18 um standard cells (qflow-tech-osu018), memories by the SRAM area model",
        "sram_model": {"um2_per_bit": sram, "provenance": "assumption: 180 nm 6T bit cell ~5 um2 at ~50% macro efficiency (see src/cost/mod.rs)"},
        "cycles_per_frame": fig(report.frame_cycles as f64, "clocks", Provenance::Counted),
        "blocks": blocks,
        "parts": parts,
        "total": total_json(report.totals(&[])),
        "target_mhz": report.target_mhz,
        "pipelining": {
            "flip_flops": fig(pipe.flip_flops as f64, "flip-flops", Provenance::Counted),
            "area_um2": fig(pipe.area_um2, "um2", Provenance::Calibrated),
            "fraction_of_area": pipe.fraction,
        },
        "calibration": report.calibration,
        "flat": report.flat.as_ref().zip(report.flat_check()).map(|(a, c)| json!({
            "logic_area_um2": fig(a.area_um2, "um2", Provenance::Synthesized),
            "cells": a.cells,
            "flip_flops": a.flip_flops,
            "critical_path_ns": a.critical_path_ns.map(|v| fig(v, "ns", Provenance::Synthesized)),
            "critical_path": a.critical_path,
            "per_block_logic_area_um2": fig(c.per_block_um2, "um2", c.per_block_provenance),
            "difference": c.difference,
            "yosys_seconds": a.yosys_seconds,
            "sta_seconds": a.sta_seconds,
        })),
        "ecp5": report.ecp5_total().map(|(t, slowest)| json!({
            "device": fpga::DEVICE,
            "provenance": ECP5_PROVENANCE,
            "units": t.units,
            "lut4": t.lut4, "ccu2c": t.ccu2c, "ff": t.ff, "dsp": t.dsp, "bram": t.bram,
            "lutram": t.lutram,
            "fmax_mhz": t.fmax_mhz,
            "slowest_unit": slowest,
            "target_mhz": t.target_mhz,
        })),
        "notes": report.notes,
    })
}

fn num(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The report table.
pub fn text(report: &CostReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "hardware cost of model {} ({}x{}x{}), {} clocks per frame (one input pixel per clock)",
        report.model,
        report.input.0,
        report.input.1,
        report.input.2,
        num(report.frame_cycles)
    );
    let _ = writeln!(
        s,
        "provenance: C {}; S {}; E {}; M {} ({} um2/bit)",
        Provenance::Counted.text(),
        Provenance::Synthesized.text(),
        Provenance::Calibrated.text(),
        Provenance::SramModel.text(),
        report.sram.um2_per_bit
    );
    let _ = writeln!(
        s,
        "\n{:<16} {:>7} {:>9} {:>8} {:>8} {:>5} {:>9} {:>9} {:>8} {:>10} {:>12} {:>11} {:>7}",
        "block",
        "adders",
        "adder b",
        "FF(C)",
        "FF(S)",
        "MACs",
        "SRAM b",
        "linebuf b",
        "FIFO b",
        "busy cyc",
        "logic um2",
        "mem um2(M)",
        "cp ns"
    );
    let row =
        |s: &mut String,
         name: &str,
         c: &Counts,
         ff: Option<u64>,
         logic: Option<(f64, Provenance)>,
         cp: Option<f64>,
         sram: f64| {
            let _ =
                writeln!(
            s,
            "{:<16} {:>7} {:>9} {:>8} {:>8} {:>5} {:>9} {:>9} {:>8} {:>10} {:>12} {:>11} {:>7}",
            name,
            num(c.adders),
            num(c.adder_bits),
            num(c.flip_flops),
            ff.map_or("-".into(), num),
            num(c.mac_units),
            num(c.sram_bits),
            num(c.line_buffer_bits),
            num(c.fifo_bits),
            num(c.busy_cycles_per_frame),
            logic.map_or("-".into(), |(v, p)| format!("{} {}", num(v.round() as u64), p.short())),
            num((c.memory_bits() as f64 * sram).round() as u64),
            cp.map_or("-".into(), |v| format!("{v:.2}")),
        );
        };
    for b in &report.blocks {
        let a = b.asic.as_ref();
        row(
            &mut s,
            &b.block.name,
            &b.block.counts,
            a.map(|a| a.flip_flops),
            b.logic_um2(),
            a.and_then(|a| a.critical_path_ns),
            report.sram.um2_per_bit,
        );
    }
    let _ = writeln!(s);
    for p in report.parts() {
        let t = report.totals(&[p]);
        row(
            &mut s,
            &format!("total {}", p.label()),
            &t.counts,
            None,
            (t.missing == 0).then_some((t.logic_um2, t.logic_provenance)),
            t.critical_path_ns,
            report.sram.um2_per_bit,
        );
    }
    let t = report.totals(&[]);
    row(
        &mut s,
        "total",
        &t.counts,
        None,
        (t.missing == 0).then_some((t.logic_um2, t.logic_provenance)),
        t.critical_path_ns,
        report.sram.um2_per_bit,
    );
    if t.missing == 0 {
        let _ = writeln!(
            s,
            "\narea: {:.3} mm2 = {:.3} mm2 logic ({}) + {:.3} mm2 memories ({})",
            t.area_um2() / 1e6,
            t.logic_um2 / 1e6,
            t.logic_provenance.text(),
            t.memory_um2 / 1e6,
            Provenance::SramModel.text()
        );
    } else {
        let _ = writeln!(
            s,
            "\nlogic area: not synthesized (run with --synth for OSU 0.18 um area and timing); memories {:.3} mm2 ({})",
            t.memory_um2 / 1e6,
            Provenance::SramModel.text()
        );
    }
    if let Some(cp) = t.critical_path_ns {
        let _ = writeln!(
            s,
            "timing: critical path {cp:.2} ns -> Fmax {:.1} MHz -> {:.1} frames/s at {} clocks per frame ({})",
            1000.0 / cp,
            1e9 / cp / report.frame_cycles as f64,
            num(report.frame_cycles),
            t.critical_path_provenance.text()
        );
    }
    let pipe = report.pipelining();
    let _ = writeln!(
        s,
        "pipelining for the {} MHz target: {} flip-flops in the engines' and requantization \
         pipelines beyond their shallowest form, ~{:.3} mm2 = {:.1} % of the area ({})",
        report.target_mhz,
        num(pipe.flip_flops),
        pipe.area_um2 / 1e6,
        100.0 * pipe.fraction,
        Provenance::Calibrated.text()
    );
    if let Some(c) = &report.calibration {
        let _ = writeln!(
            s,
            "calibration ({} synthesized units): leave-one-out error mean {:.1} %, max {:.1} %, on the total {:+.1} %; streaming stages only: mean {:.1} %, max {:.1} %",
            c.samples,
            100.0 * c.mean_abs_error,
            100.0 * c.max_abs_error,
            100.0 * c.total_error,
            100.0 * c.stage_mean_abs_error,
            100.0 * c.stage_max_abs_error
        );
        let coef: Vec<String> = c
            .coefficients
            .iter()
            .filter(|(_, v)| *v > 0.0)
            .map(|(n, v)| format!("{v:.1} um2/{n}"))
            .collect();
        let _ = writeln!(s, "  coefficients: {}", coef.join(", "));
    }
    if let Some((tot, slowest)) = report.ecp5_total() {
        let _ = writeln!(
            s,
            "\nFPGA: {} after place and route (yosys synth_ecp5, nextpnr-ecp5 --freq {}; \
             each unit alone in an LFSR/XOR-tree wrapper, memories inferred):\n\
             {:<16} {:>7} {:>6} {:>7} {:>4} {:>5} {:>7} {:>9}  critical path",
            fpga::DEVICE,
            tot.target_mhz,
            "block",
            "LUT4",
            "CCU2C",
            "FF",
            "DSP",
            "BRAM",
            "LUTRAM",
            "Fmax MHz"
        );
        for b in report.blocks.iter() {
            let Some(f) = &b.fpga else { continue };
            let _ = writeln!(
                s,
                "{:<16} {:>7} {:>6} {:>7} {:>4} {:>5} {:>7} {:>9.1}  {}",
                b.block.name,
                num(f.lut4),
                num(f.ccu2c),
                num(f.ff),
                f.dsp,
                f.bram,
                f.lutram,
                f.fmax_mhz,
                f.critical_path.as_deref().unwrap_or("-")
            );
        }
        let _ = writeln!(
            s,
            "{:<16} {:>7} {:>6} {:>7} {:>4} {:>5} {:>7} {:>9.1}  slowest: {slowest}",
            format!("total ({} units)", tot.units),
            num(tot.lut4),
            num(tot.ccu2c),
            num(tot.ff),
            tot.dsp,
            tot.bram,
            tot.lutram,
            tot.fmax_mhz
        );
        let _ = writeln!(
            s,
            "ECP5 Fmax: {:.1} MHz (the slowest placed unit, {slowest}; paths between units are not timed){}",
            tot.fmax_mhz,
            if tot.fmax_mhz >= tot.target_mhz {
                String::new()
            } else {
                format!(", below the {} MHz target", tot.target_mhz)
            }
        );
    }
    if let (Some(a), Some(c)) = (&report.flat, report.flat_check()) {
        let _ = writeln!(
            s,
            "whole design synthesized flat: {:.3} mm2 logic, {} cells, {} flip-flops{}; \
             the per-block sum above is {:.3} mm2 ({}), the flat design {:+.1} % of it",
            a.area_um2 / 1e6,
            num(a.cells),
            num(a.flip_flops),
            a.critical_path_ns.map_or(String::new(), |cp| format!(
                ", critical path {cp:.2} ns with the paths between units ({})",
                a.critical_path.as_deref().unwrap_or("?")
            )),
            c.per_block_um2 / 1e6,
            c.per_block_provenance.text(),
            100.0 * c.difference
        );
    }
    freezing::text(report, &mut s);
    for n in &report.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}
