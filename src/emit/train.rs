//! Verilog of the trainable stages: `sf_window3x3` -> `sf_mac_engine`(s) -> output wiring,
//! with the frozen stages' stream interface. The engines carry the window markers (sof, eol)
//! and, in a regular block, x1 (the window centre's first C/2 channels) in their sideband, so
//! a stage needs no skew FIFO inside. A downsample block forks each window to its two
//! branches (both engines take it in the same clock) and joins their outputs.

use crate::passes::interface::Port;
use crate::passes::regmap::bus_name;
use crate::passes::schedule::EngineSchedule;
use crate::passes::shared::TrainModule;

pub(super) fn range(bits: usize) -> String {
    format!("[{}:0]", bits - 1)
}

/// One port of a generated module after its streams (trainable stages, heads).
pub(super) struct PortView {
    pub(super) dir: &'static str,
    pub(super) range: String,
    pub(super) name: String,
}

/// The template view of a port.
pub(super) fn port_view(p: Port) -> PortView {
    PortView {
        dir: if p.output { "output" } else { "input " },
        range: if p.bits > 1 {
            format!("{} ", range(p.bits))
        } else {
            String::new()
        },
        name: p.name,
    }
}

/// One `sf_mac_engine` instance: reads stream `src`, drives `inst`.
struct EngineView {
    layer: String,
    inst: String,
    src: String,
    bus: String,
    in_n: usize,
    out_n: usize,
    l: usize,
    p: usize,
    q: usize,
    used: usize,
    available: usize,
    offset: usize,
    si: usize,
    so: usize,
    go: usize,
    sg: isize,
    acc_w: usize,
    relu: u8,
    /// Pipeline parameters (OP_REG, MUL_REG, MUL_LUT, LPR, RQ_STAGES, RQ_SPLIT, RQ_SEL, RQ_DSP_W) from the timing pass.
    op_reg: bool,
    mul_reg: u8,
    mul_lut: bool,
    lpr: u32,
    rq_stages: u32,
    rq_split: u32,
    rq_sel: u8,
    rq_dsp_w: u32,
}

#[derive(askama::Template)]
#[template(path = "rtl/train_stage.v", escape = "none")]
struct StageView {
    header: String,
    module: String,
    what: String,
    in_w: usize,
    in_h: usize,
    in_channels: usize,
    in_bits: usize,
    out_w: usize,
    out_h: usize,
    out_channels: usize,
    out_bits: usize,
    stride: usize,
    /// `sf_window3x3` WR_REG (the timing plan).
    window_wr_reg: bool,
    clocks_per_window: usize,
    engine_latency: usize,
    ports: Vec<PortView>,
    x1_bits: usize,
    side_w: usize,
    side: String,
    two_branches: bool,
    engines: Vec<EngineView>,
    last1: String,
    last2: String,
    output_comment: &'static str,
    outputs: Vec<String>,
}

/// One engine of a stage module; `local` is its layer's name inside the stage.
fn engine_view(e: &EngineSchedule, local: String, inst: String, src: String) -> EngineView {
    let (offset, si, so, go, sg) = e.index_params();
    EngineView {
        bus: bus_name(&local),
        layer: local,
        inst,
        src,
        in_n: e.in_n,
        out_n: e.out_n,
        l: e.l,
        p: e.p,
        q: e.q,
        used: e.clocks_used(),
        available: e.clocks_available,
        offset,
        si,
        so,
        go,
        sg,
        acc_w: e.acc_bits(),
        relu: u8::from(e.relu),
        op_reg: e.pipe.op_reg,
        mul_reg: u8::from(e.pipe.mul_reg),
        mul_lut: e.pipe.mul_lut,
        lpr: e.pipe.lpr,
        rq_stages: e.pipe.rq_stages,
        rq_split: e.pipe.rq_split,
        rq_sel: u8::from(e.pipe.rq_sel),
        rq_dsp_w: e.pipe.rq_dsp_w,
    }
}

