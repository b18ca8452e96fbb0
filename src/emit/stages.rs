//! Verilog of the frozen core: each layer's shift-add network (the adder-graph emitter of
//! `arith`), the constant requant of `frozen_bn = "frozen"`, and each streaming stage (askama
//! template `rtl/stage.v`).

use super::header::{with_newline, Header};
use super::OutFile;
use crate::arith::{self, AdderGraph, PortNames};
use crate::passes::frozen::ParallelHw;
use crate::passes::plan::{LayerHw, LayerInput, RequantHw, StageHw};
use anyhow::{Context, Result};
use askama::Template;

pub(super) fn graph_file(
    header: &Header,
    module: &str,
    g: &AdderGraph,
    what: &str,
) -> Result<OutFile> {
    let body = arith::emit_verilog(g, module, &PortNames::default_for(g))
        .with_context(|| format!("emitting {module}"))?;
    Ok(OutFile {
        name: format!("{module}.v"),
        contents: format!(
            "{}//\n// Shift-add network of the {what}: {} x {} constant matrix, adder depth {}, latency {} clocks.\n{body}",
            header.comment(),
            g.outputs().len(),
            g.num_inputs(),
            g.depth(),
            g.latency()
        ),
    })
}

pub(super) struct PortView {
    pub(super) port: String,
    pub(super) bits: usize,
    pub(super) comment: String,
}

struct AccView {
    port: String,
    wire: String,
    width: u32,
}

struct ConnView {
    port: String,
    expr: String,
}

struct LayerView {
    name: String,
    summary: String,
    inst: String,
    module: String,
    accs: Vec<AccView>,
    inputs: Vec<ConnView>,
    in_valid: String,
    channels: usize,
    out_bits: usize,
    acc_width: u32,
    acc_concat: String,
    relu: u8,
    programmable: bool,
    units: usize,
    shift_bus: String,
    cfg_hit: String,
    cfg_base: usize,
    cfg_sub_aw: usize,
    rq_module: String,
    rq_latency: u32,
}

struct HoldView {
    index: usize,
    lead: usize,
    wire: String,
    bits: usize,
    valid: String,
    source: String,
}

#[derive(Template)]
#[template(path = "rtl/stage.v", escape = "none")]
struct StageView {
    version: &'static str,
    model: String,
    model_hash: String,
    frozen_hash: String,
    description: String,
    choice: String,
    module: String,
    in_w: usize,
    in_h: usize,
    out_w: usize,
    out_h: usize,
    stride: usize,
    in_channels: usize,
    out_channels: usize,
    in_bits: usize,
    out_bits: usize,
    t: usize,
    period: usize,
    /// `sf_window3x3` WR_REG (the timing plan).
    window_wr_reg: bool,
    period_w: usize,
    depth: usize,
    depth_w: usize,
    latency: usize,
    seq: bool,
    cfg_words: usize,
    cfg_aw: usize,
    params: Vec<PortView>,
    layers: Vec<LayerView>,
    holds: Vec<HoldView>,
    done: String,
    /// Last-layer valids no hold register or `done` reads.
    unused_valids: Vec<String>,
    side_bits: usize,
    passthrough_channels: usize,
    passthrough_bits: usize,
    outputs: Vec<String>,
    output_comment: String,
    unused: Vec<String>,
}

fn sign_extend(wire: &str, from: u32, to: u32) -> String {
    if from == to {
        wire.to_string()
    } else {
        format!("{{{{{}{{{wire}[{}]}}}}, {wire}}}", to - from, from - 1)
    }
}

/// Bits to count `0..=n` (at least 1).
fn bits_to(n: usize) -> usize {
    ((usize::BITS - n.leading_zeros()) as usize).max(1)
}

/// `lo <= addr < hi` for an `aw`-bit address, without the comparisons that always hold.
fn in_range(addr: &str, aw: usize, lo: usize, hi: usize) -> String {
    let mut c = Vec::new();
    if lo > 0 {
        c.push(format!("{addr} >= {aw}'d{lo}"));
    }
    if hi < 1 << aw {
        c.push(format!("{addr} < {aw}'d{hi}"));
    }
    if c.is_empty() {
        "1'b1".to_string()
    } else {
        format!("({})", c.join(" && "))
    }
}

