//! Verilog of the model heads and of the top level's output section: one module per head
//! (grouped 1x1 conv + requant16 as an `sf_mac_engine` and `sf_serialize`, or pooled as
//! `sf_head_pool`, then `sf_pwl`), the forks that give every source stream (frozen F_S,
//! each trainable core after its repeat block) to its consumers, the train01 join, and the
//! `m_axis_feat`, `m_axis_train{t}` and `m_axis_h{h}` outputs (SPEC §4).

use super::train::{port_view, PortView};
use crate::model::manifest::HeadSource;
use crate::passes::heads::HeadHw;
use crate::passes::plan::HwPlan;
use crate::passes::regmap::bus_name;
use std::fmt::Write;

fn clog2(n: usize) -> usize {
    crate::arith::csd::ceil_log2(n as u64) as usize
}

#[derive(askama::Template)]
#[template(path = "rtl/head.v", escape = "none")]
struct HeadView {
    header: String,
    module: String,
    name: String,
    source: String,
    what: String,
    bus: String,
    in_channels: usize,
    in_w: usize,
    in_h: usize,
    outputs: usize,
    groups: usize,
    l: usize,
    go: usize,
    p: usize,
    q: usize,
    clocks_used: usize,
    clocks_available: usize,
    pixels: usize,
    pw: usize,
    acc_w: usize,
    k_max: usize,
    pool: bool,
    ports: Vec<PortView>,
}

/// The head module's Verilog (one file).
pub fn head_module(header: &str, plan: &HwPlan, h: &HeadHw) -> anyhow::Result<String> {
    let e = &h.engine;
    let (o, l) = (h.outputs, h.group_inputs());
    let what = if h.pool {
        format!(
            "with global average pooling: frame sums of the {} inputs, then {o} dot products of {l} \
             weights, {} per clock, once per frame (sf_head_pool); {o} beats per frame",
            h.in_channels, e.q
        )
    } else {
        format!(
            "per pixel: sf_mac_engine, then the {o} outputs one per beat (sf_serialize); \
             {o} beats per pixel"
        )
    };
    let view = HeadView {
        header: header.to_string(),
        module: plan.head_module(h),
        name: h.name.clone(),
        source: h.source.to_string(),
        what,
        bus: bus_name(&h.name),
        in_channels: h.in_channels,
        in_w: h.in_size.w,
        in_h: h.in_size.h,
        outputs: o,
        groups: h.groups,
        l,
        go: o / h.groups,
        p: e.p,
        q: e.q,
        clocks_used: e.clocks_used(),
        clocks_available: e.clocks_available,
        pixels: h.in_size.pixels(),
        pw: clog2(h.in_size.pixels()).max(1),
        acc_w: if h.pool {
            h.pool_acc_bits()
        } else {
            e.acc_bits()
        },
        k_max: h.k_max,
        pool: h.pool,
        ports: h.ports().into_iter().map(port_view).collect(),
    };
    Ok(askama::Template::render(&view)?)
}

/// Output ports after `m_axis_feat_*`: the trainable cores' features and the heads.
pub fn ports(plan: &HwPlan) -> String {
    let mut s = String::new();
    let bits = 8 * plan.out_channels();
    let mut port = |what: String, name: String, bits: usize| {
        let _ = write!(
            s,
            "    // {what}\n\
             \x20   output wire [{}:0] {name}_tdata,\n\
             \x20   output wire         {name}_tvalid,\n\
             \x20   input  wire         {name}_tready,\n\
             \x20   output wire         {name}_tuser,\n\
             \x20   output wire         {name}_tlast,\n",
            bits - 1
        );
    };
    for c in &plan.trainable {
        let t = c.index;
        port(
            format!(
                "trainable core {t} features out (T''_{t} at boundary S, after the repeat block)"
            ),
            format!("m_axis_train{t}"),
            bits,
        );
    }
    for h in &plan.heads {
        port(
            format!(
                "head {} ({}): {} int16 values per {}",
                h.index,
                h.source,
                h.outputs,
                if h.pool { "frame" } else { "pixel" }
            ),
            format!("m_axis_h{}", h.index),
            16,
        );
    }
    s
}

