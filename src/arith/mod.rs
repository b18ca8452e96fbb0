//! Constant matrices to shift-add adder graphs (placeholder, filled by the arith work).
