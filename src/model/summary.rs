//! Counting and describing a model's structure (for `info` and the reports).

use super::layout::{BlockLayout, CoreLayout, NetLayout};
use super::Model;
use std::fmt::Write;

/// Conv weights of one block (every branch's DW and PW).
pub fn block_weights(b: &BlockLayout) -> usize {
    b.branches()
        .iter()
        .map(|br| br.channels * 9 + br.channels * br.channels)
        .sum()
}

/// Conv weights of a core's stem and stages (the repeat block is counted separately).
pub fn core_weights(c: &CoreLayout) -> usize {
    c.stem_in * c.stem_out * 9 + c.stages.iter().flatten().map(block_weights).sum::<usize>()
}

/// Conv weights of a core's repeat-block banks.
pub fn repeat_weights(c: &CoreLayout) -> usize {
    c.repeat_banks.iter().map(block_weights).sum()
}

/// Multiply-accumulates per frame of one core's stem and stages.
pub fn core_macs(net: &NetLayout, c: &CoreLayout) -> usize {
    let stem = net.boundary_sizes[0].pixels() * c.stem_in * c.stem_out * 9;
    stem + c
        .stages
        .iter()
        .flatten()
        .flat_map(|b| b.branches())
        .map(|br| br.out_size().pixels() * (br.channels * 9 + br.channels * br.channels))
        .sum::<usize>()
}

/// Multiply-accumulates per frame of the whole model as programmed (repeat passes included).
pub fn model_macs(m: &Model) -> usize {
    let net = &m.layout;
    let out_px = net.output_size().pixels();
    let mut macs: usize = net.cores().map(|c| core_macs(net, c)).sum();
    for (cl, tr) in net.trainable.iter().zip(&m.trainable) {
        macs += cl
            .repeat_banks
            .iter()
            .take(tr.repeat_n as usize)
            .map(|b| out_px * block_weights(b))
            .sum::<usize>();
    }
    macs + net
        .heads
        .iter()
        .map(|h| out_px * h.outputs * h.group_inputs())
        .sum::<usize>()
}

pub fn summary(m: &Model) -> String {
    let net = &m.layout;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "model {}: input {}x{}x{}, output {}x{}x{}, {} trainable core(s), R_max {}, frozen_bn {:?}, K_max {}",
        m.manifest.name,
        net.input.w,
        net.input.h,
        net.in_channels,
        net.output_size().w,
        net.output_size().h,
        net.boundary_channels.last().copied().unwrap_or(0),
        net.trainable.len(),
        m.manifest.topology.repeat_banks,
        m.manifest.generation.frozen_bn,
        m.manifest.generation.k_max,
    );
    for c in net.cores() {
        let _ = write!(
            s,
            "  {:<7} conv weights {:>9}",
            c.core.name(),
            core_weights(c)
        );
        if !c.repeat_banks.is_empty() {
            let _ = write!(
                s,
                " (+{} in {} repeat banks)",
                repeat_weights(c),
                c.repeat_banks.len()
            );
        }
        let _ = writeln!(s, ", MACs per frame {}", core_macs(net, c));
        for (k, stage) in c.stages.iter().enumerate() {
            let names: Vec<&str> = stage.iter().map(|b| b.name()).collect();
            let _ = writeln!(
                s,
                "    stage {}: {} -> {}x{}x{} [{}]",
                k + 1,
                net.boundary_channels[k],
                net.boundary_sizes[k + 1].w,
                net.boundary_sizes[k + 1].h,
                net.boundary_channels[k + 1],
                names.join(", ")
            );
        }
    }
    for (t, tr) in m.trainable.iter().enumerate() {
        let _ = writeln!(s, "  train{t}: repeat passes n = {}", tr.repeat_n);
    }
    if !m.shuffle.is_empty() {
        let on: Vec<String> = m.shuffle.iter().map(|&b| (b as u8).to_string()).collect();
        let _ = writeln!(s, "  core shuffle per boundary: [{}]", on.join(", "));
    }
    for (hl, h) in net.heads.iter().zip(&m.heads) {
        let _ = writeln!(
            s,
            "  {}: source {}, I {}, O {}, G {}, {} weights, pool {}, PWL segments {}",
            hl.name,
            hl.source,
            hl.in_channels,
            hl.outputs,
            hl.groups,
            hl.outputs * hl.group_inputs(),
            h.pool,
            h.pwl.x.len()
        );
    }
    let _ = writeln!(
        s,
        "  MACs per frame (all cores and heads, as programmed): {}",
        model_macs(m)
    );
    s
}
