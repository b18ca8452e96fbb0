//! semifreddo: turns a trained SemifreddoNet into synthesizable Verilog, with a bit-exact
//! golden model of the network (see SPEC.md in the shared folder for the contract).

pub mod arith;
