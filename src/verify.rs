//! `semifreddo verify`: generate the RTL, build the Verilator harness (cached by content
//! hash), stream frames through it with optional random valid/ready gaps, and compare every
//! output value with the golden model. On a mismatch, the debug taps between stages say
//! which stage diverged first, at which frame, pixel and channel. Every skew FIFO of the plan
//! is measured too: its peak occupancy against its planned depth (a full one fails the run).

use crate::emit;
use crate::golden::{self, Trace};
use crate::model::Model;
use crate::passes::interface::{boundary_wire, train_stream, SkewFifoInst};
use crate::passes::{self, HwPlan, PlanOptions};
use crate::sim::{self, AxilPort, Design, FifoProbe, RunOptions, Stimulus, StreamPort, Tap};
use anyhow::{Context, Result};
use rand::SeedableRng;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Stream names of the port table, re-exported for the tests.
pub use crate::passes::interface::{head_stream, FEATURES};

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub frames: usize,
    pub seed: u64,
    /// First frame from this image (others synthetic); default: the built-in test image.
    pub image: Option<PathBuf>,
    /// Probability of an idle input cycle, and of tready low per output per cycle.
    pub p_gap: f64,
    pub p_stall: f64,
    pub hw: PlanOptions,
    /// Where generated RTL and simulator builds are kept between runs.
    pub cache_dir: PathBuf,
    /// Write a waveform of the run here.
    pub fst: Option<PathBuf>,
    /// More configuration-script lines, run after the image (docs/sim.md).
    pub extra_config: String,
    /// Read every written register and memory word back over AXI4-Lite and check it (on by
    /// default; for tiny it is 75,768 of the 156,112 clocks of a one-frame run, so reruns of
    /// a checked image may skip it).
    pub readback: bool,
}

impl VerifyOptions {
    pub fn new(cache_dir: PathBuf) -> VerifyOptions {
        VerifyOptions {
            frames: 2,
            seed: 1,
            image: None,
            p_gap: 0.0,
            p_stall: 0.0,
            hw: PlanOptions::default(),
            cache_dir,
            fst: None,
            extra_config: String::new(),
            readback: true,
        }
    }
}

/// The first value where hardware and golden model differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Stage (debug tap) or output stream where it was seen.
    pub place: String,
    pub frame: usize,
    pub row: usize,
    pub col: usize,
    pub channel: usize,
    pub expected: i64,
    pub found: i64,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: frame {}, pixel (row {}, col {}), channel {}: expected {}, found {}",
            self.place, self.frame, self.row, self.col, self.channel, self.expected, self.found
        )
    }
}

#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub top: String,
    pub frames: usize,
    pub values_compared: usize,
    /// Problems with the stream itself (counts, tuser/tlast), empty when all is well.
    pub stream_errors: Vec<String>,
    pub mismatch: Option<Mismatch>,
    pub build_seconds: f64,
    pub build_cached: bool,
    pub cycles: u64,
    /// Input frame starts, consecutive differences (steady state when no gaps).
    pub frame_intervals: Vec<u64>,
    pub pixels_per_frame: usize,
    /// First input beat to first feature beat.
    pub latency: Option<u64>,
    pub input_stall_cycles: u64,
    pub cycles_per_second: f64,
    /// One summary per model head.
    pub heads: Vec<HeadSummary>,
    /// Every skew FIFO of the plan ([`HwPlan::skew_fifo_instances`]): planned depth and the
    /// peak occupancy measured over the run.
    pub fifos: Vec<FifoOccupancy>,
}

/// A skew FIFO's planned depth against its occupancy, read every clock of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FifoOccupancy {
    /// Its name in the top (instance `u_<name>`).
    pub name: String,
    /// Why the plan sized it so.
    pub reason: String,
    pub depth: u64,
    /// Largest occupancy seen (`None`: the run did not measure it).
    pub peak: Option<u64>,
    /// Cycles full, and of those cycles with the writer waiting (backpressure from the FIFO).
    pub full_cycles: u64,
    pub stalled_cycles: u64,
}

