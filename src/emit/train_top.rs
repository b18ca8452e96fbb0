//! The trainable cores' part of the top level: forks of the input and of every boundary's
//! frozen output F_k, the skew FIFOs, the blends, the core shuffle, the trainable stages and
//! the `m_axis_train{t}` outputs (SPEC §1). Everything here is generated only for models with
//! trainable cores.

use crate::passes::interface::boundary_wire;
use crate::passes::plan::HwPlan;
use crate::passes::schedule::{TrainCoreHw, TrainStageHw};
use std::fmt::Write;

/// An `sf_fork` of stream `src` to consumers `outs` (declares `<o>_valid`, `<o>_ready`;
/// `public` makes them debug taps).
fn fork(s: &mut String, name: &str, src: &str, outs: &[String], public: bool) {
    let n = outs.len();
    let attr = if public {
        " /* verilator public_flat_rd */"
    } else {
        ""
    };
    for o in outs {
        let _ = writeln!(s, "    wire {o}_valid{attr};\n    wire {o}_ready{attr};");
    }
    let valids: Vec<String> = outs.iter().rev().map(|o| format!("{o}_valid")).collect();
    let readys: Vec<String> = outs.iter().rev().map(|o| format!("{o}_ready")).collect();
    let _ = writeln!(
        s,
        "    sf_fork #(.N({n})) u_{name} (\n        .aclk(aclk), .aresetn(aresetn), .s_valid({src}_valid), .s_ready({src}_ready),\n        .m_valid({{{}}}), .m_ready({{{}}}));",
        valids.join(", "),
        readys.join(", ")
    );
}

fn stage_instance(
    s: &mut String,
    plan: &HwPlan,
    st: &TrainStageHw,
    data: &str,
    hs: &str,
    sof: &str,
) {
    let w = st.wire();
    let bits = 8 * st.out_channels();
    let _ = writeln!(
        s,
        "    // {}\n    wire [{}:0] {w}_data /* verilator public_flat_rd */;\n    wire {w}_valid /* verilator public_flat_rd */;\n    wire {w}_ready /* verilator public_flat_rd */;\n    wire {w}_sof, {w}_eol;",
        st.name,
        bits - 1
    );
    let mut conns = vec![
        "        .aclk(aclk), .aresetn(aresetn)".to_string(),
        format!("        .s_data({data}), .s_valid({hs}_valid), .s_ready({hs}_ready), .s_sof({sof})"),
        format!("        .m_data({w}_data), .m_valid({w}_valid), .m_ready({w}_ready), .m_sof({w}_sof), .m_eol({w}_eol)"),
    ];
    for e in st.branches.iter().flatten() {
        let ps: Vec<String> = e
            .ports()
            .into_iter()
            .map(|p| format!(".{n}({n})", n = p.name))
            .collect();
        conns.push(format!("        {}", ps.join(", ")));
    }
    let _ = writeln!(
        s,
        "    {} u_{w} (\n{}\n    );",
        plan.train_module(st),
        conns.join(",\n")
    );
}

