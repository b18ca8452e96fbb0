//! Verilog of a folded frozen block (`passes::fold`): the stage module from
//! `templates/rtl/stage_folded.v` and its weight tables, one module per layer, each a
//! registered case statement over the sequencer's clock (the schedule as a constant table).

use super::header::Header;
use super::OutFile;
use crate::passes::fold::{FoldUnit, FoldedHw};
use crate::passes::frozen::StageHw;
use crate::passes::regmap::bus_name;
use askama::Template;

/// What a generated file's header names.
pub struct FoldHeader<'a> {
    pub version: &'a str,
    pub model: &'a str,
    pub model_hash: &'a str,
    pub frozen_hash: &'a str,
}

impl<'a> FoldHeader<'a> {
    fn of(h: &'a Header) -> FoldHeader<'a> {
        FoldHeader {
            version: h.version,
            model: &h.model,
            model_hash: &h.model_hash,
            frozen_hash: &h.frozen_hash,
        }
    }
}

/// The files of a folded frozen stage of the plan: its weight tables, then the stage.
pub(super) fn render(header: &Header, st: &StageHw, hw: &FoldedHw) -> anyhow::Result<Vec<OutFile>> {
    render_block(
        &FoldHeader::of(header),
        &st.module,
        &st.name,
        &super::stages::description(st),
        &super::stages::choice(st),
        hw,
    )
}

/// Bits to count `0..n-1` (at least 1).
fn bits_for(n: usize) -> usize {
    ((usize::BITS - n.saturating_sub(1).leading_zeros()) as usize).max(1)
}

/// A `width`-bit two's-complement literal.
fn lit(width: u32, v: i64) -> String {
    let mask = if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    format!("{width}'h{:x}", (v as u64) & mask)
}

struct ShiftPort {
    layer: String,
    port: String,
}

struct ConstView {
    bias: String,
    scale: String,
}

struct UnitView {
    index: usize,
    /// Verilog name prefix, e.g. `b1_dw0`.
    p: String,
    summary: String,
    take_cond: String,
    acc_sel: String,
    pos_w: usize,
    depth: usize,
    /// Ring positions (depthwise) or output bytes (pointwise) of its results, in order.
    channels: Vec<usize>,
    lane_lo: usize,
    lane_hi: usize,
    number: usize,
    cfg_base: usize,
    cfg_end: usize,
    /// The configuration read / write address names the unit's words.
    rd_hit: String,
    wr_hit: String,
    consts: Vec<ConstView>,
}

struct BranchView {
    index: usize,
    p: String,
    dw: String,
    pw: String,
    from: usize,
    dw_rom: String,
    pw_rom: String,
    dw_acc_w: usize,
    pw_acc_w: usize,
    dw_shift: String,
    pw_shift: String,
    rotate: String,
    dw_units: Vec<UnitView>,
    pw_units: Vec<UnitView>,
}

#[derive(Template)]
#[template(path = "rtl/stage_folded.v", escape = "none")]
struct FoldedView {
    /// `sf_requant_pipe` DSP_W of the requant units (0: whole multipliers).
    rq_dsp_w: u32,
    version: String,
    model: String,
    model_hash: String,
    frozen_hash: String,
    description: String,
    module: String,
    choice: String,
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
    group: usize,
    reads: usize,
    channels: usize,
    products: usize,
    lanes: usize,
    lanes_per_unit: usize,
    dw_units: usize,
    pw_units: usize,
    a_len: usize,
    b_len: usize,
    period: usize,
    a_w: usize,
    b_w: usize,
    g_w: usize,
    grp_w: usize,
    grp_base: usize,
    grp_expr: String,
    mid_bits: usize,
    nb: usize,
    nb_w: usize,
    k: usize,
    m_w: usize,
    chain_len: usize,
    ch_w: usize,
    out_w_bits: usize,
    passthrough: usize,
    passthrough_bits: usize,
    ld_n: usize,
    programmable: bool,
    cfg_words: usize,
    cfg_aw: usize,
    units_w: usize,
    shift_ports: Vec<ShiftPort>,
    branches: Vec<BranchView>,
    all_units: Vec<UnitView>,
}

/// Port name of a layer's requant shift (the register block's bus).
pub fn shift_port(layer: &str) -> String {
    bus_name(&format!("{layer}.shift"))
}

/// Address bits of the parameter window.
fn cfg_aw(hw: &FoldedHw) -> usize {
    bits_for(hw.param_words())
}

/// Ports a folded stage exposes after its streams: per layer its shift, then (programmable)
/// the configuration window of its parameter memories: (name, bits, is_output).
pub fn stage_ports(hw: &FoldedHw) -> Vec<(String, usize, bool)> {
    let mut v: Vec<(String, usize, bool)> = hw
        .branches
        .iter()
        .flat_map(|b| [shift_port(&b.dw), shift_port(&b.pw)])
        .map(|p| (p, 6, false))
        .collect();
    if hw.programmable {
        let aw = bits_for(hw.param_words());
        v.extend([
            ("cfg_req".to_string(), 1, false),
            ("cfg_we".to_string(), 1, false),
            ("cfg_addr".to_string(), aw, false),
            ("cfg_wdata".to_string(), 32, false),
            ("cfg_ack".to_string(), 1, true),
            ("cfg_rdata".to_string(), 32, true),
        ]);
    }
    v
}

/// `lo <= addr < hi` for an `aw`-bit address, without the comparisons that are always true.
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
        c.join(" && ")
    }
}

