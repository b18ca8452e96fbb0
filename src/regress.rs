//! The regression matrix (`semifreddo regress`): models (presets and seeded random
//! topologies), each generated and built once, then co-simulated with random valid/ready
//! gaps under its own parameters and under several random run-time programs (repeat passes,
//! PWL segments, alphas, core shuffle) loaded over AXI4-Lite into the same build. Every
//! output value of every stream and head is compared with the golden model.

pub mod results;
pub mod shard;

pub use shard::Shard;

use crate::model::{presets, Model};
use crate::modelgen::random;
use crate::verify::{self, VerifyOptions, VerifyReport};
use anyhow::{bail, Result};
use std::fmt::{self, Write};
use std::path::PathBuf;
use std::time::Instant;

/// Which models and how hard.
#[derive(Debug, Clone)]
pub struct RegressOptions {
    /// Presets by name (`tiny`, `qvga`, ...), each with init seed 1.
    pub presets: Vec<String>,
    /// Seeds of random topologies (`random::random_model`).
    pub seeds: Vec<u64>,
    /// Random run-time programs per model, besides the model's own parameters.
    pub programs: usize,
    pub frames: usize,
    pub p_gap: f64,
    pub p_stall: f64,
    pub cache_dir: PathBuf,
    /// The part of the matrix to run (`shard` module); [`Shard::ALL`] for all of it.
    pub shard: Shard,
}

/// Where a model of the matrix comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModelSource {
    /// A preset by name, init seed 1.
    Preset(String),
    /// `random::random_model(seed)`.
    Random(u64),
}

impl ModelSource {
    fn model(&self) -> Model {
        match self {
            ModelSource::Preset(name) => {
                let p = presets::preset(name).expect("preset names are checked by `plan`");
                crate::modelgen::init::init(&p, 1)
            }
            ModelSource::Random(seed) => random::random_model(*seed),
        }
    }
}

impl fmt::Display for ModelSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelSource::Preset(name) => write!(f, "preset {name}"),
            ModelSource::Random(seed) => write!(f, "random seed {seed}"),
        }
    }
}

/// The parameters a run programs into the model's RTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Program {
    /// The model's own parameters.
    Own,
    /// `random::reprogram(model, seed)`.
    Random(u64),
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Program::Own => f.write_str("own"),
            Program::Random(seed) => write!(f, "program {seed}"),
        }
    }
}

/// One run of the matrix, before it runs: everything that determines it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlannedRun {
    /// The model's number in matrix order (0-based), which the shard split uses.
    pub model_number: usize,
    pub source: ModelSource,
    pub program: Program,
    /// Seed of the synthetic frames and of the valid/ready gaps.
    pub sim_seed: u64,
}

/// The runs of `opts.shard`, in order: each model's own parameters, then its random
/// programs. Checks the preset names (of the whole matrix, so every shard agrees).
pub fn plan(opts: &RegressOptions) -> Result<Vec<PlannedRun>> {
    let mut sources = Vec::new();
    for name in &opts.presets {
        if presets::preset(name).is_none() {
            bail!(
                "unknown preset `{name}`: expected one of {}",
                presets::NAMES.join(", ")
            );
        }
        sources.push(ModelSource::Preset(name.clone()));
    }
    sources.extend(opts.seeds.iter().map(|&s| ModelSource::Random(s)));
    let mut runs = Vec::new();
    for (i, source) in sources.into_iter().enumerate() {
        if !opts.shard.holds(i) {
            continue;
        }
        let programs =
            (0..opts.programs as u64).map(|p| Program::Random(1000 * (i as u64 + 1) + p));
        for (j, program) in std::iter::once(Program::Own).chain(programs).enumerate() {
            runs.push(PlannedRun {
                model_number: i,
                source: source.clone(),
                program,
                sim_seed: 17 + j as u64,
            });
        }
    }
    Ok(runs)
}

/// A planned run as one line of `regress --list`.
pub fn list_line(r: &PlannedRun) -> String {
    format!(
        "model {:>3}: {:<16} {:<14} sim seed {}",
        r.model_number,
        r.source.to_string(),
        r.program.to_string(),
        r.sim_seed
    )
}

/// One co-simulation of the matrix.
#[derive(Debug, Clone)]
pub struct RegressRun {
    pub model: String,
    pub shape: String,
    /// `own` or `program {seed}`.
    pub program: String,
    /// Frames streamed.
    pub frames: usize,
    /// Wall time of the run: generation, the build (when not cached), simulation, check.
    pub seconds: f64,
    /// The comparison, or why the run could not be made (generation, build, simulation).
    pub result: Result<VerifyReport, String>,
}

impl RegressRun {
    /// Ran and every value matched.
    pub fn passed(&self) -> bool {
        self.result.as_ref().is_ok_and(|r| r.passed())
    }

    pub fn values_compared(&self) -> usize {
        self.result.as_ref().map_or(0, |r| r.values_compared)
    }

    /// `bit-exact`, `FIFO FULL` (bit-exact, but a skew FIFO reached its depth), `MISMATCH` or
    /// `ERROR`.
    pub fn verdict(&self) -> &'static str {
        match &self.result {
            Ok(r) if r.passed() => "bit-exact",
            Ok(r) if r.bit_exact() => "FIFO FULL",
            Ok(_) => "MISMATCH",
            Err(_) => "ERROR",
        }
    }
}