/// A layer's instance: its adder graph, then its requant (shared units with `units` > 0).
#[allow(clippy::too_many_arguments)] // the layer and where it sits in the stage
fn layer_view(
    stage: &StageHw,
    layer: &LayerHw,
    inst: &str,
    prev: Option<&str>,
    units: usize,
    cfg: (usize, usize),
) -> LayerView {
    let g = &layer.graph;
    let in_bits = 8 * stage.in_channels;
    let accs: Vec<AccView> = g
        .outputs()
        .iter()
        .enumerate()
        .map(|(j, o)| AccView {
            port: format!("y{j}"),
            wire: format!("{inst}_acc{j}"),
            width: o.width,
        })
        .collect();
    let inputs = (0..g.num_inputs())
        .map(|i| {
            let expr = match layer.input {
                LayerInput::Stem { cin } => {
                    let (t, ci) = (i / cin, i % cin);
                    format!(
                        "win_data[{}:{}]",
                        t * in_bits + 8 * ci + 7,
                        t * in_bits + 8 * ci
                    )
                }
                LayerInput::Depthwise { from } => {
                    let (c, t) = (i / 9, i % 9);
                    let lsb = t * in_bits + 8 * (from + c);
                    format!("win_data[{}:{}]", lsb + 7, lsb)
                }
                LayerInput::Previous => {
                    format!("{}_y[{}:{}]", prev.unwrap_or("prev"), 8 * i + 7, 8 * i)
                }
            };
            ConnView {
                port: format!("x{i}"),
                expr,
            }
        })
        .collect();
    let acc_width = layer.acc_width();
    // MSB first: channel C-1 ... channel 0.
    let acc_concat = accs
        .iter()
        .rev()
        .map(|a| sign_extend(&a.wire, a.width, acc_width))
        .collect::<Vec<_>>()
        .join(", ");
    let (programmable, shift_bus, rq_module, rq_latency) = match &layer.requant {
        RequantHw::Programmable { shift_bus } => (true, shift_bus.clone(), String::new(), 0),
        RequantHw::Constant { module, graph, .. } => {
            (false, String::new(), module.clone(), graph.latency() + 1)
        }
    };
    let kind = match layer.input {
        LayerInput::Stem { cin } => format!("3x3 conv {} -> {}", cin, layer.channels()),
        LayerInput::Depthwise { from } => {
            format!(
                "depthwise 3x3 over window channels {}..{}",
                from,
                from + layer.channels()
            )
        }
        LayerInput::Previous => format!("pointwise {} -> {}", g.num_inputs(), layer.channels()),
    };
    let rq = if programmable {
        format!("{units} shared requant unit(s)")
    } else {
        "constant requant".to_string()
    };
    let (base, aw) = cfg;
    let words = 2 * units * layer.channels().div_ceil(units.max(1));
    let sub_aw = bits_to(words.saturating_sub(1));
    LayerView {
        name: layer.name.clone(),
        summary: format!(
            "{kind}, {} nonzero weights, adder depth {}, {rq}{}",
            g.matrix().nonzeros(),
            g.depth(),
            if layer.relu { " + ReLU" } else { "" },
        ),
        inst: inst.to_string(),
        module: layer.module.clone(),
        accs,
        inputs,
        in_valid: match prev {
            Some(p) => format!("{p}_valid"),
            None => "take".to_string(),
        },
        channels: layer.channels(),
        out_bits: 8 * layer.channels(),
        acc_width,
        acc_concat,
        relu: layer.relu as u8,
        programmable,
        units,
        shift_bus,
        cfg_hit: in_range("cfg_addr", aw, base, base + words),
        cfg_base: base,
        cfg_sub_aw: sub_aw,
        rq_module,
        rq_latency,
    }
}

/// The block's description for the stage headers.
pub(super) fn description(stage: &StageHw) -> String {
    match (stage.branches.len(), stage.passthrough) {
        (_, 0) if !stage.shuffle => format!("Frozen stem {}: 3x3 conv, stride 2, requant + ReLU.", stage.name),
        (1, _) => format!(
            "Frozen regular block {}: x1 = channels 0..{} pass through, x2 = the rest go through DW 3x3 -> PW; output shuffle(concat(x1, y2)).",
            stage.name, stage.passthrough
        ),
        _ => format!(
            "Frozen downsample block {}: two stride-2 branches DW 3x3 -> PW over all {} input channels; output shuffle(concat(b1, b2)).",
            stage.name, stage.in_channels
        ),
    }
}

/// Why the stage is built as it is: the chosen implementation and every candidate's predicted
/// area.
pub(super) fn choice(stage: &StageHw) -> String {
    let cands: Vec<String> = stage
        .candidates
        .iter()
        .map(|c| match c.area_um2 {
            Some(a) => format!("{} {:.3} mm2", c.kind, a / 1e6),
            None => format!("{} does not fit", c.kind),
        })
        .collect();
    format!(
        "implementation \"{}\"; predicted {}",
        stage.imp.name(),
        cands.join(", ")
    )
}

