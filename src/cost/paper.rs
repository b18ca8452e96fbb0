//! `semifreddo bench paper`: our hardware against the paper's Table 3 (area by configuration)
//! and Table 2 (frame rate against repeat passes), one frozen layer three ways, and the
//! tool's own speed per preset. Writes bench.md, bench.json and two SVG plots.

use super::plan_counts::{self, Block, Counts, Part};
use super::synth::{self, Tools, Unit};
use super::{analyze, CostOptions, CostReport, Provenance, SynthMode};
use crate::emit::OutFile;
use crate::model::manifest::{FrozenBn, HeadSource};
use crate::model::presets::{self, Preset};
use crate::model::Model;
use crate::modelgen::init;
use crate::passes::schedule::{self, EngineKind, EngineSchedule, TrainStageHw};
use crate::passes::{HwPlan, PlanOptions};
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::fmt::Write;
use std::path::PathBuf;
use std::time::Instant;

/// The paper's Table 3 (TSMC 16 nm), mm²: frozen core, + one trainable core, + two, the
/// two trainable cores alone.
pub const PAPER_TABLE3: [(&str, f64); 4] = [
    ("frozen core only", 1.32),
    ("frozen + one trainable core", 2.66),
    ("frozen + two trainable cores", 4.0),
    ("two trainable cores only", 2.68),
];

#[derive(Debug, Clone)]
pub struct PaperOptions {
    /// Presets and how much of each to synthesize.
    pub presets: Vec<(String, SynthMode)>,
    pub seed: u64,
    pub cache: PathBuf,
    /// Presets to build and run in Verilator.
    pub verilator: Vec<String>,
    pub sim_cache: PathBuf,
    pub golden_frames: usize,
    pub out: PathBuf,
    pub command: String,
}

/// A preset with `cores` trainable cores; heads whose source core is gone are dropped, and
/// the repeat block with them when no core is left.
pub fn variant(p: &Preset, cores: usize) -> Preset {
    let mut v = p.clone();
    let t = &mut v.manifest.topology;
    t.trainable_cores = cores;
    if cores == 0 {
        t.repeat_banks = 0;
    }
    let keep: Vec<bool> = v
        .manifest
        .heads
        .iter()
        .map(|h| match h.source {
            HeadSource::Frozen => true,
            HeadSource::Train0 => cores >= 1,
            HeadSource::Train1 | HeadSource::Train01 => cores >= 2,
        })
        .collect();
    let mut k = keep.iter();
    v.manifest.heads.retain(|_| *k.next().unwrap_or(&false));
    let mut k = keep.iter();
    v.pool.retain(|_| *k.next().unwrap_or(&false));
    v
}

/// The frozen core built all-trainable: every frozen layer as an `sf_mac_engine` at its
/// pixel rate (the schedule pass applied to the frozen core's layout).
pub fn all_trainable_blocks(model: &Model) -> Vec<Block> {
    let lay = &model.layout;
    let core = schedule::core_stages(lay, &lay.frozen, 0);
    core.stages
        .iter()
        .map(|st| Block {
            name: format!("{} (as MAC engines)", st.name),
            module: String::new(),
            part: Part::Trainable(0),
            latency: st.engine_latency() as u64,
            counts: plan_counts::train_stage_counts(st),
        })
        .collect()
}

/// One bank of the repeat block as a trainable stage: a regular block at C_S at the output
/// size, its two engines scheduled at that pixel rate.
pub fn repeat_bank_stage(plan: &HwPlan) -> TrainStageHw {
    let c = plan.out_channels();
    let size = plan.out_size();
    let t = plan.input.pixels() / size.pixels();
    let b = schedule::budget(t, size.w);
    let engine = |layer: &str, kind, in_n, l, relu| {
        let (p, q) = schedule::choose(c / 2, l, b);
        let mut e = EngineSchedule {
            layer: layer.into(),
            kind,
            in_n,
            out_n: c / 2,
            l,
            relu,
            out_size: size,
            clocks_available: t,
            p,
            q,
            pipe: schedule::EnginePipe::default(),
        };
        e.pipe = plan.timing.layer_pipe(&e);
        e
    };
    TrainStageHw {
        name: "repeat bank".into(),
        in_size: size,
        in_channels: c,
        stride: 1,
        passthrough: c / 2,
        branches: vec![vec![
            engine(
                "rep.dw",
                EngineKind::Depthwise {
                    channels: c,
                    from: c / 2,
                },
                9 * c,
                9,
                false,
            ),
            engine("rep.pw", EngineKind::Pointwise, c / 2, c / 2, true),
        ]],
        boundary: None,
        window_wr_reg: plan.timing.window_write_reg(),
    }
}

