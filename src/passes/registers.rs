//! Register contents of the plan, read from the typed model: the programmable requant
//! parameters of the frozen layers (`frozen_bn = "trainable"`), then the trainable cores'
//! requant parameters, blend alphas, shuffle flags, repeat passes and weight windows, then the
//! heads' requant16 and PWL parameters and weight windows (the order is the address order).

use super::frozen::StageHw;
use super::heads::HeadHw;
use super::regmap::{reg_name, RegMap, RegMapBuilder};
use super::schedule::TrainCoreHw;
use crate::model::params::{Conv, Requant, Trainable};
use crate::model::Model;

/// The register map of the plan's stages, cores and heads, in stream order.
pub fn register_map(
    model: &Model,
    frozen_hash: &str,
    stages: &[StageHw],
    trainable: &[TrainCoreHw],
    heads: &[HeadHw],
) -> RegMap {
    let mut regs = RegMapBuilder::new(
        u32::from_str_radix(&frozen_hash[..8], 16).unwrap_or(0),
        version_word(),
    );
    let requant = frozen_requants(model);
    for st in stages.iter().filter(|s| s.programmable()) {
        frozen_stage_registers(&mut regs, st, &requant);
    }
    trainable_registers(model, trainable, &mut regs);
    head_registers(model, heads, &mut regs);
    regs.build()
}

/// The frozen layers' requant parameters by layer name.
fn frozen_requants(model: &Model) -> std::collections::BTreeMap<String, &Requant> {
    let lay = &model.layout.frozen;
    let mut m = std::collections::BTreeMap::new();
    m.insert(lay.stem.clone(), &model.frozen.stem.requant);
    let blocks = lay
        .stages
        .iter()
        .flatten()
        .zip(model.frozen.stages.iter().flatten());
    for (bl, b) in blocks {
        for (brl, br) in bl.branches().into_iter().zip(b.branches()) {
            m.insert(brl.dw(), &br.dw.requant);
            m.insert(brl.pw(), &br.pw.requant);
        }
    }
    m
}

/// A frozen stage with programmable requant: each layer's shift, then the window onto the
/// stage's scale and bias memories.
fn frozen_stage_registers(
    regs: &mut RegMapBuilder,
    st: &StageHw,
    requant: &std::collections::BTreeMap<String, &Requant>,
) {
    for l in st.layers() {
        let shift = requant.get(&l.name).map_or(0, |rq| rq.shift);
        regs.param(
            &format!("{}.shift", l.name),
            6,
            false,
            vec![shift as i64],
            format!("shift s (0..40) of layer {} (SPEC §2 requant)", l.name),
        );
    }
    let words = st.param_table();
    let layers: Vec<&str> = st.layers().map(|l| l.name.as_str()).collect();
    regs.table(
        &format!("{}.requant", st.name),
        &st.param_bus(),
        words,
        format!(
            "requant scale (int16, read back sign-extended) and bias (int32) of layers {} in \
             the memories of the stage's {} requant units: per unit, per channel it serves, the \
             bias then the scale (docs/rtl.md); not reset",
            layers.join(", "),
            st.imp.name()
        ),
    );
}

/// A trainable core's convs in engine order (`TrainCoreHw::engines`): stem, the blocks'
/// branches (depthwise, pointwise), then the repeat banks.
fn trainable_convs(tr: &Trainable) -> Vec<&Conv> {
    let blocks = tr.core.stages.iter().flatten().chain(&tr.repeat);
    std::iter::once(&tr.core.stem)
        .chain(
            blocks
                .flat_map(|b| b.branches())
                .flat_map(|br| [&br.dw, &br.pw]),
        )
        .collect()
}

