//! The input readers as byte-level entry points, in the form the fuzz targets (`fuzz/`) and
//! the corpus replay test (`tests/fuzz_corpus.rs`) call them: each takes one byte string and
//! returns the reader's result, so a fuzz finding replays exactly in the normal test suite.

use crate::image::{self, Image};
use crate::model::{self, error::Problems, Model, ModelError};
use std::path::Path;

/// Separates the manifest from the tensor file in a model input (TOML text never holds it).
pub const MODEL_SEPARATOR: u8 = 0;

/// A model input: the manifest's TOML text, [`MODEL_SEPARATOR`], then the tensor file's
/// bytes; without a separator the whole input is the manifest and the tensor file is empty.
/// Parsed exactly as `model::load` parses the two files.
pub fn model(data: &[u8]) -> Result<Model, ModelError> {
    let (toml, tensors) = match data.iter().position(|&b| b == MODEL_SEPARATOR) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    let manifest_file = Path::new("fuzz/model.toml");
    let text = std::str::from_utf8(toml).map_err(|e| {
        let mut p = Problems::new(manifest_file);
        p.file(format!("cannot read the manifest: {e}"));
        ModelError { problems: p.list }
    })?;
    let manifest = model::parse_manifest(text, manifest_file)?;
    model::from_parts(manifest, tensors, Path::new("fuzz/model.safetensors"))
}

/// Joins a manifest and a tensor file into a [`model`] input.
pub fn model_input(manifest: &str, tensors: &[u8]) -> Vec<u8> {
    let mut v = manifest.as_bytes().to_vec();
    v.push(MODEL_SEPARATOR);
    v.extend_from_slice(tensors);
    v
}

/// An image input: the bytes of a PNG, PPM, PGM or PAM file.
pub fn image(data: &[u8]) -> Result<Image, String> {
    image::decode(data)
}
