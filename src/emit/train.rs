//! Verilog of the trainable stages: `sf_window3x3` -> `sf_mac_engine`(s) -> output wiring,
//! with the frozen stages' stream interface. The engines carry the window markers (sof, eol)
//! and, in a regular block, x1 (the window centre's first C/2 channels) in their sideband, so
//! a stage needs no skew FIFO inside. A downsample block forks each window to its two
//! branches (both engines take it in the same clock) and joins their outputs.

use crate::passes::regmap::bus_name;
use crate::passes::schedule::{EngineSchedule, TrainStageHw};
use std::fmt::Write;

/// Bits of `sf_mac_engine`'s `cfg_addr` (`CFG_WORD_AW`).
pub fn cfg_addr_bits(e: &EngineSchedule) -> usize {
    let bytes = e.sram_depth() * e.word_bytes();
    let aw = (usize::BITS - (bytes - 1).leading_zeros()) as usize;
    aw.max(2).saturating_sub(2).max(1)
}

/// Signed accumulator bits for `L` products of int8 x int8 (|acc| <= L * 2^14), at least 17.
pub fn acc_bits(e: &EngineSchedule) -> usize {
    let max = (e.l as u64) << 14;
    let mag = (u64::BITS - max.leading_zeros()) as usize;
    (mag + 1).max(17)
}

/// Ports of one engine a stage exposes: (name, bits, is_output).
pub fn engine_ports(e: &EngineSchedule) -> Vec<(String, usize, bool)> {
    let b = bus_name(&e.layer);
    vec![
        (format!("{b}_scale"), 16 * e.out_n, false),
        (format!("{b}_bias"), 32 * e.out_n, false),
        (format!("{b}_shift"), 6, false),
        (format!("{b}_cfg_req"), 1, false),
        (format!("{b}_cfg_we"), 1, false),
        (format!("{b}_cfg_addr"), cfg_addr_bits(e), false),
        (format!("{b}_cfg_wdata"), 32, false),
        (format!("{b}_cfg_ack"), 1, true),
        (format!("{b}_cfg_rdata"), 32, true),
    ]
}

/// Module name of a trainable stage.
pub fn module(prefix: &str, stage: &TrainStageHw) -> String {
    format!("{prefix}_{}", bus_name(&stage.name))
}

fn range(bits: usize) -> String {
    format!("[{}:0]", bits - 1)
}

/// One engine instance. `s` names the input stream (`<s>_data`, `_side`, `_valid`, `_ready`),
/// the engine drives `<inst>_data`, `_side`, `_valid` and reads `<inst>_ready`.
fn engine(out: &mut String, e: &EngineSchedule, inst: &str, s: &str, side_w: usize) {
    let b = bus_name(&e.layer);
    let (offset, si, so, go, sg) = e.index_params();
    let _ = writeln!(
        out,
        "    // ---- {}: {} -> {}, L = {}, P = {}, Q = {}, {} of {} clocks per vector\n\
         \x20   wire {} {inst}_data;\n    wire {} {inst}_side;\n    wire {inst}_valid, {inst}_ready;\n\
         \x20   sf_mac_engine #(\n        .IN_N({}), .OUT_N({}), .L({}), .P({}), .Q({}),\n\
         \x20       .OFFSET({offset}), .SI({si}), .SO({so}), .GO({go}), .SG({sg}),\n\
         \x20       .ACC_W({}), .RELU({}), .OUT_W(8), .SIDE_W({side_w})\n    ) u_{inst} (\n\
         \x20       .aclk(aclk), .aresetn(aresetn),\n\
         \x20       .s_data({s}_data), .s_side({s}_side), .s_valid({s}_valid), .s_ready({s}_ready),\n\
         \x20       .m_data({inst}_data), .m_side({inst}_side), .m_valid({inst}_valid), .m_ready({inst}_ready),\n\
         \x20       .scale({b}_scale), .bias({b}_bias), .shift({b}_shift),\n\
         \x20       .cfg_req({b}_cfg_req), .cfg_we({b}_cfg_we), .cfg_addr({b}_cfg_addr),\n\
         \x20       .cfg_wdata({b}_cfg_wdata), .cfg_ack({b}_cfg_ack), .cfg_rdata({b}_cfg_rdata)\n    );",
        e.layer,
        e.in_n,
        e.out_n,
        e.l,
        e.p,
        e.q,
        e.clocks_used(),
        e.clocks_available,
        range(8 * e.out_n),
        range(side_w),
        e.in_n,
        e.out_n,
        e.l,
        e.p,
        e.q,
        acc_bits(e),
        u8::from(e.relu),
    );
}