/// Registers of the trainable cores, in stream order: each engine's scale, bias and shift,
/// then per boundary each core's alphas and (two cores) the shuffle flag, then the repeat
/// passes, then the weight windows of every engine.
fn trainable_registers(model: &Model, cores: &[TrainCoreHw], regs: &mut RegMapBuilder) {
    for (core, tr) in cores.iter().zip(&model.trainable) {
        let convs = trainable_convs(tr);
        debug_assert_eq!(convs.len(), core.engines().count(), "one conv per engine");
        for (e, conv) in core.engines().zip(convs) {
            let n = &e.layer;
            let of = format!("trainable layer {n} (SPEC §2 requant)");
            requant_registers(regs, n, &conv.requant, "per-channel", &of);
        }
    }
    for k in 0..model.layout.boundary_channels.len() {
        for (core, tr) in cores.iter().zip(&model.trainable) {
            regs.param(
                &format!("train{}.blend{k}.alpha", core.index),
                9,
                false,
                tr.alpha[k].iter().map(|&a| a as i64).collect(),
                format!(
                    "blend alphas a[c] (0..256) of trainable core {} at boundary {k} (SPEC §1)",
                    core.index
                ),
            );
        }
        if cores.len() == 2 {
            regs.param(
                &format!("blend{k}.shuffle"),
                1,
                false,
                vec![model.shuffle[k] as i64],
                format!("core shuffle at boundary {k}: 1 swaps channel halves (SPEC §1)"),
            );
        }
    }
    for (core, tr) in cores.iter().zip(&model.trainable) {
        if core.repeat.is_empty() {
            continue;
        }
        let r_max = core.repeat.len();
        regs.param(
            &format!("train{}.rep.n", core.index),
            usize::BITS - r_max.leading_zeros(),
            false,
            vec![tr.repeat_n as i64],
            format!(
                "passes n (0..{r_max}) of trainable core {}'s repeat block: pass r runs bank r, \
                 banks n.. are bypassed; change it only between frames (SPEC §1)",
                core.index
            ),
        );
    }
    for e in cores.iter().flat_map(|c| c.engines()) {
        regs.window(
            &e.layer,
            e.config_words(),
            format!(
                "weights of trainable layer {} ({} x {}): SRAM of {} words x {} bits, 4 int8 weights per word in the sf_mac_engine layout (P = {}, Q = {}); not reset",
                e.layer,
                e.out_n,
                e.l,
                e.sram_depth(),
                e.word_bytes() * 8,
                e.p,
                e.q
            ),
        );
    }
}

/// The three requant register arrays of a layer or head: scale (int16), bias (int32), shift.
/// `per` says whose values they are ("per-channel", "per-output"), `of` whose layer.
fn requant_registers(regs: &mut RegMapBuilder, layer: &str, rq: &Requant, per: &str, of: &str) {
    regs.param(
        &format!("{layer}.scale"),
        16,
        true,
        rq.scale.iter().map(|&v| v as i64).collect(),
        format!("{per} scale m (int16) of {of}"),
    );
    regs.param(
        &format!("{layer}.bias"),
        32,
        true,
        rq.bias.iter().map(|&v| v as i64).collect(),
        format!("{per} bias b (int32) of {of}"),
    );
    regs.param(
        &format!("{layer}.shift"),
        6,
        false,
        vec![rq.shift as i64],
        format!("shift s (0..40) of {of}"),
    );
}

/// Per head: requant16 parameters, the PWL segments (K_max registers each, the model's K
/// values first) and the number in use, then the weight window.
fn head_registers(model: &Model, heads: &[HeadHw], regs: &mut RegMapBuilder) {
    for (h, head) in heads.iter().zip(&model.heads) {
        let n = &h.name;
        let of = format!("head {n} (SPEC §2 requant16)");
        requant_registers(regs, n, &head.conv.requant, "per-output", &of);
        let pwl = &head.pwl;
        for (field, values, what) in [
            ("x", &pwl.x, "segment starts x_k"),
            ("y", &pwl.y, "segment values y_k"),
            ("g", &pwl.g, "segment slopes g_k (8 fractional bits)"),
        ] {
            let mut v: Vec<i64> = values.iter().map(|&x| x as i64).collect();
            v.resize(h.k_max, 0);
            regs.param(
                &format!("{n}.pwl.{field}"),
                16,
                true,
                v,
                format!(
                    "PWL {what} (int16) of head {n}, K_max = {} entries, the first `{}` in use (SPEC §2)",
                    h.k_max,
                    reg_name(&format!("{n}.pwl.k"))
                ),
            );
        }
        regs.param(
            &format!("{n}.pwl.k"),
            h.segment_bits(),
            false,
            vec![h.segments as i64],
            format!(
                "PWL segments in use K (1..{}) of head {n}: the length of tensor `{n}.pwl.x`",
                h.k_max
            ),
        );
    }
    for h in heads {
        let e = &h.engine;
        regs.window(
            &h.name,
            e.config_words(),
            format!(
                "weights of head {} ({} x {}, {} group(s)): SRAM of {} words x {} bits, 4 int8 \
                 weights per word in the sf_mac_engine layout (P = {}, Q = {}); not reset",
                h.name,
                h.outputs,
                h.group_inputs(),
                h.groups,
                e.sram_depth(),
                e.word_bytes() * 8,
                e.p,
                e.q
            ),
        );
    }
}

/// The generator version as VERSION register bits.
pub fn version_word() -> u32 {
    let v: Vec<u32> = env!("CARGO_PKG_VERSION")
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    (v[0] << 16) | (v.get(1).copied().unwrap_or(0) << 8) | v.get(2).copied().unwrap_or(0)
}
