//! The typed model: every layer's integer parameters, read from (and written to) the tensor
//! store by walking the [`NetLayout`]. Value rules of SPEC §1–3 are checked while reading.

use super::error::Problems;
use super::layout::{BlockLayout, BranchLayout, CoreLayout, NetLayout};
use super::manifest::Manifest;
use super::tensors::{dtype_name, Dim, Element, TensorStore};
use super::validate::MAX_SHIFT;

/// Requant parameters of one layer (SPEC §2): per output channel scale m and bias b, one shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requant {
    pub scale: Vec<i16>,
    pub bias: Vec<i32>,
    pub shift: u8,
}

impl Requant {
    /// Scale 1, bias 0, shift 0: passes the accumulator through (then clamps).
    pub fn identity(channels: usize) -> Requant {
        Requant {
            scale: vec![1; channels],
            bias: vec![0; channels],
            shift: 0,
        }
    }
}

/// A conv layer: weights in PyTorch layout [out][in/groups][kh][kw], plus its requant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conv {
    pub weight: Vec<i8>,
    pub requant: Requant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// Depthwise 3x3, [C][1][3][3].
    pub dw: Conv,
    /// Pointwise, [C][C][1][1].
    pub pw: Conv,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Regular(Branch),
    Downsample(Branch, Branch),
}

impl Block {
    pub fn branches(&self) -> Vec<&Branch> {
        match self {
            Block::Regular(b) => vec![b],
            Block::Downsample(a, b) => vec![a, b],
        }
    }

    pub fn branches_mut(&mut self) -> Vec<&mut Branch> {
        match self {
            Block::Regular(b) => vec![b],
            Block::Downsample(a, b) => vec![a, b],
        }
    }
}

/// Stem and stages of one core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Core {
    /// [C0][Cin][3][3]
    pub stem: Conv,
    pub stages: Vec<Vec<Block>>,
}

/// A trainable core's extra parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trainable {
    pub core: Core,
    /// alpha[k][c] in 0..=256 at boundary k = 0..=S.
    pub alpha: Vec<Vec<u16>>,
    /// Repeat-block banks (regular blocks at C_S), R_max of them.
    pub repeat: Vec<Block>,
    /// Passes n of the repeat block, 0..=R_max.
    pub repeat_n: u8,
}

/// Piecewise-linear activation (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pwl {
    pub x: Vec<i16>,
    pub y: Vec<i16>,
    pub g: Vec<i16>,
}

impl Pwl {
    pub fn identity() -> Pwl {
        Pwl {
            x: vec![i16::MIN],
            y: vec![i16::MIN],
            g: vec![256],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// [O][I/G][1][1]; requant is requant16.
    pub conv: Conv,
    pub pool: bool,
    pub pwl: Pwl,
}

/// A complete, validated model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub manifest: Manifest,
    pub layout: NetLayout,
    pub frozen: Core,
    pub trainable: Vec<Trainable>,
    /// Core shuffle per boundary 0..=S (empty unless there are two trainable cores).
    pub shuffle: Vec<bool>,
    pub heads: Vec<Head>,
}

/// Reads typed tensors by name; records a problem for each bad value.
struct Reader<'a> {
    store: &'a TensorStore,
    p: &'a mut Problems,
}

