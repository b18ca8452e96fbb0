//! Verilog of the model heads (askama template `rtl/head.v`), one module per head: grouped
//! 1x1 conv + requant16 as an `sf_mac_engine` and `sf_serialize`, or pooled as
//! `sf_head_pool`, then `sf_pwl` (SPEC §1-2). The top level's output section is
//! `top_outputs`.

use super::train::{port_view, PortView};
use crate::passes::heads::HeadHw;
use crate::passes::plan::HwPlan;
use crate::passes::regmap::bus_name;

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
    /// Pipeline parameters of the engine (OP_REG, MUL_REG, MUL_LUT, LPR, RQ_STAGES, RQ_SPLIT, RQ_SEL, RQ_DSP_W), timing pass.
    op_reg: bool,
    mul_reg: u8,
    mul_lut: bool,
    lpr: u32,
    rq_stages: u32,
    rq_split: u32,
    rq_sel: u8,
    rq_dsp_w: u32,
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
        pw: h.pixel_bits(),
        acc_w: if h.pool {
            h.pool_acc_bits()
        } else {
            e.acc_bits()
        },
        k_max: h.k_max,
        pool: h.pool,
        ports: h.ports().into_iter().map(port_view).collect(),
        op_reg: e.pipe.op_reg,
        mul_reg: u8::from(e.pipe.mul_reg),
        mul_lut: e.pipe.mul_lut,
        lpr: e.pipe.lpr,
        rq_stages: e.pipe.rq_stages,
        rq_split: e.pipe.rq_split,
        rq_sel: u8::from(e.pipe.rq_sel),
        rq_dsp_w: e.pipe.rq_dsp_w,
    };
    Ok(askama::Template::render(&view)?)
}
