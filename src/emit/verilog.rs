//! Verilog of the plan, file by file in filelist order: the hand-written primitives
//! (`primitives`), the adder graphs and frozen stages (`stages`), the trainable stages
//! (`train`), the heads (`heads`), the register block (`regs`) and the top level (`top`).

use super::header::{with_newline, Header};
use super::OutFile;
use crate::passes::plan::{FrozenImpl, RequantHw};
use crate::passes::HwPlan;
use anyhow::Result;

/// Every Verilog file of the plan, in filelist order.
pub fn render_all(plan: &HwPlan) -> Result<Vec<OutFile>> {
    let header = Header::of(plan);
    let mut files = super::primitives::files(plan);
    let parallel = plan
        .stages
        .iter()
        .filter(|s| matches!(s.imp, FrozenImpl::Parallel(_)));
    for layer in parallel.flat_map(|s| s.layers()) {
        files.push(super::stages::graph_file(
            &header,
            &layer.module,
            &layer.graph,
            &format!("frozen weights of layer {}", layer.name),
        )?);
        if let RequantHw::Constant {
            module,
            graph,
            add,
            shift,
        } = &layer.requant
        {
            let scale_module = format!("{module}_scale");
            files.push(super::stages::graph_file(
                &header,
                &scale_module,
                graph,
                &format!("frozen requant scales of layer {}", layer.name),
            )?);
            files.push(super::stages::requant_const_file(
                &header,
                layer,
                module,
                &scale_module,
                graph,
                add,
                *shift,
            )?);
        }
    }
    for stage in &plan.stages {
        match &stage.imp {
            FrozenImpl::Parallel(p) => files.push(super::stages::stage_file(&header, stage, p)?),
            FrozenImpl::Folded(f) => files.extend(super::folded::render(&header, stage, f)?),
        }
    }
    for m in plan.train_modules() {
        files.push(OutFile {
            name: format!("{}.v", m.name),
            contents: with_newline(super::train::stage_module(&header.comment(), &m)?),
        });
    }
    for h in &plan.heads {
        files.push(OutFile {
            name: format!("{}.v", plan.head_module(h)),
            contents: with_newline(super::heads::head_module(&header.comment(), plan, h)?),
        });
    }
    files.push(super::regs::regs_file(&header, plan)?);
    files.push(super::top::top_file(&header, plan)?);
    Ok(files)
}