impl FifoOccupancy {
    /// Entries never used: depth minus peak.
    pub fn margin(&self) -> Option<u64> {
        self.peak.map(|p| self.depth.saturating_sub(p))
    }

    /// Why this FIFO fails the run, if it does: it was not measured, or it filled up (one more
    /// beat would have stalled its writer, or did: the planned depth is too small).
    pub fn error(&self) -> Option<String> {
        match self.peak {
            None => Some(format!(
                "skew FIFO `{}` (depth {}) was not measured",
                self.name, self.depth
            )),
            Some(p) if p >= self.depth => Some(format!(
                "skew FIFO `{}` reached its planned depth ({p} of {} entries, full for {} \
                 cycles, its writer stalled for {} of them): the plan's depth is too small",
                self.name, self.depth, self.full_cycles, self.stalled_cycles
            )),
            Some(_) => None,
        }
    }
}

/// What one head's output stream delivered.
#[derive(Debug, Clone)]
pub struct HeadSummary {
    pub name: String,
    pub source: crate::model::manifest::HeadSource,
    pub pooled: bool,
    pub outputs: usize,
    pub beats: usize,
    pub values_compared: usize,
    pub stream_errors: Vec<String>,
    pub mismatch: Option<Mismatch>,
    /// First input beat to the head's first output beat.
    pub latency: Option<u64>,
}

impl fmt::Display for HeadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {} outputs {}): {} beats, {} values compared: {}",
            self.name,
            self.source,
            self.outputs,
            if self.pooled {
                "per frame"
            } else {
                "per pixel"
            },
            self.beats,
            self.values_compared,
            if self.mismatch.is_none() && self.stream_errors.is_empty() {
                "bit-exact"
            } else {
                "MISMATCH"
            }
        )?;
        if let Some(l) = self.latency {
            write!(f, ", first value after {l} cycles")?;
        }
        Ok(())
    }
}

impl VerifyReport {
    /// Bit-exact and no skew FIFO reached its depth.
    pub fn passed(&self) -> bool {
        self.bit_exact() && self.fifo_errors().is_empty()
    }

    /// Every value matched and the streams were well formed.
    pub fn bit_exact(&self) -> bool {
        self.mismatch.is_none() && self.stream_errors.is_empty()
    }

    /// The skew FIFOs that fail the run (full, or not measured), one message each.
    pub fn fifo_errors(&self) -> Vec<String> {
        self.fifos.iter().filter_map(FifoOccupancy::error).collect()
    }

    /// Steady-state cycles per frame: the largest interval after the first frame.
    pub fn cycles_per_frame(&self) -> Option<u64> {
        self.frame_intervals.iter().copied().max()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} frame(s), {} output values compared: {}",
            self.top,
            self.frames,
            self.values_compared,
            if self.bit_exact() {
                "bit-exact"
            } else {
                "MISMATCH"
            }
        )?;
        for h in &self.heads {
            writeln!(f, "  {h}")?;
        }
        for e in &self.stream_errors {
            writeln!(f, "  stream error: {e}")?;
        }
        if !self.fifos.is_empty() {
            writeln!(
                f,
                "  skew FIFOs, planned depth vs peak occupancy measured every clock:"
            )?;
            writeln!(
                f,
                "    {:<12} {:>6} {:>6} {:>7} {:>6} {:>8}",
                "FIFO", "depth", "peak", "margin", "full", "stalled"
            )?;
            for q in &self.fifos {
                let show = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
                writeln!(
                    f,
                    "    {:<12} {:>6} {:>6} {:>7} {:>6} {:>8}",
                    q.name,
                    q.depth,
                    show(q.peak),
                    show(q.margin()),
                    q.full_cycles,
                    q.stalled_cycles
                )?;
            }
        }
        for e in self.fifo_errors() {
            writeln!(f, "  FIFO error: {e}")?;
        }
        if let Some(m) = &self.mismatch {
            writeln!(f, "  first mismatch at {m}")?;
            writeln!(
                f,
                "  (golden traces: `semifreddo golden --trace DIR`; waveform: `verify --fst FILE`)"
            )?;
        }
        writeln!(
            f,
            "  simulator build: {} ({:.1} s)",
            if self.build_cached { "cached" } else { "built" },
            self.build_seconds
        )?;
        if let Some(c) = self.cycles_per_frame() {
            writeln!(
                f,
                "  cycles per frame: {c} for {} input pixels ({:.4} x H x W)",
                self.pixels_per_frame,
                c as f64 / self.pixels_per_frame as f64
            )?;
        }
        if let Some(l) = self.latency {
            writeln!(
                f,
                "  latency, first pixel in to first feature out: {l} cycles"
            )?;
        }
        writeln!(
            f,
            "  input stall cycles: {}, total cycles: {}, simulated {:.0} cycles/s",
            self.input_stall_cycles, self.cycles, self.cycles_per_second
        )
    }
}