/// A source stream: `<data>_data`, `<data>_sof`, `<data>_eol` and handshake `<hs>_valid/_ready`.
struct Source {
    data: String,
    hs: String,
}

/// The output section of the top: forks, the train01 joins, the head instances and the
/// output assignments. `frozen` / `frozen_hs` name F_S's data and handshake prefixes.
/// Returns (body, unused signals).
pub fn body(plan: &HwPlan, frozen: &str, frozen_hs: &str) -> (String, Vec<String>) {
    let mut s = String::new();
    let mut unused = Vec::new();
    let mut sources = vec![(
        "feat".to_string(),
        Source {
            data: frozen.to_string(),
            hs: frozen_hs.to_string(),
        },
    )];
    for c in &plan.trainable {
        let t = format!("train{}", c.index);
        let x = format!("{t}_out");
        sources.push((
            t,
            Source {
                data: x.clone(),
                hs: x,
            },
        ));
    }
    // Consumers of each source: its output port, the heads reading it, the train01 joins.
    let consumers = |src: &str| -> Vec<String> {
        let mut v = vec!["port".to_string()];
        for h in &plan.heads {
            let reads = match h.source {
                HeadSource::Frozen => src == "feat",
                HeadSource::Train0 => src == "train0",
                HeadSource::Train1 => src == "train1",
                HeadSource::Train01 => src == "train0" || src == "train1",
            };
            if reads {
                v.push(format!("h{}", h.index));
            }
        }
        v
    };
    let mut hs_of = std::collections::BTreeMap::new();
    for (name, src) in &sources {
        let cs = consumers(name);
        let _ = writeln!(s, "\n    // ---- {name} stream: {}", cs.join(", "));
        if cs.len() == 1 {
            hs_of.insert((name.clone(), cs[0].clone()), src.hs.clone());
            continue;
        }
        let outs: Vec<String> = cs.iter().map(|c| format!("{}_{c}", src.hs)).collect();
        for o in &outs {
            let _ = writeln!(s, "    wire {o}_valid, {o}_ready;");
        }
        let valids: Vec<String> = outs.iter().rev().map(|o| format!("{o}_valid")).collect();
        let readys: Vec<String> = outs.iter().rev().map(|o| format!("{o}_ready")).collect();
        let _ = writeln!(
            s,
            "    sf_fork #(.N({})) u_{}_fork (\n        .aclk(aclk), .aresetn(aresetn), .s_valid({h}_valid), .s_ready({h}_ready),\n        .m_valid({{{}}}), .m_ready({{{}}}));",
            outs.len(),
            src.hs,
            valids.join(", "),
            readys.join(", "),
            h = src.hs
        );
        for (c, o) in cs.iter().zip(outs) {
            hs_of.insert((name.clone(), c.clone()), o);
        }
    }
    // Output ports.
    for (name, src) in &sources {
        let port = if name == "feat" {
            "m_axis_feat".to_string()
        } else {
            format!("m_axis_{name}")
        };
        let hs = &hs_of[&(name.clone(), "port".to_string())];
        let d = &src.data;
        let _ = writeln!(
            s,
            "    assign {port}_tdata  = {d}_data;\n    assign {port}_tvalid = {hs}_valid;\n    assign {hs}_ready = {port}_tready;\n    assign {port}_tuser  = {d}_sof;\n    assign {port}_tlast  = {d}_eol;"
        );
    }
    // Heads.
    for h in &plan.heads {
        let n = h.index;
        let key = |src: &str| hs_of[&(src.to_string(), format!("h{n}"))].clone();
        let (data, hs, sof) = match h.source {
            HeadSource::Frozen => (
                format!("{frozen}_data"),
                key("feat"),
                format!("{frozen}_sof"),
            ),
            HeadSource::Train0 | HeadSource::Train1 => {
                let t = if h.source == HeadSource::Train0 { 0 } else { 1 };
                (
                    format!("train{t}_out_data"),
                    key(&format!("train{t}")),
                    format!("train{t}_out_sof"),
                )
            }
            HeadSource::Train01 => {
                let hs = [key("train0"), key("train1")];
                let j = train01_join(&mut s, &mut unused, plan, n, &hs);
                (format!("{j}_data"), j.clone(), format!("{j}_sof"))
            }
        };
        let mut conns = vec![
            "        .aclk(aclk), .aresetn(aresetn)".to_string(),
            format!("        .s_data({data}), .s_valid({hs}_valid), .s_ready({hs}_ready), .s_sof({sof})"),
            format!(
                "        .m_axis_tdata(m_axis_h{n}_tdata), .m_axis_tvalid(m_axis_h{n}_tvalid), .m_axis_tready(m_axis_h{n}_tready),\n\
                 \x20       .m_axis_tuser(m_axis_h{n}_tuser), .m_axis_tlast(m_axis_h{n}_tlast)"
            ),
        ];
        let ps: Vec<String> = h
            .ports()
            .into_iter()
            .map(|p| format!(".{n}({n})", n = p.name))
            .collect();
        conns.push(format!("        {}", ps.join(", ")));
        let _ = writeln!(
            s,
            "\n    // ---- head {n}\n    {} u_{} (\n{}\n    );",
            plan.head_module(h),
            h.name,
            conns.join(",\n")
        );
    }
    (s, unused)
}

