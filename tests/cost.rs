//! Hardware cost reports (issue 7): plan counts against hand-computed values, report.json
//! structure and provenance, units of the generated RTL, and one tiny synthesis (yosys +
//! OSU 0.18 µm + OpenSTA) with its cache. The synthesis tests skip with a message when the
//! tools are missing (scripts/test installs them).

use semifreddo::arith::{self, Interval, LowerOptions, PortNames};
use semifreddo::cost::fpga;
use semifreddo::cost::plan_counts::{self, Part};
use semifreddo::cost::synth::{self, Tools, Unit};
use semifreddo::cost::{self, CostOptions};
use semifreddo::emit::{self, OutFile};
use semifreddo::model::presets;
use semifreddo::passes::{self, PlanOptions};

fn tiny_plan() -> passes::HwPlan {
    passes::plan(
        &semifreddo::modelgen::default_model(),
        &PlanOptions::default(),
    )
    .unwrap()
}

#[test]
fn plan_counts_match_hand_computed_values() {
    let plan = tiny_plan();
    let blocks = plan_counts::blocks(&plan);
    let get = |n: &str| blocks.iter().find(|b| b.name == n).unwrap().counts;
    // tiny: 32x32x3 input; sf_window3x3 keeps 4 lines of W words of 8*C bits.
    assert_eq!(get("frozen.stem").line_buffer_bits, 4 * 32 * 8 * 3);
    assert_eq!(get("frozen.s1.b0").line_buffer_bits, 4 * 16 * 8 * 8);
    // The trainable stem: O = 8 outputs of L = 27 products, one output pixel per T = 4
    // clocks, budget floor((4*16 - 2)/16) = 3 clocks: P*Q = 72 = 8 x 9 (G = 1, S = 3).
    let stem = &plan.trainable[0].stages[0].branches[0][0];
    assert_eq!((stem.p, stem.q), (8, 9));
    let c = get("train0.stem");
    assert_eq!(c.mac_units, 72);
    // SRAM: G*S = 3 words of WB = 72 bytes.
    assert_eq!(c.sram_bits, 3 * 72 * 8);
    assert_eq!(c.busy_cycles_per_frame, 16 * 16 * 3);
    // Skew FIFOs of tiny (docs/rtl.md): w_k*(ceil(lead/(w_k*T_k)) + 2) + 4 beats for the
    // leading path, with the lags of the pipelined engines (timing pass, 150 MHz). At
    // boundary 0 the frozen path leads by 2 clocks (trainable ~96, frozen ~94), so F_0 waits
    // in 16*(1+2)+4 = 52 beats; after it the frozen stages lag (folded blocks), so F_k's FIFOs
    // hold the two-row minimum, 20x128, 12x256, 12x256, 8x512 bits, and each core's FIFOs
    // (data, sof, eol) cover frozen leads of 292, 930, 1600 and 2913 clocks: 44, 28, 40, 20
    // beats; the train01 head's two join FIFOs hold a repeat pass (12 beats) + w_S + 4 = 18
    // beats of 8*64+1 bits each.
    let frozen_side = 52 * 64 + 20 * 128 + 12 * 256 + 12 * 256 + 8 * 512;
    let train_side = 44 * 130 + 28 * 258 + 40 * 258 + 20 * 514;
    let glue = get("top");
    assert_eq!(
        glue.fifo_bits,
        frozen_side + 2 * train_side + 2 * 18 * (8 * 64 + 1)
    );
    // Trainable core totals as documented: 137 MAC units and 56,512 SRAM bits per core up
    // to boundary S, plus two repeat banks of 7 MAC units and 18,944 bits each.
    let t0 = plan_counts::total(&blocks, Some(Part::Trainable(0)));
    assert_eq!(
        (t0.mac_units, t0.sram_bits),
        (137 + 2 * 7, 56_512 + 2 * 18_944)
    );
    assert_eq!(get("train0.rep.r1").mac_units, 7);
    // Heads: pooled head0 (64 -> 10, Q = 4) and per-pixel head1 (64 -> 4, 1 x 2).
    assert_eq!(get("head0").mac_units, 4);
    assert_eq!(get("head0").sram_bits, 10 * 16 * 4 * 8);
    assert_eq!(get("head1").mac_units, 2);
    // Frozen adders are the parallel stages' adder graphs' (LayerStats) sums (folded stages
    // multiply by tables instead).
    let adders: u64 = plan
        .stages
        .iter()
        .filter(|s| matches!(s.imp, passes::frozen::FrozenImpl::Parallel(_)))
        .flat_map(|s| s.layers())
        .map(|l| semifreddo::arith::LayerStats::of("", &l.graph, 0.0).adders() as u64)
        .sum();
    assert_eq!(
        plan_counts::total(&blocks, Some(Part::Frozen)).adders,
        adders
    );
    assert_eq!(plan_counts::frame_cycles(&plan), 1024);
    // Weights per part: tiny's frozen core holds 6,560 conv weights, each trainable core
    // 6,936 (its stages and two repeat banks), the heads 64*10 + 64*4 + 128*10 / 2.
    assert_eq!(
        plan_counts::total(&blocks, Some(Part::Frozen)).weights,
        6_560
    );
    assert_eq!(
        plan_counts::total(&blocks, Some(Part::Trainable(1))).weights,
        6_936
    );
    assert_eq!(
        plan_counts::total(&blocks, Some(Part::Heads)).weights,
        640 + 256 + 640
    );
}