/// The body: input fork, per core the stage chain, per boundary fork + skew FIFO + blend(s)
/// + shuffle, and the outputs. Returns (body, unused signals).
pub fn body(plan: &HwPlan) -> (String, Vec<String>) {
    let mut s = String::new();
    let mut unused = Vec::new();
    let ncores = plan.trainable.len();
    let s_last = plan.boundaries.len() - 1;
    let _ = writeln!(s, "\n    // ================= trainable cores");
    for p in plan.cfg_wires() {
        let _ = writeln!(s, "    wire [{}:0] {};", p.bits - 1, p.name);
    }
    // input fork: frozen stem + each core's stem
    let mut outs = vec!["input_fz".to_string()];
    outs.extend((0..ncores).map(|t| format!("input_t{t}")));
    let _ = writeln!(
        s,
        "\n    // The input feeds the frozen stem and every trainable stem."
    );
    fork(&mut s, "input_fork", "input", &outs, false);
    // boundaries: fork of F_k, skew FIFO
    for bd in &plan.boundaries {
        let (k, f) = (bd.index, &bd.skew);
        let fw = plan.stages[bd.frozen_stage].wire();
        let cw = usize::BITS as usize - f.depth.leading_zeros() as usize;
        let _ = writeln!(
            s,
            "\n    // ---- boundary {k}: F_{k} feeds the next frozen stage and the skew FIFO.\n    // Skew FIFO depth {}: {}.",
            f.depth, f.reason
        );
        fork(
            &mut s,
            &format!("{fw}_fork"),
            &fw,
            &[format!("{fw}_fz"), format!("{fw}_sk")],
            false,
        );
        let _ = writeln!(
            s,
            "    wire [{}:0] skew{k}_data;\n    wire skew{k}_valid, skew{k}_ready;\n    wire [{}:0] skew{k}_count;\n\
             \x20   sf_fifo #(.WIDTH({}), .DEPTH({})) u_skew{k} (\n        .aclk(aclk), .aresetn(aresetn),\n\
             \x20       .s_data({fw}_data), .s_valid({fw}_sk_valid), .s_ready({fw}_sk_ready),\n\
             \x20       .m_data(skew{k}_data), .m_valid(skew{k}_valid), .m_ready(skew{k}_ready),\n\
             \x20       .count(skew{k}_count));",
            f.bits - 1,
            cw - 1,
            f.bits,
            f.depth
        );
        unused.push(format!("skew{k}_count"));
    }
    // trainable stage chains
    for core in &plan.trainable {
        let t = core.index;
        let (mut data, mut hs, mut sof) = (
            "input_data".to_string(),
            format!("input_t{t}"),
            "input_sof".to_string(),
        );
        for st in &core.stages {
            stage_instance(&mut s, plan, st, &data, &hs, &sof);
            let w = st.wire();
            match st.boundary {
                Some(k) => {
                    let x = boundary_wire(t, k);
                    data = format!("{x}_data");
                    hs = x.clone();
                    sof = format!("{x}_sof");
                }
                None => {
                    data = format!("{w}_data");
                    hs = w.clone();
                    sof = format!("{w}_sof");
                    unused.push(format!("{w}_eol"));
                }
            }
        }
    }
    // blends and shuffles
    for bd in &plan.boundaries {
        let (k, b) = (bd.index, bd.skew.bits);
        let c = b / 8;
        let _ = writeln!(
            s,
            "\n    // ---- boundary {k}: blend (and core shuffle) of {c} channels"
        );
        let f_hs: Vec<String> = if ncores == 2 {
            let o = vec![format!("skew{k}_f0"), format!("skew{k}_f1")];
            fork(
                &mut s,
                &format!("skew{k}_fork"),
                &format!("skew{k}"),
                &o,
                false,
            );
            o
        } else {
            vec![format!("skew{k}")]
        };
        for core in &plan.trainable {
            let t = core.index;
            let st = core
                .stages
                .iter()
                .find(|st| st.boundary == Some(k))
                .expect("a stage per boundary");
            let mut w = st.wire();
            let side = &bd.trainable[t];
            let depth = side.depth;
            if depth > 0 {
                // The frozen path is deeper here: T_t waits for F_k in its own skew FIFO.
                let q = format!("tskew{t}_{k}");
                let _ = writeln!(
                    s,
                    "    // Trainable-side skew FIFO, depth {depth}: {} extra frozen block(s) at this boundary.\n\
                     \x20   wire [{}:0] {q}_all;\n    wire [{}:0] {q}_data;\n    wire {q}_valid, {q}_ready, {q}_sof, {q}_eol;\n\
                     \x20   wire [{}:0] {q}_count;\n\
                     \x20   sf_fifo #(.WIDTH({}), .DEPTH({depth})) u_{q} (\n        .aclk(aclk), .aresetn(aresetn),\n\
                     \x20       .s_data({{{w}_eol, {w}_sof, {w}_data}}), .s_valid({w}_valid), .s_ready({w}_ready),\n\
                     \x20       .m_data({q}_all), .m_valid({q}_valid), .m_ready({q}_ready), .count({q}_count));\n\
                     \x20   assign {q}_data = {q}_all[{}:0];\n    assign {q}_sof = {q}_all[{}];\n    assign {q}_eol = {q}_all[{}];",
                    side.extra_blocks,
                    b + 1,
                    b - 1,
                    usize::BITS - depth.leading_zeros() - 1,
                    b + 2,
                    b - 1,
                    b,
                    b + 1
                );
                unused.push(format!("{q}_count"));
                w = q;
            }
            let bl = format!("train{t}_b{k}");
            let _ = writeln!(
                s,
                "    wire [{}:0] {bl}_data;\n    wire [1:0] {bl}_side;\n    wire {bl}_valid, {bl}_ready;\n\
                 \x20   sf_blend #(.CH({c}), .SIDE_W(2)) u_{bl} (\n        .aclk(aclk), .aresetn(aresetn),\n\
                 \x20       .f_data(skew{k}_data), .f_valid({fv}_valid), .f_ready({fv}_ready),\n\
                 \x20       .t_data({w}_data), .t_side({{{w}_eol, {w}_sof}}), .t_valid({w}_valid), .t_ready({w}_ready),\n\
                 \x20       .alpha(train{t}_blend{k}_alpha),\n\
                 \x20       .m_data({bl}_data), .m_side({bl}_side), .m_valid({bl}_valid), .m_ready({bl}_ready));",
                b - 1,
                fv = f_hs[if ncores == 2 { t } else { 0 }]
            );
        }
        if ncores == 1 {
            let (x, bl) = (boundary_wire(0, k), format!("train0_b{k}"));
            let _ = writeln!(
                s,
                "    wire [{}:0] {x}_data /* verilator public_flat_rd */;\n    wire {x}_valid /* verilator public_flat_rd */;\n    wire {x}_ready /* verilator public_flat_rd */;\n    wire {x}_sof, {x}_eol;\n\
                 \x20   assign {x}_data = {bl}_data;\n    assign {x}_valid = {bl}_valid;\n    assign {bl}_ready = {x}_ready;\n\
                 \x20   assign {x}_sof = {bl}_side[0];\n    assign {x}_eol = {bl}_side[1];",
                b - 1
            );
        } else {
            let h = b / 2;
            let _ = writeln!(
                s,
                "    // Core shuffle: both cores' blended beats leave together (join, then fork).\n\
                 \x20   wire sh{k}_valid = train0_b{k}_valid && train1_b{k}_valid;\n    wire sh{k}_ready;\n\
                 \x20   assign train0_b{k}_ready = sh{k}_ready && train1_b{k}_valid;\n\
                 \x20   assign train1_b{k}_ready = sh{k}_ready && train0_b{k}_valid;"
            );
            for t in 0..2 {
                let x = boundary_wire(t, k);
                let _ = writeln!(
                    s,
                    "    wire [{}:0] {x}_data /* verilator public_flat_rd */;\n    wire {x}_sof, {x}_eol;",
                    b - 1
                );
            }
            fork(
                &mut s,
                &format!("sh{k}_fork"),
                &format!("sh{k}"),
                &[boundary_wire(0, k), boundary_wire(1, k)],
                true,
            );
            for t in 0..2 {
                let (x, me, other) = (
                    boundary_wire(t, k),
                    format!("train{t}_b{k}_data"),
                    format!("train{}_b{k}_data", 1 - t),
                );
                let _ = writeln!(
                    s,
                    "    // T''_{t} = T'_{t}[0:C/2] ++ T'_{o}[C/2:C] when BLEND{k}_SHUFFLE is 1\n\
                     \x20   assign {x}_data = blend{k}_shuffle ? {{{other}[{}:{h}], {me}[{}:0]}} : {me};\n\
                     \x20   assign {x}_sof = train0_b{k}_side[0];\n    assign {x}_eol = train0_b{k}_side[1];",
                    b - 1,
                    h - 1,
                    o = 1 - t
                );
            }
            unused.push(format!("train1_b{k}_side"));
        }
        for t in 0..ncores {
            if k != s_last {
                unused.push(format!("{}_eol", boundary_wire(t, k)));
            }
        }
    }
    for core in &plan.trainable {
        repeat_chain(&mut s, plan, core, s_last);
    }
    (s, unused)
}

