//! The trainable cores' part of the top level, as the view of `rtl/top_train.v` (included by
//! `rtl/top.v`): forks of the input and of every boundary's frozen output F_k, the skew FIFOs,
//! the blends, the core shuffle, the trainable stages and the repeat block (SPEC §1). The
//! hardware decisions (which stage feeds a boundary, FIFO depths) come from the plan's
//! boundaries; this module only names the wires.

use crate::passes::glue::Boundary;
use crate::passes::interface::{
    boundary_wire, fifo_count_bits, frozen_skew_fifo, trainable_skew_fifo,
};
use crate::passes::plan::HwPlan;
use crate::passes::schedule::{TrainCoreHw, TrainStageHw};

/// An `sf_fork` of stream `src` to consumers `outs` (declares `<o>_valid`, `<o>_ready`).
pub(super) struct ForkView {
    pub(super) name: String,
    pub(super) src: String,
    pub(super) outs: Vec<String>,
    /// ` /* verilator public_flat_rd */` when the outputs are debug taps.
    pub(super) attr: &'static str,
    /// `m_valid` / `m_ready` concatenations, last consumer first.
    pub(super) valids: String,
    pub(super) readys: String,
}

pub(super) fn fork(name: String, src: String, outs: Vec<String>, public: bool) -> ForkView {
    let join = |suffix: &str| {
        let v: Vec<String> = outs.iter().rev().map(|o| format!("{o}_{suffix}")).collect();
        v.join(", ")
    };
    ForkView {
        valids: join("valid"),
        readys: join("ready"),
        name,
        src,
        attr: if public {
            " /* verilator public_flat_rd */"
        } else {
            ""
        },
        outs,
    }
}

/// A wire declaration `wire [bits-1:0] name;`.
pub(super) struct WireView {
    pub(super) name: String,
    pub(super) bits: usize,
}

/// One trainable stage instance reading stream `data`/`hs`/`sof`.
pub(super) struct StageInstView {
    pub(super) name: String,
    pub(super) module: String,
    pub(super) wire: String,
    pub(super) bits: usize,
    pub(super) data: String,
    pub(super) hs: String,
    pub(super) sof: String,
    /// Per engine, its port connections.
    pub(super) engines: Vec<String>,
}

/// F_k's fork and skew FIFO at boundary k.
pub(super) struct SkewView {
    pub(super) k: usize,
    /// The FIFO's name (`interface::frozen_skew_fifo`).
    pub(super) q: String,
    pub(super) depth: usize,
    pub(super) reason: String,
    pub(super) fork: ForkView,
    pub(super) fw: String,
    pub(super) bits: usize,
    pub(super) count_bits: usize,
}

/// Core t's trainable-side skew FIFO at a boundary.
pub(super) struct TrainSkewView {
    pub(super) q: String,
    pub(super) depth: usize,
    pub(super) extra: usize,
    pub(super) count_bits: usize,
}

/// Core t's blend at boundary k, reading `w` (after its skew FIFO, if any).
pub(super) struct BlendView {
    pub(super) bl: String,
    pub(super) t: usize,
    pub(super) w: String,
    /// The core's boundary stage.
    pub(super) src: String,
    pub(super) fv: String,
    pub(super) skew: Option<TrainSkewView>,
}

/// One core's side of the core shuffle.
pub(super) struct ShuffleSide {
    pub(super) x: String,
    pub(super) t: usize,
    pub(super) o: usize,
    pub(super) me: String,
    pub(super) other: String,
}

/// Boundary k's blends, and the one core's output or the shuffle of two.
pub(super) struct BlendsView {
    pub(super) k: usize,
    /// F_k's skew FIFO the blends read.
    pub(super) f: String,
    pub(super) c: usize,
    pub(super) bits: usize,
    pub(super) half: usize,
    pub(super) fork: Option<ForkView>,
    pub(super) blends: Vec<BlendView>,
    /// One core: its boundary stream.
    pub(super) single: Option<String>,
    pub(super) shuffle: Vec<ShuffleSide>,
    pub(super) shuffle_fork: Option<ForkView>,
}

/// Pass r of core t's repeat block.
pub(super) struct PassView {
    pub(super) r: usize,
    pub(super) t: usize,
    pub(super) prev: String,
    pub(super) w: String,
    pub(super) bits: usize,
    pub(super) stage: StageInstView,
}

/// Core t's repeat block and its output stream `train{t}_out`.
pub(super) struct RepeatView {
    pub(super) t: usize,
    pub(super) passes: Vec<PassView>,
    pub(super) last: String,
    pub(super) out_bits: usize,
}

