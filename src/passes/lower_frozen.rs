//! Lowers the frozen core: its streaming stages as lowering jobs read from the typed model
//! ([`stage_jobs`]), each conv layer as a constant matrix and adder graph (via `arith`) with
//! the exact value ranges of its inputs, and the frozen requant as wiring or as a constant
//! adder graph ([`lower_stages`], in parallel).

use super::frozen::{BranchHw, FrozenImpl, LayerHw, LayerInput, ParallelHw, RequantHw, StageHw};
use super::regmap::bus_name;
use crate::arith::{self, AdderGraph, ConstMatrix, Interval, LowerOptions};
use crate::model::layout::{BlockLayout, BranchLayout, Size};
use crate::model::manifest::FrozenBn;
use crate::model::params::{Block, Branch, Conv, Requant};
use crate::model::Model;
use anyhow::{Context, Result};
use rayon::prelude::*;

/// Int8 values after a ReLU (every block input and every PW output of the frozen core).
pub const RELU8: Interval = Interval::RELU8;
/// Int8 values without ReLU (network input, DW outputs).
pub const INT8: Interval = Interval::INT8;

/// Stem 3x3 conv as a matrix over the window: column t*Cin + ci is window tap t = 3i + j,
/// input channel ci. Weight layout [O][Cin][3][3].
pub fn stem_matrix(weight: &[i8], out: usize, cin: usize) -> Result<ConstMatrix> {
    let cols = 9 * cin;
    let mut data = vec![0i64; out * cols];
    for o in 0..out {
        for ci in 0..cin {
            for t in 0..9 {
                data[o * cols + t * cin + ci] = weight[(o * cin + ci) * 9 + t] as i64;
            }
        }
    }
    Ok(ConstMatrix::new(out, cols, data)?)
}

/// Depthwise 3x3 as a block-diagonal matrix: column 9c + t is tap t of channel c.
pub fn depthwise_matrix(weight: &[i8]) -> Result<ConstMatrix> {
    let c = weight.len() / 9;
    let mut data = vec![0i64; c * 9 * c];
    for ch in 0..c {
        for t in 0..9 {
            data[ch * 9 * c + ch * 9 + t] = weight[ch * 9 + t] as i64;
        }
    }
    Ok(ConstMatrix::new(c, 9 * c, data)?)
}

/// Pointwise conv [O][I][1][1] as an O x I matrix.
pub fn pointwise_matrix(weight: &[i8], out: usize) -> Result<ConstMatrix> {
    let cols = weight.len() / out.max(1);
    Ok(ConstMatrix::new(
        out,
        cols,
        weight.iter().map(|&w| w as i64).collect(),
    )?)
}

/// The frozen requant scales as a diagonal matrix (each accumulator times its m).
pub fn scale_matrix(scale: &[i16]) -> Result<ConstMatrix> {
    let c = scale.len();
    let mut data = vec![0i64; c * c];
    for (i, &m) in scale.iter().enumerate() {
        data[i * c + i] = m as i64;
    }
    Ok(ConstMatrix::new(c, c, data)?)
}

/// Lowers a matrix, naming the layer in any error.
pub fn lower(
    layer: &str,
    m: &ConstMatrix,
    ranges: &[Interval],
    opts: &LowerOptions,
) -> Result<AdderGraph> {
    arith::lower(m, ranges, opts).with_context(|| format!("lowering frozen layer `{layer}`"))
}

/// A layer to lower: everything but the adder graphs, which are built in parallel.
pub struct LayerJob<'a> {
    pub name: String,
    pub conv: &'a Conv,
    pub input: LayerInput,
    pub relu: bool,
    pub rows: usize,
}

/// A frozen stage before lowering: its shape and its layers, branch by branch.
pub struct StageJob<'a> {
    pub name: String,
    pub in_size: Size,
    pub in_channels: usize,
    pub stride: usize,
    pub passthrough: usize,
    pub shuffle: bool,
    /// 0 for the stem, k for the blocks of stage k.
    pub stage: usize,
    /// `Some(k)` when the stage's output is F_k.
    pub boundary: Option<usize>,
    pub branches: Vec<Vec<LayerJob<'a>>>,
}

