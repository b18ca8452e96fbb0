//! What freezing saves: each part's area with its own parameter storage (the register block
//! split by owner), area per conv weight, and every frozen stage next to its trainable
//! equivalent (the same layers as SRAM MAC engines at the same pixel rates, with their
//! per-channel requant registers). The paper's claim (Table 3) is that a trainable parameter
//! costs about 2.4x a frozen one; these figures are how a user checks it on their model.

use super::plan_counts::{self, Counts, Part};
use super::{calibrate, CostReport, Provenance};
use crate::area::{self, BlockKind};
use crate::passes::frozen::Candidate;
use crate::passes::HwPlan;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt::Write;

/// One frozen stage as built and as trainable engines would build it.
#[derive(Debug, Clone, Serialize)]
pub struct FrozenStageView {
    pub name: String,
    /// Clocks per output pixel the stage must sustain.
    pub clocks_per_pixel: usize,
    /// The implementation chosen (`parallel` or `folded`) and the candidates considered.
    pub implementation: &'static str,
    pub candidates: Vec<Candidate>,
    /// Counts of the trainable equivalent (window generator and engines).
    pub equivalent: Counts,
    /// Its requant registers (per-channel scale and bias, per-layer shift).
    pub equivalent_register_bits: u64,
}

/// The frozen stages' views, in stream order.
pub fn frozen_views(plan: &HwPlan) -> Vec<FrozenStageView> {
    plan.stages
        .iter()
        .zip(&plan.frozen_equivalent)
        .map(|(st, eq)| FrozenStageView {
            name: st.name.clone(),
            clocks_per_pixel: st.clocks_per_pixel,
            implementation: st.imp.name(),
            candidates: st.candidates.clone(),
            equivalent: plan_counts::train_stage_counts(eq),
            equivalent_register_bits: eq
                .branches
                .iter()
                .flatten()
                .map(plan_counts::engine_register_bits)
                .sum(),
        })
        .collect()
}

impl CostReport {
    /// µm² of one register-block bit: the synthesized register block's own figure, else the
    /// area model's.
    pub fn register_bit_um2(&self) -> f64 {
        let bits: u64 = self.register_bits.iter().map(|(_, b)| b).sum();
        let regs = self.blocks.iter().find(|b| b.block.name == "regs");
        match regs.and_then(|b| b.asic.as_ref()) {
            Some(a) if bits > 0 => a.area_um2 / bits as f64,
            _ => self.coefficients()[7],
        }
    }

    /// The coefficients estimates use: the fit of this run, else the recorded calibration.
    pub fn coefficients(&self) -> [f64; calibrate::NF] {
        self.coefficients.unwrap_or(area::DEFAULT_COEFFICIENTS)
    }

    /// Area of a part, µm², with its own parameter registers (its share of the register
    /// block, by bits) and without the others'.
    pub fn part_area_um2(&self, part: Part) -> f64 {
        let own = self.totals(&[part]).area_um2();
        let per_bit = self.register_bit_um2();
        let bits_of = |p: Part| {
            self.register_bits
                .iter()
                .filter(|(q, _)| *q == p)
                .map(|(_, b)| *b)
                .sum::<u64>() as f64
        };
        let regs_logic = self
            .blocks
            .iter()
            .find(|b| b.block.name == "regs")
            .and_then(|b| b.logic_um2())
            .map_or(0.0, |(v, _)| v);
        if part == Part::Glue {
            own - regs_logic + bits_of(Part::Glue) * per_bit
        } else {
            own + bits_of(part) * per_bit
        }
    }

    /// Area of a frozen stage's trainable equivalent, µm² (estimated: engines by the area
    /// model, memories by the SRAM model, registers at the register block's price per bit).
    pub fn equivalent_area_um2(&self, v: &FrozenStageView) -> f64 {
        area::predict(
            &self.coefficients(),
            &area::features(&v.equivalent, BlockKind::Stage),
        ) + v.equivalent.memory_bits() as f64 * self.sram.um2_per_bit
            + v.equivalent_register_bits as f64 * self.register_bit_um2()
    }

    /// Area of a frozen stage as built: logic (synthesized or estimated) plus memories.
    pub fn frozen_stage_area_um2(&self, name: &str) -> Option<f64> {
        let b = self.blocks.iter().find(|b| b.block.name == name)?;
        let (logic, _) = b.logic_um2()?;
        Some(logic + b.block.counts.memory_bits() as f64 * self.sram.um2_per_bit)
    }

