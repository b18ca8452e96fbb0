//! Errors of the arithmetic lowering. Every public entry point returns these instead of
//! panicking, so a malformed layer is reported to the user with the reason.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArithError {
    #[error("matrix is {rows}x{cols} but holds {len} entries")]
    Shape {
        rows: usize,
        cols: usize,
        len: usize,
    },
    #[error("matrix has {0} columns but {1} input ranges were given")]
    RangeCount(usize, usize),
    #[error("input {index}: empty range [{lo}, {hi}]")]
    EmptyRange { index: usize, lo: i64, hi: i64 },
    #[error("weight {value} at ({row}, {col}) exceeds the supported magnitude 2^16")]
    WeightTooLarge { row: usize, col: usize, value: i64 },
    #[error("input {index}: range [{lo}, {hi}] exceeds the supported magnitude 2^48")]
    RangeTooWide { index: usize, lo: i64, hi: i64 },
    #[error("matrix too large: {0}")]
    TooLarge(String),
    #[error("eval: expected {expected} inputs, got {got}")]
    InputCount { expected: usize, got: usize },
    #[error("eval: input {index} = {value} lies outside its range [{lo}, {hi}]")]
    InputOutOfRange {
        index: usize,
        value: i64,
        lo: i64,
        hi: i64,
    },
    #[error("verilog: {0}")]
    Names(String),
}