impl<'a> StageJob<'a> {
    fn layers(&self) -> impl Iterator<Item = &LayerJob<'a>> {
        self.branches.iter().flatten()
    }
}

/// The frozen stages in stream order: the stem, then every block of every stage.
pub fn stage_jobs(model: &Model) -> Result<Vec<StageJob<'_>>> {
    let lay = &model.layout;
    let mut jobs = vec![StageJob {
        name: lay.frozen.stem.clone(),
        in_size: lay.input,
        in_channels: lay.in_channels,
        stride: 2,
        passthrough: 0,
        shuffle: false,
        stage: 0,
        boundary: Some(0),
        branches: vec![vec![LayerJob {
            name: lay.frozen.stem.clone(),
            conv: &model.frozen.stem,
            input: LayerInput::Stem {
                cin: lay.in_channels,
            },
            relu: true,
            rows: lay.frozen.stem_out,
        }]],
    }];
    let stages = lay.frozen.stages.iter().zip(&model.frozen.stages);
    for (k, (blocks_l, blocks)) in stages.enumerate() {
        for (j, (bl, b)) in blocks_l.iter().zip(blocks).enumerate() {
            let last = j + 1 == blocks.len();
            let mut job = block_job(bl, b, lay.boundary_sizes[k])?;
            job.stage = k + 1;
            job.boundary = last.then_some(k + 1);
            jobs.push(job);
        }
    }
    Ok(jobs)
}

/// A block's stage job (stage and boundary filled in by the caller).
fn block_job<'a>(bl: &BlockLayout, b: &'a Block, in_size: Size) -> Result<StageJob<'a>> {
    let job = |name: &str, in_size, in_channels, stride, passthrough, branches| StageJob {
        name: name.to_string(),
        in_size,
        in_channels,
        stride,
        passthrough,
        shuffle: true,
        stage: 0,
        boundary: None,
        branches,
    };
    Ok(match (bl, b) {
        (
            BlockLayout::Regular {
                name,
                channels,
                branch,
            },
            Block::Regular(br),
        ) => job(
            name,
            branch.in_size,
            *channels,
            1,
            channels / 2,
            vec![branch_jobs(branch, br, channels / 2)],
        ),
        (
            BlockLayout::Downsample {
                name,
                in_channels,
                br1,
                br2,
            },
            Block::Downsample(b1, b2),
        ) => job(
            name,
            in_size,
            *in_channels,
            2,
            0,
            vec![branch_jobs(br1, b1, 0), branch_jobs(br2, b2, 0)],
        ),
        _ => anyhow::bail!("block {} does not match its layout", bl.name()),
    })
}

/// A branch's two layers: DW over window channels from..from+C, then PW.
fn branch_jobs<'a>(bl: &BranchLayout, b: &'a Branch, from: usize) -> Vec<LayerJob<'a>> {
    vec![
        LayerJob {
            name: bl.dw(),
            conv: &b.dw,
            input: LayerInput::Depthwise { from },
            relu: false,
            rows: bl.channels,
        },
        LayerJob {
            name: bl.pw(),
            conv: &b.pw,
            input: LayerInput::Previous,
            relu: true,
            rows: bl.channels,
        },
    ]
}

/// Every layer's requant parameters in stream order (the programmable requant registers).
pub fn requants<'a>(jobs: &'a [StageJob<'a>]) -> Vec<(&'a str, &'a Requant)> {
    jobs.iter()
        .flat_map(|s| s.layers())
        .map(|j| (j.name.as_str(), &j.conv.requant))
        .collect()
}