/// The input of train01 head `n`: train0 ++ train1 (I = 2 C_S), a beat when both cores have
/// one. With a repeat block the cores' passes may differ, so each side first waits in a skew
/// FIFO of `R_max*(w_S + 3) + w_S + 4` beats (one row plus pipeline per pass of difference,
/// and a row of burst margin). `hs` are the cores' handshake prefixes from their forks.
/// Returns the joined stream's prefix.
fn train01_join(
    s: &mut String,
    unused: &mut Vec<String>,
    plan: &HwPlan,
    n: usize,
    hs: &[String; 2],
) -> String {
    let c_s = plan.out_channels();
    let repeat = plan.trainable.first().map_or(0, |c| c.repeat.len());
    let depth = plan.train01_skew_depth;
    let j = format!("h{n}_in");
    // (data, handshake prefix, sof) per core
    let mut sides = Vec::new();
    for (t, hs) in hs.iter().enumerate() {
        let x = format!("train{t}_out");
        if repeat == 0 {
            sides.push((format!("{x}_data"), hs.clone(), format!("{x}_sof")));
            continue;
        }
        let q = format!("h{n}_skew{t}");
        let _ = writeln!(
            s,
            "\n    // Head {n} skew FIFO of core {t}, depth {depth}: up to {repeat} repeat pass(es) of difference.\n\
             \x20   wire [{c}:0] {q}_data;\n    wire {q}_valid, {q}_ready;\n    wire [{cw1}:0] {q}_count;\n\
             \x20   sf_fifo #(.WIDTH({c1}), .DEPTH({depth})) u_{q} (\n        .aclk(aclk), .aresetn(aresetn),\n\
             \x20       .s_data({{{x}_sof, {x}_data}}), .s_valid({hs}_valid), .s_ready({hs}_ready),\n\
             \x20       .m_data({q}_data), .m_valid({q}_valid), .m_ready({q}_ready), .count({q}_count));",
            c = 8 * c_s,
            c1 = 8 * c_s + 1,
            cw1 = clog2(depth + 1) - 1,
        );
        unused.push(format!("{q}_count"));
        sides.push((
            format!("{q}_data[{}:0]", 8 * c_s - 1),
            q.clone(),
            format!("{q}_data[{}]", 8 * c_s),
        ));
    }
    if repeat > 0 {
        unused.push(format!("h{n}_skew1_data[{}]", 8 * c_s));
    }
    let _ = writeln!(
        s,
        "\n    // Head {n} input: train0 ++ train1 (I = {}), one beat when both cores have one.\n\
         \x20   wire [{}:0] {j}_data = {{{}, {}}};\n    wire {j}_sof = {};\n\
         \x20   wire {j}_valid = {a}_valid && {b}_valid;\n    wire {j}_ready;\n\
         \x20   assign {a}_ready = {j}_ready && {b}_valid;\n    assign {b}_ready = {j}_ready && {a}_valid;",
        2 * c_s,
        16 * c_s - 1,
        sides[1].0,
        sides[0].0,
        sides[0].2,
        a = sides[0].1,
        b = sides[1].1,
    );
    j
}
