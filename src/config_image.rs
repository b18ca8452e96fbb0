//! Configuration images: the ordered register (and, later, weight-SRAM) accesses that program
//! a generated design with a model's parameters. An image is only built for RTL whose frozen
//! weights and topology match the model (SHA-256 check), so silicon is never silently
//! programmed with weights meant for another design.
//!
//! Text format (docs/config.md), one access per line, hexadecimal byte addresses and data:
//! `R <addr> <value>` reads and checks, `W <addr> <value>` writes; `#` starts a comment. The
//! Verilator harness executes the same format.

use crate::model::Model;
use crate::passes::hash::frozen_of;
use crate::passes::regmap::{RegArray, RegMap, TableWord, Target, MAGIC};
use crate::passes::schedule::{self, EngineSchedule};
use anyhow::{bail, Context, Result};
use std::fmt::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read `addr` and check it holds `value`.
    Check {
        addr: u32,
        value: u32,
    },
    Write {
        addr: u32,
        value: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigImage {
    pub model: String,
    pub top: String,
    pub frozen_hash: String,
    pub accesses: Vec<Access>,
}

/// What `config` needs from a generated RTL folder.
#[derive(serde::Deserialize)]
struct RtlManifest {
    top: String,
    frozen_sha256: String,
}

/// Reads `manifest.json` and `regmap.json` of a generated folder.
pub fn read_rtl(dir: &Path) -> Result<(String, String, RegMap)> {
    let read = |name: &str| {
        let p = dir.join(name);
        std::fs::read_to_string(&p).with_context(|| {
            format!(
                "cannot read {} (is {} a `semifreddo generate` folder?)",
                p.display(),
                dir.display()
            )
        })
    };
    let m: RtlManifest = serde_json::from_str(&read("manifest.json")?).with_context(|| {
        format!(
            "{}: not a semifreddo manifest",
            dir.join("manifest.json").display()
        )
    })?;
    let map: RegMap = serde_json::from_str(&read("regmap.json")?).with_context(|| {
        format!(
            "{}: not a semifreddo register map",
            dir.join("regmap.json").display()
        )
    })?;
    Ok((m.top, m.frozen_sha256, map))
}

/// The image that programs `model` into RTL with register map `map` and frozen hash `rtl_hash`.
pub fn build(model: &Model, top: &str, rtl_hash: &str, map: &RegMap) -> Result<ConfigImage> {
    let store = model.to_store();
    let hash = frozen_of(model, &store);
    if hash != rtl_hash {
        bail!(
            "model \"{}\" does not match the RTL of {top}: frozen weights and topology have SHA-256 {hash}, \
             the RTL was generated for {rtl_hash}; regenerate the RTL or use a model with the same frozen weights",
            model.manifest.name
        );
    }
    let mut accesses = vec![
        Access::Check {
            addr: 0x00,
            value: MAGIC,
        },
        Access::Check {
            addr: 0x04,
            value: u32::from_str_radix(&rtl_hash[..8], 16).unwrap_or(0),
        },
    ];
    let engines: Vec<EngineSchedule> = schedule::schedule(&model.layout)
        .into_iter()
        .flat_map(|c| c.engines().cloned().collect::<Vec<_>>())
        .chain(
            crate::passes::heads::schedule(model)
                .into_iter()
                .map(|h| h.engine),
        )
        .collect();
    for a in &map.arrays {
        if let Target::Window { tensor, .. } = &a.target {
            accesses.extend(window_writes(a, tensor, &engines, &store)?);
            continue;
        }
        if let Target::Table { words, .. } = &a.target {
            accesses.extend(table_writes(a, words, &store)?);
            continue;
        }
        let Target::Param { tensor, .. } = &a.target else {
            continue;
        };
        let values = param_values(&store, tensor).with_context(|| {
            format!(
                "the RTL's register {} holds tensor `{tensor}`, which the model lacks",
                a.name
            )
        })?;
        // PWL segment arrays hold K_max entries; the model gives its K first.
        let shorter_ok = PWL_FIELDS.iter().any(|f| tensor.ends_with(f)) && values.len() <= a.count;
        if values.len() != a.count && !shorter_ok {
            bail!(
                "tensor `{tensor}` has {} values, register array {} has {}",
                values.len(),
                a.name,
                a.count
            );
        }
        // Signed registers read back sign-extended: write the 32-bit two's complement.
        let mask: u64 = if a.bits >= 32 || a.signed {
            u32::MAX as u64
        } else {
            (1u64 << a.bits) - 1
        };
        for (i, v) in values.iter().enumerate() {
            accesses.push(Access::Write {
                addr: a.offset + 4 * i as u32,
                value: ((*v as u64) & mask) as u32,
            });
        }
    }
    Ok(ConfigImage {
        model: model.manifest.name.clone(),
        top: top.to_string(),
        frozen_hash: hash,
        accesses,
    })
}

const PWL_FIELDS: [&str; 3] = [".pwl.x", ".pwl.y", ".pwl.g"];

/// The values of a parameter register's tensor; `head{h}.pwl.k` (segments in use) is the
/// length of `head{h}.pwl.x`.
fn param_values(store: &crate::model::tensors::TensorStore, tensor: &str) -> Option<Vec<i64>> {
    if let Some(head) = tensor.strip_suffix(".pwl.k") {
        let x = store.get(&format!("{head}.pwl.x"))?;
        return Some(vec![x.values_i64().len() as i64]);
    }
    Some(store.get(tensor)?.values_i64())
}

/// The writes that load one engine's weight SRAM through its window (the layout comes from
/// `EngineSchedule::config_image`, the single weight-to-word mapping).
fn window_writes(
    a: &RegArray,
    tensor: &str,
    engines: &[EngineSchedule],
    store: &crate::model::tensors::TensorStore,
) -> Result<Vec<Access>> {
    let layer = tensor.strip_suffix(".weight").unwrap_or(tensor);
    let e = engines.iter().find(|e| e.layer == layer).with_context(|| {
        format!(
            "register window {} holds `{tensor}`, not a trainable layer of the model",
            a.name
        )
    })?;
    let t = store.get(tensor).with_context(|| {
        format!(
            "the RTL's window {} holds tensor `{tensor}`, which the model lacks",
            a.name
        )
    })?;
    let w: Vec<i8> = t.values_i64().iter().map(|&v| v as i8).collect();
    let words = e.config_image(&w);
    if words.len() != a.count {
        bail!(
            "window {} has {} words, the model's layer {layer} needs {}",
            a.name,
            a.count,
            words.len()
        );
    }
    Ok(words
        .iter()
        .enumerate()
        .map(|(i, &value)| Access::Write {
            addr: a.offset + 4 * i as u32,
            value,
        })
        .collect())
}

/// The writes that load a parameter table: each used word gets its tensor element as a
/// 32-bit two's complement (scales read back sign-extended).
fn table_writes(
    a: &RegArray,
    words: &[Option<TableWord>],
    store: &crate::model::tensors::TensorStore,
) -> Result<Vec<Access>> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(w) = w else { continue };
        let t = store.get(&w.tensor).with_context(|| {
            format!(
                "the RTL's window {} holds tensor `{}`, which the model lacks",
                a.name, w.tensor
            )
        })?;
        let v = t.values_i64();
        let value = *v.get(w.index).with_context(|| {
            format!(
                "window {} word {i} holds element {} of tensor `{}`, which has {} elements",
                a.name,
                w.index,
                w.tensor,
                v.len()
            )
        })?;
        out.push(Access::Write {
            addr: a.offset + 4 * i as u32,
            value: value as u32,
        });
    }
    Ok(out)
}

