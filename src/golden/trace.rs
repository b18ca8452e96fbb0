//! Trace mode: every intermediate tensor of one image, by name, for finding where hardware
//! diverges. Written as one safetensors file plus a JSON index with value ranges.

use super::net::{Observer, Values};
use anyhow::Context;
use serde::Serialize;
use std::path::Path;

/// Owned values of a traced tensor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceValues {
    I8(Vec<i8>),
    I16(Vec<i16>),
    I64(Vec<i64>),
}

impl TraceValues {
    pub fn as_i64(&self) -> Vec<i64> {
        match self {
            TraceValues::I8(v) => v.iter().map(|&x| x as i64).collect(),
            TraceValues::I16(v) => v.iter().map(|&x| x as i64).collect(),
            TraceValues::I64(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEntry {
    pub name: String,
    /// [h, w, c] for feature maps, [c] for pooled head values.
    pub shape: Vec<usize>,
    pub values: TraceValues,
}

/// Records the tensors of image 0 of a run, in the order they were computed.
#[derive(Debug, Default)]
pub struct Trace {
    pub entries: Vec<TraceEntry>,
}

impl Observer for Trace {
    fn tensor(&mut self, image: usize, name: &str, shape: &[usize], values: Values<'_>) {
        if image != 0 {
            return;
        }
        let values = match values {
            Values::I8(v) => TraceValues::I8(v.to_vec()),
            Values::I16(v) => TraceValues::I16(v.to_vec()),
            Values::I64(v) => TraceValues::I64(v.to_vec()),
        };
        self.entries.push(TraceEntry {
            name: name.to_string(),
            shape: shape.to_vec(),
            values,
        });
    }
}

#[derive(Serialize)]
struct IndexEntry<'a> {
    name: &'a str,
    dtype: &'static str,
    shape: &'a [usize],
    min: i64,
    max: i64,
    /// Fraction of values equal to 0.
    zeros: f64,
    /// Fraction of values at the type's saturation limits (int8: -128/127, int16: -32768/32767).
    saturated: f64,
}

#[derive(Serialize)]
struct Index<'a> {
    layout: &'static str,
    tensors: Vec<IndexEntry<'a>>,
}

impl Trace {
    pub fn get(&self, name: &str) -> Option<&TraceEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// Writes `trace.safetensors` (every tensor, HWC layout) and `trace.json` (an index with
    /// shapes and value ranges) into `dir`, replacing it atomically.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let mut store = crate::model::tensors::TensorStore::default();
        let mut index = Vec::new();
        for e in &self.entries {
            let (dtype, lim) = match &e.values {
                TraceValues::I8(v) => {
                    store.insert(e.name.clone(), e.shape.clone(), v);
                    ("I8", Some((i8::MIN as i64, i8::MAX as i64)))
                }
                TraceValues::I16(v) => {
                    store.insert(e.name.clone(), e.shape.clone(), v);
                    ("I16", Some((i16::MIN as i64, i16::MAX as i64)))
                }
                TraceValues::I64(v) => {
                    store.insert(e.name.clone(), e.shape.clone(), v);
                    ("I64", None)
                }
            };
            let v = e.values.as_i64();
            let n = v.len().max(1) as f64;
            let saturated = lim.map_or(0, |(lo, hi)| {
                v.iter().filter(|&&x| x == lo || x == hi).count()
            });
            index.push(IndexEntry {
                name: &e.name,
                dtype,
                shape: &e.shape,
                min: v.iter().copied().min().unwrap_or(0),
                max: v.iter().copied().max().unwrap_or(0),
                zeros: v.iter().filter(|&&x| x == 0).count() as f64 / n,
                saturated: saturated as f64 / n,
            });
        }
        let json = serde_json::to_string_pretty(&Index {
            layout: "HWC (channel fastest)",
            tensors: index,
        })?;
        let bytes = store.to_safetensors();
        crate::output::write_dir_atomically(dir, "trace.json", |tmp| {
            std::fs::write(tmp.join("trace.safetensors"), &bytes)
                .context("writing trace.safetensors")?;
            std::fs::write(tmp.join("trace.json"), &json).context("writing trace.json")?;
            Ok(())
        })
    }
}
