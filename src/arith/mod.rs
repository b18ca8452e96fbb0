//! Constant matrices to minimal exact shift-add hardware.
//!
//! A frozen layer is a constant matrix `M` (outputs x inputs) applied to a vector `x` whose
//! entries have known ranges. [`lower`] turns `y = M x` into an [`AdderGraph`] of shifted
//! adders and subtractors (CSD recoding, then constant matrix-vector common subexpression
//! elimination with depth control, then depth-optimal sum trees), with exact intervals and
//! minimal widths on every node. [`AdderGraph::eval`] is the bit-true model,
//! [`emit_verilog`] the hardware, [`layer_report`] the statistics. See docs/arith.md.

mod bench;
pub(crate) mod csd;
mod cse;
mod error;
mod fxhash;
mod graph;
mod lower;
mod matrix;
mod report;
mod tree;
mod verilog;
mod width;

pub use bench::{
    bench_layer, bench_report, bench_report_with, bench_vga_core, programmable_layer_verilog,
    random_int8_matrix, BenchRow,
};
pub use csd::{csd, csd_weight, Digit};
pub use error::ArithError;
pub use graph::{eval, AdderGraph, Node, NodeKind, Operand, Output};
pub use lower::{lower, Effort, LowerOptions, AUTO_THOROUGH_TERMS, MAX_INPUT};
pub use matrix::{ConstMatrix, MAX_WEIGHT};
pub use report::{
    csd_baseline, format_table, layer_report, mcm_plus_trees, mcm_tree_bound, LayerStats,
};
pub use verilog::{emit_verilog, PortNames};
pub use width::{signed_width, Interval};