pub(super) fn stage_file(header: &Header, stage: &StageHw, par: &ParallelHw) -> Result<OutFile> {
    let mut layers = Vec::new();
    let multi = stage.branches.len() > 1;
    let cfg_aw = stage.cfg_addr_bits();
    let mut units = par.units.iter();
    let mut base = 0;
    let mut ends = Vec::new();
    for (bi, br) in stage.branches.iter().enumerate() {
        let mut prev: Option<String> = None;
        let mut lat = 0usize;
        for layer in &br.layers {
            let r = *units.next().expect("one unit count per layer");
            let leaf = layer.name.rsplit('.').next().unwrap_or("layer");
            let inst = if multi {
                format!("br{}_{leaf}", bi + 1)
            } else {
                leaf.to_string()
            };
            let v = layer_view(stage, layer, &inst, prev.as_deref(), r, (base, cfg_aw));
            if v.programmable {
                base += 2 * r * layer.channels().div_ceil(r);
                lat += layer.graph.latency() as usize + layer.channels().div_ceil(r) + 5;
            } else {
                lat += layer.graph.latency() as usize + v.rq_latency as usize;
            }
            layers.push(v);
            prev = Some(inst);
        }
        ends.push((prev.unwrap_or_default(), lat, 8 * br.out_channels()));
    }
    // The later branch's last valid completes the pixel; an earlier one is held.
    let latest = ends.iter().map(|e| e.1).max().unwrap_or(0);
    let late = ends.iter().position(|e| e.1 == latest).unwrap_or(0);
    let mut holds = Vec::new();
    let mut sources = Vec::new();
    let mut unused_valids = Vec::new();
    for (bi, (last, lat, bits)) in ends.iter().enumerate() {
        if *lat < latest {
            let wire = format!("branch{}_hold_q", bi + 1);
            holds.push(HoldView {
                index: bi + 1,
                lead: latest - lat,
                wire: wire.clone(),
                bits: *bits,
                valid: format!("{last}_valid"),
                source: format!("{last}_y"),
            });
            sources.push(wire);
        } else {
            sources.push(format!("{last}_y"));
            if bi != late {
                unused_valids.push(format!("{last}_valid"));
            }
        }
    }
    let done = format!("{}_valid", ends[late].0);
    // concat(pass-through, branches) channel q -> Verilog expression.
    let concat_expr = |q: usize| -> String {
        if q < stage.passthrough {
            return format!("side_out[{}:{}]", 8 * q + 9, 8 * q + 2);
        }
        let mut off = stage.passthrough;
        for (bi, br) in stage.branches.iter().enumerate() {
            let n = br.out_channels();
            if q < off + n {
                let c = q - off;
                return format!("{}[{}:{}]", sources[bi], 8 * c + 7, 8 * c);
            }
            off += n;
        }
        unreachable!("output channel inside the concatenation")
    };
    let out_channels = stage.out_channels();
    let outputs: Vec<String> = (0..out_channels)
        .rev()
        .map(|k| concat_expr(stage.output_source(k)))
        .collect();
    let params = stage
        .params()
        .into_iter()
        .map(|p| PortView {
            comment: format!("requant parameter {}", p.name),
            port: p.name,
            bits: p.bits,
        })
        .collect();
    let seq = layers.iter().any(|l| l.programmable);
    let unused = unused_window_bits(stage);
    let view = StageView {
        version: header.version,
        model: header.model.clone(),
        model_hash: header.model_hash.clone(),
        frozen_hash: header.frozen_hash.clone(),
        description: description(stage),
        choice: choice(stage),
        module: stage.module.clone(),
        in_w: stage.in_size.w,
        in_h: stage.in_size.h,
        out_w: stage.out_size().w,
        out_h: stage.out_size().h,
        stride: stage.stride,
        in_channels: stage.in_channels,
        out_channels,
        in_bits: 8 * stage.in_channels,
        out_bits: 8 * out_channels,
        t: stage.clocks_per_pixel,
        period: par.period,
        window_wr_reg: par.window_wr_reg,
        period_w: bits_to(par.period),
        depth: par.depth,
        depth_w: bits_to(par.depth),
        latency: latest,
        seq,
        cfg_words: stage.param_table().len(),
        cfg_aw,
        params,
        layers,
        holds,
        done,
        unused_valids,
        side_bits: 8 * stage.passthrough + 2,
        passthrough_channels: stage.passthrough,
        passthrough_bits: 8 * stage.passthrough,
        outputs,
        output_comment: if stage.shuffle {
            "Output: channel shuffle of concat(pass-through, branches), as wiring (out[2i] = in[i], out[2i+1] = in[C/2+i]).".to_string()
        } else {
            "Output: the branch's channels in order.".to_string()
        },
        unused,
    };
    Ok(OutFile {
        name: format!("{}.v", stage.module),
        contents: with_newline(view.render()?),
    })
}

