//! Model generation, above the golden model: seeded models of a preset with requantization
//! calibrated by running the golden model on sample images (`init`), the embedded default
//! model, and the random topologies and run-time programs of the regression suite
//! (`random`). The file format, presets' shapes and validation stay in `model`.

pub mod init;
pub mod random;

use crate::model::{presets, Model};

/// Seed of the embedded default model.
pub const DEFAULT_SEED: u64 = 1;

/// The embedded default model: `tiny` with seed 1, built in memory (no files needed).
pub fn default_model() -> Model {
    init::init(
        &presets::preset("tiny").expect("the tiny preset"),
        DEFAULT_SEED,
    )
}