/// The frames to stream: the chosen (or built-in) image first, then seeded synthetic ones.
pub fn frames(model: &Model, opts: &VerifyOptions) -> Result<Vec<Vec<u8>>> {
    let (size, ch) = (model.layout.input, model.layout.in_channels);
    let first = match &opts.image {
        Some(p) => crate::image::load_for_model(p, size, ch)?.pixels,
        None => crate::image::builtin(size, ch),
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(opts.seed);
    let mut v = vec![first];
    while v.len() < opts.frames.max(1) {
        v.push(crate::image::synthetic(size, ch, &mut rng));
    }
    Ok(v)
}

/// The co-simulation design of a plan whose RTL is in `rtl_dir`.
/// The design's stream ports are the plan's port table ([`HwPlan::ports`]).
pub fn design(plan: &HwPlan, files: &[emit::OutFile], rtl_dir: &Path) -> Design {
    let mut taps = vec![tap("input", 8 * plan.in_channels)];
    for s in &plan.stages {
        taps.push(tap(&s.wire(), 8 * s.out_channels()));
    }
    for (wire, _, _, c) in train_taps(plan) {
        taps.push(tap(&wire, 8 * c));
    }
    for st in plan.trainable.iter().flat_map(|c| &c.repeat) {
        taps.push(tap(&st.wire(), 8 * st.out_channels()));
    }
    let fifos = plan
        .skew_fifo_instances()
        .into_iter()
        .map(|q| FifoProbe {
            instance: q.instance(),
            name: q.name,
            module: SkewFifoInst::MODULE.into(),
            depth: q.depth as u64,
        })
        .collect();
    let ports = plan.ports();
    let input = ports.iter().find(|p| !p.output).expect("the video input");
    let outputs = ports
        .iter()
        .filter(|p| p.output)
        .map(|p| StreamPort {
            prefix: p.prefix.clone(),
            bits: p.bits as u32,
        })
        .collect();
    Design {
        top: plan.top(),
        rtl_files: files
            .iter()
            .filter(|f| f.name.ends_with(".v"))
            .map(|f| rtl_dir.join(&f.name))
            .collect(),
        include_dirs: Vec::new(),
        input_bits: input.bits as u32,
        outputs,
        taps,
        fifos,
        compile_once: plan
            .train_modules()
            .into_iter()
            .filter(|m| m.users.len() > 1)
            .map(|m| m.name)
            .collect(),
        axil: Some(AxilPort {
            addr_bits: plan.regmap.addr_bits,
            has_prot: true,
        }),
    }
}

/// The trainable cores' output streams and the golden trace each must equal: T''_t at
/// boundary S (`train{t}.shuffle{S}` with two cores, `train{t}.blend{S}` with one) after
/// the `n` programmed repeat passes (`train{t}.rep.r{n-1}`).
pub fn train_outputs(plan: &HwPlan, model: &Model) -> Vec<(String, String)> {
    let s = plan.out_stage_count();
    let two = plan.trainable.len() == 2;
    plan.trainable
        .iter()
        .map(|c| {
            let t = c.index;
            let n = model.trainable.get(t).map_or(0, |tr| tr.repeat_n as usize);
            let trace = if n > 0 {
                format!("train{t}.rep.r{}", n - 1)
            } else if two {
                format!("train{t}.shuffle{s}")
            } else {
                format!("train{t}.blend{s}")
            };
            (train_stream(t), trace)
        })
        .collect()
}

/// Debug taps of the trainable cores in stream order, boundary by boundary: each core's
/// stages up to the boundary, then each core's blended (and shuffled) stream T''_t.
/// (wire, golden trace, width, channels).
pub fn train_taps(plan: &HwPlan) -> Vec<(String, String, usize, usize)> {
    let two = plan.trainable.len() == 2;
    let mut v = Vec::new();
    let mut next = vec![0usize; plan.trainable.len()];
    for k in 0..=plan.out_stage_count() {
        for c in &plan.trainable {
            while let Some(st) = c.stages.get(next[c.index]) {
                next[c.index] += 1;
                v.push((
                    st.wire(),
                    st.name.clone(),
                    st.out_size().w,
                    st.out_channels(),
                ));
                if st.boundary == Some(k) {
                    break;
                }
            }
        }
        for c in &plan.trainable {
            let t = c.index;
            let st = c.stages.iter().find(|s| s.boundary == Some(k));
            let (w, ch) = st.map_or((0, 0), |s| (s.out_size().w, s.out_channels()));
            let trace = if two {
                format!("train{t}.shuffle{k}")
            } else {
                format!("train{t}.blend{k}")
            };
            v.push((boundary_wire(t, k), trace, w, ch));
        }
    }
    v
}

fn tap(wire: &str, bits: usize) -> Tap {
    Tap {
        name: wire.to_string(),
        valid: format!("{wire}_valid"),
        ready: Some(format!("{wire}_ready")),
        data: format!("{wire}_data"),
        bits: bits as u32,
    }
}

/// A finished co-simulation: the plan it was built from, the frames and what came out.
pub struct SimRun {
    pub plan: HwPlan,
    pub frames: Vec<Vec<u8>>,
    pub result: sim::SimResult,
    pub build_seconds: f64,
    pub build_cached: bool,
}

/// Generates, builds and runs; compares everything with the golden model.
pub fn verify(model: &Model, opts: &VerifyOptions) -> Result<VerifyReport> {
    let run = simulate(model, model, opts)?;
    Ok(check(model, &run))
}

/// A built simulator of a model's RTL, with the configuration image it is programmed with.
pub struct Prepared {
    pub plan: HwPlan,
    pub built: sim::Built,
    pub image: crate::config_image::ConfigImage,
}

/// Generates the RTL of `rtl_model` into the cache, builds its simulator (cached by content)
/// and the configuration image of `program` (same frozen weights).
pub fn prepare(rtl_model: &Model, program: &Model, opts: &VerifyOptions) -> Result<Prepared> {
    let plan = passes::plan(rtl_model, &opts.hw)?;
    let files = emit::render(&plan)?;
    // RTL goes to a folder named by its content, so a rerun finds the simulator cached.
    let rtl_key = files_hash(&files)[..16].to_string();
    let rtl_dir = opts
        .cache_dir
        .join(format!("rtl-{}-{rtl_key}", plan.prefix));
    crate::output::publish_dir_once(&rtl_dir, |tmp| emit::write_files(&files, tmp))?;
    let design = design(&plan, &files, &rtl_dir);
    let built = sim::build(&design, &opts.cache_dir.join("sim"), opts.fst.is_some())
        .with_context(|| format!("building the simulator of {}", plan.top()))?;
    let image = crate::config_image::build(program, &plan.top(), &plan.frozen_hash, &plan.regmap)?;
    Ok(Prepared { plan, built, image })
}

impl Prepared {
    /// Run options that program the image (with read-back) and expect `frames` output frames.
    pub fn run_options(&self, opts: &VerifyOptions, frames: usize) -> RunOptions {
        let mut expect = BTreeMap::new();
        let beats = (frames * self.plan.out_size().pixels()) as u64;
        expect.insert(FEATURES.to_string(), beats);
        for c in &self.plan.trainable {
            expect.insert(train_stream(c.index), beats);
        }
        for h in &self.plan.heads {
            expect.insert(head_stream(h.index), (frames * h.beats_per_frame()) as u64);
        }
        let mut script = self.image.text();
        if opts.readback {
            script += &self.image.readback();
        }
        script += &opts.extra_config;
        RunOptions {
            config_script: Some(script),
            seed: opts.seed,
            p_gap: opts.p_gap,
            p_stall: opts.p_stall,
            expect,
            fst: opts.fst.clone(),
            ..RunOptions::default()
        }
    }
}

/// Generates the RTL of `rtl_model`, builds the simulator (cached), programs it over
/// AXI4-Lite with the configuration image of `program` (same frozen weights; every written
/// register is read back), and streams the frames.
pub fn simulate(rtl_model: &Model, program: &Model, opts: &VerifyOptions) -> Result<SimRun> {
    let p = prepare(rtl_model, program, opts)?;
    let frames = frames(rtl_model, opts)?;
    let size = rtl_model.layout.input;
    let stim = Stimulus::from_frames(&frames, size.w, size.h, rtl_model.layout.in_channels);
    let result = p.built.run(&stim, &p.run_options(opts, frames.len()))?;
    Ok(SimRun {
        frames,
        result,
        build_seconds: p.built.seconds,
        build_cached: p.built.cached,
        plan: p.plan,
    })
}

/// Compares a co-simulation with the golden model of `model` (normally the model the RTL was
/// generated from), value by value, and locates the first divergence.
pub fn check(model: &Model, run: &SimRun) -> VerifyReport {
    let (plan, frames, result) = (&run.plan, &run.frames, &run.result);
    let size = model.layout.input;
    let out_size = plan.out_size();
    let traces: Vec<Trace> = frames
        .iter()
        .map(|px| {
            let mut t = Trace::default();
            golden::run_observed(model, px, &mut t);
            t
        })
        .collect();

    let mut report = VerifyReport {
        top: plan.top(),
        frames: frames.len(),
        values_compared: 0,
        stream_errors: Vec::new(),
        mismatch: None,
        build_seconds: run.build_seconds,
        build_cached: run.build_cached,
        cycles: result.stats.cycles,
        frame_intervals: result.stats.frame_intervals(),
        pixels_per_frame: size.pixels(),
        latency: result.stats.latency(FEATURES),
        input_stall_cycles: result.stats.in_stall_cycles,
        cycles_per_second: result.stats.cycles_per_second,
        heads: Vec::new(),
        fifos: fifo_occupancy(plan, &result.stats),
    };

    // The output streams: data, then tuser/tlast framing.
    let last_stage = plan
        .stages
        .last()
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let mut streams = vec![(FEATURES.to_string(), last_stage)];
    streams.extend(train_outputs(plan, model));
    let mut mismatch = None;
    let mut head_mismatch = None;
    for (stream, trace) in &streams {
        let beats = result
            .outputs
            .get(stream)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let got: Vec<Vec<u8>> = beats.iter().map(|b| b.data.clone()).collect();
        let (n, m) = compare_maps(
            stream,
            &got,
            &traces,
            trace,
            out_size.w,
            plan.out_channels(),
        );
        report.values_compared += n;
        if mismatch.is_none() {
            mismatch = m;
        }
        if beats.len() != frames.len() * out_size.pixels() {
            report.stream_errors.push(format!(
                "{stream}: expected {} beats ({} frames of {}x{}), found {}",
                frames.len() * out_size.pixels(),
                frames.len(),
                out_size.w,
                out_size.h,
                beats.len()
            ));
        }
        for (i, b) in beats.iter().enumerate() {
            let p = i % out_size.pixels();
            let (want_user, want_last) = (p == 0, p % out_size.w == out_size.w - 1);
            if b.user != want_user || b.last != want_last {
                report.stream_errors.push(format!(
                    "{stream}: beat {i} (frame {}, pixel {p}) has tuser {} tlast {}, expected {} {}",
                    i / out_size.pixels(),
                    b.user as u8,
                    b.last as u8,
                    want_user as u8,
                    want_last as u8
                ));
                break;
            }
        }
    }
    for h in &plan.heads {
        let summary = check_head(h, result, &traces);
        report.values_compared += summary.values_compared;
        report
            .stream_errors
            .extend(summary.stream_errors.iter().cloned());
        if head_mismatch.is_none() && summary.mismatch.is_some() {
            head_mismatch = summary.mismatch.clone();
        }
        report.heads.push(summary);
    }
    if mismatch.is_none() {
        // The features are exact: a head mismatch is the head's own.
        report.mismatch = head_mismatch;
    } else {
        // Find the first stage whose tap diverges, in stream order.
        let mut stages: Vec<(String, String, usize, usize)> = vec![(
            "input".to_string(),
            "input".to_string(),
            size.w,
            model.layout.in_channels,
        )];
        for s in &plan.stages {
            stages.push((s.wire(), s.name.clone(), s.out_size().w, s.out_channels()));
        }
        stages.extend(train_taps(plan));
        for c in &plan.trainable {
            let n = model
                .trainable
                .get(c.index)
                .map_or(0, |t| t.repeat_n as usize);
            for st in c.repeat.iter().take(n) {
                stages.push((
                    st.wire(),
                    st.name.clone(),
                    st.out_size().w,
                    st.out_channels(),
                ));
            }
        }
        for (wire, trace_name, w, c) in stages {
            let got: Vec<Vec<u8>> = result
                .taps
                .get(&wire)
                .map(|v| v.iter().map(|t| t.data.clone()).collect())
                .unwrap_or_default();
            let (_, m) = compare_maps(
                &format!("stage {trace_name}"),
                &got,
                &traces,
                &trace_name,
                w,
                c,
            );
            if m.is_some() {
                report.mismatch = m;
                break;
            }
        }
        if report.mismatch.is_none() {
            report.mismatch = mismatch;
        }
    }
    report
}

/// Each planned skew FIFO with what the run measured of it.
pub fn fifo_occupancy(plan: &HwPlan, stats: &sim::Stats) -> Vec<FifoOccupancy> {
    plan.skew_fifo_instances()
        .into_iter()
        .map(|q| {
            let m = stats.fifos.get(&q.name);
            FifoOccupancy {
                depth: q.depth as u64,
                peak: m.map(|m| m.peak),
                full_cycles: m.map_or(0, |m| m.full_cycles),
                stalled_cycles: m.map_or(0, |m| m.stalled_cycles),
                name: q.name,
                reason: q.reason,
            }
        })
        .collect()
}

/// Compares head h's output stream with the golden `head{h}` values of every frame: the
/// values in order, then the framing (tuser on a frame's first beat, tlast on its last).
fn check_head(
    h: &crate::passes::heads::HeadHw,
    result: &sim::SimResult,
    traces: &[Trace],
) -> HeadSummary {
    let stream = head_stream(h.index);
    let beats = result
        .outputs
        .get(&stream)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let per_frame = h.beats_per_frame();
    let mut s = HeadSummary {
        name: h.name.clone(),
        source: h.source,
        pooled: h.pool,
        outputs: h.outputs,
        beats: beats.len(),
        values_compared: 0,
        stream_errors: Vec::new(),
        mismatch: None,
        latency: result.stats.latency(&stream),
    };
    let want: Vec<i64> = traces
        .iter()
        .flat_map(|t| {
            t.get(&h.name)
                .map(|e| e.values.as_i64())
                .unwrap_or_default()
        })
        .collect();
    if beats.len() != want.len() {
        s.stream_errors.push(format!(
            "{stream}: expected {} beats ({} frames of {per_frame}), found {}",
            want.len(),
            traces.len(),
            beats.len()
        ));
    }
    for (i, (b, &w)) in beats.iter().zip(&want).enumerate() {
        let found = i16::from_le_bytes([
            b.data.first().copied().unwrap_or(0),
            b.data.get(1).copied().unwrap_or(0),
        ]) as i64;
        s.values_compared += 1;
        if found != w {
            let p = i % per_frame;
            let (pixel, channel) = (p / h.outputs, p % h.outputs);
            s.mismatch = Some(Mismatch {
                place: stream.clone(),
                frame: i / per_frame,
                row: pixel / h.in_size.w,
                col: pixel % h.in_size.w,
                channel,
                expected: w,
                found,
            });
            break;
        }
    }
    for (i, b) in beats.iter().enumerate() {
        let p = i % per_frame;
        let (want_user, want_last) = (p == 0, p == per_frame - 1);
        if b.user != want_user || b.last != want_last {
            s.stream_errors.push(format!(
                "{stream}: beat {i} (frame {}, value {p}) has tuser {} tlast {}, expected {} {}",
                i / per_frame,
                b.user as u8,
                b.last as u8,
                want_user as u8,
                want_last as u8
            ));
            break;
        }
    }
    s
}

/// Compares a sequence of pixels (one per beat, channel c in byte c) with the golden traces
/// of `trace_name` over consecutive frames. Returns the values compared and the first mismatch
/// (a missing pixel counts as a mismatch).
fn compare_maps(
    place: &str,
    got: &[Vec<u8>],
    traces: &[Trace],
    trace_name: &str,
    width: usize,
    channels: usize,
) -> (usize, Option<Mismatch>) {
    let mut n = 0;
    let mut pixel = 0;
    for (frame, t) in traces.iter().enumerate() {
        let Some(e) = t.get(trace_name) else {
            return (n, None);
        };
        let want = e.values.as_i64();
        for (p, px) in want.chunks(channels).enumerate() {
            let (row, col) = (p / width, p % width);
            let Some(beat) = got.get(pixel) else {
                return (
                    n,
                    Some(Mismatch {
                        place: format!("{place} (missing pixel)"),
                        frame,
                        row,
                        col,
                        channel: 0,
                        expected: px[0],
                        found: 0,
                    }),
                );
            };
            for (c, &w) in px.iter().enumerate() {
                let f = beat.get(c).map_or(0, |&b| b as i8 as i64);
                n += 1;
                if f != w {
                    return (
                        n,
                        Some(Mismatch {
                            place: place.to_string(),
                            frame,
                            row,
                            col,
                            channel: c,
                            expected: w,
                            found: f,
                        }),
                    );
                }
            }
            pixel += 1;
        }
    }
    (n, None)
}

/// Hash of a set of generated files (names and contents), hex.
fn files_hash(files: &[emit::OutFile]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for f in files {
        h.update(f.name.as_bytes());
        h.update([0]);
        h.update(f.contents.as_bytes());
    }
    crate::passes::hash::hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::FifoOccupancy;

    #[test]
    fn a_skew_fifo_that_fills_up_fails_the_run_by_name() {
        let q = |peak, full, stalled| FifoOccupancy {
            name: "tskew1_2".into(),
            reason: String::new(),
            depth: 16,
            peak,
            full_cycles: full,
            stalled_cycles: stalled,
        };
        assert_eq!(q(Some(15), 0, 0).error(), None);
        assert_eq!(q(Some(15), 0, 0).margin(), Some(1));
        let e = q(Some(16), 7, 3).error().expect("full");
        assert!(e.contains("`tskew1_2`") && e.contains("16 of 16"), "{e}");
        assert!(
            e.contains("full for 7 cycles, its writer stalled for 3"),
            "{e}"
        );
        let e = q(None, 0, 0).error().expect("not measured");
        assert!(
            e.contains("`tskew1_2`") && e.contains("not measured"),
            "{e}"
        );
    }
}
