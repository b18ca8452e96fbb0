//! Verilog of the register block (askama template `rtl/regs.v`): the parameter registers,
//! the weight windows in front of the engines' configuration ports, and the system registers.

use super::header::{with_newline, Header};
use super::stages::literal;
use super::OutFile;
use crate::passes::regmap::{RegArray, Target};
use crate::passes::HwPlan;
use anyhow::Result;
use askama::Template;

/// Elements of a parameter array one copy of its write enable drives (the template's `/ 48`).
const WE_PER_COPY: usize = 48;

struct ParamArrayView {
    name: String,
    description: String,
    bus: String,
    count: usize,
    bits: usize,
    offset_hex: String,
    end_hex: String,
    index_bits: u32,
    /// Copies of the write enable, one per `WE_PER_COPY` elements.
    we_copies: usize,
    reset_lits: Vec<String>,
    read_expr: String,
}

struct WindowView {
    name: String,
    description: String,
    bus: String,
    count: usize,
    addr_bits: usize,
    offset_hex: String,
    end_hex: String,
}

struct SystemRegView {
    offset_hex: String,
    value: String,
}

#[derive(Template)]
#[template(path = "rtl/regs.v", escape = "none")]
struct RegsView {
    version: &'static str,
    model: String,
    model_hash: String,
    frozen_hash: String,
    module: String,
    top: String,
    c_header: String,
    addr_bits: u32,
    control_hex: String,
    params: Vec<ParamArrayView>,
    windows: Vec<WindowView>,
    system: Vec<SystemRegView>,
}

fn param_view(a: &RegArray, bus: &str) -> ParamArrayView {
    let bits = a.bits;
    let rd = format!("{}_rd", a.name);
    let read_expr = match (a.signed, bits) {
        (_, 32) => rd,
        (true, b) => format!("{{{{{}{{{rd}[{}]}}}}, {rd}}}", 32 - b, b - 1),
        (false, b) => format!("{{{}'d0, {rd}}}", 32 - b),
    };
    ParamArrayView {
        name: a.name.clone(),
        description: a.description.clone(),
        bus: bus.to_string(),
        count: a.count,
        bits: bits as usize,
        offset_hex: format!("{:x}", a.offset),
        end_hex: format!("{:x}", a.end()),
        index_bits: (usize::BITS - (a.count - 1).leading_zeros()).max(1),
        we_copies: a.count.div_ceil(WE_PER_COPY),
        reset_lits: a
            .reset
            .iter()
            .rev()
            .map(|&v| literal(bits, v as i128))
            .collect(),
        read_expr,
    }
}

pub(super) fn regs_file(header: &Header, plan: &HwPlan) -> Result<OutFile> {
    let map = &plan.regmap;
    let system = map
        .arrays
        .iter()
        .filter(|a| {
            !matches!(
                a.target,
                Target::Param { .. } | Target::Window { .. } | Target::Table { .. }
            )
        })
        .map(|a| SystemRegView {
            offset_hex: format!("{:x}", a.offset),
            value: match a.target {
                Target::Constant => literal(32, a.reset[0] as i128),
                Target::Status => "{28'd0, status_err}".to_string(),
                Target::FrameCount => "frame_count".to_string(),
                _ => "32'd0".to_string(),
            },
        })
        .collect();
    let control = map.find("CONTROL").map(|a| a.offset).unwrap_or(0x14);
    let view = RegsView {
        version: header.version,
        model: header.model.clone(),
        model_hash: header.model_hash.clone(),
        frozen_hash: header.frozen_hash.clone(),
        module: plan.regs_module(),
        top: plan.top(),
        c_header: format!("{}_regs.h", plan.prefix),
        addr_bits: map.addr_bits,
        control_hex: format!("{control:x}"),
        params: map.params().map(|(a, bus)| param_view(a, bus)).collect(),
        windows: map
            .windows()
            .map(|(a, bus)| WindowView {
                name: a.name.clone(),
                description: a.description.clone(),
                bus: bus.to_string(),
                count: a.count,
                addr_bits: plan.window_addr_bits(bus),
                offset_hex: format!("{:x}", a.offset),
                end_hex: format!("{:x}", a.end()),
            })
            .collect(),
        system,
    };
    Ok(OutFile {
        name: format!("{}_regs.v", plan.prefix),
        contents: with_newline(view.render()?),
    })
}
