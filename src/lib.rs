//! semifreddo: turns a trained SemifreddoNet into synthesizable Verilog, with a bit-exact
//! golden model of the network (SPEC.md in the shared folder is the contract).

pub mod area;
pub mod arith;
pub mod bench;
pub mod config_image;
pub mod cost;
pub mod emit;
pub mod fuzz_input;
pub mod golden;
pub mod image;
pub mod model;
pub mod modelgen;
pub mod output;
pub mod passes;
pub mod regress;
pub mod sim;
pub mod technology;
pub mod verify;
