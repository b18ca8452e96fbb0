//! The network's shape, derived from the manifest: every layer with its tensor-name prefix,
//! channel counts and feature-map sizes. The tensor list of SPEC §3, the typed model and the
//! golden model all walk this one description, so names and shapes cannot drift apart.

use super::manifest::{HeadSource, Manifest};

/// Which core a layer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CoreId {
    Frozen,
    Train(usize),
}

impl CoreId {
    pub fn name(self) -> String {
        match self {
            CoreId::Frozen => "frozen".to_string(),
            CoreId::Train(t) => format!("train{t}"),
        }
    }
}

/// Height x width of a feature map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub h: usize,
    pub w: usize,
}

impl Size {
    /// Output size of a 3x3 conv with padding 1: ceil(H/s) x ceil(W/s).
    pub fn strided(self, stride: usize) -> Size {
        Size {
            h: self.h.div_ceil(stride),
            w: self.w.div_ceil(stride),
        }
    }
    pub fn pixels(self) -> usize {
        self.h * self.w
    }
}

/// A depthwise 3x3 conv followed by a pointwise conv: one branch of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchLayout {
    /// Tensor-name prefix, e.g. `frozen.s1.b0.br1` or `train0.s3.b1`.
    pub prefix: String,
    /// Channels through the branch (DW keeps them, PW is C -> C).
    pub channels: usize,
    pub stride: usize,
    pub in_size: Size,
}

impl BranchLayout {
    pub fn dw(&self) -> String {
        format!("{}.dw", self.prefix)
    }
    pub fn pw(&self) -> String {
        format!("{}.pw", self.prefix)
    }
    pub fn out_size(&self) -> Size {
        self.in_size.strided(self.stride)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockLayout {
    /// C channels; the branch works on the upper half (C/2 channels).
    Regular {
        name: String,
        channels: usize,
        branch: BranchLayout,
    },
    /// C -> 2C, two stride-2 branches of C channels each.
    Downsample {
        name: String,
        in_channels: usize,
        br1: BranchLayout,
        br2: BranchLayout,
    },
}

impl BlockLayout {
    pub fn name(&self) -> &str {
        match self {
            BlockLayout::Regular { name, .. } | BlockLayout::Downsample { name, .. } => name,
        }
    }
    pub fn branches(&self) -> Vec<&BranchLayout> {
        match self {
            BlockLayout::Regular { branch, .. } => vec![branch],
            BlockLayout::Downsample { br1, br2, .. } => vec![br1, br2],
        }
    }
    pub fn out_channels(&self) -> usize {
        match self {
            BlockLayout::Regular { channels, .. } => *channels,
            BlockLayout::Downsample { in_channels, .. } => 2 * in_channels,
        }
    }

    fn regular(name: String, channels: usize, size: Size) -> BlockLayout {
        let branch = BranchLayout {
            prefix: name.clone(),
            channels: channels / 2,
            stride: 1,
            in_size: size,
        };
        BlockLayout::Regular {
            name,
            channels,
            branch,
        }
    }
}

/// One core: stem and the blocks of every stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreLayout {
    pub core: CoreId,
    /// `{core}.stem`
    pub stem: String,
    pub stem_in: usize,
    pub stem_out: usize,
    /// stages[k-1] holds the blocks of stage k.
    pub stages: Vec<Vec<BlockLayout>>,
    /// Banks of the repeat block (trainable cores only; empty when R_max = 0).
    pub repeat_banks: Vec<BlockLayout>,
}

/// One head, with the input width its source gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadLayout {
    /// `head{h}`
    pub name: String,
    pub source: HeadSource,
    pub in_channels: usize,
    pub outputs: usize,
    pub groups: usize,
}

impl HeadLayout {
    /// Weights per output: I / G.
    pub fn group_inputs(&self) -> usize {
        self.in_channels / self.groups
    }
    pub fn group_outputs(&self) -> usize {
        self.outputs / self.groups
    }
}

