//! Verilog of the top level (askama template `rtl/top.v`): configuration, video input, the
//! frozen stages, the trainable cores' part (`train_top`) and the output section (`heads`).

use super::header::{with_newline, Header};
use super::stages::PortView;
use super::top_outputs::OutputsView;
use super::train_top::{TrainTopView, WireView};
use super::OutFile;
use crate::passes::interface::StreamPort;
use crate::passes::HwPlan;
use anyhow::Result;
use askama::Template;

struct StreamPortView {
    prefix: String,
    bits: usize,
    what: String,
    /// Direction of data, valid and markers, and of ready.
    dir: &'static str,
    rdir: &'static str,
}

fn stream_port_view(p: StreamPort) -> StreamPortView {
    let (dir, rdir) = if p.output {
        ("output", "input ")
    } else {
        ("input ", "output")
    };
    StreamPortView {
        prefix: p.prefix,
        bits: p.bits,
        what: p.what,
        dir,
        rdir,
    }
}

struct TopStageView {
    name: String,
    module: String,
    wire: String,
    src: String,
    src_hs: String,
    out_bits: usize,
    /// (module port, top-level wire) of the shifts and the parameter-memory window.
    conns: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "rtl/top.v", escape = "none")]
struct TopView {
    /// Port prefixes of the video input, the configuration slave and the features (the plan's
    /// `passes::interface` names).
    video_in: &'static str,
    axil: &'static str,
    features: &'static str,
    version: &'static str,
    model: String,
    model_hash: String,
    frozen_hash: String,
    module: String,
    regs_module: String,
    in_w: usize,
    in_h: usize,
    in_channels: usize,
    in_bits: usize,
    out_w: usize,
    out_h: usize,
    out_channels: usize,
    addr_bits: u32,
    programmable: bool,
    params: Vec<PortView>,
    stages: Vec<TopStageView>,
    unused: Vec<String>,
    /// The stream ports of the plan's port table.
    ports: Vec<StreamPortView>,
    /// The trainable cores' part (`rtl/top_train.v`).
    train: Option<TrainTopView>,
    /// Configuration wires of the heads' engines when there are no trainable cores.
    cfg_wires: Vec<WireView>,
    /// The output section (`rtl/top_outputs.v`).
    out: OutputsView,
    regs_extra: String,
    has_windows: bool,
    wr_wait: &'static str,
    rd_wait: &'static str,
    ack: &'static str,
}

/// The frozen stages' instances, each reading the previous stream (through a fork where it
/// also feeds the trainable cores); returns them with F_S's data and handshake prefixes.
fn frozen_stages(plan: &HwPlan) -> (Vec<TopStageView>, String, String) {
    let mut stages = Vec::new();
    let mut src = "input".to_string();
    // The source of each frozen stage, with a fork when it also feeds the trainable cores.
    let mut src_hs = if plan.trainable.is_empty() {
        src.clone()
    } else {
        format!("{src}_fz")
    };
    for (i, s) in plan.stages.iter().enumerate() {
        let wire = s.wire();
        stages.push(TopStageView {
            name: s.name.clone(),
            module: s.module.clone(),
            wire: wire.clone(),
            src_hs,
            src: src.clone(),
            out_bits: 8 * s.out_channels(),
            conns: stage_conns(s),
        });
        src_hs = if plan.feeds_trainable(i) {
            format!("{wire}_fz")
        } else {
            wire.clone()
        };
        src = wire;
    }
    (stages, src, src_hs)
}

pub(super) fn top_file(header: &Header, plan: &HwPlan) -> Result<OutFile> {
    let (stages, src, src_hs) = frozen_stages(plan);
    let mut unused = Vec::new();
    for s in &stages[..stages.len().saturating_sub(1)] {
        unused.push(format!("{}_eol", s.wire));
    }
    let has_windows = plan.regmap.windows().next().is_some();
    let mut train = None;
    if !plan.trainable.is_empty() {
        let (view, u) = super::train_top::view(plan);
        unused.extend(u);
        train = Some(view);
    }
    let mut regs_extra = String::new();
    let mut cfg_wires = Vec::new();
    if has_windows {
        regs_extra
            .push_str(",\n        .rd_en(rd_en), .wr_wait(wr_wait), .rd_wait(rd_wait), .ack(ack)");
        for p in plan.cfg_wires() {
            regs_extra.push_str(&format!(",\n        .{n}({n})", n = p.name));
        }
        if plan.trainable.is_empty() {
            // The trainable part declares these wires when it exists.
            cfg_wires = super::train_top::cfg_wires(plan);
        }
    }
    let (out, u) = super::top_outputs::view(plan, &src, &src_hs);
    unused.extend(u);
    let params: Vec<PortView> = plan
        .frozen_params()
        .into_iter()
        .chain(plan.train_params())
        .chain(plan.head_params())
        .map(param_view)
        .collect();
    let view = TopView {
        video_in: crate::passes::interface::VIDEO_IN,
        axil: crate::passes::interface::AXIL,
        features: crate::passes::interface::FEATURES,
        version: header.version,
        model: header.model.clone(),
        model_hash: header.model_hash.clone(),
        frozen_hash: header.frozen_hash.clone(),
        module: plan.top(),
        regs_module: plan.regs_module(),
        in_w: plan.input.w,
        in_h: plan.input.h,
        in_channels: plan.in_channels,
        in_bits: 8 * plan.in_channels,
        out_w: plan.out_size().w,
        out_h: plan.out_size().h,
        out_channels: plan.out_channels(),
        addr_bits: plan.regmap.addr_bits,
        programmable: !params.is_empty(),
        params,
        stages,
        unused,
        ports: plan.ports().into_iter().map(stream_port_view).collect(),
        train,
        cfg_wires,
        out,
        regs_extra,
        has_windows,
        wr_wait: if has_windows { "wr_wait" } else { "1'b0" },
        rd_wait: if has_windows { "rd_wait" } else { "1'b0" },
        ack: if has_windows { "ack" } else { "1'b0" },
    };
    Ok(OutFile {
        name: format!("{}.v", plan.top()),
        contents: with_newline(view.render()?),
    })
}

/// A frozen stage's connections besides its streams: its shift buses by name, its
/// configuration ports `cfg_*` to the register block's `<bus>_cfg_*` wires.
fn stage_conns(s: &crate::passes::plan::StageHw) -> Vec<(String, String)> {
    let prefix = format!("{}_", s.param_bus());
    s.params()
        .into_iter()
        .map(|p| (p.name.clone(), p.name))
        .chain(s.cfg_ports().into_iter().map(|p| {
            let port = p.name.strip_prefix(&prefix).unwrap_or(&p.name).to_string();
            (port, p.name)
        }))
        .collect()
}

fn param_view(p: crate::passes::interface::Port) -> PortView {
    PortView {
        port: p.name,
        bits: p.bits,
        comment: String::new(),
    }
}