fn unit_view(hw: &FoldedHw, u: &FoldUnit, number: usize, cfg_base: usize) -> UnitView {
    let br = &hw.branches[u.branch];
    let p = format!(
        "b{}_{}{}",
        u.branch + 1,
        if u.pointwise { "pw" } else { "dw" },
        u.index
    );
    let n = u.channels.len();
    let rq = if u.pointwise {
        &br.pw_requant
    } else {
        &br.dw_requant
    };
    let consts = u
        .channels
        .iter()
        .map(|&c| ConstView {
            bias: lit(32, rq.bias[c] as i64),
            scale: lit(16, rq.scale[c] as i64),
        })
        .collect();
    let group = hw.params.group;
    let (take_cond, acc_sel, lane_lo, lane_hi, summary, channels) = if u.pointwise {
        let lg = hw.params.lanes_per_unit();
        let lo = u.index * lg;
        let hi = (lo + lg).min(hw.params.lanes) - 1;
        let pos = u
            .channels
            .iter()
            .map(|&o| hw.out_position(u.branch, o))
            .collect();
        (
            String::new(),
            String::new(),
            lo,
            hi,
            format!("{lo}..{hi}, outputs {}", list(&u.channels)),
            pos,
        )
    } else {
        // slots t with 3u + t < G
        let slots = (group - 3 * u.index).min(3);
        let w = br.dw_acc_bits as usize;
        let sel = (0..slots)
            .rev()
            .map(|t| {
                let c = 3 * u.index + t;
                let v = format!("b{}_dw_sum_q[{}:{}]", u.branch + 1, w * (c + 1) - 1, w * c);
                if t == 0 {
                    v
                } else {
                    format!("(t_q == 2'd{t}) ? {v} : ")
                }
            })
            .collect::<String>();
        (
            format!("(t_q < 2'd{slots})"),
            sel,
            0,
            0,
            format!(
                "{} of each group",
                list(&(3 * u.index..3 * u.index + slots).collect::<Vec<_>>())
            ),
            u.channels.clone(),
        )
    };
    UnitView {
        index: u.index,
        p,
        summary,
        take_cond,
        acc_sel,
        pos_w: bits_for(n),
        depth: n,
        channels,
        lane_lo,
        lane_hi,
        number,
        cfg_base,
        cfg_end: cfg_base + 2 * n,
        rd_hit: in_range("cfg_raddr_q", cfg_aw(hw), cfg_base, cfg_base + 2 * n),
        wr_hit: in_range("cfg_addr", cfg_aw(hw), cfg_base, cfg_base + 2 * n),
        consts,
    }
}

