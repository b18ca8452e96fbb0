//! `semifreddo report`: per frozen layer, the shift-add cost (adders, CSD baseline, lower
//! bound, depth, pipeline registers, adder bits), and per stage the latency and line buffers.

use crate::arith::{format_table, LayerStats};
use crate::passes::plan::RequantHw;
use crate::passes::HwPlan;
use std::fmt::Write;

/// Statistics of every frozen adder graph: the weights, and with `frozen_bn = "frozen"` the
/// requant scales (`<layer>.scale`).
pub fn layer_stats(plan: &HwPlan) -> Vec<LayerStats> {
    let mut rows = Vec::new();
    for l in plan.layers() {
        rows.push(LayerStats::of(&l.name, &l.graph, l.lowering_ms));
        if let RequantHw::Constant { graph, .. } = &l.requant {
            rows.push(LayerStats::of(&format!("{}.scale", l.name), graph, 0.0));
        }
    }
    rows
}

pub fn text(plan: &HwPlan) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "frozen core of model {} ({}x{}x{} -> {}x{}x{}), frozen_bn {:?}, pipeline register every {} adder levels, depth slack {}",
        plan.model_name,
        plan.input.w,
        plan.input.h,
        plan.in_channels,
        plan.out_size().w,
        plan.out_size().h,
        plan.out_channels(),
        plan.frozen_bn,
        plan.options.pipeline_every,
        plan.options.depth_slack
    );
    let _ = writeln!(
        s,
        "target clock {} MHz ({:.2} ns): pipeline depths chosen for it with the {} delay \
         table (timing pass)",
        plan.timing.target_mhz,
        plan.timing.period_ns,
        plan.timing.timing_model.name()
    );
    let line_write = plan.timing.model().line_write;
    let _ = writeln!(
        s,
        "window generators: {} (the unregistered write takes {line_write} ns)",
        if plan.timing.window_write_reg() {
            "line-memory writes registered, WR_REG = 1, one clock of latency"
        } else {
            "line-memory writes as the input handshake decides, WR_REG = 0"
        }
    );
    let _ = writeln!(s, "\nshift-add layers (counted from the adder graphs):");
    s.push_str(&format_table(&layer_stats(plan)));
    let _ = writeln!(s, "\nstages:");
    let _ = writeln!(
        s,
        "{:<16} {:>12} {:>6} {:>8} {:>14}",
        "stage", "input", "stride", "latency", "line-buf bits"
    );
    let mut total_lb = 0usize;
    for st in &plan.stages {
        // sf_window3x3 keeps four input lines.
        let lb = 4 * st.in_size.w * 8 * st.in_channels;
        total_lb += lb;
        let _ = writeln!(
            s,
            "{:<16} {:>12} {:>6} {:>8} {:>14}",
            st.name,
            format!("{}x{}x{}", st.in_size.w, st.in_size.h, st.in_channels),
            st.stride,
            st.latency(),
            lb
        );
    }
    let _ = writeln!(
        s,
        "{:<16} {:>12} {:>6} {:>8} {:>14}",
        "total", "", "", "", total_lb
    );
    trainable(&mut s, plan);
    skew(&mut s, plan);
    repeat_banks(&mut s, plan);
    heads(&mut s, plan);
    s
}

/// What each repeat bank (one pass) costs: its engines' MAC units and SRAM bits and its
/// window generator's line buffers; passes beyond n are bypassed, so the frame rate is the
/// same for every n.
fn repeat_banks(s: &mut String, plan: &HwPlan) {
    let Some(first) = plan.trainable.first().filter(|c| !c.repeat.is_empty()) else {
        return;
    };
    let _ = writeln!(
        s,
        "\nrepeat block: {} bank(s) per core, each its own pass (n = 0..={} at one input pixel per clock):",
        first.repeat.len(),
        first.repeat.len()
    );
    let _ = writeln!(
        s,
        "{:<16} {:>5} {:>10} {:>14} {:>8}",
        "pass", "MACs", "SRAM bits", "line-buf bits", "latency"
    );
    for core in &plan.trainable {
        for st in &core.repeat {
            let macs: usize = st.branches.iter().flatten().map(|e| e.mac_units()).sum();
            let bits: usize = st.branches.iter().flatten().map(|e| e.sram_bits()).sum();
            let lb = 4 * st.in_size.w * 8 * st.in_channels;
            let _ = writeln!(
                s,
                "{:<16} {:>5} {:>10} {:>14} {:>8}",
                st.name,
                macs,
                bits,
                lb,
                st.engine_latency()
            );
        }
    }
}

