//! The plan-based area estimate, calibrated against synthesized blocks.
//!
//! Logic area (standard cells, memories excluded) is modelled as a non-negative linear
//! combination of plan counts (`FEATURES`): µm² per adder bit, per pipeline flip-flop, per
//! 8x8 MAC unit, per requant multiplier bit, per window-register bit, per blend bit, plus a
//! constant per streaming stage. The coefficients are fitted by non-negative least squares
//! on the synthesized units; the calibration error is the leave-one-out error (each unit
//! predicted from a fit without it).

use super::plan_counts::{Block, Part};
use crate::area::BlockKind;
use serde::Serialize;

pub use crate::area::{predict, FEATURES, NF};

/// The feature vector of a block.
pub fn features(b: &Block) -> [f64; NF] {
    let kind = if b.name == "regs" {
        BlockKind::Regs
    } else if matches!(b.part, Part::Frozen | Part::Trainable(_) | Part::Heads) {
        BlockKind::Stage
    } else {
        BlockKind::Other
    };
    crate::area::features(&b.counts, kind)
}

/// Fitted coefficients (µm² per feature unit) and their error.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    pub coefficients: Vec<(String, f64)>,
    /// Synthesized units the fit used.
    pub samples: usize,
    /// Leave-one-out relative error per unit: (module, synthesized µm², predicted µm², error).
    pub loo: Vec<(String, f64, f64, f64)>,
    /// Mean absolute leave-one-out relative error.
    pub mean_abs_error: f64,
    pub max_abs_error: f64,
    /// Relative error of the summed leave-one-out predictions against the summed areas.
    pub total_error: f64,
    /// The same mean and max over streaming stages only (the register block and the top
    /// are one of a kind: left out, nothing else predicts them).
    pub stage_mean_abs_error: f64,
    pub stage_max_abs_error: f64,
}

/// Non-negative least squares by cyclic coordinate descent (small, dense, deterministic).
pub fn nnls(a: &[[f64; NF]], y: &[f64]) -> [f64; NF] {
    let n = NF;
    // Scale columns to unit norm for conditioning.
    let mut scale = [1.0f64; NF];
    for (j, s) in scale.iter_mut().enumerate() {
        let norm: f64 = a.iter().map(|r| r[j] * r[j]).sum::<f64>().sqrt();
        if norm > 0.0 {
            *s = norm;
        }
    }
    let cols: Vec<Vec<f64>> = (0..n)
        .map(|j| a.iter().map(|r| r[j] / scale[j]).collect())
        .collect();
    let mut x = [0.0f64; NF];
    let mut r: Vec<f64> = y.to_vec();
    for _ in 0..20_000 {
        let mut moved = 0.0f64;
        for j in 0..n {
            let cj = &cols[j];
            let nn: f64 = cj.iter().map(|v| v * v).sum();
            if nn == 0.0 {
                continue;
            }
            let g: f64 = cj.iter().zip(&r).map(|(c, r)| c * r).sum();
            let new = (x[j] + g / nn).max(0.0);
            let d = new - x[j];
            if d != 0.0 {
                for (ri, c) in r.iter_mut().zip(cj) {
                    *ri -= d * c;
                }
                x[j] = new;
                moved = moved.max(d.abs() * nn.sqrt());
            }
        }
        let ynorm = y.iter().map(|v| v.abs()).fold(0.0, f64::max).max(1.0);
        if moved < 1e-10 * ynorm {
            break;
        }
    }
    let mut out = [0.0; NF];
    for j in 0..n {
        out[j] = x[j] / scale[j];
    }
    out
}

/// Fits the model on `(block, synthesized logic area)` samples. `None` with no samples.
pub fn fit(samples: &[(&Block, f64)]) -> Option<([f64; NF], Calibration)> {
    if samples.is_empty() {
        return None;
    }
    let a: Vec<[f64; NF]> = samples.iter().map(|(b, _)| features(b)).collect();
    let y: Vec<f64> = samples.iter().map(|(_, v)| *v).collect();
    let coef = nnls(&a, &y);
    let mut loo = Vec::new();
    let (mut sum_true, mut sum_pred) = (0.0, 0.0);
    for i in 0..samples.len() {
        let (ai, yi): (Vec<[f64; NF]>, Vec<f64>) = a
            .iter()
            .zip(&y)
            .enumerate()
            .filter(|(k, _)| *k != i)
            .map(|(_, (r, v))| (*r, *v))
            .unzip();
        let c = if ai.is_empty() { coef } else { nnls(&ai, &yi) };
        let p = predict(&c, &a[i]);
        let e = if y[i] > 0.0 { (p - y[i]) / y[i] } else { 0.0 };
        sum_true += y[i];
        sum_pred += p;
        loo.push((samples[i].0.module.clone(), y[i], p, e));
    }
    let n = loo.len() as f64;
    let mean_abs_error = loo.iter().map(|l| l.3.abs()).sum::<f64>() / n;
    let max_abs_error = loo.iter().map(|l| l.3.abs()).fold(0.0, f64::max);
    let stage_err: Vec<f64> = samples
        .iter()
        .zip(&loo)
        .filter(|((b, _), _)| matches!(b.part, Part::Frozen | Part::Trainable(_) | Part::Heads))
        .map(|(_, l)| l.3.abs())
        .collect();
    let stage_mean_abs_error = if stage_err.is_empty() {
        0.0
    } else {
        stage_err.iter().sum::<f64>() / stage_err.len() as f64
    };
    let stage_max_abs_error = stage_err.iter().copied().fold(0.0, f64::max);
    let total_error = if sum_true > 0.0 {
        (sum_pred - sum_true) / sum_true
    } else {
        0.0
    };
    Some((
        coef,
        Calibration {
            coefficients: FEATURES
                .iter()
                .zip(coef)
                .map(|(n, c)| (n.to_string(), c))
                .collect(),
            samples: samples.len(),
            loo,
            mean_abs_error,
            max_abs_error,
            total_error,
            stage_mean_abs_error,
            stage_max_abs_error,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nnls_recovers_a_nonnegative_model() {
        let truth = [2.0, 0.0, 5.0, 1.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.5];
        let rows: Vec<[f64; NF]> = (0..12)
            .map(|i| {
                let i = i as f64;
                [
                    10.0 + i,
                    3.0 * i,
                    (i * 7.0) % 5.0,
                    i * i,
                    1.0,
                    0.0,
                    1.0,
                    0.0,
                    (i * 3.0) % 4.0,
                    0.0,
                    i * 11.0 % 7.0,
                ]
            })
            .collect();
        let y: Vec<f64> = rows.iter().map(|r| predict(&truth, r)).collect();
        let x = nnls(&rows, &y);
        assert!(x.iter().all(|a| *a >= 0.0));
        for (r, v) in rows.iter().zip(&y) {
            assert!((predict(&x, r) - v).abs() < 1e-3 * v.max(1.0), "{x:?}");
        }
    }
}
