//! Lowers frozen conv layers to constant matrices and adder graphs (via `arith`), with the
//! exact value ranges of their inputs.

use crate::arith::{self, AdderGraph, ConstMatrix, Interval, LowerOptions};
use anyhow::{Context, Result};

/// Int8 values after a ReLU (every block input and every PW output of the frozen core).
pub const RELU8: Interval = Interval::RELU8;
/// Int8 values without ReLU (network input, DW outputs).
pub const INT8: Interval = Interval::INT8;

/// Stem 3x3 conv as a matrix over the window: column t*Cin + ci is window tap t = 3i + j,
/// input channel ci. Weight layout [O][Cin][3][3].
pub fn stem_matrix(weight: &[i8], out: usize, cin: usize) -> Result<ConstMatrix> {
    let cols = 9 * cin;
    let mut data = vec![0i64; out * cols];
    for o in 0..out {
        for ci in 0..cin {
            for t in 0..9 {
                data[o * cols + t * cin + ci] = weight[(o * cin + ci) * 9 + t] as i64;
            }
        }
    }
    Ok(ConstMatrix::new(out, cols, data)?)
}

/// Depthwise 3x3 as a block-diagonal matrix: column 9c + t is tap t of channel c.
pub fn depthwise_matrix(weight: &[i8]) -> Result<ConstMatrix> {
    let c = weight.len() / 9;
    let mut data = vec![0i64; c * 9 * c];
    for ch in 0..c {
        for t in 0..9 {
            data[ch * 9 * c + ch * 9 + t] = weight[ch * 9 + t] as i64;
        }
    }
    Ok(ConstMatrix::new(c, 9 * c, data)?)
}

/// Pointwise conv [O][I][1][1] as an O x I matrix.
pub fn pointwise_matrix(weight: &[i8], out: usize) -> Result<ConstMatrix> {
    let cols = weight.len() / out.max(1);
    Ok(ConstMatrix::new(
        out,
        cols,
        weight.iter().map(|&w| w as i64).collect(),
    )?)
}

/// The frozen requant scales as a diagonal matrix (each accumulator times its m).
pub fn scale_matrix(scale: &[i16]) -> Result<ConstMatrix> {
    let c = scale.len();
    let mut data = vec![0i64; c * c];
    for (i, &m) in scale.iter().enumerate() {
        data[i * c + i] = m as i64;
    }
    Ok(ConstMatrix::new(c, c, data)?)
}

/// Lowers a matrix, naming the layer in any error.
pub fn lower(
    layer: &str,
    m: &ConstMatrix,
    ranges: &[Interval],
    opts: &LowerOptions,
) -> Result<AdderGraph> {
    arith::lower(m, ranges, opts).with_context(|| format!("lowering frozen layer `{layer}`"))
}
