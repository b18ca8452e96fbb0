//! Presenting golden-model outputs: top-k classes and the JSON file of `golden --json`.

use super::HeadOutput;
use crate::model::Model;
use serde::Serialize;

/// The k largest values with their indices, largest first (ties: lower index first).
pub fn top_k(values: &[i16], k: usize) -> Vec<(usize, i16)> {
    let mut idx: Vec<(usize, i16)> = values.iter().copied().enumerate().collect();
    idx.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    idx.truncate(k);
    idx
}

#[derive(Serialize)]
struct HeadJson<'a> {
    name: &'a str,
    source: String,
    pooled: bool,
    shape: &'a [usize],
    /// Top-5 (index, value) of pooled heads.
    #[serde(skip_serializing_if = "Option::is_none")]
    top5: Option<Vec<(usize, i16)>>,
    /// Values in HWC order (channel fastest).
    values: &'a [i16],
}

#[derive(Serialize)]
struct OutputsJson<'a> {
    model: &'a str,
    image: &'a str,
    heads: Vec<HeadJson<'a>>,
}

pub fn outputs_json(
    model: &Model,
    image: &str,
    outputs: &[HeadOutput],
) -> serde_json::Result<String> {
    let heads = outputs
        .iter()
        .map(|h| HeadJson {
            name: &h.name,
            source: h.source.to_string(),
            pooled: h.pooled,
            shape: &h.shape,
            top5: h.pooled.then(|| top_k(&h.values, 5)),
            values: &h.values,
        })
        .collect();
    serde_json::to_string_pretty(&OutputsJson {
        model: &model.manifest.name,
        image,
        heads,
    })
}