#[test]
fn register_block_is_split_by_owner_and_freezing_is_measured() {
    let plan = tiny_plan();
    let by_part = plan_counts::register_bits_by_part(&plan);
    let blocks = plan_counts::blocks(&plan);
    let regs = blocks.iter().find(|b| b.name == "regs").unwrap().counts;
    assert_eq!(by_part.iter().map(|(_, b)| b).sum::<u64>(), regs.flip_flops);
    let bits = |p| by_part.iter().find(|(q, _)| *q == p).map_or(0, |(_, b)| *b);
    // Frozen: one 6-bit shift per layer (23 layers); its scales and biases are in memories.
    assert_eq!(bits(Part::Frozen), 23 * 6);
    assert_eq!(bits(Part::Trainable(0)), bits(Part::Trainable(1)));
    let r = cost::analyze(&plan, &CostOptions::default()).unwrap();
    // The parts' areas with their own registers add up to the design's area.
    let sum: f64 = r.parts().into_iter().map(|p| r.part_area_um2(p)).sum();
    let total = r.totals(&[]).area_um2();
    assert!((sum - total).abs() < 1e-6 * total, "{sum} vs {total}");
    // Every frozen stage has a trainable equivalent; the JSON carries it per block and part.
    assert_eq!(r.frozen.len(), plan.stages.len());
    let v = cost::json(&r);
    let eq = v["parts"]["frozen"]["trainable_equivalent_area_um2"]["value"]
        .as_f64()
        .unwrap();
    assert!((eq - r.frozen_equivalent_um2()).abs() < 1e-6 * eq);
    assert_eq!(v["parts"]["frozen"]["weights"], 6_560);
    for b in v["blocks"].as_array().unwrap() {
        if b["part"] == "frozen" {
            let f = &b["figures"];
            assert!(
                f["trainable_equivalent_area_um2"]["value"]
                    .as_f64()
                    .unwrap()
                    > 0.0
            );
            assert!(f["clocks_per_pixel"].as_u64().unwrap() >= 4);
            assert!(["parallel", "folded"].contains(&f["implementation"].as_str().unwrap()));
        }
    }
    assert!(cost::text(&r).contains("frozen core"));
}