/// The models of the whole matrix (every shard), in order.
pub fn models(opts: &RegressOptions) -> Result<Vec<Model>> {
    let all = RegressOptions {
        shard: Shard::ALL,
        programs: 0,
        ..opts.clone()
    };
    Ok(plan(&all)?.iter().map(|r| r.source.model()).collect())
}

/// A one-line description of a model's structure.
pub fn shape(m: &Model) -> String {
    let t = &m.manifest.topology;
    let heads: Vec<String> = m
        .manifest
        .heads
        .iter()
        .zip(&m.heads)
        .map(|(h, p)| {
            format!(
                "{}:{}o/{}g{}",
                h.source,
                h.outputs,
                h.groups,
                if p.pool { "/pool" } else { "" }
            )
        })
        .collect();
    let stages: Vec<String> = t
        .stages
        .iter()
        .map(|s| format!("{}s{}+{}", s.channels, s.stride, s.frozen_repeats))
        .collect();
    format!(
        "{}x{}x{} C0={} [{}] T={} R={} K={} bn={:?} heads [{}]",
        m.manifest.input.width,
        m.manifest.input.height,
        m.manifest.input.channels,
        t.stem_channels,
        stages.join(" "),
        t.trainable_cores,
        t.repeat_banks,
        m.manifest.generation.k_max,
        m.manifest.generation.frozen_bn,
        heads.join(" ")
    )
}

/// Runs the shard's part of the matrix, calling `progress` after each run. Errors only for
/// bad options; a run that cannot be made (generation, build, simulation) is recorded as an
/// error and the matrix goes on.
pub fn run(
    opts: &RegressOptions,
    mut progress: impl FnMut(&RegressRun),
) -> Result<Vec<RegressRun>> {
    let mut runs = Vec::new();
    let mut current: Option<(usize, Model, String)> = None;
    for planned in plan(opts)? {
        if current.as_ref().map(|c| c.0) != Some(planned.model_number) {
            let m = planned.source.model();
            let sh = shape(&m);
            current = Some((planned.model_number, m, sh));
        }
        let (_, m, sh) = current.as_ref().expect("set above");
        let r = run_one(opts, &planned, m, sh);
        progress(&r);
        runs.push(r);
    }
    Ok(runs)
}

fn run_one(opts: &RegressOptions, planned: &PlannedRun, m: &Model, shape: &str) -> RegressRun {
    let start = Instant::now();
    let mut vo = VerifyOptions::new(opts.cache_dir.clone());
    vo.frames = opts.frames;
    vo.p_gap = opts.p_gap;
    vo.p_stall = opts.p_stall;
    vo.seed = planned.sim_seed;
    let program = match planned.program {
        Program::Own => m.clone(),
        Program::Random(seed) => random::reprogram(m, seed),
    };
    let result = verify::simulate(m, &program, &vo)
        .map(|sim| verify::check(&program, &sim))
        .map_err(|e| format!("{e:#}"));
    RegressRun {
        model: m.manifest.name.clone(),
        shape: shape.to_string(),
        program: planned.program.to_string(),
        frames: opts.frames,
        seconds: start.elapsed().as_secs_f64(),
        result,
    }
}

/// One table row.
pub fn row(r: &RegressRun) -> String {
    let clk_px = r.result.as_ref().ok().and_then(|rep| {
        rep.cycles_per_frame()
            .map(|c| format!("{:.3}", c as f64 / rep.pixels_per_frame as f64))
    });
    format!(
        "{:<8} {:<14} {:>8} {:>10} {:>9} {:>8.1}  {}",
        r.model,
        r.program,
        r.values_compared(),
        r.verdict(),
        clk_px.unwrap_or_else(|| "-".to_string()),
        r.seconds,
        r.shape
    )
}

/// The table header matching [`row`].
pub fn header() -> String {
    format!(
        "{:<8} {:<14} {:>8} {:>10} {:>9} {:>8}  {}",
        "model", "program", "values", "result", "clk/px", "s", "shape"
    )
}

/// The runs' wall time in all (0.0, not the -0.0 of an empty `f64` sum, for no runs).
pub fn total_seconds(runs: &[RegressRun]) -> f64 {
    runs.iter().fold(0.0, |sum, r| sum + r.seconds)
}

/// The summary after the table; failures listed with their first mismatch.
pub fn summary(runs: &[RegressRun]) -> String {
    let mut s = String::new();
    let failed: Vec<&RegressRun> = runs.iter().filter(|r| !r.passed()).collect();
    let values: usize = runs.iter().map(|r| r.values_compared()).sum();
    let seconds = total_seconds(runs);
    let _ = writeln!(
        s,
        "{} run(s), {} values compared, {} failed, {:.1} s",
        runs.len(),
        values,
        failed.len(),
        seconds
    );
    for r in failed {
        let detail = match &r.result {
            Ok(report) => report.to_string(),
            Err(e) => format!("error: {e}\n"),
        };
        let _ = writeln!(s, "FAILED {} ({}):\n{detail}", r.model, r.program);
    }
    s
}
