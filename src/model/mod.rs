//! The model file: a TOML manifest plus a safetensors tensor file (docs/model-format.md).
//! Loading checks everything and reports every problem at once; nothing is half-loaded.

pub mod error;
pub mod layout;
pub mod manifest;
pub mod params;
pub mod presets;
pub mod summary;
pub mod tensors;
pub mod validate;

pub use error::{ModelError, Problem};
pub use layout::{CoreId, NetLayout};
pub use manifest::Manifest;
pub use params::Model;

use error::Problems;
use std::path::{Path, PathBuf};
use tensors::{dtype_name, Dim, TensorFileError, TensorStore};

/// File name of the manifest inside a model folder.
pub const MANIFEST_FILE: &str = "model.toml";
/// File name `init` gives the tensor file.
pub const TENSOR_FILE: &str = "model.safetensors";

/// The manifest path for a model argument: a `.toml` file, or a folder holding `model.toml`.
pub fn manifest_path(arg: &Path) -> PathBuf {
    if arg.is_dir() {
        arg.join(MANIFEST_FILE)
    } else {
        arg.to_path_buf()
    }
}

/// Parses and checks a manifest's text (`file` names it in messages).
pub fn parse_manifest(text: &str, file: &Path) -> Result<Manifest, ModelError> {
    let mut p = Problems::new(file);
    match toml::from_str::<Manifest>(text) {
        Ok(m) => {
            validate::check_manifest(&m, &mut p);
            p.into_result().map(|_| m)
        }
        Err(e) => {
            p.file(format!("invalid manifest: {}", e.to_string().trim_end()));
            Err(ModelError { problems: p.list })
        }
    }
}

/// Loads a model from a manifest file or a folder holding `model.toml`.
pub fn load(arg: &Path) -> Result<Model, ModelError> {
    let manifest_file = manifest_path(arg);
    let text = std::fs::read_to_string(&manifest_file).map_err(|e| {
        let mut p = Problems::new(&manifest_file);
        p.file(format!("cannot read the manifest: {e}"));
        ModelError { problems: p.list }
    })?;
    let manifest = parse_manifest(&text, &manifest_file)?;
    let tensor_file = manifest_file
        .parent()
        .unwrap_or(Path::new("."))
        .join(&manifest.tensors);
    let bytes = std::fs::read(&tensor_file).map_err(|e| {
        let mut p = Problems::new(&manifest_file);
        p.field(
            "tensors",
            format!("cannot read the tensor file {}: {e}", tensor_file.display()),
        );
        ModelError { problems: p.list }
    })?;
    from_parts(manifest, &bytes, &tensor_file)
}

/// Builds a model from a checked manifest and the tensor file's bytes.
pub fn from_parts(
    manifest: Manifest,
    tensor_bytes: &[u8],
    tensor_file: &Path,
) -> Result<Model, ModelError> {
    let store = TensorStore::from_safetensors(tensor_bytes).map_err(|e| {
        let mut p = Problems::new(tensor_file);
        match e {
            TensorFileError::Invalid(message) => p.file(message),
            TensorFileError::Repeated(names) => {
                for name in names {
                    p.tensor(name, "named more than once in the safetensors header; each tensor must appear exactly once");
                }
            }
        }
        ModelError { problems: p.list }
    })?;
    from_store(manifest, &store, tensor_file)
}

/// Builds a model from a checked manifest and a tensor store.
pub fn from_store(
    manifest: Manifest,
    store: &TensorStore,
    tensor_file: &Path,
) -> Result<Model, ModelError> {
    let mut p = Problems::new(tensor_file);
    let layout = NetLayout::new(&manifest);
    check_tensor_list(&layout, store, &mut p);
    if !p.is_empty() {
        return Err(ModelError { problems: p.list });
    }
    let model = Model::from_store(&manifest, &layout, store, &mut p);
    p.into_result().map(|_| model)
}

/// Missing, extra, misnamed, wrongly shaped or typed tensors.
fn check_tensor_list(layout: &NetLayout, store: &TensorStore, p: &mut Problems) {
    let specs = tensors::tensor_specs(layout);
    let expected: std::collections::BTreeSet<&str> =
        specs.iter().map(|s| s.name.as_str()).collect();
    for spec in &specs {
        let Some(t) = store.get(&spec.name) else {
            p.tensor(&spec.name, "missing from the tensor file");
            continue;
        };
        if t.dtype != spec.dtype {
            p.tensor(
                &spec.name,
                format!(
                    "expected dtype {}, found {}",
                    dtype_name(spec.dtype),
                    dtype_name(t.dtype)
                ),
            );
        }
        let shape_ok = t.shape.len() == spec.shape.len()
            && spec.shape.iter().zip(&t.shape).all(|(d, &n)| match d {
                Dim::Fixed(f) => *f == n,
                Dim::Segments => n >= 1,
            });
        if !shape_ok {
            let want: Vec<String> = spec
                .shape
                .iter()
                .map(|d| match d {
                    Dim::Fixed(n) => n.to_string(),
                    Dim::Segments => "K".to_string(),
                })
                .collect();
            p.tensor(
                &spec.name,
                format!("expected shape [{}], found {:?}", want.join(", "), t.shape),
            );
        }
    }
    let missing: Vec<&str> = specs
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| store.get(n).is_none())
        .collect();
    for name in store.tensors.keys() {
        if !expected.contains(name.as_str()) {
            let hint = closest(name, &missing)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            p.tensor(name, format!("not part of this topology{hint}"));
        }
    }
}

/// The missing tensor name closest to a misnamed one, if it is close enough to be a typo.
fn closest<'a>(name: &str, missing: &[&'a str]) -> Option<&'a str> {
    missing
        .iter()
        .map(|m| (strsim::levenshtein(name, m), *m))
        .filter(|(d, _)| *d <= 3.max(name.len() / 5))
        .min()
        .map(|(_, m)| m)
}

/// Writes `model.toml` and `model.safetensors` into `dir`, replacing it atomically.
pub fn save(model: &Model, dir: &Path) -> anyhow::Result<()> {
    let mut manifest = model.manifest.clone();
    manifest.tensors = TENSOR_FILE.to_string();
    let text = manifest_text(&manifest)?;
    let bytes = model.to_store().to_safetensors();
    crate::output::write_dir_atomically(dir, MANIFEST_FILE, |tmp| {
        std::fs::write(tmp.join(MANIFEST_FILE), &text)?;
        std::fs::write(tmp.join(TENSOR_FILE), &bytes)?;
        Ok(())
    })
}

/// The manifest as TOML, with a short header.
pub fn manifest_text(m: &Manifest) -> anyhow::Result<String> {
    let body = toml::to_string_pretty(m)?;
    Ok(format!(
        "# SemifreddoNet model manifest (format: docs/model-format.md)\n{body}"
    ))
}