impl Reader<'_> {
    fn values<T: Element>(&mut self, name: &str) -> Vec<T> {
        match self.store.get(name).and_then(|t| t.values::<T>()) {
            Some(v) => v,
            None => {
                // Presence and dtype were checked against the spec list before reading.
                self.p
                    .tensor(name, format!("expected dtype {}", dtype_name(T::DTYPE)));
                Vec::new()
            }
        }
    }

    fn scalar_u8(&mut self, name: &str) -> u8 {
        self.values::<u8>(name).first().copied().unwrap_or(0)
    }

    fn flag(&mut self, name: &str) -> bool {
        let v = self.scalar_u8(name);
        if v > 1 {
            self.p.tensor(name, format!("expected 0 or 1, found {v}"));
        }
        v == 1
    }

    fn conv(&mut self, prefix: &str) -> Conv {
        let shift_name = format!("{prefix}.shift");
        let shift = self.scalar_u8(&shift_name);
        if shift > MAX_SHIFT {
            self.p.tensor(
                &shift_name,
                format!("expected a shift in 0..={MAX_SHIFT}, found {shift}"),
            );
        }
        Conv {
            weight: self.values(&format!("{prefix}.weight")),
            requant: Requant {
                scale: self.values(&format!("{prefix}.scale")),
                bias: self.values(&format!("{prefix}.bias")),
                shift,
            },
        }
    }

    fn branch(&mut self, br: &BranchLayout) -> Branch {
        Branch {
            dw: self.conv(&br.dw()),
            pw: self.conv(&br.pw()),
        }
    }

    fn block(&mut self, b: &BlockLayout) -> Block {
        match b {
            BlockLayout::Regular { branch, .. } => Block::Regular(self.branch(branch)),
            BlockLayout::Downsample { br1, br2, .. } => {
                Block::Downsample(self.branch(br1), self.branch(br2))
            }
        }
    }

    fn core(&mut self, c: &CoreLayout) -> Core {
        Core {
            stem: self.conv(&c.stem),
            stages: c
                .stages
                .iter()
                .map(|blocks| blocks.iter().map(|b| self.block(b)).collect())
                .collect(),
        }
    }

    fn pwl(&mut self, head: &str, k_max: usize) -> Pwl {
        let x: Vec<i16> = self.values(&format!("{head}.pwl.x"));
        let y = self.values(&format!("{head}.pwl.y"));
        let g = self.values(&format!("{head}.pwl.g"));
        let xn = format!("{head}.pwl.x");
        if x.len() != y.len() || x.len() != g.len() {
            self.p.tensor(
                &xn,
                format!(
                    "pwl.x, pwl.y and pwl.g must have the same length K, found {}, {} and {}",
                    x.len(),
                    y.len(),
                    g.len()
                ),
            );
        }
        if x.is_empty() || x.len() > k_max {
            self.p.tensor(
                &xn,
                format!(
                    "expected K in 1..={k_max} segments (K_max), found {}",
                    x.len()
                ),
            );
        }
        if let Some(&x0) = x.first() {
            if x0 != i16::MIN {
                self.p.tensor(
                    &xn,
                    format!("the first segment must start at x_0 = -32768, found {x0}"),
                );
            }
        }
        if let Some(i) = x.windows(2).position(|w| w[1] <= w[0]) {
            self.p.tensor(
                &xn,
                format!(
                    "segment starts must be strictly increasing, found x_{} = {} then x_{} = {}",
                    i,
                    x[i],
                    i + 1,
                    x[i + 1]
                ),
            );
        }
        Pwl { x, y, g }
    }
}

impl Model {
    /// Builds the typed model from a store whose tensor names, shapes and dtypes already match
    /// [`super::tensors::tensor_specs`]. Value problems go to `p`.
    pub fn from_store(
        manifest: &Manifest,
        layout: &NetLayout,
        store: &TensorStore,
        p: &mut Problems,
    ) -> Model {
        let mut r = Reader { store, p };
        let frozen = r.core(&layout.frozen);
        let trainable = layout
            .trainable
            .iter()
            .enumerate()
            .map(|(t, cl)| {
                let core = r.core(cl);
                let alpha = (0..=layout.stages())
                    .map(|k| {
                        let name = format!("train{t}.blend{k}.alpha");
                        let a: Vec<u16> = r.values(&name);
                        if let Some((c, v)) = a.iter().enumerate().find(|(_, &v)| v > 256) {
                            r.p.tensor(
                                &name,
                                format!("expected alpha in 0..=256, found {v} at channel {c}"),
                            );
                        }
                        a
                    })
                    .collect();
                let repeat: Vec<Block> = cl.repeat_banks.iter().map(|b| r.block(b)).collect();
                let repeat_n = if repeat.is_empty() {
                    0
                } else {
                    let name = format!("train{t}.rep.n");
                    let n = r.scalar_u8(&name);
                    if n as usize > repeat.len() {
                        r.p.tensor(
                            &name,
                            format!(
                                "expected passes n in 0..={} (R_max), found {n}",
                                repeat.len()
                            ),
                        );
                    }
                    n
                };
                Trainable {
                    core,
                    alpha,
                    repeat,
                    repeat_n,
                }
            })
            .collect();
        let shuffle = if layout.trainable.len() == 2 {
            (0..=layout.stages())
                .map(|k| r.flag(&format!("blend{k}.shuffle")))
                .collect()
        } else {
            Vec::new()
        };
        let heads = layout
            .heads
            .iter()
            .map(|h| Head {
                conv: r.conv(&h.name),
                pool: r.flag(&format!("{}.pool", h.name)),
                pwl: r.pwl(&h.name, manifest.generation.k_max),
            })
            .collect();
        Model {
            manifest: manifest.clone(),
            layout: layout.clone(),
            frozen,
            trainable,
            shuffle,
            heads,
        }
    }

