//! Rendering the hardware plan: Verilog (askama templates and the adder-graph emitter), the
//! hand-written primitives, the filelist, the register-map documents, the cocotb testbench
//! (`tb/`) and manifest.json.
//! Output is deterministic: the same model and options give byte-identical files.

pub mod cocotb;
pub mod engine_unit;
pub mod folded;
pub mod fusesoc;
mod header;
pub mod heads;
pub mod manifest;
pub mod primitives;
pub mod regmap_docs;
pub mod regs;
pub mod report;
pub mod stages;
pub mod top;
mod top_outputs;
pub mod train;
mod train_top;
pub mod verilog;

use crate::passes::HwPlan;
use anyhow::{Context, Result};
use std::path::Path;

/// A generated file: name inside the output folder, and contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub name: String,
    pub contents: String,
}

/// Every output file of a plan, in filelist order (primitives, generated modules, top),
/// followed by the documents.
pub fn render(plan: &HwPlan) -> Result<Vec<OutFile>> {
    let mut files = verilog::render_all(plan)?;
    let filelist: String = files.iter().map(|f| format!("{}\n", f.name)).collect();
    let core = fusesoc::render(plan, &files);
    files.push(OutFile {
        name: format!("{}.f", plan.top()),
        contents: filelist,
    });
    files.push(core);
    files.extend(regmap_docs::render(plan)?);
    files.extend(cocotb::render(plan)?);
    let manifest = manifest::render(plan, &files)?;
    files.push(manifest);
    Ok(files)
}

/// Writes the files into `dir`, replacing it atomically.
pub fn write(files: &[OutFile], dir: &Path) -> Result<()> {
    crate::output::write_dir_atomically(dir, "manifest.json", |tmp| write_files(files, tmp))
}

/// Writes the files into an existing folder, creating subfolders (`tb/`) as needed.
pub fn write_files(files: &[OutFile], dir: &Path) -> Result<()> {
    for f in files {
        let path = dir.join(&f.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, &f.contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
