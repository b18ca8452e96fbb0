//! Bit-exact integer reference of SPEC §1–2. No hardware knowledge: the RTL is checked
//! against this, value for value.

pub mod fmap;
pub mod net;
pub mod ops;
pub mod report;
pub mod trace;

pub use fmap::{Acc, Fmap};
pub use net::{HeadOutput, NoObserver, Observer, Values};
pub use trace::Trace;

use crate::model::Model;

/// Runs the model on one image given as raw bytes (H x W x Cin, raster order).
pub fn run(model: &Model, pixels: &[u8]) -> Vec<HeadOutput> {
    run_observed(model, pixels, &mut NoObserver)
}

/// Runs the model on one image with an observer (e.g. a [`Trace`]).
pub fn run_observed<O: Observer>(model: &Model, pixels: &[u8], obs: &mut O) -> Vec<HeadOutput> {
    let input = Fmap::from_pixels(model.layout.input, model.layout.in_channels, pixels);
    net::run_batch(model, &[input], obs)
        .pop()
        .unwrap_or_default()
}