/// The stage module's Verilog (one file).
pub fn stage_module(header: &str, prefix: &str, st: &TrainStageHw) -> String {
    let m = module(prefix, st);
    let in_bits = 8 * st.in_channels;
    let out_c = st.out_channels();
    let out_bits = 8 * out_c;
    let (ow, oh) = (st.out_size().w, st.out_size().h);
    let mut v = String::new();
    v.push_str(header);
    let what = match (st.branches.len(), st.passthrough) {
        (_, 0) if !st.shuffle() => format!(
            "Trainable stem {}: 3x3 conv stride 2 as one MAC engine, requant + ReLU.",
            st.name
        ),
        (1, _) => format!(
            "Trainable regular block {}: x1 = channels 0..{} of the window centre ride in the \
             engines' sideband; DW 3x3 -> PW on the rest; output shuffle(concat(x1, y2)).",
            st.name, st.passthrough
        ),
        _ => format!(
            "Trainable downsample block {}: each window forked to two branches DW 3x3 stride 2 \
             -> PW over all {} channels, outputs joined; output shuffle(concat(b1, b2)).",
            st.name, st.in_channels
        ),
    };
    let _ = writeln!(
        v,
        "//\n// {what}\n// Input {}x{}x{}, output {ow}x{oh}x{out_c}, one window every {} clocks (engine \
         latency {} clocks).\n// Weights live in the engines' SRAMs (configuration ports below).\n\n\
         `resetall\n`timescale 1ns / 1ps\n`default_nettype none\n",
        st.in_size.w,
        st.in_size.h,
        st.in_channels,
        st.clocks_per_window(),
        st.engine_latency()
    );
    let _ = writeln!(v, "module {m} (");
    let _ = writeln!(v, "    input  wire aclk,\n    input  wire aresetn,");
    let _ = writeln!(
        v,
        "    input  wire {} s_data,\n    input  wire s_valid,\n    output wire s_ready,\n    input  wire s_sof,",
        range(in_bits)
    );
    let _ = write!(
        v,
        "    output wire {} m_data,\n    output wire m_valid,\n    input  wire m_ready,\n    output wire m_sof,\n    output wire m_eol",
        range(out_bits)
    );
    for e in st.branches.iter().flatten() {
        for (name, bits, is_out) in engine_ports(e) {
            let dir = if is_out { "output" } else { "input " };
            let r = if bits > 1 {
                format!("{} ", range(bits))
            } else {
                String::new()
            };
            let _ = write!(v, ",\n    {dir} wire {r}{name}");
        }
    }
    let _ = writeln!(v, "\n);\n");
    let _ = writeln!(
        v,
        "    // 3x3 windows with zero padding; element t = 3i + j at bits [t*{in_bits} +: {in_bits}].\n\
         \x20   wire {} win_data;\n    wire win_valid, win_ready, win_sof, win_eol, win_eof;\n\
         \x20   sf_window3x3 #(.CH_BITS({in_bits}), .WIDTH({}), .HEIGHT({}), .STRIDE({})) u_window (\n\
         \x20       .aclk(aclk), .aresetn(aresetn),\n\
         \x20       .s_data(s_data), .s_valid(s_valid), .s_ready(s_ready), .s_sof(s_sof),\n\
         \x20       .m_data(win_data), .m_valid(win_valid), .m_ready(win_ready),\n\
         \x20       .m_sof(win_sof), .m_eol(win_eol), .m_eof(win_eof)\n    );\n",
        range(9 * in_bits),
        st.in_size.w,
        st.in_size.h,
        st.stride
    );
    let x1_bits = 8 * st.passthrough;
    let side_w = 2 + x1_bits;
    // sideband: {x1, eol, sof}
    let side = if x1_bits > 0 {
        format!(
            "{{win_data[{}:{}], win_eol, win_sof}}",
            4 * in_bits + x1_bits - 1,
            4 * in_bits
        )
    } else {
        "{win_eol, win_sof}".to_string()
    };
    let _ = writeln!(v, "    wire {} win_side = {side};", range(side_w));
    let mut outputs: Vec<String> = Vec::new();
    let last_side;
    if st.branches.len() == 1 {
        let _ = writeln!(v, "    wire [{}:0] s0_data = win_data;", 9 * in_bits - 1);
        let _ = writeln!(
            v,
            "    wire {} s0_side = win_side;\n    wire s0_valid = win_valid;\n    wire s0_ready;\n    assign win_ready = s0_ready;\n",
            range(side_w)
        );
        let mut src = "s0".to_string();
        for (i, e) in st.branches[0].iter().enumerate() {
            let inst = format!("e{i}");
            engine(&mut v, e, &inst, &src, side_w);
            src = inst;
        }
        let _ = writeln!(
            v,
            "    assign {src}_ready = m_ready;\n    assign m_valid = {src}_valid;\n"
        );
        last_side = format!("{src}_side");
        let y = format!("{src}_data");
        let c = out_c;
        // concat(x1, y) channel q
        let cat = |q: usize| -> String {
            if q < st.passthrough {
                format!("{last_side}[{}:{}]", 2 + 8 * q + 7, 2 + 8 * q)
            } else {
                let k = q - st.passthrough;
                format!("{y}[{}:{}]", 8 * k + 7, 8 * k)
            }
        };
        for k in (0..c).rev() {
            let q = if !st.shuffle() {
                k
            } else if k % 2 == 0 {
                k / 2
            } else {
                c / 2 + k / 2
            };
            outputs.push(cat(q));
        }
    } else {
        // Fork: both branches take each window in the same clock.
        let _ = writeln!(
            v,
            "    wire [{}:0] b1_data = win_data, b2_data = win_data;\n\
             \x20   wire {} b1_side = win_side, b2_side = win_side;\n\
             \x20   wire b1_ready, b2_ready;\n\
             \x20   wire b1_valid = win_valid && b2_ready;\n\
             \x20   wire b2_valid = win_valid && b1_ready;\n\
             \x20   assign win_ready = b1_ready && b2_ready;\n",
            9 * in_bits - 1,
            range(side_w)
        );
        let mut lasts = Vec::new();
        for (bi, br) in st.branches.iter().enumerate() {
            let mut src = format!("b{}", bi + 1);
            for (i, e) in br.iter().enumerate() {
                let inst = format!("b{}e{i}", bi + 1);
                engine(&mut v, e, &inst, &src, side_w);
                src = inst;
            }
            lasts.push(src);
        }
        // Join: one beat when both branches have one.
        let (a, b) = (&lasts[0], &lasts[1]);
        let _ = writeln!(
            v,
            "    // Join: the two branches run in lock-step; a beat leaves when both hold one.\n\
             \x20   assign m_valid = {a}_valid && {b}_valid;\n\
             \x20   assign {a}_ready = m_ready && {b}_valid;\n\
             \x20   assign {b}_ready = m_ready && {a}_valid;\n"
        );
        last_side = format!("{a}_side");
        let n = st.branches[0].last().map_or(0, |e| e.out_n);
        for k in (0..out_c).rev() {
            let (src, ch) = if k % 2 == 0 { (a, k / 2) } else { (b, k / 2) };
            debug_assert!(ch < n);
            outputs.push(format!("{src}_data[{}:{}]", 8 * ch + 7, 8 * ch));
        }
        let _ = writeln!(v, "    wire unused_side = &{{1'b0, {b}_side, 1'b0}};");
    }
    let _ = writeln!(
        v,
        "    assign m_sof = {last_side}[0];\n    assign m_eol = {last_side}[1];\n"
    );
    let _ = writeln!(
        v,
        "    // {}\n    assign m_data = {{\n        {}\n    }};\n",
        if st.shuffle() {
            "Output: channel shuffle of the concatenation (out[2i] = in[i], out[2i+1] = in[C/2+i])."
        } else {
            "Output: the engine's channels in order."
        },
        outputs.join(",\n        ")
    );
    let _ = writeln!(
        v,
        "    wire unused_ok = &{{1'b0, win_eof, 1'b0}};\n\nendmodule\n\n`resetall\n`default_nettype wire"
    );
    v
}