#[test]
fn report_json_has_every_figure_with_provenance() {
    let plan = tiny_plan();
    let r = cost::analyze(&plan, &CostOptions::default()).unwrap();
    let text = serde_json::to_string_pretty(&cost::json(&r)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let blocks = v["blocks"].as_array().unwrap();
    // frozen stages, 2 x (5 trainable stages + 2 repeat banks), 3 heads, regs, top
    assert_eq!(blocks.len(), plan.stages.len() + 14 + 3 + 2);
    for b in blocks {
        let f = b["figures"].as_object().unwrap();
        for key in [
            "adders",
            "adder_bits",
            "flip_flops_plan",
            "mac_units",
            "sram_bits",
            "line_buffer_bits",
            "fifo_bits",
            "busy_cycles_per_frame",
            "memory_area_um2",
        ] {
            let fig = &f[key];
            assert!(fig["value"].is_number(), "{key} of {}", b["name"]);
            assert!(fig["unit"].is_string());
            assert!(!fig["provenance"].as_str().unwrap().is_empty());
        }
        assert_eq!(f["adders"]["provenance"], "counted from the plan");
        assert!(f["memory_area_um2"]["provenance"]
            .as_str()
            .unwrap()
            .starts_with("SRAM area model"));
    }
    for p in ["frozen", "train0", "train1", "glue"] {
        assert!(v["parts"][p]["sram_bits"]["value"].is_number(), "{p}");
    }
    assert_eq!(v["cycles_per_frame"]["value"], 1024.0);
    // Deterministic.
    let again = cost::json(&cost::analyze(&plan, &CostOptions::default()).unwrap());
    assert_eq!(serde_json::to_string_pretty(&again).unwrap(), text);
    // The text table names every block.
    let t = cost::text(&r);
    for b in &plan.stages {
        assert!(t.contains(&b.name));
    }
}

#[test]
fn units_cover_the_top_and_the_two_cores_share_synthesis() {
    let plan = tiny_plan();
    let files = emit::render(&plan).unwrap();
    let units = synth::units(&files, &plan.top()).unwrap();
    let names: Vec<&str> = units.iter().map(|u| u.module.as_str()).collect();
    for st in &plan.stages {
        assert!(names.contains(&st.module.as_str()), "{}", st.module);
    }
    assert!(names.contains(&"tiny_regs") && names.contains(&"tiny_top"));
    // Primitives instantiated with parameters stay inside the top.
    assert!(!names.iter().any(|n| n.starts_with("sf_")), "{names:?}");
    let top = units.iter().find(|u| u.module == "tiny_top").unwrap();
    let bb: Vec<&str> = top.black_boxes.iter().map(|f| f.name.as_str()).collect();
    assert!(bb.contains(&"tiny_frozen_stem.v") && bb.contains(&"sf_fifo.v"));
    let stem = units
        .iter()
        .find(|u| u.module == "tiny_frozen_stem")
        .unwrap();
    assert!(stem.black_boxes.iter().any(|f| f.name == "sf_sram_1r1w.v"));
    assert!(stem
        .files
        .iter()
        .any(|f| f.name == "tiny_frozen_stem_weights.v"));
    let key = |m: &str| {
        let u = units.iter().find(|u| u.module == m).unwrap();
        synth::unit_key(u, "asic", "v")
    };
    // The two cores' copies of a block share one module (one unit, two instances); the
    // repeat passes of both cores share another.
    let instances = |m: &str| units.iter().find(|u| u.module == m).unwrap().instances;
    assert_eq!(instances("tiny_train_s1_b0"), 2);
    assert_eq!(instances("tiny_train_rep"), 4);
    assert!(!units.iter().any(|u| u.module.starts_with("tiny_train1_")));
    assert_ne!(key("tiny_train_s1_b0"), key("tiny_train_s2_b0"));
    assert_ne!(key("tiny_frozen_s1_b0"), key("tiny_frozen_s1_b1"));
}

/// The tools, or `None` after saying why the test is skipped.
fn tools_or_skip(test: &str) -> Option<Tools> {
    match Tools::find() {
        Ok(t) if t.sta.is_some() => Some(t),
        Ok(_) => {
            eprintln!("SKIP {test}: {}", Tools::sta_missing());
            None
        }
        Err(e) => {
            eprintln!("SKIP {test}: {e}");
            None
        }
    }
}

/// A 6x6 frozen int8 layer with a pipeline register every 2 adder levels, as a unit.
fn small_unit() -> Unit {
    let m = arith::random_int8_matrix(6, 6, 3);
    let opts = LowerOptions {
        pipeline_every: 2,
        ..LowerOptions::default()
    };
    let g = arith::lower(&m, &[Interval::INT8; 6], &opts).unwrap();
    let v = arith::emit_verilog(&g, "cost_pw6", &PortNames::default_for(&g)).unwrap();
    assert!(
        v.contains("input  wire clk"),
        "pipelined adder graphs are clocked"
    );
    Unit {
        module: "cost_pw6".into(),
        instances: 1,
        files: vec![OutFile {
            name: "cost_pw6.v".into(),
            contents: v,
        }],
        black_boxes: vec![],
    }
}

#[test]
fn a_small_block_synthesizes_and_the_cache_returns_identical_numbers() {
    let Some(tools) = tools_or_skip("synthesis") else {
        return;
    };
    let unit = small_unit();
    let cache = tempfile::tempdir().unwrap();
    let keep = tempfile::tempdir().unwrap();
    let kept = keep.path().join(&unit.module);
    let (a, hit) = synth::synth_asic_kept(&unit, &tools, cache.path(), Some(&kept)).unwrap();
    assert!(!hit);
    // the kept folder holds what repeating the synthesis and timing by hand needs
    for f in [
        "cost_pw6.v",
        "run.ys",
        "yosys.log",
        "netlist.v",
        "sta.tcl",
        "sta.log",
    ] {
        assert!(kept.join(f).is_file(), "{f} kept in {}", kept.display());
    }
    assert!(a.area_um2 > 0.0 && a.cells > 0, "{a:?}");
    assert!(a.flip_flops > 0, "pipeline registers: {a:?}");
    let cp = a.critical_path_ns.expect("OpenSTA finds a path");
    assert!(cp > 0.0 && cp < 50.0, "{cp}");
    let (b, hit) = synth::synth_asic(&unit, &tools, cache.path()).unwrap();
    assert!(hit, "second run comes from the cache");
    assert_eq!(a, b);
}

#[test]
fn a_small_block_places_and_routes_on_the_ecp5() {
    let tools = match Tools::find() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("SKIP ECP5 place and route: {e}");
            return;
        }
    };
    let pnr = match fpga::Nextpnr::find() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("SKIP ECP5 place and route: {e}");
            return;
        }
    };
    let unit = small_unit();
    let cache = tempfile::tempdir().unwrap();
    let keep = tempfile::tempdir().unwrap();
    let (r, hit) =
        fpga::place_and_route(&unit, &tools, &pnr, cache.path(), 150.0, Some(keep.path())).unwrap();
    assert!(!hit);
    // the kept folder holds what repeating the place and route by hand needs
    let kept = keep.path().join(&unit.module);
    for f in ["unit.json", "sf_ecp5_wrap.v", "run.ys", "nextpnr.log"] {
        assert!(kept.join(f).is_file(), "{f} kept in {}", kept.display());
    }
    assert!(kept.join(format!("{}.v", unit.module)).is_file());
    assert!(r.lut4 + r.ccu2c > 0 && r.ff > 0, "{r:?}");
    assert!(r.fmax_mhz > 0.0 && r.fmax_mhz < 1000.0, "{r:?}");
    assert_eq!((r.dsp, r.bram), (0, 0), "shift-add only: {r:?}");
    let (again, hit) =
        fpga::place_and_route(&unit, &tools, &pnr, cache.path(), 150.0, None).unwrap();
    assert!(hit, "second run comes from the cache");
    assert_eq!(r, again);
}