/// Core t's repeat block after boundary S: pass r (bank r) runs when `train{t}_rep_n > r`,
/// otherwise its stream bypasses it (combinational muxes, so n must change only between
/// frames). Ends in stream `train{t}_out`.
fn repeat_chain(s: &mut String, plan: &HwPlan, core: &TrainCoreHw, s_last: usize) {
    let t = core.index;
    let mut prev = boundary_wire(t, s_last);
    let bits = core.repeat.first().map_or(0, |st| 8 * st.in_channels);
    for (r, st) in core.repeat.iter().enumerate() {
        let en = format!("train{t}_pass{r}_en");
        let inp = format!("train{t}_pass{r}_in");
        let w = st.wire();
        let y = format!("train{t}_pass{r}");
        let _ = writeln!(
            s,
            "\n    // ---- repeat pass {r} of core {t} (bank {r}), bypassed unless n > {r}\n\
             \x20   wire {en} = train{t}_rep_n > {r};\n    wire {inp}_valid = {prev}_valid && {en};\n    wire {inp}_ready;"
        );
        stage_instance(
            s,
            plan,
            st,
            &format!("{prev}_data"),
            &inp,
            &format!("{prev}_sof"),
        );
        let _ = writeln!(
            s,
            "    wire [{}:0] {y}_data = {en} ? {w}_data : {prev}_data;\n\
             \x20   wire {y}_valid = {en} ? {w}_valid : {prev}_valid;\n    wire {y}_ready;\n\
             \x20   wire {y}_sof = {en} ? {w}_sof : {prev}_sof;\n    wire {y}_eol = {en} ? {w}_eol : {prev}_eol;\n\
             \x20   assign {w}_ready = {en} && {y}_ready;\n\
             \x20   assign {prev}_ready = {en} ? {inp}_ready : {y}_ready;",
            bits - 1
        );
        prev = y;
    }
    let _ = writeln!(
        s,
        "\n    // ---- core {t} after the repeat block\n\
         \x20   wire [{}:0] train{t}_out_data = {prev}_data;\n    wire train{t}_out_valid = {prev}_valid;\n    wire train{t}_out_ready;\n\
         \x20   assign {prev}_ready = train{t}_out_ready;\n\
         \x20   wire train{t}_out_sof = {prev}_sof;\n    wire train{t}_out_eol = {prev}_eol;",
        8 * core.stages.last().map_or(0, |st| st.out_channels()) - 1
    );
}
