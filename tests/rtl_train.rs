//! Generated RTL of the trainable cores (issue 5): lint, iverilog, yosys, and co-simulation
//! of the trainable features against the golden model, bit for bit: random valid/ready gaps,
//! full rate (input never stalls), one and two cores, alphas 0 / 256 / 128 / random, core
//! shuffle on and off, and the same RTL build reprogrammed over AXI4-Lite with a second
//! model's trainable weights, alphas and requant. Each design is built once (cached by
//! content); the scenarios reuse it.

mod common;

use common::{
    assert_fifos_measured, lint_and_compile, require_tool, run_tool, train_deep, train_one,
    train_two, verify_opts,
};
use semifreddo::emit::{self, OutFile};
use semifreddo::model::params::Block;
use semifreddo::model::Model;
use semifreddo::passes::{self, PlanOptions};
use semifreddo::verify::{self, VerifyReport};
use std::path::Path;
use std::process::Command;

fn write(m: &Model, dir: &Path) -> Vec<String> {
    let files: Vec<OutFile> =
        emit::render(&passes::plan(m, &PlanOptions::default()).unwrap()).unwrap();
    emit::write(&files, dir).unwrap();
    files
        .iter()
        .filter(|f| f.name.ends_with(".v"))
        .map(|f| dir.join(&f.name).display().to_string())
        .collect()
}

fn assert_exact(r: &VerifyReport, what: &str) {
    assert!(r.passed(), "{what}: {r}");
    assert!(r.values_compared > 0, "{what}");
}

/// Full rate: bit-exact, the input never stalls, at most 1.02 H*W cycles per frame.
fn full_rate(m: &Model) {
    let r = verify::verify(m, &verify_opts(3, 1, 0.0, 0.0)).unwrap();
    assert_exact(&r, "full rate");
    let px = r.pixels_per_frame as f64;
    let cpf = r.cycles_per_frame().unwrap() as f64;
    assert!(cpf <= 1.02 * px, "{cpf} cycles per frame for {px} pixels");
    assert_eq!(r.input_stall_cycles, 0, "the input never stalls: {r}");
    assert_fifos_measured(&r);
    eprintln!("{r}");
}

/// Runs the RTL of `rtl` programmed with `program`; must match `program` and be cached.
fn reprogrammed(rtl: &Model, program: &Model, seed: u64, what: &str) -> verify::SimRun {
    let run = verify::simulate(rtl, program, &verify_opts(2, seed, 0.2, 0.2)).unwrap();
    assert!(run.build_cached, "{what}: no rebuild");
    assert_exact(&verify::check(program, &run), what);
    run
}

/// Every alpha of every core and boundary set by `f(core, boundary, channel)`.
fn with_alphas(m: &Model, f: impl Fn(usize, usize, usize) -> u16) -> Model {
    let mut p = m.clone();
    for (t, tr) in p.trainable.iter_mut().enumerate() {
        for (k, a) in tr.alpha.iter_mut().enumerate() {
            for (c, v) in a.iter_mut().enumerate() {
                *v = f(t, k, c);
            }
        }
    }
    p
}

fn alpha_scenarios(m: &Model) {
    for (name, fixed) in [("all 0", 0u16), ("all 256", 256), ("all 128", 128)] {
        reprogrammed(m, &with_alphas(m, |_, _, _| fixed), 31, name);
    }
    let random = with_alphas(m, |t, k, c| {
        let h = (t * 7919 + k * 104_729 + c * 1_299_709 + 17).wrapping_mul(2_654_435_761);
        match h % 5 {
            0 => 0,
            1 => 256,
            _ => ((h >> 8) % 257) as u16,
        }
    });
    reprogrammed(m, &random, 32, "random alphas");
}

/// A second model's trainable weights, alphas and requant (another seed), with the first
/// model's frozen core, programmed into the same build: bit-exact against the second model,
/// and different from the first.
fn second_model(m: &Model, donor: Model) {
    let mut p = donor;
    p.frozen = m.frozen.clone();
    let run = reprogrammed(m, &p, 33, "second model");
    assert!(
        !verify::check(m, &run).passed(),
        "the trainable outputs did change"
    );
}

#[test]
fn trainable_rtl_is_lint_clean_and_compiles_with_iverilog() {
    require_tool("verilator");
    require_tool("iverilog");
    for m in [train_one(1), train_two(1)] {
        let dir = tempfile::tempdir().unwrap();
        let srcs = write(&m, dir.path());
        let top = format!("{}_top", m.manifest.name);
        lint_and_compile(&top, &srcs, dir.path());
    }
}

