//! The constant matrix being lowered: rows are outputs, columns are inputs.

use super::error::ArithError;

/// Largest supported weight magnitude: int16 requant multipliers with headroom. Keeps every
/// shift below 2^11 and every coefficient product well inside i128.
pub const MAX_WEIGHT: i64 = 1 << 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstMatrix {
    rows: usize,
    cols: usize,
    data: Vec<i64>,
}

impl ConstMatrix {
    /// Row-major `rows x cols` matrix. Entries must satisfy `|w| <= 2^16`.
    pub fn new(rows: usize, cols: usize, data: Vec<i64>) -> Result<Self, ArithError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(ArithError::Shape {
                rows,
                cols,
                len: data.len(),
            });
        }
        for (k, &v) in data.iter().enumerate() {
            if v.unsigned_abs() > MAX_WEIGHT as u64 {
                return Err(ArithError::WeightTooLarge {
                    row: k / cols,
                    col: k % cols,
                    value: v,
                });
            }
        }
        Ok(ConstMatrix { rows, cols, data })
    }

    /// From a list of equally long rows.
    pub fn from_rows<R: AsRef<[i64]>>(rows: &[R]) -> Result<Self, ArithError> {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for r in rows {
            let r = r.as_ref();
            if r.len() != cols {
                return Err(ArithError::Shape {
                    rows: rows.len(),
                    cols,
                    len: r.len(),
                });
            }
            data.extend_from_slice(r);
        }
        Self::new(rows.len(), cols, data)
    }

    /// From int8 weights, e.g. a conv kernel flattened to `[out][in]`.
    pub fn from_i8(rows: usize, cols: usize, data: &[i8]) -> Result<Self, ArithError> {
        Self::new(rows, cols, data.iter().map(|&v| v as i64).collect())
    }

    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn cols(&self) -> usize {
        self.cols
    }
    pub fn get(&self, row: usize, col: usize) -> i64 {
        self.data[row * self.cols + col]
    }
    pub fn row(&self, row: usize) -> &[i64] {
        &self.data[row * self.cols..(row + 1) * self.cols]
    }
    pub fn nonzeros(&self) -> usize {
        self.data.iter().filter(|&&v| v != 0).count()
    }
    /// Exact `M x` (the reference the adder graph is tested against).
    pub fn mul(&self, x: &[i64]) -> Vec<i128> {
        (0..self.rows)
            .map(|r| {
                self.row(r)
                    .iter()
                    .zip(x)
                    .map(|(&w, &v)| w as i128 * v as i128)
                    .sum()
            })
            .collect()
    }
}
