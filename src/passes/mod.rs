//! Passes that plan the hardware from the model, one job each; the resulting [`HwPlan`] is
//! the single source of every hardware decision that emit, cost, the report and verification
//! read: `lower_frozen` (frozen stages and their conv layers to adder graphs), `schedule` (the
//! lanes and steps of every trainable layer's MAC engine), `heads` (the model heads), `glue`
//! (boundary forks and skew FIFOs), `registers` (register contents from the typed model) into
//! `regmap` (the register map), `interface` (module, wire and port names; the top's port
//! table), `hash` (model and frozen hashes), `frozen` (the frozen core's stage types), `timing`
//! (pipeline depths and latencies for the target clock) and `plan` (the plan and its assembly).

pub mod fold;
pub mod frozen;
pub mod frozen_impl;
pub mod glue;
pub mod hash;
pub mod heads;
pub mod interface;
pub mod lower_frozen;
pub mod plan;
pub mod registers;
pub mod regmap;
pub mod schedule;
pub mod shared;
pub mod timing;

pub use plan::{plan, HwPlan, PlanOptions};