impl ConfigImage {
    /// The documented text format.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# semifreddo {} configuration image",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(
            s,
            "# model \"{}\" for {} (frozen weights sha256 {})",
            self.model, self.top, self.frozen_hash
        );
        let _ = writeln!(
            s,
            "# R <addr> <value>: read and check; W <addr> <value>: write (hex byte addresses)"
        );
        for a in &self.accesses {
            let _ = match a {
                Access::Check { addr, value } => writeln!(s, "R {addr:#06x} {value:#010x}"),
                Access::Write { addr, value } => writeln!(s, "W {addr:#06x} {value:#010x}"),
            };
        }
        s
    }

    /// A C array for firmware: {op, addr, value} with op 0 = check, 1 = write.
    pub fn c_array(&self, name: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "/* semifreddo configuration image: model \"{}\" for {}. */",
            self.model, self.top
        );
        let _ = writeln!(
            s,
            "/* op 0: read addr and check it equals value; op 1: write value to addr. */"
        );
        let _ = writeln!(s, "#include <stdint.h>\n");
        let _ = writeln!(s, "static const uint32_t {name}[][3] = {{");
        for a in &self.accesses {
            let (op, addr, value) = match a {
                Access::Check { addr, value } => (0, addr, value),
                Access::Write { addr, value } => (1, addr, value),
            };
            let _ = writeln!(s, "    {{{op}u, {addr:#06x}u, {value:#010x}u}},");
        }
        let _ = writeln!(
            s,
            "}};\nstatic const unsigned {name}_len = {};",
            self.accesses.len()
        );
        s
    }

    /// Read-back checks of every written value (what a verification run appends).
    pub fn readback(&self) -> String {
        let mut s = String::new();
        for a in &self.accesses {
            if let Access::Write { addr, value } = a {
                let _ = writeln!(s, "R {addr:#06x} {value:#010x}");
            }
        }
        s
    }
}