/// The stage module's Verilog (one file): `sf_window3x3` -> engine chain(s) -> output wiring.
/// A trainable-stage module serves several stages of the same hardware: its header names
/// them all, and its ports and comments use the layers' names inside the stage.
pub fn stage_module(header: &str, module: &TrainModule) -> anyhow::Result<String> {
    let st = module.users[0];
    let in_bits = 8 * st.in_channels;
    let out_c = st.out_channels();
    let names: Vec<&str> = module.users.iter().map(|u| u.name.as_str()).collect();
    let served = match names.as_slice() {
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    let kind = match (st.branches.len(), st.passthrough) {
        (_, 0) if !st.shuffle() => {
            "Trainable stem: 3x3 conv stride 2 as one MAC engine, requant + ReLU.".to_string()
        }
        (1, _) => format!(
            "Trainable regular block: x1 = channels 0..{} of the window centre ride in the\n\
             // engines' sideband; DW 3x3 -> PW on the rest; output shuffle(concat(x1, y2)).",
            st.passthrough
        ),
        _ => format!(
            "Trainable downsample block: each window forked to two branches DW 3x3 stride 2\n\
             // -> PW over all {} channels, outputs joined; output shuffle(concat(b1, b2)).",
            st.in_channels
        ),
    };
    let what = if names.len() > 1 {
        format!(
            "{kind}\n// One module for stages of the same hardware, each instance with its own weight\n\
             // memories and requant parameter buses: {served}."
        )
    } else {
        format!("{kind}\n// Stage {served}.")
    };
    let x1_bits = 8 * st.passthrough;
    let side_w = 2 + x1_bits;
    let side = if x1_bits > 0 {
        format!(
            "{{win_data[{}:{}], win_eol, win_sof}}",
            4 * in_bits + x1_bits - 1,
            4 * in_bits
        )
    } else {
        "{win_eol, win_sof}".to_string()
    };
    let two = st.branches.len() == 2;
    let mut engines = Vec::new();
    let mut lasts = Vec::new();
    for (bi, br) in st.branches.iter().enumerate() {
        let mut src = format!("b{}", bi + 1);
        for (i, e) in br.iter().enumerate() {
            let inst = if two {
                format!("b{}e{i}", bi + 1)
            } else {
                format!("e{i}")
            };
            engines.push(engine_view(e, st.local_layer(e), inst.clone(), src));
            src = inst;
        }
        lasts.push(src);
    }
    // Output channel k of the (shuffled) concatenation, most significant first.
    let shuffled = |k: usize| -> usize {
        if !st.shuffle() {
            k
        } else if k.is_multiple_of(2) {
            k / 2
        } else {
            out_c / 2 + k / 2
        }
    };
    let byte = |src: &str, ch: usize| format!("{src}[{}:{}]", 8 * ch + 7, 8 * ch);
    let outputs: Vec<String> = (0..out_c)
        .rev()
        .map(|k| {
            let q = shuffled(k);
            if two {
                // concat(b1, b2) shuffled: even channels from b1, odd from b2.
                let src = if k % 2 == 0 { &lasts[0] } else { &lasts[1] };
                byte(&format!("{src}_data"), k / 2)
            } else if q < st.passthrough {
                let side = format!("{}_side", lasts[0]);
                format!("{side}[{}:{}]", 2 + 8 * q + 7, 2 + 8 * q)
            } else {
                byte(&format!("{}_data", lasts[0]), q - st.passthrough)
            }
        })
        .collect();
    let ports = st.module_ports().into_iter().map(port_view).collect();
    let view = StageView {
        header: header.to_string(),
        module: module.name.clone(),
        what,
        in_w: st.in_size.w,
        in_h: st.in_size.h,
        in_channels: st.in_channels,
        in_bits,
        out_w: st.out_size().w,
        out_h: st.out_size().h,
        out_channels: out_c,
        out_bits: 8 * out_c,
        stride: st.stride,
        window_wr_reg: st.window_wr_reg,
        clocks_per_window: st.clocks_per_window(),
        engine_latency: st.engine_latency(),
        ports,
        x1_bits,
        side_w,
        side,
        two_branches: two,
        engines,
        last1: lasts[0].clone(),
        last2: lasts.get(1).cloned().unwrap_or_default(),
        output_comment: if st.shuffle() {
            "Output: channel shuffle of the concatenation (out[2i] = in[i], out[2i+1] = in[C/2+i])."
        } else {
            "Output: the engine's channels in order."
        },
        outputs,
    };
    Ok(askama::Template::render(&view)?)
}