/// Issue #16: the report's area is a sum of per-unit syntheses; synthesizing the whole
/// design flat (one Yosys run over the top and every unit, memories as black boxes) must
/// agree with that sum within 10 %. A small random model with a trainable core keeps it to
/// about a minute; tiny's figures are in docs/cost.md.
#[test]
fn the_whole_design_synthesized_flat_matches_the_per_block_sum() {
    let Some(_tools) = tools_or_skip("flat synthesis") else {
        return;
    };
    let model = semifreddo::modelgen::random::random_model(7);
    let plan = passes::plan(&model, &PlanOptions::default()).unwrap();
    assert!(!plan.trainable.is_empty(), "the model has MAC engines");
    let cache = tempfile::tempdir().unwrap();
    let opts = CostOptions {
        synth: cost::SynthMode::Limit(u64::MAX),
        cache: cache.path().to_path_buf(),
        flat: true,
        ..CostOptions::default()
    };
    let report = cost::analyze(&plan, &opts).unwrap();
    assert!(
        report.blocks.iter().all(|b| b.asic.is_some()),
        "every unit synthesized"
    );
    let check = report.flat_check().expect("the flat synthesis ran");
    assert_eq!(check.per_block_provenance, cost::Provenance::Synthesized);
    assert!(
        check.difference.abs() <= 0.10,
        "flat {:.0} um2 against the per-block sum {:.0} um2 ({:+.1} %)",
        check.flat_um2,
        check.per_block_um2,
        100.0 * check.difference
    );
    // the flat netlist holds every unit's flip-flops (no unit was dropped or duplicated)
    let flat = report.flat.as_ref().unwrap();
    let unit_ffs: u64 = report
        .blocks
        .iter()
        .map(|b| b.asic.as_ref().unwrap().flip_flops * b.instances as u64)
        .sum();
    let ff_diff = flat.flip_flops.abs_diff(unit_ffs) as f64 / unit_ffs as f64;
    assert!(
        ff_diff <= 0.02,
        "flat {} FFs, units {unit_ffs}",
        flat.flip_flops
    );
    // only memories are black boxes in the flat design
    for m in flat.black_boxes.keys() {
        assert!(synth::BLACK_BOXES.contains(&m.as_str()), "black box {m}");
    }
    let json = cost::json(&report);
    assert!(json["flat"]["difference"].is_number(), "{}", json["flat"]);
    assert!(cost::text(&report).contains("whole design synthesized flat"));
}

