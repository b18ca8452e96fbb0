//! Passes that plan the hardware from the model, one job each:
//! `lower_frozen` (frozen conv layers to adder graphs), `regmap` (the register map),
//! `plan` (the streaming stages of the frozen core with their latencies), `schedule` (the
//! lanes and steps of every trainable layer's MAC engine), `heads` (the model heads).

pub mod fold;
pub mod heads;
pub mod lower_frozen;
pub mod plan;
pub mod regmap;
pub mod schedule;

pub use plan::{plan, HwPlan, PlanOptions};