/// Per head: the engine (per pixel) or the pooled dot-product unit, its weight SRAM, and the
/// output rate.
fn heads(s: &mut String, plan: &HwPlan) {
    if plan.heads.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nheads (16-bit AXI4-Stream outputs):");
    let _ = writeln!(
        s,
        "{:<7} {:<8} {:>5} {:>5} {:>3} {:<9} {:>4} {:>3} {:>5} {:>10} {:>12} {:>10} {:>8}",
        "head",
        "source",
        "in",
        "out",
        "G",
        "pooling",
        "P",
        "Q",
        "MACs",
        "SRAM bits",
        "beats/frame",
        "clocks",
        "latency"
    );
    for h in &plan.heads {
        let e = &h.engine;
        let clocks = if h.pool {
            format!("{}/frame", h.pool_clocks())
        } else {
            format!("{}/px", e.clocks_used().max(h.outputs))
        };
        let _ = writeln!(
            s,
            "{:<7} {:<8} {:>5} {:>5} {:>3} {:<9} {:>4} {:>3} {:>5} {:>10} {:>12} {:>10} {:>8}",
            h.name,
            h.source.to_string(),
            h.in_channels,
            h.outputs,
            h.groups,
            if h.pool { "pooled" } else { "per pixel" },
            e.p,
            e.q,
            e.mac_units(),
            e.sram_bits(),
            h.beats_per_frame(),
            clocks,
            h.latency()
        );
    }
}

/// Skew FIFOs before the blends: depth, bits and why.
fn skew(s: &mut String, plan: &HwPlan) {
    if plan.boundaries.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nskew FIFOs (frozen features F_k waiting for the trainable path):"
    );
    let _ = writeln!(
        s,
        "{:<9} {:>6} {:>6} {:>10}  reason",
        "boundary", "depth", "width", "bits"
    );
    for f in plan.skew_fifos() {
        let _ = writeln!(
            s,
            "{:<9} {:>6} {:>6} {:>10}  {}",
            f.boundary,
            f.depth,
            f.bits,
            f.depth * f.bits,
            f.reason
        );
    }
}

/// Per trainable core: each layer's `sf_mac_engine` schedule (lanes P, products per lane Q,
/// MAC units P*Q, weight SRAM bits G*S*WB*8, clocks per output pixel used G*S vs available T).
fn trainable(s: &mut String, plan: &HwPlan) {
    for core in &plan.trainable {
        let t = core.index;
        let _ = writeln!(
            s,
            "\ntrainable core {t}: MAC engines (clocks per output pixel: used G*S <= available T)"
        );
        let _ = writeln!(
            s,
            "{:<24} {:>6} {:>5} {:>4} {:>3} {:>5} {:>5} {:>9} {:>10} {:>5} {:>5} {:>7}",
            "layer",
            "out",
            "L",
            "P",
            "Q",
            "MACs",
            "depth",
            "word bits",
            "SRAM bits",
            "used",
            "avail",
            "latency"
        );
        let (mut macs, mut bits) = (0, 0);
        for e in core.engines() {
            macs += e.mac_units();
            bits += e.sram_bits();
            let _ = writeln!(
                s,
                "{:<24} {:>6} {:>5} {:>4} {:>3} {:>5} {:>5} {:>9} {:>10} {:>5} {:>5} {:>7}",
                e.layer,
                e.out_n,
                e.l,
                e.p,
                e.q,
                e.mac_units(),
                e.sram_depth(),
                e.word_bytes() * 8,
                e.sram_bits(),
                e.clocks_used(),
                e.clocks_available,
                e.latency()
            );
        }
        let _ = writeln!(
            s,
            "{:<24} {:>6} {:>5} {:>4} {:>3} {:>5} {:>5} {:>9} {:>10}",
            "total", "", "", "", "", macs, "", "", bits
        );
    }
}