/// Window taps no layer reads (e.g. x1's non-centre taps in a regular block) are consumed by
/// the unused idiom so lint stays clean; listed as contiguous bit ranges.
fn unused_window_bits(stage: &StageHw) -> Vec<String> {
    let in_bits = 8 * stage.in_channels;
    let mut used = vec![false; 9 * in_bits];
    let mut mark = |lsb: usize, n: usize| used[lsb..lsb + n].iter_mut().for_each(|u| *u = true);
    if stage.passthrough > 0 {
        mark(4 * in_bits, 8 * stage.passthrough);
    }
    for l in stage.branches.iter().filter_map(|b| b.layers.first()) {
        match l.input {
            LayerInput::Stem { .. } => mark(0, 9 * in_bits),
            LayerInput::Depthwise { from } => {
                for t in 0..9 {
                    mark(t * in_bits + 8 * from, 8 * l.channels());
                }
            }
            LayerInput::Previous => {}
        }
    }
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < used.len() {
        if used[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < used.len() && !used[i] {
            i += 1;
        }
        ranges.push(format!("win_data[{}:{}]", i - 1, start));
    }
    ranges
}

struct RqChannel {
    index: usize,
    acc_width: u32,
    prod_width: u32,
    scale: i64,
    add: i64,
    sum_lo: i128,
    sum_hi: i128,
    sum_width: u32,
    sum_expr: String,
    hi_lit: String,
    lo_lit: String,
    /// Product bits above the sum's width (the sum is exact modulo 2^sum_width).
    dropped: Option<String>,
}

#[derive(Template)]
#[template(path = "rtl/requant_const.v", escape = "none")]
struct RequantConstView {
    version: &'static str,
    model: String,
    model_hash: String,
    frozen_hash: String,
    name: String,
    module: String,
    graph_module: String,
    shift: u8,
    lo: i32,
    lo_byte: &'static str,
    latency: u32,
    channels: Vec<RqChannel>,
}

/// A `width`-bit two's-complement literal of `v`.
pub(super) fn literal(width: u32, v: i128) -> String {
    let mask: u128 = if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    format!("{width}'h{:x}", (v as u128) & mask)
}

pub(super) fn requant_const_file(
    header: &Header,
    layer: &LayerHw,
    module: &str,
    scale_module: &str,
    scale: &AdderGraph,
    add: &[i64],
    shift: u8,
) -> Result<OutFile> {
    let lo: i32 = if layer.relu { 0 } else { -128 };
    let channels = layer
        .graph
        .outputs()
        .iter()
        .zip(scale.outputs())
        .zip(add)
        .enumerate()
        .map(|(i, ((acc, p), &k))| {
            let (sum_lo, sum_hi) = (
                p.interval.lo as i128 + k as i128,
                p.interval.hi as i128 + k as i128,
            );
            let sum_width = crate::arith::signed_width(sum_lo, sum_hi).max(9);
            let pw = p.width;
            let p_ext = if pw >= sum_width {
                format!("p{i}[{}:0]", sum_width - 1)
            } else {
                format!("{{{{{}{{p{i}[{}]}}}}, p{i}}}", sum_width - pw, pw - 1)
            };
            RqChannel {
                index: i,
                acc_width: acc.width,
                prod_width: pw,
                scale: scale.matrix().get(i, i),
                add: k,
                sum_lo,
                sum_hi,
                sum_width,
                sum_expr: format!(
                    "$signed({p_ext}) + $signed({})",
                    literal(sum_width, k as i128)
                ),
                hi_lit: format!("$signed({})", literal(sum_width, 127)),
                lo_lit: format!("$signed({})", literal(sum_width, lo as i128)),
                dropped: (pw > sum_width).then(|| format!("p{i}[{}:{}]", pw - 1, sum_width)),
            }
        })
        .collect();
    let view = RequantConstView {
        version: header.version,
        model: header.model.clone(),
        model_hash: header.model_hash.clone(),
        frozen_hash: header.frozen_hash.clone(),
        name: layer.name.clone(),
        module: module.to_string(),
        graph_module: scale_module.to_string(),
        shift,
        lo,
        lo_byte: if layer.relu { "8'h00" } else { "8'h80" },
        latency: scale.latency() + 1,
        channels,
    };
    Ok(OutFile {
        name: format!("{module}.v"),
        contents: with_newline(view.render()?),
    })
}
