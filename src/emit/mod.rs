//! Rendering the hardware plan: Verilog (askama templates and the adder-graph emitter), the
//! hand-written primitives, the filelist, the register-map documents and manifest.json.
//! Output is deterministic: the same model and options give byte-identical files.

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
use anyhow::Result;
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
    let manifest = manifest::render(plan, &files)?;
    files.push(manifest);
    Ok(files)
}

/// Writes the files into `dir`, replacing it atomically.
pub fn write(files: &[OutFile], dir: &Path) -> Result<()> {
    crate::output::write_dir_atomically(dir, "manifest.json", |tmp| {
        for f in files {
            std::fs::write(tmp.join(&f.name), &f.contents)?;
        }
        Ok(())
    })
}