/// A stand-alone `sf_mac_engine` for `e` (the layer as an SRAM MAC engine).
pub fn mac_engine_unit(e: &EngineSchedule, module: &str) -> Result<Unit> {
    let prim = |n: &str| crate::emit::primitives::find(n).expect("primitive exists");
    Ok(Unit {
        module: module.into(),
        instances: 1,
        files: vec![
            prim("sf_fanout.v"),
            prim("sf_delay.v"),
            prim("sf_requant_pipe.v"),
            prim("sf_mac_engine.v"),
            crate::emit::engine_unit::render(e, module)?,
        ],
        black_boxes: vec![prim("sf_sram_sp.v")],
    })
}

struct PresetRun {
    name: String,
    model: Model,
    /// Reports with 0, 1 and 2 trainable cores.
    reports: Vec<CostReport>,
    plan2: HwPlan,
    gen_seconds: f64,
    rtl_bytes: usize,
    golden_seconds: f64,
    verilator: Option<crate::verify::VerifyReport>,
}

fn mm2(v: f64) -> String {
    format!("{:.3}", v / 1e6)
}

/// Runs the whole benchmark and writes the output folder.
pub fn run(opts: &PaperOptions) -> Result<String> {
    let t_all = Instant::now();
    let mut runs: Vec<PresetRun> = Vec::new();
    for (name, mode) in &opts.presets {
        let preset = presets::preset(name).with_context(|| {
            format!(
                "unknown preset `{name}`; expected one of {}",
                presets::NAMES.join(", ")
            )
        })?;
        eprintln!("== preset {name}");
        let mut reports = Vec::new();
        let mut plan2 = None;
        let (mut gen_seconds, mut rtl_bytes) = (0.0, 0);
        let mut model2 = None;
        for cores in [2usize, 1, 0] {
            let m = init::init(&variant(&preset, cores), opts.seed);
            let t = Instant::now();
            let plan = crate::passes::plan(&m, &PlanOptions::default())?;
            let files = crate::emit::render(&plan)?;
            if cores == 2 {
                gen_seconds = t.elapsed().as_secs_f64();
                rtl_bytes = files.iter().map(|f| f.contents.len()).sum();
            }
            // Only the two-core design is synthesized; the others reuse its cached units
            // (identical frozen stages) and estimate the rest (register block, top).
            let copts = CostOptions {
                synth: if cores == 2 || *mode == SynthMode::Off {
                    *mode
                } else {
                    SynthMode::CacheOnly
                },
                cache: opts.cache.clone(),
                verbose: true,
                ..CostOptions::default()
            };
            reports.push(analyze(&plan, &copts)?);
            if cores == 2 {
                plan2 = Some(plan);
                model2 = Some(m);
            }
        }
        reports.reverse(); // 0, 1, 2 cores
        let model = model2.expect("two-core variant");
        let pixels = crate::image::builtin(model.layout.input, model.layout.in_channels);
        crate::golden::run(&model, &pixels);
        let mut times = Vec::new();
        for _ in 0..opts.golden_frames.max(1) {
            let t = Instant::now();
            std::hint::black_box(crate::golden::run(&model, &pixels));
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let verilator = if opts.verilator.contains(name) {
            eprintln!("verilator build and run of {name}");
            let mut vo = crate::verify::VerifyOptions::new(opts.sim_cache.clone());
            vo.frames = 2;
            Some(crate::verify::verify(&model, &vo)?)
        } else {
            None
        };
        runs.push(PresetRun {
            name: name.clone(),
            model,
            reports,
            plan2: plan2.expect("two-core plan"),
            gen_seconds,
            rtl_bytes,
            golden_seconds: times[times.len() / 2],
            verilator,
        });
    }

    // One frozen layer three ways (its shift-add and MAC-engine units join the calibration).
    let mut three_md = String::new();
    let mut extra: Vec<(Block, f64)> = Vec::new();
    let three = three_ways(&runs, opts, &mut three_md, &mut extra)?;

    // Pooled calibration over every distinct synthesized unit (by cache key).
    let mut seen = std::collections::BTreeSet::new();
    let mut samples: Vec<(&Block, f64)> = extra.iter().map(|(b, a)| (b, *a)).collect();
    let mut pooled_cp: f64 = 0.0;
    for r in runs.iter().flat_map(|r| r.reports.iter()) {
        for b in &r.blocks {
            if let Some(a) = &b.asic {
                if let Some(cp) = a.critical_path_ns {
                    pooled_cp = pooled_cp.max(cp);
                }
                if (b.block.counts != Counts::default() || b.block.name == "top")
                    && seen.insert(a.cache_key.clone())
                {
                    samples.push((&b.block, a.area_um2));
                }
            }
        }
    }
    let fitted = super::calibrate::fit(&samples);
    let (coef, calibration) = match fitted {
        Some((c, cal)) => (Some(c), Some(cal)),
        None => (None, None),
    };
    for r in runs.iter_mut() {
        for rep in r.reports.iter_mut() {
            rep.coefficients = coef;
            rep.calibration = calibration.clone();
            if let Some(c) = &coef {
                for b in rep.blocks.iter_mut() {
                    b.estimated_um2 = Some(super::calibrate::predict(
                        c,
                        &super::calibrate::features(&b.block),
                    ));
                }
            }
        }
    }

    // Tables.
    let mut md = String::new();
    let mut js = serde_json::Map::new();
    let _ = writeln!(
        md,
        "Produced by `{}` in {:.0} s. Areas: OSU 0.18 um standard cells (yosys `stat -liberty`) \
         for synthesized modules (S), the calibrated plan model (E) for the others, memories \
         (weight SRAMs, line buffers, skew FIFOs) at {} um2/bit (SRAM area model, M).\n",
        opts.command,
        t_all.elapsed().as_secs_f64(),
        super::SramModel::default().um2_per_bit
    );
    if let Some(c) = &calibration {
        let _ = writeln!(
            md,
            "Calibration: {} distinct synthesized modules; leave-one-out error mean {:.1} %, max {:.1} %, \
             on the summed area {:+.1} %; over the streaming stages only mean {:.1} %, max {:.1} % (the register block \
             and the top are one of a kind, so left out nothing predicts them). Coefficients: {}.\n",
            c.samples,
            100.0 * c.mean_abs_error,
            100.0 * c.max_abs_error,
            100.0 * c.total_error,
            100.0 * c.stage_mean_abs_error,
            100.0 * c.stage_max_abs_error,
            c.coefficients
                .iter()
                .filter(|(_, v)| *v > 0.0)
                .map(|(n, v)| format!("{v:.1} um2 per {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut bars: Vec<(String, f64)> = Vec::new();
    let mut fps_series = Vec::new();
    let mut fps_x = Vec::new();
    for r in &runs {
        let totals: Vec<super::Totals> = r.reports.iter().map(|rep| rep.totals(&[])).collect();
        let prov = |t: &super::Totals| {
            if t.missing > 0 {
                "incomplete".to_string()
            } else {
                format!("{} + M", t.logic_provenance.short())
            }
        };
        let frozen = totals[0].area_um2();
        let train_only = totals[2].area_um2() - frozen;
        // All-trainable: the frozen core as MAC engines plus the frozen-only design's glue.
        let at_blocks = all_trainable_blocks(&r.model);
        let mut at_logic = 0.0;
        let mut at_counts = Counts::default();
        for b in &at_blocks {
            at_counts += b.counts;
            at_logic += coef.as_ref().map_or(0.0, |c| {
                super::calibrate::predict(c, &super::calibrate::features(b))
            });
        }
        let glue0 = r.reports[0].totals(&[Part::Glue]);
        let at = at_logic
            + at_counts.memory_bits() as f64 * r.reports[0].sram.um2_per_bit
            + glue0.area_um2();
        // The frozen core with frozen_bn = "frozen": requant scales as shift-add graphs and the
        // bias and shift as constants (plan counts, estimated by the calibration).
        let (fbn_logic, fbn_mem) = {
            let mut p = variant(&presets::preset(&r.name).context("preset")?, 0);
            p.manifest.generation.frozen_bn = FrozenBn::Frozen;
            let m = init::init(&p, opts.seed);
            let plan = crate::passes::plan(&m, &PlanOptions::default())?;
            let top0 = r.reports[0].blocks.iter().find(|b| b.block.name == "top");
            let mut logic = top0.and_then(|b| b.logic_um2()).map_or(0.0, |v| v.0);
            let mut bits = 0u64;
            for b in plan_counts::blocks(&plan)
                .iter()
                .filter(|b| b.name != "top")
            {
                logic += coef.as_ref().map_or(0.0, |c| {
                    super::calibrate::predict(c, &super::calibrate::features(b))
                });
                bits += b.counts.memory_bits();
            }
            (logic, bits as f64 * r.reports[0].sram.um2_per_bit)
        };
        let rows = [
            ("frozen core only", frozen, prov(&totals[0])),
            (
                "frozen + one trainable core",
                totals[1].area_um2(),
                prov(&totals[1]),
            ),
            (
                "frozen + two trainable cores",
                totals[2].area_um2(),
                prov(&totals[2]),
            ),
            (
                "two trainable cores only (difference)",
                train_only,
                prov(&totals[2]),
            ),
            (
                "whole model all-trainable (frozen layers as MAC engines)",
                at,
                "E + M (+ frozen-only glue)".to_string(),
            ),
            (
                "frozen core only, frozen_bn = \"frozen\" (requant as constants)",
                fbn_logic + fbn_mem,
                "E + M (+ frozen-only top)".to_string(),
            ),
        ];
        let _ = writeln!(
            md,
            "### Table 3, preset {} ({}x{}), seed {}\n\n| configuration | area (mm2) | logic (mm2) | memories (mm2) | ratio to frozen core | paper (16 nm, mm2) | paper ratio | provenance |\n|---|---|---|---|---|---|---|---|",
            r.name, r.model.layout.input.w, r.model.layout.input.h, opts.seed
        );
        let mut jrows = Vec::new();
        for (i, (label, area, p)) in rows.iter().enumerate() {
            let (logic, mem) = match i {
                0..=2 => (totals[i].logic_um2, totals[i].memory_um2),
                3 => (
                    totals[2].logic_um2 - totals[0].logic_um2,
                    totals[2].memory_um2 - totals[0].memory_um2,
                ),
                5 => (fbn_logic, fbn_mem),
                _ => (
                    at_logic + glue0.logic_um2,
                    at_counts.memory_bits() as f64 * r.reports[0].sram.um2_per_bit
                        + glue0.memory_um2,
                ),
            };
            let paper = PAPER_TABLE3.get(i).map(|p| p.1);
            let _ = writeln!(
                md,
                "| {label} | {} | {} | {} | {:.2} | {} | {} | {p} |",
                mm2(*area),
                mm2(logic),
                mm2(mem),
                area / frozen,
                paper.map_or("-".into(), |v| format!("{v}")),
                paper.map_or("-".into(), |v| format!("{:.2}", v / PAPER_TABLE3[0].1)),
            );
            jrows.push(
                json!({"configuration": label, "area_um2": area, "logic_um2": logic,
                "memory_um2": mem, "ratio_to_frozen": area / frozen, "provenance": p}),
            );
            bars.push((format!("{}\n{}", r.name, short_label(i)), area / 1e6));
        }
        let _ = writeln!(md);

        // Table 2: frame rate against repeat passes.
        let t2 = &totals[2];
        let (cp, cp_prov) = match t2.critical_path_ns {
            Some(cp) if t2.logic_provenance == Provenance::Synthesized => {
                (Some(cp), "S: slowest synthesized module".to_string())
            }
            Some(cp) => (
                Some(cp.max(pooled_cp)),
                "E: slowest synthesized module of any preset".to_string(),
            ),
            None if pooled_cp > 0.0 => (
                Some(pooled_cp),
                "E: slowest synthesized module of the other presets".to_string(),
            ),
            None => (None, "no synthesis".to_string()),
        };
        let bank = repeat_bank_stage(&r.plan2);
        let bank_block = Block {
            name: "repeat bank".into(),
            module: String::new(),
            part: Part::Trainable(0),
            latency: 0,
            counts: plan_counts::train_stage_counts(&bank),
        };
        let bank_logic = super::estimate(&r.reports[2], &bank_block).unwrap_or(0.0);
        let bank_area =
            bank_logic + bank_block.counts.memory_bits() as f64 * r.reports[2].sram.um2_per_bit;
        let cores = r.plan2.trainable.len().max(1);
        let pixels = r.plan2.input.pixels() as f64;
        if let Some(cp) = cp {
            let f = 1000.0 / cp;
            let _ = writeln!(
                md,
                "### Table 2, preset {}: frame rate against repeat passes n\n\nFmax {:.1} MHz (critical path {:.2} ns, {cp_prov}); one input pixel per clock, {} clocks per frame. \
                 The repeat block instantiates R_max = n banks as streaming stages with bypass, so the frame rate does not depend on n; each bank adds \
                 {} mm2 per trainable core ({} MACs, {} SRAM bits; E + M, computed from the plan's repeat stage, the schedule the generated `train{{t}}_rep_r{{r}}` stages use). \
                 For comparison, one bank reused n times (time-multiplexed) would run at f / ((n+1) H W).\n\n| n (= R_max) | frames/s (ours) | area (mm2, both cores) | frames/s time-multiplexed |\n|---|---|---|---|",
                r.name,
                f,
                cp,
                pixels as u64,
                mm2(bank_area),
                bank_block.counts.mac_units,
                bank_block.counts.sram_bits
            );
            let mut ours = Vec::new();
            let mut tm = Vec::new();
            let mut jt2 = Vec::new();
            for n in 0..=4usize {
                let fps = f * 1e6 / pixels;
                let tmx = fps / (n as f64 + 1.0);
                let area = t2.area_um2() + (cores * n) as f64 * bank_area;
                let _ = writeln!(md, "| {n} | {fps:.1} | {} | {tmx:.1} |", mm2(area));
                ours.push(fps);
                tm.push(tmx);
                jt2.push(
                    json!({"passes": n, "fps": fps, "area_um2": area, "fps_time_multiplexed": tmx}),
                );
            }
            let _ = writeln!(md);
            fps_x = (0..=4).map(|n| n as f64).collect();
            fps_series.push((format!("{} ours (R_max = n banks)", r.name), ours));
            fps_series.push((format!("{} one bank time-multiplexed", r.name), tm));
            js.insert(
                format!("table2_{}", r.name),
                json!({"fmax_mhz": f, "critical_path_ns": cp,
                "provenance": cp_prov, "rows": jt2, "bank_area_um2": bank_area}),
            );
        }
        js.insert(format!("table3_{}", r.name), json!(jrows));
    }

    // One frozen layer three ways (tiny's frozen.s3.b0.pw if present).
    md.push_str(&three_md);
    js.insert("one_layer_three_ways".into(), three);

    // Tool speed.
    let _ = writeln!(
        md,
        "### Tool speed per preset\n\n| preset | generate (plan + render) | RTL size | golden model per frame (median of {}) | Verilator build | simulated cycles/s | cycles per frame |\n|---|---|---|---|---|---|---|",
        opts.golden_frames.max(1)
    );
    let tiny_sim = runs.iter().find_map(|r| {
        r.verilator.as_ref().map(|v| {
            (
                r.rtl_bytes,
                v.build_seconds,
                v.cycles_per_second,
                v.build_cached,
            )
        })
    });
    let mut jspeed = Vec::new();
    for r in &runs {
        let (build, cps, cpf) = match (&r.verilator, tiny_sim) {
            (Some(v), _) => (
                if v.build_cached {
                    "cached (not timed)".to_string()
                } else {
                    format!("{:.0} s (measured)", v.build_seconds)
                },
                format!("{:.0} (measured)", v.cycles_per_second),
                v.cycles_per_frame()
                    .map_or("-".into(), |c| format!("{c} (measured)")),
            ),
            (None, Some((bytes, b, c, cached))) if !cached => {
                let k = r.rtl_bytes as f64 / bytes as f64;
                (
                    format!("~{:.0} s (extrapolated x{k:.1} RTL bytes)", b * k),
                    format!("~{:.0} (extrapolated / {k:.1})", c / k),
                    format!("{} (one pixel per clock)", r.plan2.input.pixels()),
                )
            }
            _ => ("not run".into(), "not run".into(), "-".into()),
        };
        let _ = writeln!(
            md,
            "| {} | {:.2} s | {:.1} MB | {:.3} s | {build} | {cps} | {cpf} |",
            r.name,
            r.gen_seconds,
            r.rtl_bytes as f64 / 1e6,
            r.golden_seconds
        );
        jspeed.push(json!({"preset": r.name, "generate_seconds": r.gen_seconds, "rtl_bytes": r.rtl_bytes,
            "golden_seconds_per_frame": r.golden_seconds, "verilator_build": build, "cycles_per_second": cps, "cycles_per_frame": cpf}));
    }
    let _ = writeln!(md);
    js.insert("speed".into(), json!(jspeed));
    js.insert("calibration".into(), json!(calibration));
    js.insert("command".into(), json!(opts.command));

    let area_svg = super::svg::bar_chart(
        "Area by configuration (OSU 0.18 um cells + SRAM model)",
        "mm2",
        &bars,
        "F = frozen only, +1T/+2T = with one/two trainable cores, T only = difference, AT = all-trainable (estimated), F bn=frozen = frozen requant as constants (estimated)",
    );
    let fps_svg = super::svg::line_chart(
        "Frame rate against repeat passes n at the measured Fmax",
        "repeat passes n",
        "frames/s",
        &fps_x,
        &fps_series,
        "ours: R_max banks as streaming stages, one pixel per clock for every n; time-multiplexed: f/((n+1)HW), computed",
    );
    let json_text = serde_json::to_string_pretty(&Value::Object(js))? + "\n";
    crate::output::write_dir_atomically(&opts.out, "bench.json", |d| {
        std::fs::write(d.join("bench.md"), &md)?;
        std::fs::write(d.join("bench.json"), &json_text)?;
        std::fs::write(d.join("area_by_config.svg"), &area_svg)?;
        std::fs::write(d.join("fps_by_repeat.svg"), &fps_svg)?;
        for r in &runs {
            for (i, rep) in r.reports.iter().enumerate() {
                std::fs::write(
                    d.join(format!("report_{}_{}cores.txt", r.name, i)),
                    super::text(rep),
                )?;
            }
        }
        Ok(())
    })?;
    Ok(md)
}

fn short_label(i: usize) -> &'static str {
    ["F", "+1T", "+2T", "T only", "AT", "F bn=frozen"][i]
}

/// Shift-add vs programmable (registers + generic multipliers) vs SRAM MAC engine, for one
/// frozen pointwise layer of the first synthesized preset.
fn three_ways(
    runs: &[PresetRun],
    opts: &PaperOptions,
    md: &mut String,
    samples: &mut Vec<(Block, f64)>,
) -> Result<Value> {
    let Some(r) = runs
        .iter()
        .find(|r| r.reports[2].blocks.iter().any(|b| b.asic.is_some()))
    else {
        return Ok(json!(null));
    };
    let plan = &r.plan2;
    let files = crate::emit::render(plan)?;
    let has_module = |m: &str| files.iter().any(|f| f.name == format!("{m}.v"));
    // The first of the largest square pointwise layers of a regular block with at most 16
    // channels (16x16 keeps the programmable version's synthesis to minutes), built as a
    // shift-add network (a folded stage's layers are weight tables inside the stage).
    let Some((layer, st)) = plan
        .stages
        .iter()
        .flat_map(|st| {
            st.branches
                .iter()
                .flat_map(move |b| b.layers.iter().map(move |l| (l, st)))
        })
        .filter(|(l, st)| {
            matches!(l.input, crate::passes::plan::LayerInput::Previous)
                && st.stride == 1
                && l.channels() == l.graph.matrix().cols()
                && l.channels() <= 16
                && has_module(&l.module)
        })
        .rev()
        .max_by_key(|(l, _)| l.channels())
    else {
        return Ok(json!(null));
    };
    let tools = Tools::find()?;
    let n = layer.channels();
    let f = files
        .iter()
        .find(|f| f.name == format!("{}.v", layer.module))
        .with_context(|| {
            format!(
                "no file {}.v for layer {} in the RTL",
                layer.module, layer.name
            )
        })?;
    let shift_add = Unit {
        module: layer.module.clone(),
        instances: 1,
        files: vec![f.clone()],
        black_boxes: vec![],
    };
    let prog_name = format!("prog_pw{n}");
    let prog = Unit {
        module: prog_name.clone(),
        instances: 1,
        files: vec![OutFile {
            name: format!("{prog_name}.v"),
            contents: crate::arith::programmable_layer_verilog(n, n, &prog_name),
        }],
        black_boxes: vec![],
    };
    let size = st.out_size();
    let t = plan.input.pixels() / size.pixels();
    let (p, q) = schedule::choose(n, n, schedule::budget(t, size.w));
    let mut e = EngineSchedule {
        layer: layer.name.clone(),
        kind: EngineKind::Pointwise,
        in_n: n,
        out_n: n,
        l: n,
        relu: true,
        out_size: size,
        clocks_available: t,
        p,
        q,
        pipe: schedule::EnginePipe::default(),
    };
    e.pipe = plan.timing.layer_pipe(&e);
    let mac = mac_engine_unit(&e, &format!("mac_pw{n}"))?;
    let sram = super::SramModel::default().um2_per_bit;
    let _ = writeln!(
        md,
        "### One frozen layer three ways: {} ({n}x{n} pointwise, {}x{} pixels, one output pixel every {t} clocks), preset {}\n\n\
         | implementation | logic (mm2, S) | memory (mm2, M) | total (mm2) | flip-flops (S) | critical path (ns, S) | ratio to shift-add |\n|---|---|---|---|---|---|---|",
        layer.name, size.w, size.h, r.name
    );
    // The shift-add network and the MAC engine are clean calibration samples (adder bits;
    // MAC units and requant bits) that the stages mix with everything else.
    let st_shift = crate::arith::LayerStats::of(&layer.name, &layer.graph, 0.0);
    let shift_block = Block {
        name: "three ways: shift-add".into(),
        module: layer.module.clone(),
        part: Part::Glue,
        latency: 0,
        counts: Counts {
            adders: st_shift.adders() as u64,
            adder_bits: st_shift.adder_bits,
            flip_flops: st_shift.register_bits,
            ..Counts::default()
        },
    };
    let mut mac_counts = plan_counts::engine_counts(&e);
    mac_counts.busy_cycles_per_frame = 0;
    let mac_block = Block {
        name: "three ways: MAC engine".into(),
        module: mac.module.clone(),
        part: Part::Glue,
        latency: 0,
        counts: mac_counts,
    };
    let mut rows = Vec::new();
    let mut base = None;
    for (label, unit, mem_bits) in [
        (
            "shift-add, frozen weights (ours; pipeline register every 3 adder levels, no requant)",
            &shift_add,
            0usize,
        ),
        (
            "programmable: weights in registers + generic multipliers (combinational, no requant)",
            &prog,
            0,
        ),
        (
            &*format!("SRAM MAC engine at its pixel rate (P = {p}, Q = {q}, with its requant)"),
            &mac,
            e.sram_bits(),
        ),
    ] {
        eprintln!("three ways: synthesize {}", unit.module);
        let (a, _) = synth::synth_asic(unit, &tools, &opts.cache)?;
        if unit.module == shift_block.module {
            samples.push((shift_block.clone(), a.area_um2));
        } else if unit.module == mac_block.module {
            samples.push((mac_block.clone(), a.area_um2));
        }
        let total = a.area_um2 + mem_bits as f64 * sram;
        let b = *base.get_or_insert(total);
        let _ = writeln!(
            md,
            "| {label} | {} | {} | {} | {} | {} | {:.2} |",
            mm2(a.area_um2),
            mm2(mem_bits as f64 * sram),
            mm2(total),
            a.flip_flops,
            a.critical_path_ns.map_or("-".into(), |v| format!("{v:.2}")),
            total / b
        );
        rows.push(json!({"implementation": label, "logic_um2": a.area_um2, "memory_um2": mem_bits as f64 * sram,
            "flip_flops": a.flip_flops, "critical_path_ns": a.critical_path_ns, "ratio": total / b}));
    }
    let _ = writeln!(md);
    Ok(json!({"layer": layer.name, "preset": r.name, "rows": rows}))
}