#[test]
fn missing_tools_are_named_with_their_package() {
    let msg = Tools::sta_missing();
    assert!(msg.contains("opensta") && msg.contains("apt-get"));
}

#[test]
fn bench_variants_drop_what_their_cores_cannot_feed() {
    let p = presets::preset("tiny").unwrap();
    let v0 = cost::paper::variant(&p, 0);
    assert_eq!(v0.manifest.topology.trainable_cores, 0);
    assert_eq!(v0.manifest.topology.repeat_banks, 0);
    assert_eq!(v0.manifest.heads.len(), v0.pool.len());
    let m0 = semifreddo::modelgen::init::init(&v0, 1);
    let plan0 = passes::plan(&m0, &PlanOptions::default()).unwrap();
    assert!(plan0.trainable.is_empty());
    // Frozen weights do not depend on the number of trainable cores (so the variants'
    // frozen stages are the same modules and share synthesis).
    let m2 = semifreddo::modelgen::default_model();
    let frozen = |m: &semifreddo::model::Model| -> Vec<(String, Vec<u8>)> {
        m.to_store()
            .tensors
            .iter()
            .filter(|(n, _)| n.starts_with("frozen.") && n.ends_with(".weight"))
            .map(|(n, t)| (n.clone(), t.bytes.clone()))
            .collect()
    };
    assert!(!frozen(&m0).is_empty());
    assert_eq!(frozen(&m0), frozen(&m2));
    let v1 = cost::paper::variant(&p, 1);
    let plan1 = passes::plan(
        &semifreddo::modelgen::init::init(&v1, 1),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(plan1.trainable.len(), 1);
}

/// The stand-alone MAC-engine unit `bench paper` synthesizes (one frozen layer three ways)
/// carries every module its engine instantiates: Yosys elaborates it with only the memory
/// as a black box.
#[test]
fn the_three_ways_mac_engine_unit_elaborates() {
    if tools_or_skip("three ways elaboration").is_none() {
        return;
    }
    let plan = tiny_plan();
    let e = plan.engines().next().unwrap();
    let unit = cost::paper::mac_engine_unit(e, "mac_check").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut script = String::new();
    for f in &unit.black_boxes {
        std::fs::write(dir.path().join(&f.name), &f.contents).unwrap();
        script += &format!("read_verilog -lib {}; ", f.name);
    }
    for f in &unit.files {
        std::fs::write(dir.path().join(&f.name), &f.contents).unwrap();
        script += &format!("read_verilog {}; ", f.name);
    }
    script += "hierarchy -check -top mac_check";
    let out = std::process::Command::new("yosys")
        .args(["-q", "-p", &script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