/// Lowers every layer (the big ones dominate, so in parallel) and assembles the stages.
pub fn lower_stages(
    prefix: &str,
    input: Size,
    jobs: &[StageJob],
    frozen_bn: FrozenBn,
    opts: &LowerOptions,
) -> Result<Vec<StageHw>> {
    let layers: Vec<&LayerJob> = jobs.iter().flat_map(|s| s.layers()).collect();
    let lowered: Vec<Result<LayerHw>> = layers
        .par_iter()
        .map(|j| lower_layer(prefix, j, frozen_bn, opts))
        .collect();
    let mut lowered = lowered.into_iter();
    let mut stages = Vec::new();
    for job in jobs {
        let mut branches = Vec::new();
        for br in &job.branches {
            let layers = br
                .iter()
                .map(|_| lowered.next().expect("one lowered layer per job"))
                .collect::<Result<Vec<_>>>()?;
            branches.push(BranchHw { layers });
        }
        stages.push(StageHw {
            module: format!("{prefix}_{}", bus_name(&job.name)),
            name: job.name.clone(),
            in_size: job.in_size,
            in_channels: job.in_channels,
            stride: job.stride,
            passthrough: job.passthrough,
            branches,
            shuffle: job.shuffle,
            stage: job.stage,
            boundary: job.boundary,
            clocks_per_pixel: input.pixels() / job.in_size.strided(job.stride).pixels(),
            // set by the frozen_impl pass
            imp: FrozenImpl::Parallel(ParallelHw {
                period: 1,
                units: Vec::new(),
                latency: 0,
                depth: 1,
                window_wr_reg: false,
            }),
            candidates: Vec::new(),
        });
    }
    Ok(stages)
}

fn lower_layer(
    prefix: &str,
    job: &LayerJob,
    frozen_bn: FrozenBn,
    opts: &LowerOptions,
) -> Result<LayerHw> {
    let w = &job.conv.weight;
    let (matrix, ranges) = match job.input {
        LayerInput::Stem { cin } => (stem_matrix(w, job.rows, cin)?, vec![INT8; 9 * cin]),
        LayerInput::Depthwise { .. } => (depthwise_matrix(w)?, vec![RELU8; w.len()]),
        LayerInput::Previous => (
            pointwise_matrix(w, job.rows)?,
            vec![INT8; w.len() / job.rows],
        ),
    };
    let t = std::time::Instant::now();
    let graph = lower(&job.name, &matrix, &ranges, opts)?;
    let lowering_ms = t.elapsed().as_secs_f64() * 1e3;
    let requant = match frozen_bn {
        FrozenBn::Trainable => RequantHw::Programmable {
            shift_bus: bus_name(&format!("{}.shift", job.name)),
        },
        FrozenBn::Frozen => constant_requant(prefix, job, &graph, opts)?,
    };
    Ok(LayerHw {
        name: job.name.clone(),
        module: format!("{prefix}_{}_weights", bus_name(&job.name)),
        graph,
        input: job.input,
        relu: job.relu,
        requant,
        lowering_ms,
    })
}

/// `frozen_bn = "frozen"`: m as an adder graph over the accumulators, then + (b + rnd) and
/// the shift as wiring.
fn constant_requant(
    prefix: &str,
    job: &LayerJob,
    graph: &AdderGraph,
    opts: &LowerOptions,
) -> Result<RequantHw> {
    let rq = &job.conv.requant;
    let acc: Vec<Interval> = graph.outputs().iter().map(|o| o.interval).collect();
    let scale = scale_matrix(&rq.scale)?;
    let g = lower(&format!("{}.scale", job.name), &scale, &acc, opts)?;
    let rnd: i64 = if rq.shift == 0 {
        0
    } else {
        1 << (rq.shift - 1)
    };
    Ok(RequantHw::Constant {
        module: format!("{prefix}_{}_rq", bus_name(&job.name)),
        graph: g,
        add: rq.bias.iter().map(|&b| b as i64 + rnd).collect(),
        shift: rq.shift,
    })
}