/// Yosys synthesis of a whole design with one trainable core, SRAM wrappers as black boxes.
#[test]
fn trainable_rtl_synthesizes_with_yosys() {
    require_tool("yosys");
    let dir = tempfile::tempdir().unwrap();
    let srcs = write(&train_one(1), dir.path());
    let (lib, rest): (Vec<String>, Vec<String>) =
        srcs.into_iter().partition(|f| f.contains("sf_sram"));
    let script = format!(
        "read_verilog -lib {}; read_verilog {}; synth -top train_one_top; check -assert; stat",
        lib.join(" "),
        rest.join(" ")
    );
    let log = run_tool(Command::new("yosys").args(["-q", "-p", &script]));
    assert!(!log.contains("ERROR"), "{log}");
}

#[test]
fn one_trainable_core_is_bit_exact() {
    require_tool("verilator");
    let m = train_one(1);
    full_rate(&m);
    for (seed, gap, stall) in [(2, 0.3, 0.3), (3, 0.05, 0.6), (4, 0.6, 0.05)] {
        let r = verify::verify(&m, &verify_opts(2, seed, gap, stall)).unwrap();
        assert_exact(&r, "random gaps");
        assert!(r.build_cached, "the simulator is reused");
    }
    alpha_scenarios(&m);
    second_model(&m, train_one(7));
    // A golden model that differs in the trainable block that is not a boundary: the report
    // names it as the first divergence.
    let run = verify::simulate(&m, &m, &verify_opts(1, 1, 0.0, 0.0)).unwrap();
    let mut other = m.clone();
    let Block::Regular(b) = &mut other.trainable[0].core.stages[1][1] else {
        panic!("regular block")
    };
    let shift = b.pw.requant.shift;
    b.pw.requant
        .bias
        .iter_mut()
        .for_each(|x| *x += 1 << (shift + 2).min(30));
    let r = verify::check(&other, &run);
    let mm = r.mismatch.clone().expect("a mismatch");
    assert_eq!(mm.place, "stage train0.s2.b1", "{mm}");
}

/// Frozen stages three blocks deeper than the trainable ones: the trainable-side skew FIFOs
/// keep the pipeline from deadlocking (qvga deadlocked without them).
#[test]
fn deeper_frozen_stages_do_not_deadlock() {
    require_tool("verilator");
    let m = train_deep(1);
    full_rate(&m);
    let r = verify::verify(&m, &verify_opts(2, 4, 0.3, 0.3)).unwrap();
    assert_exact(&r, "random gaps");
    // the skew FIFOs of both sides, measured under random gaps and backpressure
    assert!(r.fifos.iter().any(|q| q.name.starts_with("tskew")), "{r}");
    assert_fifos_measured(&r);
    eprintln!("{r}");
}

/// The same model planned for an ECP5 at 100 MHz: deeper engine pipelines, products from
/// logic in the stems' engines, and registered
/// line-memory writes in every window generator, frozen and trainable, so every latency the
/// skew FIFOs are sized from changes; still exact under gaps and backpressure, and no FIFO
/// reaches its depth.
#[test]
fn deeper_frozen_stages_planned_for_ecp5_are_bit_exact() {
    require_tool("verilator");
    let m = train_deep(1);
    let mut ecp5 = verify_opts(2, 9, 0.3, 0.3);
    ecp5.hw.timing_model = Some(semifreddo::passes::timing::TimingModel::Ecp5);
    ecp5.hw.target_mhz = Some(100.0);
    let plan = passes::plan(&m, &ecp5.hw).unwrap();
    assert!(plan
        .trainable
        .iter()
        .all(|c| c.stages.iter().all(|s| s.window_wr_reg)));
    // the stems' engines (36 products each) build their products from logic, the others
    // keep DSP products: both forms are checked here
    let engines = || {
        plan.trainable
            .iter()
            .flat_map(|c| c.stages.iter())
            .flat_map(|s| s.branches.iter().flatten())
    };
    assert!(engines().any(|e| e.pipe.mul_lut) && engines().any(|e| !e.pipe.mul_lut));
    assert!(plan.trainable.iter().all(|c| c.stages[0]
        .branches
        .iter()
        .flatten()
        .all(|e| e.pipe.mul_lut)));
    let r = verify::verify(&m, &ecp5).unwrap();
    assert_exact(&r, "ECP5 plan, random gaps");
    assert!(r.fifos.iter().any(|q| q.name.starts_with("tskew")), "{r}");
    assert_fifos_measured(&r);
}

#[test]
fn two_trainable_cores_with_core_shuffle_are_bit_exact() {
    require_tool("verilator");
    let mut m = train_two(1);
    // Boundaries alternate shuffle on and off.
    for (k, s) in m.shuffle.iter_mut().enumerate() {
        *s = k % 2 == 0;
    }
    full_rate(&m);
    let r = verify::verify(&m, &verify_opts(2, 2, 0.3, 0.3)).unwrap();
    assert_exact(&r, "random gaps");
    for (name, on) in [("shuffle all on", true), ("shuffle all off", false)] {
        let mut p = m.clone();
        p.shuffle.iter_mut().for_each(|s| *s = on);
        reprogrammed(&m, &p, 41, name);
    }
    alpha_scenarios(&m);
    second_model(&m, train_two(8));
}
