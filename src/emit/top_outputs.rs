//! The top level's output section, as the view of `rtl/top_outputs.v` (included by
//! `rtl/top.v`): the forks that give every source stream (frozen F_S, each trainable core
//! after its repeat block) to its consumers, the `m_axis_feat` and `m_axis_train{t}`
//! outputs, the train01 joins and the head instances (SPEC §4). Port names come from the
//! plan's port table.

use super::train_top::{fork, ForkView};
use crate::model::manifest::HeadSource;
use crate::passes::heads::HeadHw;
use crate::passes::interface::{fifo_count_bits, join_skew_fifo, train_stream, FEATURES};
use crate::passes::plan::HwPlan;
use std::collections::BTreeMap;

/// A source stream: its consumers and, with more than one, their fork.
pub(super) struct SourceView {
    pub(super) name: String,
    pub(super) consumers: String,
    pub(super) fork: Option<ForkView>,
}

/// An output port driven by source data `d` and handshake `hs`.
pub(super) struct AssignView {
    pub(super) port: String,
    pub(super) hs: String,
    pub(super) d: String,
}

/// Core t's skew FIFO in front of a train01 head's join.
pub(super) struct JoinSkewView {
    pub(super) t: usize,
    pub(super) q: String,
    pub(super) x: String,
    pub(super) hs: String,
}

/// The input of a train01 head: train0 ++ train1, a beat when both cores have one.
pub(super) struct JoinView {
    pub(super) depth: usize,
    pub(super) repeat: usize,
    /// 8 * C_S.
    pub(super) c: usize,
    pub(super) count_bits: usize,
    pub(super) skews: Vec<JoinSkewView>,
    /// (data, handshake prefix, sof) of each core's side.
    pub(super) d0: String,
    pub(super) d1: String,
    pub(super) sof0: String,
    pub(super) a: String,
    pub(super) b: String,
}

/// Head n's instance, reading `data`/`hs`/`sof`.
pub(super) struct HeadInstView {
    pub(super) n: usize,
    pub(super) module: String,
    pub(super) name: String,
    pub(super) stream: String,
    pub(super) data: String,
    pub(super) hs: String,
    pub(super) sof: String,
    pub(super) ports: String,
    pub(super) join: Option<JoinView>,
}

/// The view of `rtl/top_outputs.v`.
pub(super) struct OutputsView {
    pub(super) sources: Vec<SourceView>,
    pub(super) assigns: Vec<AssignView>,
    pub(super) heads: Vec<HeadInstView>,
}

/// Whether head `h` reads source stream `src` (`feat`, `train0`, `train1`).
fn reads(h: &HeadHw, src: &str) -> bool {
    match h.source {
        HeadSource::Frozen => src == "feat",
        HeadSource::Train0 => src == "train0",
        HeadSource::Train1 => src == "train1",
        HeadSource::Train01 => src == "train0" || src == "train1",
    }
}

/// The output section: `frozen` / `frozen_hs` name F_S's data and handshake prefixes.
/// Returns the view and the signals it leaves unused.
pub(super) fn view(plan: &HwPlan, frozen: &str, frozen_hs: &str) -> (OutputsView, Vec<String>) {
    // (name, port, data prefix, handshake prefix)
    let mut streams = vec![(
        "feat".to_string(),
        FEATURES.to_string(),
        frozen.to_string(),
        frozen_hs.to_string(),
    )];
    for c in &plan.trainable {
        let x = format!("train{}_out", c.index);
        streams.push((
            format!("train{}", c.index),
            train_stream(c.index),
            x.clone(),
            x,
        ));
    }
    let mut sources = Vec::new();
    // Handshake prefix of each (source, consumer).
    let mut hs_of = BTreeMap::new();
    for (name, _, _, hs) in &streams {
        let mut cs = vec!["port".to_string()];
        cs.extend(
            plan.heads
                .iter()
                .filter(|h| reads(h, name))
                .map(|h| format!("h{}", h.index)),
        );
        let outs: Vec<String> = cs.iter().map(|c| format!("{hs}_{c}")).collect();
        let forked = cs.len() > 1;
        for (c, o) in cs.iter().zip(&outs) {
            let prefix = if forked { o.clone() } else { hs.clone() };
            hs_of.insert((name.clone(), c.clone()), prefix);
        }
        sources.push(SourceView {
            name: name.clone(),
            consumers: cs.join(", "),
            fork: forked.then(|| fork(format!("{hs}_fork"), hs.clone(), outs, false)),
        });
    }
    let assigns = streams
        .iter()
        .map(|(name, port, d, _)| AssignView {
            port: port.clone(),
            hs: hs_of[&(name.clone(), "port".to_string())].clone(),
            d: d.clone(),
        })
        .collect();
    let mut unused = Vec::new();
    let heads = plan
        .heads
        .iter()
        .map(|h| head_view(plan, h, frozen, &hs_of, &mut unused))
        .collect();
    let view = OutputsView {
        sources,
        assigns,
        heads,
    };
    (view, unused)
}

