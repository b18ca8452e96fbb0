//! A stand-alone wrapper of one `sf_mac_engine` (askama template `rtl/engine_unit.v`): a
//! layer as an SRAM MAC engine on its own, for the cost benchmarks' synthesis.

use super::header::with_newline;
use super::OutFile;
use crate::passes::schedule::EngineSchedule;
use anyhow::Result;
use askama::Template;

#[derive(Template)]
#[template(path = "rtl/engine_unit.v", escape = "none")]
struct EngineUnitView<'a> {
    module: &'a str,
    e: &'a EngineSchedule,
    in_bits: usize,
    out_bits: usize,
    addr_bits: usize,
    offset: usize,
    si: usize,
    so: usize,
    go: usize,
    sg: isize,
    acc: usize,
    relu: u8,
}

/// The wrapper module `module` of engine `e` (file `<module>.v`).
pub fn render(e: &EngineSchedule, module: &str) -> Result<OutFile> {
    let (offset, si, so, go, sg) = e.index_params();
    let view = EngineUnitView {
        module,
        e,
        in_bits: 8 * e.in_n,
        out_bits: 8 * e.out_n,
        addr_bits: e.cfg_addr_bits(),
        offset,
        si,
        so,
        go,
        sg,
        acc: e.acc_bits(),
        relu: u8::from(e.relu),
    };
    Ok(OutFile {
        name: format!("{module}.v"),
        contents: with_newline(view.render()?),
    })
}