/// The view of `rtl/top_train.v`.
pub(super) struct TrainTopView {
    pub(super) cfg_wires: Vec<WireView>,
    pub(super) input_fork: ForkView,
    pub(super) skews: Vec<SkewView>,
    pub(super) stages: Vec<StageInstView>,
    pub(super) blends: Vec<BlendsView>,
    pub(super) repeats: Vec<RepeatView>,
}

fn stage_inst(
    plan: &HwPlan,
    st: &TrainStageHw,
    data: String,
    hs: String,
    sof: String,
) -> StageInstView {
    let engines = st
        .branches
        .iter()
        .flatten()
        .map(|e| {
            let ps: Vec<String> = st
                .engine_connections(e)
                .into_iter()
                .map(|(p, wire)| format!(".{}({wire})", p.name))
                .collect();
            ps.join(", ")
        })
        .collect();
    StageInstView {
        name: st.name.clone(),
        module: plan.train_module(st),
        wire: st.wire(),
        bits: 8 * st.out_channels(),
        data,
        hs,
        sof,
        engines,
    }
}

fn skew_view(plan: &HwPlan, bd: &Boundary) -> SkewView {
    let fw = plan.stages[bd.frozen_stage].wire();
    SkewView {
        k: bd.index,
        q: frozen_skew_fifo(bd.index),
        depth: bd.skew.depth,
        reason: bd.skew.reason.clone(),
        fork: fork(
            format!("{fw}_fork"),
            fw.clone(),
            vec![format!("{fw}_fz"), format!("{fw}_sk")],
            false,
        ),
        fw,
        bits: bd.skew.bits,
        count_bits: fifo_count_bits(bd.skew.depth),
    }
}

/// Each core's stage chain up to boundary S. Returns the instances and adds the unused
/// end-of-line markers of stages that are not at a boundary.
fn chains(plan: &HwPlan, unused: &mut Vec<String>) -> Vec<StageInstView> {
    let mut v = Vec::new();
    for core in &plan.trainable {
        let t = core.index;
        let (mut data, mut hs, mut sof) = (
            "input_data".to_string(),
            format!("input_t{t}"),
            "input_sof".to_string(),
        );
        for st in &core.stages {
            v.push(stage_inst(plan, st, data, hs, sof));
            let w = match st.boundary {
                Some(k) => boundary_wire(t, k),
                None => {
                    unused.push(format!("{}_eol", st.wire()));
                    st.wire()
                }
            };
            (data, hs, sof) = (format!("{w}_data"), w.clone(), format!("{w}_sof"));
        }
    }
    v
}

fn blends_view(plan: &HwPlan, bd: &Boundary, unused: &mut Vec<String>) -> BlendsView {
    let (k, bits) = (bd.index, bd.skew.bits);
    let two = plan.trainable.len() == 2;
    let f = frozen_skew_fifo(k);
    let f_hs: Vec<String> = if two {
        vec![format!("{f}_f0"), format!("{f}_f1")]
    } else {
        vec![f.clone()]
    };
    let mut blends = Vec::new();
    for core in &plan.trainable {
        let t = core.index;
        let st = core.stages.iter().find(|st| st.boundary == Some(k));
        let src = st.expect("a stage per boundary").wire();
        let side = &bd.trainable[t];
        let skew = (side.depth > 0).then(|| {
            // The frozen path is deeper here: T_t waits for F_k in its own skew FIFO.
            let q = trainable_skew_fifo(t, k);
            unused.push(format!("{q}_count"));
            TrainSkewView {
                q,
                depth: side.depth,
                extra: side.extra_blocks,
                count_bits: fifo_count_bits(side.depth),
            }
        });
        blends.push(BlendView {
            bl: format!("train{t}_b{k}"),
            t,
            w: skew.as_ref().map_or(src.clone(), |s| s.q.clone()),
            src,
            fv: f_hs[if two { t } else { 0 }].clone(),
            skew,
        });
    }
    let shuffle: Vec<ShuffleSide> = if two {
        unused.push(format!("train1_b{k}_side"));
        (0..2)
            .map(|t| ShuffleSide {
                x: boundary_wire(t, k),
                t,
                o: 1 - t,
                me: format!("train{t}_b{k}_data"),
                other: format!("train{}_b{k}_data", 1 - t),
            })
            .collect()
    } else {
        Vec::new()
    };
    BlendsView {
        k,
        fork: two.then(|| fork(format!("{f}_fork"), f.clone(), f_hs.clone(), false)),
        f,
        c: bits / 8,
        bits,
        half: bits / 2,
        blends,
        single: (!two).then(|| boundary_wire(0, k)),
        shuffle_fork: two.then(|| {
            let outs = vec![boundary_wire(0, k), boundary_wire(1, k)];
            fork(format!("sh{k}_fork"), format!("sh{k}"), outs, true)
        }),
        shuffle,
    }
}