fn head_view(
    plan: &HwPlan,
    h: &HeadHw,
    frozen: &str,
    hs_of: &BTreeMap<(String, String), String>,
    unused: &mut Vec<String>,
) -> HeadInstView {
    let n = h.index;
    let key = |src: &str| hs_of[&(src.to_string(), format!("h{n}"))].clone();
    let mut join = None;
    let (data, hs, sof) = match h.source {
        HeadSource::Frozen => (
            format!("{frozen}_data"),
            key("feat"),
            format!("{frozen}_sof"),
        ),
        HeadSource::Train0 | HeadSource::Train1 => {
            let t = if h.source == HeadSource::Train0 { 0 } else { 1 };
            (
                format!("train{t}_out_data"),
                key(&format!("train{t}")),
                format!("train{t}_out_sof"),
            )
        }
        HeadSource::Train01 => {
            join = Some(join_view(plan, n, [key("train0"), key("train1")], unused));
            let j = format!("h{n}_in");
            (format!("{j}_data"), j.clone(), format!("{j}_sof"))
        }
    };
    let ports: Vec<String> = h
        .ports()
        .into_iter()
        .map(|p| format!(".{n}({n})", n = p.name))
        .collect();
    HeadInstView {
        n,
        module: plan.head_module(h),
        name: h.name.clone(),
        stream: h.stream(),
        data,
        hs,
        sof,
        ports: ports.join(", "),
        join,
    }
}

/// The input of train01 head `n`: with a repeat block the cores' passes may differ, so each
/// side first waits in a skew FIFO (`HwPlan::train01_skew_depth`). `hs` are the cores'
/// handshake prefixes from their forks.
fn join_view(plan: &HwPlan, n: usize, hs: [String; 2], unused: &mut Vec<String>) -> JoinView {
    let c = 8 * plan.out_channels();
    let repeat = plan.trainable.first().map_or(0, |c| c.repeat.len());
    let depth = plan.train01_skew_depth;
    let mut skews = Vec::new();
    // (data, handshake prefix, sof) per core
    let mut sides = Vec::new();
    for (t, hs) in hs.into_iter().enumerate() {
        let x = format!("train{t}_out");
        if repeat == 0 {
            sides.push((format!("{x}_data"), hs, format!("{x}_sof")));
            continue;
        }
        let q = join_skew_fifo(n, t);
        unused.push(format!("{q}_count"));
        sides.push((
            format!("{q}_data[{}:0]", c - 1),
            q.clone(),
            format!("{q}_data[{c}]"),
        ));
        skews.push(JoinSkewView { t, q, x, hs });
    }
    if repeat > 0 {
        unused.push(format!("{}_data[{c}]", join_skew_fifo(n, 1)));
    }
    let [(d0, a, sof0), (d1, b, _)] = <[_; 2]>::try_from(sides).expect("two cores");
    JoinView {
        depth,
        repeat,
        c,
        count_bits: fifo_count_bits(depth),
        skews,
        d0,
        d1,
        sof0,
        a,
        b,
    }
}
