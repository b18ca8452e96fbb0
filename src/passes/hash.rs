//! Content hashes of a model: the whole model (manifest and tensor file) and what is baked
//! into the silicon (the frozen hash a configuration image must match). [`hashes`]
//! serializes the model to the tensor store once for both.

use crate::model::manifest::FrozenBn;
use crate::model::tensors::TensorStore;
use crate::model::Model;
use sha2::{Digest, Sha256};

/// SHA-256 hashes of a model, hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashes {
    /// The whole model: manifest text and tensor file.
    pub model: String,
    /// What the RTL hard-wires (see [`frozen_hash`]).
    pub frozen: String,
}

/// Both hashes of a model.
pub fn hashes(model: &Model) -> Hashes {
    let store = model.to_store();
    Hashes {
        model: model_of(model, &store),
        frozen: frozen_of(model, &store),
    }
}

/// SHA-256 of what is baked into the silicon: topology, head shapes, K_max and pooling
/// flags, frozen conv weights and, with `frozen_bn = "frozen"`, the frozen requant
/// parameters. A config image is only accepted by RTL with the same hash.
pub fn frozen_hash(model: &Model) -> String {
    frozen_of(model, &model.to_store())
}

/// [`frozen_hash`] of `model` whose tensor store (`model.to_store()`) the caller already has.
pub fn frozen_of(model: &Model, store: &TensorStore) -> String {
    let mut h = Sha256::new();
    let m = &model.manifest;
    h.update(
        format!(
            "{:?}|{:?}|{:?}|{:?}|{}|{:?}",
            m.input,
            m.topology,
            m.heads,
            m.generation.frozen_bn,
            m.generation.k_max,
            model.heads.iter().map(|h| h.pool).collect::<Vec<_>>()
        )
        .as_bytes(),
    );
    for (name, t) in &store.tensors {
        let frozen_conv = name.starts_with("frozen.") && name.ends_with(".weight");
        let frozen_bn = name.starts_with("frozen.") && m.generation.frozen_bn == FrozenBn::Frozen;
        if frozen_conv || frozen_bn {
            h.update(name.as_bytes());
            h.update(&t.bytes);
        }
    }
    hex(&h.finalize())
}

fn model_of(model: &Model, store: &TensorStore) -> String {
    let mut h = Sha256::new();
    h.update(
        crate::model::manifest_text(&model.manifest)
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update(store.to_safetensors());
    hex(&h.finalize())
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