fn list(v: &[usize]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The stage module and its weight tables (ROMs first, the stage last).
pub fn render_block(
    header: &FoldHeader,
    module: &str,
    name: &str,
    description: &str,
    choice: &str,
    hw: &FoldedHw,
) -> anyhow::Result<Vec<OutFile>> {
    let s = &hw.shape;
    let p = &hw.params;
    let reads = 3 * p.read_groups(s);
    let a_len = hw.a_len();
    let b_len = hw.b_len();
    let ngrp = s.in_channels / p.group;
    let grp_w = bits_for(ngrp);
    let g_w = bits_for(p.read_groups(s));
    let grp_expr = if grp_w > g_w {
        format!("{{{}'d0, g_q}}", grp_w - g_w)
    } else {
        "g_q".to_string()
    };
    let units = hw.units();
    let mut all_units = Vec::new();
    let mut base = 0;
    for (n, u) in units.iter().enumerate() {
        let v = unit_view(hw, u, n, base);
        base = v.cfg_end;
        all_units.push(v);
    }
    let mut files = Vec::new();
    let mut branches = Vec::new();
    for (b, br) in hw.branches.iter().enumerate() {
        let pfx = format!("b{}", b + 1);
        let dw_rom = format!("{module}_{pfx}_dw_rom");
        let pw_rom = format!("{module}_{pfx}_pw_rom");
        files.push(dw_rom_file(header, &dw_rom, hw, b, bits_for(a_len))?);
        files.push(pw_rom_file(header, &pw_rom, hw, b, bits_for(b_len))?);
        let q8 = 8 * p.products;
        let rotate = if q8 == 8 * s.channels {
            format!("{pfx}_ring_q")
        } else {
            format!(
                "{{{pfx}_ring_q[{}:0], {pfx}_ring_q[{}:{}]}}",
                q8 - 1,
                8 * s.channels - 1,
                q8
            )
        };
        let take = |pointwise: bool| -> Vec<UnitView> {
            all_units
                .iter()
                .zip(&units)
                .filter(|(_, u)| u.branch == b && u.pointwise == pointwise)
                .map(|(v, u)| unit_view(hw, u, v.number, v.cfg_base))
                .collect()
        };
        branches.push(BranchView {
            index: b + 1,
            p: pfx,
            dw: br.dw.clone(),
            pw: br.pw.clone(),
            from: s.from,
            dw_rom,
            pw_rom,
            dw_acc_w: br.dw_acc_bits as usize,
            pw_acc_w: br.pw_acc_bits as usize,
            dw_shift: shift_expr(hw, &br.dw_requant.shift, &br.dw),
            pw_shift: shift_expr(hw, &br.pw_requant.shift, &br.pw),
            rotate,
            dw_units: take(false),
            pw_units: take(true),
        });
    }
    let nb = p.clocks_per_output(s);
    let k = p.outputs_per_lane(s);
    let out_channels = hw.out_channels();
    let view = FoldedView {
        rq_dsp_w: hw.rq_dsp_w,
        version: header.version.to_string(),
        model: header.model.to_string(),
        model_hash: header.model_hash.to_string(),
        frozen_hash: header.frozen_hash.to_string(),
        description: description.to_string(),
        module: module.to_string(),
        choice: format!("block {name}: {choice}"),
        in_w: s.in_size.w,
        in_h: s.in_size.h,
        out_w: s.in_size.strided(s.stride).w,
        out_h: s.in_size.strided(s.stride).h,
        stride: s.stride,
        in_channels: s.in_channels,
        out_channels,
        in_bits: 8 * s.in_channels,
        out_bits: 8 * out_channels,
        t: hw.clocks_per_pixel,
        group: p.group,
        reads,
        channels: s.channels,
        products: p.products,
        lanes: p.lanes,
        lanes_per_unit: p.lanes_per_unit(),
        dw_units: p.dw_units(),
        pw_units: p.units,
        a_len,
        b_len,
        period: p.period(s),
        a_w: bits_for(a_len),
        b_w: bits_for(b_len),
        g_w,
        grp_w,
        grp_base: s.from / p.group,
        grp_expr,
        mid_bits: (8 * s.passthrough).max(8),
        nb,
        nb_w: bits_for(nb),
        k,
        m_w: bits_for(k),
        chain_len: p.lanes_per_unit() + 1,
        ch_w: bits_for(s.channels),
        out_w_bits: bits_for(out_channels),
        passthrough: s.passthrough,
        passthrough_bits: 8 * s.passthrough,
        ld_n: s.channels.div_ceil(2).max(out_channels.div_ceil(4)),
        programmable: hw.programmable,
        cfg_words: hw.param_words(),
        cfg_aw: bits_for(hw.param_words()),
        units_w: bits_for(all_units.len()),
        shift_ports: hw
            .branches
            .iter()
            .flat_map(|b| [&b.dw, &b.pw])
            .filter(|_| hw.programmable)
            .map(|l| ShiftPort {
                layer: l.clone(),
                port: shift_port(l),
            })
            .collect(),
        branches,
        all_units,
    };
    let mut text = view.render()?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    files.push(OutFile {
        name: format!("{module}.v"),
        contents: text,
    });
    Ok(files)
}

/// The shift of a layer: its register-block port, or a constant (`frozen_bn = "frozen"`).
fn shift_expr(hw: &FoldedHw, shift: &u8, layer: &str) -> String {
    if hw.programmable {
        shift_port(layer)
    } else {
        format!("6'd{shift}")
    }
}

struct RomEntry {
    addr: usize,
    value: String,
}

struct RomColumn {
    n: usize,
    entries: Vec<RomEntry>,
}

#[derive(Template)]
#[template(path = "rtl/fold_rom.v", escape = "none")]
struct RomView {
    version: String,
    model: String,
    model_hash: String,
    frozen_hash: String,
    module: String,
    what: String,
    layout: String,
    aw: usize,
    columns: Vec<RomColumn>,
}

/// A table of weight columns (`columns[n][addr]`, column n at bits `8n +: 8`); zero entries
/// are left to the default.
fn rom_file(
    header: &FoldHeader,
    module: &str,
    what: String,
    layout: String,
    aw: usize,
    columns: Vec<Vec<i8>>,
) -> anyhow::Result<OutFile> {
    let columns = columns
        .iter()
        .enumerate()
        .map(|(n, col)| RomColumn {
            n,
            entries: col
                .iter()
                .enumerate()
                .filter(|(_, &v)| v != 0)
                .map(|(addr, &v)| RomEntry {
                    addr,
                    value: format!("{:02x}", v as u8),
                })
                .collect(),
        })
        .collect();
    let view = RomView {
        version: header.version.to_string(),
        model: header.model.to_string(),
        model_hash: header.model_hash.to_string(),
        frozen_hash: header.frozen_hash.to_string(),
        module: module.to_string(),
        what,
        layout,
        aw,
        columns,
    };
    let mut text = view.render()?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(OutFile {
        name: format!("{module}.v"),
        contents: text,
    })
}

fn dw_rom_file(
    header: &FoldHeader,
    module: &str,
    hw: &FoldedHw,
    b: usize,
    aw: usize,
) -> anyhow::Result<OutFile> {
    let (s, p) = (&hw.shape, &hw.params);
    let br = &hw.branches[b];
    let cols: Vec<Vec<i8>> = (0..3)
        .flat_map(|row| (0..p.group).map(move |c| (row, c)))
        .map(|(row, c)| crate::passes::fold::dw_table(s, p, &br.dw_weight, row, c))
        .collect();
    rom_file(
        header,
        module,
        format!("frozen depthwise weights of layer {}", br.dw),
        format!(
            "address a = 3g + j (read of column j, channel group g): column i*{} + c is the \
             weight of window row i, group channel c",
            p.group
        ),
        aw,
        cols,
    )
}

fn pw_rom_file(
    header: &FoldHeader,
    module: &str,
    hw: &FoldedHw,
    b: usize,
    aw: usize,
) -> anyhow::Result<OutFile> {
    let (s, p) = (&hw.shape, &hw.params);
    let br = &hw.branches[b];
    let cols: Vec<Vec<i8>> = (0..p.lanes)
        .flat_map(|l| (0..p.products).map(move |q| (l, q)))
        .map(|(l, q)| crate::passes::fold::pw_table(s, p, &br.pw_weight, l, q))
        .collect();
    rom_file(
        header,
        module,
        format!("frozen pointwise weights of layer {}", br.pw),
        format!(
            "address b (B's clock): column l*{2} + q is the weight lane l, slot q applies to \
             ring byte (b*{0} + q) mod {1}",
            p.products, s.channels, p.products
        ),
        aw,
        cols,
    )
}