    /// Writes every tensor into a store (the inverse of [`Model::from_store`]).
    pub fn to_store(&self) -> TensorStore {
        let mut s = TensorStore::default();
        let specs = super::tensors::tensor_specs(&self.layout);
        let mut w = Writer {
            s: &mut s,
            specs: &specs,
        };
        for (cl, core) in self
            .layout
            .cores()
            .zip(std::iter::once(&self.frozen).chain(self.trainable.iter().map(|t| &t.core)))
        {
            w.conv(&cl.stem, &core.stem);
            for (bl, b) in cl.stages.iter().flatten().zip(core.stages.iter().flatten()) {
                w.block(bl, b);
            }
        }
        for (t, (cl, tr)) in self
            .layout
            .trainable
            .iter()
            .zip(&self.trainable)
            .enumerate()
        {
            for (bl, b) in cl.repeat_banks.iter().zip(&tr.repeat) {
                w.block(bl, b);
            }
            for (k, a) in tr.alpha.iter().enumerate() {
                w.put(&format!("train{t}.blend{k}.alpha"), a);
            }
            if !tr.repeat.is_empty() {
                w.put(&format!("train{t}.rep.n"), &[tr.repeat_n]);
            }
        }
        for (k, &on) in self.shuffle.iter().enumerate() {
            w.put(&format!("blend{k}.shuffle"), &[on as u8]);
        }
        for (hl, h) in self.layout.heads.iter().zip(&self.heads) {
            w.conv(&hl.name, &h.conv);
            w.put(&format!("{}.pool", hl.name), &[h.pool as u8]);
            w.put(&format!("{}.pwl.x", hl.name), &h.pwl.x);
            w.put(&format!("{}.pwl.y", hl.name), &h.pwl.y);
            w.put(&format!("{}.pwl.g", hl.name), &h.pwl.g);
        }
        s
    }
}

/// Writes tensors with the shapes the spec list gives them.
struct Writer<'a> {
    s: &'a mut TensorStore,
    specs: &'a [super::tensors::TensorSpec],
}

impl Writer<'_> {
    fn put<T: Element>(&mut self, name: &str, values: &[T]) {
        let shape = self
            .specs
            .iter()
            .find(|s| s.name == name)
            .map(|s| {
                s.shape
                    .iter()
                    .map(|d| match d {
                        Dim::Fixed(n) => *n,
                        Dim::Segments => values.len(),
                    })
                    .collect()
            })
            .unwrap_or_else(|| vec![values.len()]);
        self.s.insert(name, shape, values);
    }

    fn conv(&mut self, prefix: &str, c: &Conv) {
        self.put(&format!("{prefix}.weight"), &c.weight);
        self.put(&format!("{prefix}.scale"), &c.requant.scale);
        self.put(&format!("{prefix}.bias"), &c.requant.bias);
        self.put(&format!("{prefix}.shift"), &[c.requant.shift]);
    }

    fn block(&mut self, bl: &BlockLayout, b: &Block) {
        for (brl, br) in bl.branches().into_iter().zip(b.branches()) {
            self.conv(&brl.dw(), &br.dw);
            self.conv(&brl.pw(), &br.pw);
        }
    }
}