/// Core t's repeat block after boundary S: pass r (bank r) runs when `train{t}_rep_n > r`,
/// otherwise its stream bypasses it (combinational muxes, so n must change only between
/// frames). Ends in stream `train{t}_out`.
fn repeat_view(plan: &HwPlan, core: &TrainCoreHw, s_last: usize) -> RepeatView {
    let t = core.index;
    let mut prev = boundary_wire(t, s_last);
    let bits = core.repeat.first().map_or(0, |st| 8 * st.in_channels);
    let mut passes = Vec::new();
    for (r, st) in core.repeat.iter().enumerate() {
        let inp = format!("train{t}_pass{r}_in");
        let stage = stage_inst(plan, st, format!("{prev}_data"), inp, format!("{prev}_sof"));
        passes.push(PassView {
            r,
            t,
            prev: prev.clone(),
            w: st.wire(),
            bits,
            stage,
        });
        prev = format!("train{t}_pass{r}");
    }
    RepeatView {
        t,
        passes,
        last: prev,
        out_bits: 8 * core.stages.last().map_or(0, |st| st.out_channels()),
    }
}

/// The view of the trainable part, and the signals it leaves unused.
pub(super) fn view(plan: &HwPlan) -> (TrainTopView, Vec<String>) {
    let mut unused = Vec::new();
    let ncores = plan.trainable.len();
    let s_last = plan.boundaries.len() - 1;
    let mut outs = vec!["input_fz".to_string()];
    outs.extend((0..ncores).map(|t| format!("input_t{t}")));
    let skews = plan
        .boundaries
        .iter()
        .map(|bd| skew_view(plan, bd))
        .collect();
    unused.extend(
        plan.boundaries
            .iter()
            .map(|bd| format!("{}_count", frozen_skew_fifo(bd.index))),
    );
    let stages = chains(plan, &mut unused);
    let mut blends = Vec::new();
    for bd in &plan.boundaries {
        blends.push(blends_view(plan, bd, &mut unused));
        if bd.index != s_last {
            unused.extend((0..ncores).map(|t| format!("{}_eol", boundary_wire(t, bd.index))));
        }
    }
    let view = TrainTopView {
        cfg_wires: cfg_wires(plan),
        input_fork: fork("input_fork".into(), "input".into(), outs, false),
        skews,
        stages,
        blends,
        repeats: plan
            .trainable
            .iter()
            .map(|c| repeat_view(plan, c, s_last))
            .collect(),
    };
    (view, unused)
}

/// Configuration wires between the register block and the engines.
pub(super) fn cfg_wires(plan: &HwPlan) -> Vec<WireView> {
    plan.cfg_wires()
        .into_iter()
        .map(|p| WireView {
            name: p.name,
            bits: p.bits,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::passes::interface::SkewPlace;
    use crate::passes::{plan, PlanOptions};

    /// The plan's list of skew FIFOs (what `semifreddo verify` measures) is exactly the
    /// `sf_fifo` skew instances the top level renders, with the planned depths.
    #[test]
    fn every_planned_skew_fifo_is_instantiated_with_its_depth() {
        let p = plan(&crate::modelgen::default_model(), &PlanOptions::default()).unwrap();
        let files = crate::emit::render(&p).unwrap();
        let top = files
            .iter()
            .find(|f| f.name == format!("{}.v", p.top()))
            .expect("the top level");
        let fifos = p.skew_fifo_instances();
        // tiny has all three kinds
        for kind in [
            |q: &SkewPlace| matches!(q, SkewPlace::Frozen { .. }),
            |q: &SkewPlace| matches!(q, SkewPlace::Trainable { .. }),
            |q: &SkewPlace| matches!(q, SkewPlace::Join { .. }),
        ] {
            assert!(fifos.iter().any(|q| kind(&q.place)), "{fifos:?}");
        }
        for q in &fifos {
            let inst = format!(".DEPTH({})) {} (", q.depth, q.instance());
            assert_eq!(top.contents.matches(&inst).count(), 1, "{inst}");
        }
        // and no other skew FIFO: every top-level sf_fifo is planned
        assert_eq!(top.contents.matches("sf_fifo #(").count(), fifos.len());
    }
}