/// The whole network's shape. Build it only from a manifest that passed
/// [`super::validate::check_manifest`]; it does no checking of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetLayout {
    pub input: Size,
    pub in_channels: usize,
    /// Feature-map size after the stem (boundary 0) and after each stage (boundaries 1..=S).
    pub boundary_sizes: Vec<Size>,
    /// Channels at each boundary: C_0..C_S.
    pub boundary_channels: Vec<usize>,
    pub frozen: CoreLayout,
    pub trainable: Vec<CoreLayout>,
    pub heads: Vec<HeadLayout>,
}

impl NetLayout {
    pub fn new(m: &Manifest) -> NetLayout {
        let input = Size {
            h: m.input.height,
            w: m.input.width,
        };
        let mut boundary_sizes = vec![input.strided(2)];
        let mut boundary_channels = vec![m.topology.stem_channels];
        for st in &m.topology.stages {
            boundary_sizes.push(boundary_sizes.last().unwrap().strided(st.stride));
            boundary_channels.push(st.channels);
        }
        let frozen = core_layout(m, CoreId::Frozen, &boundary_sizes);
        let trainable = (0..m.topology.trainable_cores)
            .map(|t| core_layout(m, CoreId::Train(t), &boundary_sizes))
            .collect();
        let c_s = *boundary_channels.last().unwrap();
        let heads = m
            .heads
            .iter()
            .enumerate()
            .map(|(h, spec)| HeadLayout {
                name: format!("head{h}"),
                source: spec.source,
                in_channels: if spec.source == HeadSource::Train01 {
                    2 * c_s
                } else {
                    c_s
                },
                outputs: spec.outputs,
                groups: spec.groups,
            })
            .collect();
        NetLayout {
            input,
            in_channels: m.input.channels,
            boundary_sizes,
            boundary_channels,
            frozen,
            trainable,
            heads,
        }
    }

    /// Number of stages, S.
    pub fn stages(&self) -> usize {
        self.boundary_channels.len() - 1
    }

    pub fn output_size(&self) -> Size {
        *self.boundary_sizes.last().unwrap()
    }

    pub fn cores(&self) -> impl Iterator<Item = &CoreLayout> {
        std::iter::once(&self.frozen).chain(self.trainable.iter())
    }
}

fn core_layout(m: &Manifest, core: CoreId, boundary_sizes: &[Size]) -> CoreLayout {
    let c = core.name();
    let mut stages = Vec::new();
    let mut prev_channels = m.topology.stem_channels;
    for (i, st) in m.topology.stages.iter().enumerate() {
        let k = i + 1;
        let in_size = boundary_sizes[i];
        let out_size = boundary_sizes[k];
        let mut blocks = Vec::new();
        let first = format!("{c}.s{k}.b0");
        if st.stride == 2 {
            let branch = |b: usize| BranchLayout {
                prefix: format!("{first}.br{b}"),
                channels: prev_channels,
                stride: 2,
                in_size,
            };
            blocks.push(BlockLayout::Downsample {
                br1: branch(1),
                br2: branch(2),
                name: first,
                in_channels: prev_channels,
            });
        } else {
            blocks.push(BlockLayout::regular(first, st.channels, in_size));
        }
        let extra = match core {
            CoreId::Frozen => st.frozen_repeats,
            CoreId::Train(_) => st.trainable_repeats,
        };
        for j in 1..=extra {
            blocks.push(BlockLayout::regular(
                format!("{c}.s{k}.b{j}"),
                st.channels,
                out_size,
            ));
        }
        stages.push(blocks);
        prev_channels = st.channels;
    }
    let repeat_banks = match core {
        CoreId::Frozen => Vec::new(),
        CoreId::Train(_) => (0..m.topology.repeat_banks)
            .map(|r| {
                BlockLayout::regular(
                    format!("{c}.rep.r{r}"),
                    prev_channels,
                    *boundary_sizes.last().unwrap(),
                )
            })
            .collect(),
    };
    CoreLayout {
        core,
        stem: format!("{c}.stem"),
        stem_in: m.input.channels,
        stem_out: m.topology.stem_channels,
        stages,
        repeat_banks,
    }
}
