//! Verilog of the top level (askama template `rtl/top.v`): configuration, video input, the
//! frozen stages, the trainable cores' part (`train_top`) and the output section (`heads`).

use super::stages::PortView;
use super::verilog::{with_newline, Header};
use super::OutFile;
use crate::passes::HwPlan;
use anyhow::Result;
use askama::Template;

struct TopStageView {
    name: String,
    module: String,
    wire: String,
    src: String,
    src_hs: String,
    out_bits: usize,
    params: Vec<PortView>,
}

#[derive(Template)]
#[template(path = "rtl/top.v", escape = "none")]
struct TopView {
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
    out_bits: usize,
    addr_bits: u32,
    programmable: bool,
    params: Vec<PortView>,
    stages: Vec<TopStageView>,
    unused: Vec<String>,
    train_ports: String,
    train_body: String,
    outputs_body: String,
    regs_extra: String,
    has_windows: bool,
    wr_wait: &'static str,
    rd_wait: &'static str,
    ack: &'static str,
}

pub(super) fn top_file(header: &Header, plan: &HwPlan) -> Result<OutFile> {
    let mut stages = Vec::new();
    let mut src = "input".to_string();
    let mut unused = Vec::new();
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
            params: s.params().into_iter().map(param_view).collect(),
        });
        src_hs = if plan.feeds_trainable(i) {
            format!("{wire}_fz")
        } else {
            wire.clone()
        };
        src = wire;
    }
    for s in &stages[..stages.len().saturating_sub(1)] {
        unused.push(format!("{}_eol", s.wire));
    }
    let has_windows = plan.regmap.windows().next().is_some();
    let mut train_body = String::new();
    if !plan.trainable.is_empty() {
        let (body, u) = super::train_top::body(plan);
        unused.extend(u);
        train_body = body;
    }
    let mut regs_extra = String::new();
    if has_windows {
        regs_extra
            .push_str(",\n        .rd_en(rd_en), .wr_wait(wr_wait), .rd_wait(rd_wait), .ack(ack)");
        let cfg = plan.cfg_wires();
        if plan.trainable.is_empty() {
            // The trainable body declares these wires when it exists.
            for p in &cfg {
                train_body.push_str(&format!("    wire [{}:0] {};\n", p.bits - 1, p.name));
            }
        }
        for p in cfg {
            regs_extra.push_str(&format!(",\n        .{n}({n})", n = p.name));
        }
    }
    let (outputs_body, u) = super::heads::body(plan, &src, &src_hs);
    unused.extend(u);
    let train_ports = super::heads::ports(plan);
    let params: Vec<PortView> = plan
        .frozen_params()
        .into_iter()
        .chain(plan.train_params())
        .chain(plan.head_params())
        .map(param_view)
        .collect();
    let view = TopView {
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
        out_bits: 8 * plan.out_channels(),
        addr_bits: plan.regmap.addr_bits,
        programmable: !params.is_empty(),
        params,
        stages,
        unused,
        train_ports,
        train_body,
        outputs_body,
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

fn param_view(p: crate::passes::interface::Port) -> PortView {
    PortView {
        port: p.name,
        bits: p.bits,
        comment: String::new(),
    }
}