    /// Area of the whole frozen core's trainable equivalent.
    pub fn frozen_equivalent_um2(&self) -> f64 {
        self.frozen
            .iter()
            .map(|v| self.equivalent_area_um2(v))
            .sum()
    }
}

/// The `parts` entries' accounting figures (`weights`, `area_um2` with own parameters,
/// `trainable_equivalent_area_um2` for the frozen part).
pub fn part_json(report: &CostReport, part: Part) -> Value {
    let weights = report.totals(&[part]).counts.weights;
    let area = report.part_area_um2(part);
    let mut v = json!({
        "weights": weights,
        "area_um2": fig(area),
        "area_um2_per_weight": (weights > 0).then(|| area / weights as f64),
    });
    if part == Part::Frozen && !report.frozen.is_empty() {
        v["trainable_equivalent_area_um2"] = fig(report.frozen_equivalent_um2());
    }
    v
}

/// The figures a frozen block adds to its `blocks` entry.
pub fn frozen_block_json(report: &CostReport, name: &str) -> Option<Value> {
    let v = report.frozen.iter().find(|v| v.name == name)?;
    Some(json!({
        "clocks_per_pixel": v.clocks_per_pixel,
        "implementation": v.implementation,
        "candidates": v.candidates,
        "trainable_equivalent_area_um2": fig(report.equivalent_area_um2(v)),
    }))
}

fn fig(v: f64) -> Value {
    json!({"value": v, "unit": "um2", "provenance": Provenance::Mixed.text()})
}

/// The report's section: per frozen stage T, the candidates' predicted areas, the choice, its
/// area and the ratio to its trainable equivalent; then per part area per weight.
pub fn text(report: &CostReport, s: &mut String) {
    if report.frozen.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nfrozen stages at their rate (T clocks per output pixel; candidates predicted by the \
         area model; equivalent = the same layers as MAC engines at the same rate):"
    );
    let _ = writeln!(
        s,
        "{:<16} {:>5} {:>14} {:>14} {:>9} {:>12} {:>12} {:>6}",
        "stage", "T", "parallel um2", "folded um2", "choice", "area um2", "equiv um2", "ratio"
    );
    let cand = |v: &FrozenStageView, kind: &str| {
        v.candidates
            .iter()
            .find(|c| c.kind == kind)
            .and_then(|c| c.area_um2)
            .map_or("-".to_string(), |a| format!("{a:.0}"))
    };
    for v in &report.frozen {
        let eq = report.equivalent_area_um2(v);
        let area = report.frozen_stage_area_um2(&v.name);
        let _ = writeln!(
            s,
            "{:<16} {:>5} {:>14} {:>14} {:>9} {:>12} {:>12} {:>6}",
            v.name,
            v.clocks_per_pixel,
            cand(v, "parallel"),
            cand(v, "folded"),
            v.implementation,
            area.map_or("-".into(), |a| format!("{a:.0}")),
            format!("{eq:.0}"),
            area.map_or("-".into(), |a| format!("{:.2}", a / eq)),
        );
    }
    let _ = writeln!(
        s,
        "\narea per conv weight (each part with its own parameter registers):"
    );
    for p in report.parts() {
        let w = report.totals(&[p]).counts.weights;
        let a = report.part_area_um2(p);
        let per = if w > 0 {
            format!("{:.1} um2/weight", a / w as f64)
        } else {
            "-".into()
        };
        let _ = writeln!(
            s,
            "  {:<8} {:>9} weights {:>12.0} um2  {per}",
            p.label(),
            w,
            a
        );
    }
    let frozen = report.part_area_um2(Part::Frozen);
    let eq = report.frozen_equivalent_um2();
    let _ = writeln!(
        s,
        "  frozen core {:.3} mm2 = {:.2} x its trainable equivalent ({:.3} mm2)",
        frozen / 1e6,
        frozen / eq,
        eq / 1e6
    );
    let fw = report.totals(&[Part::Frozen]).counts.weights;
    if let Some(t0) = report
        .parts()
        .into_iter()
        .find(|p| *p == Part::Trainable(0))
    {
        let tw = report.totals(&[t0]).counts.weights;
        if fw > 0 && tw > 0 {
            let ratio = (report.part_area_um2(t0) / tw as f64) / (frozen / fw as f64);
            let _ = writeln!(
                s,
                "  a train0 weight costs {ratio:.2} x a frozen one (the paper: about 2.4 x)"
            );
        }
    }
}
