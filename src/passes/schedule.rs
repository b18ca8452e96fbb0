//! The `schedule` pass: every trainable conv layer (stem, depthwise, pointwise) becomes one
//! `sf_mac_engine` folded over time. A layer sees one output pixel every
//! `T = (H*W) / (h_out*w_out)` clocks (4 for the stem, 4^k after k stride-2 layers), so it
//! needs only `P` lanes of `Q` products with `G*S <= T` clocks per vector, where
//! `G = ceil(O/P)` groups and `S = ceil(L/Q)` steps (docs/primitives.md, `sf_mac_engine`).
//!
//! Why `G*S <= T` keeps the input at one pixel per clock: `sf_window3x3` sweeps an output
//! row one window per engine acceptance, so a row of `w_out` windows takes `w_out*G*S`
//! clocks. With stride 1 the next input row arrives in `W*T = w_out*T` clocks; with stride 2
//! the two input rows behind one output row arrive in `2*W*(T/4) = w_out*T` clocks. Either
//! way a sweep finishes no later than the input rows it needs, and the fourth line memory
//! absorbs the row-level jitter, so the window never holds its input. The pointwise engine
//! behind a depthwise one sees the same rate and the same bound.
//!
//! The chosen `(P, Q)` minimises the multipliers `P*Q`, then the weight SRAM bits, then `P`
//! (deterministic). The weight layout of one engine (`weight_location`) is the single mapping
//! from a model weight `(o, i)` to SRAM word and byte; configuration images and tests use it.

use crate::model::layout::{BlockLayout, BranchLayout, CoreLayout, NetLayout, Size};

/// What an engine computes, in `sf_mac_engine` index-formula terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// Dense over a 3x3 window of `cin` channels: `IN_N = L = 9*cin`, byte `tap*cin + ci`.
    Stem { cin: usize },
    /// Depthwise 3x3 over window channels `from..from+O` of a `channels`-wide window.
    Depthwise { channels: usize, from: usize },
    /// 1x1 over the previous engine's `O` outputs.
    Pointwise,
    /// A head's grouped 1x1 conv: output `o` reads inputs `(o / (O/G)) * L + i`.
    Head { groups: usize },
}

/// Pipeline registers of one `sf_mac_engine` (its parameters `OP_REG`, `MUL_REG`, `MUL_LUT`, `LPR`,
/// `RQ_STAGES`, `RQ_SPLIT`, `RQ_SEL`, `RQ_DSP_W`), chosen for the target clock by the `timing` pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnginePipe {
    /// A register of each product's operands in front of its multiplier (an FPGA's DSP
    /// blocks sit away from the logic).
    pub op_reg: bool,
    /// A register right after the 8x8 products.
    pub mul_reg: bool,
    /// The 8x8 products from shifted weight rows in logic rather than `*` (an FPGA's DSP
    /// blocks; `MUL_LUT`).
    pub mul_lut: bool,
    /// Adder levels per register in a lane (tree levels, the accumulate counting as one).
    pub lpr: u32,
    /// Registers of each requantization unit (`sf_requant_pipe` `STAGES`, 1..=4).
    pub rq_stages: u32,
    /// Scale pieces of each requantization multiplier (`sf_requant_pipe` `SPLIT`: 1, 2, 4).
    pub rq_split: u32,
    /// A register after the select of each requant step's scale and bias.
    pub rq_sel: bool,
    /// DSP operand bits the requant multipliers are cut to (`sf_requant_pipe` `DSP_W`; 0:
    /// whole).
    pub rq_dsp_w: u32,
}

impl Default for EnginePipe {
    /// The engine's own parameter defaults (`sf_mac_engine.v`).
    fn default() -> Self {
        EnginePipe {
            op_reg: false,
            mul_reg: false,
            mul_lut: false,
            lpr: 8,
            rq_stages: 3,
            rq_split: 1,
            rq_sel: false,
            rq_dsp_w: 0,
        }
    }
}

/// One trainable conv layer as an `sf_mac_engine` instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSchedule {
    /// Tensor prefix, e.g. `train0.s1.b0.br1.dw`.
    pub layer: String,
    pub kind: EngineKind,
    /// `IN_N`: input bytes per vector.
    pub in_n: usize,
    /// `OUT_N`: output channels.
    pub out_n: usize,
    /// `L`: products per output.
    pub l: usize,
    pub relu: bool,
    /// Output feature-map size.
    pub out_size: Size,
    /// `T`: clocks per output pixel available at one input pixel per clock.
    pub clocks_available: usize,
    /// Lanes.
    pub p: usize,
    /// Products per lane per clock.
    pub q: usize,
    /// Pipeline registers (the `timing` pass sets them for the target clock).
    pub pipe: EnginePipe,
}

impl EngineSchedule {
    /// `G = ceil(OUT_N / P)`.
    pub fn groups(&self) -> usize {
        self.out_n.div_ceil(self.p)
    }
    /// `S = ceil(L / Q)`.
    pub fn steps(&self) -> usize {
        self.l.div_ceil(self.q)
    }
    /// Clocks per vector actually used, `G*S`.
    pub fn clocks_used(&self) -> usize {
        self.groups() * self.steps()
    }
    /// 8x8 multipliers, `P*Q`.
    pub fn mac_units(&self) -> usize {
        self.p * self.q
    }
    /// `WB`: weight bytes per SRAM word, `P*Q` rounded up to a multiple of 4.
    pub fn word_bytes(&self) -> usize {
        (self.p * self.q).div_ceil(4) * 4
    }
    /// SRAM depth, `G*S` words.
    pub fn sram_depth(&self) -> usize {
        self.clocks_used()
    }
    /// SRAM bits, `G*S*WB*8`.
    pub fn sram_bits(&self) -> usize {
        self.sram_depth() * self.word_bytes() * 8
    }
    /// 32-bit words of the configuration window, `G*S*WB/4`.
    pub fn config_words(&self) -> usize {
        self.sram_depth() * self.word_bytes() / 4
    }
    /// Requant units `R = ceil(P/S)` and requant steps `NR = ceil(P/R)`.
    pub fn requant_units(&self) -> (usize, usize) {
        let r = self.p.div_ceil(self.steps());
        (r, self.p.div_ceil(r))
    }
    /// Adder levels of a lane's tree over its Q products, `ceil(log2(Q))`.
    pub fn tree_levels(&self) -> usize {
        crate::arith::csd::ceil_log2(self.q as u64) as usize
    }
    /// Registers of a lane from the selected inputs to the accumulator:
    /// `OP_REG + MUL_REG + floor(T / LPR) + 1`.
    pub fn lane_registers(&self) -> usize {
        usize::from(self.pipe.op_reg)
            + usize::from(self.pipe.mul_reg)
            + self.tree_levels() / self.pipe.lpr as usize
            + 1
    }
    /// Requant steps per vector, `G*NR` (each with its own scale and bias).
    pub fn requant_steps(&self) -> usize {
        self.groups() * self.requant_units().1
    }
    /// 1 when a register follows the select of each requant step's scale and bias
    /// (`RQ_SEL` and more than one step per vector).
    pub fn requant_select(&self) -> usize {
        usize::from(self.pipe.rq_sel && self.requant_steps() > 1)
    }
    /// Clocks from a vector's last memory read to the load of its output queue entry,
    /// `LANE + NR + SEL + RQ_STAGES + 2` (`D_LAST` in `sf_mac_engine.v`).
    pub fn drain_clocks(&self) -> usize {
        self.lane_registers()
            + self.requant_units().1
            + self.requant_select()
            + self.pipe.rq_stages as usize
            + 2
    }
    /// Output queue entries that keep one vector every G*S clocks,
    /// `floor((S + D_LAST) / (G*S)) + 1` (`C` in `sf_mac_engine.v`).
    pub fn queue_depth(&self) -> usize {
        (self.steps() + self.drain_clocks()) / self.clocks_used() + 1
    }
    /// Clocks from the input handshake to `m_valid` without stalls,
    /// `G*S + LANE + NR + SEL + RQ_STAGES + 2` (the `sf_mac_engine` contract).
    pub fn latency(&self) -> usize {
        self.clocks_used() + self.drain_clocks()
    }
    /// Flip-flops the `timing` pass adds to this engine over its shallowest form (no product
    /// register, one register per lane, single-stage requant without a select register):
    /// per lane the product and partial-sum registers (`timing::lane_register_bits`), per
    /// requant unit the registers after its partial products (STAGES >= 2), its sum
    /// (STAGES >= 3) and its shift (STAGES = 4), and the select registers of scale and bias.
    pub fn pipeline_register_bits(&self) -> usize {
        let lanes = self.p * super::timing::lane_register_bits(self.q, &self.pipe);
        let (r, _) = self.requant_units();
        let acc_w = self.acc_bits();
        let split = self.pipe.rq_split.max(1) as usize;
        let sum_w = (acc_w + 16).max(41) + 1;
        let stages = self.pipe.rq_stages;
        let mut unit = 0;
        if stages >= 2 {
            // the P register: one word per partial product (accumulator pieces x scale
            // pieces; `sf_requant_pipe` PP_W)
            let dsp = self.pipe.rq_dsp_w as usize;
            let (pieces, piece_w) = if dsp > 1 && acc_w > dsp {
                (1 + (acc_w - dsp).div_ceil(dsp - 1), dsp)
            } else {
                (1, acc_w)
            };
            unit += pieces * split * (piece_w + 16 / split + 1);
        }
        if stages >= 3 {
            unit += sum_w;
        }
        if stages >= 4 {
            unit += sum_w;
        }
        unit += self.requant_select() * (16 + 32);
        lanes + r * unit
    }
    /// `sf_mac_engine` index parameters `(OFFSET, SI, SO, GO, SG)`.
    pub fn index_params(&self) -> (usize, usize, usize, usize, isize) {
        match self.kind {
            EngineKind::Stem { .. } | EngineKind::Pointwise => (0, 1, 0, self.out_n, 0),
            EngineKind::Depthwise { channels, from } => {
                (from, channels, 1, self.out_n, -(self.out_n as isize))
            }
            EngineKind::Head { groups } => (0, 1, 0, self.out_n / groups, self.l as isize),
        }
    }
    /// Where model weight `w[o][i]` (engine order: product `i` of output `o`) lives:
    /// `(SRAM word a, byte b within the word)`, per the normative `sf_mac_engine` layout
    /// (`a = g*S + s`, `b = j*Q + q` with `o = g*P + j`, `i = s*Q + q`).
    pub fn weight_location(&self, o: usize, i: usize) -> (usize, usize) {
        assert!(
            o < self.out_n && i < self.l,
            "weight ({o}, {i}) out of range"
        );
        let (g, j) = (o / self.p, o % self.p);
        let (s, q) = (i / self.q, i % self.q);
        (g * self.steps() + s, j * self.q + q)
    }
    /// Config-window word index and byte lane (little-endian) of weight `(o, i)`.
    pub fn config_location(&self, o: usize, i: usize) -> (usize, usize) {
        let (a, b) = self.weight_location(o, i);
        let n = a * self.word_bytes() + b;
        (n / 4, n % 4)
    }
    /// Engine order of a model tensor: `w[o][i]` from the PyTorch-layout weight tensor
    /// (stem `[O][Cin][3][3]` with `i = tap*Cin + ci`; depthwise `[O][1][3][3]` with
    /// `i = tap`; pointwise `[O][I][1][1]`).
    pub fn engine_weight(&self, tensor: &[i8], o: usize, i: usize) -> i8 {
        match self.kind {
            EngineKind::Stem { cin } => tensor[(o * cin + i % cin) * 9 + i / cin],
            EngineKind::Depthwise { .. } | EngineKind::Pointwise | EngineKind::Head { .. } => {
                tensor[o * self.l + i]
            }
        }
    }
    /// The whole configuration window for a weight tensor: `config_words()` little-endian
    /// 32-bit words, padding bytes 0. Used by configuration images and tests alike.
    pub fn config_image(&self, tensor: &[i8]) -> Vec<u32> {
        assert_eq!(
            tensor.len(),
            self.out_n * self.l,
            "{}: weight count",
            self.layer
        );
        let mut words = vec![0u32; self.config_words()];
        for o in 0..self.out_n {
            for i in 0..self.l {
                let (k, byte) = self.config_location(o, i);
                words[k] |= (self.engine_weight(tensor, o, i) as u8 as u32) << (8 * byte);
            }
        }
        words
    }
    /// Bits of `sf_mac_engine`'s `cfg_addr` (`CFG_WORD_AW`).
    pub fn cfg_addr_bits(&self) -> usize {
        let bytes = self.sram_depth() * self.word_bytes();
        let aw = (usize::BITS - (bytes - 1).leading_zeros()) as usize;
        aw.max(2).saturating_sub(2).max(1)
    }
    /// Signed accumulator bits (`ACC_W`) for `L` products of int8 x int8
    /// (|acc| <= L * 2^14), at least 17.
    pub fn acc_bits(&self) -> usize {
        let max = (self.l as u64) << 14;
        let mag = (u64::BITS - max.leading_zeros()) as usize;
        (mag + 1).max(17)
    }
}

/// Clocks a window generator loses per output row besides its windows (row change, frame
/// change), which the engines must make up: measured in co-simulation, where `G*S = T`
/// exactly (no slack) let the input stall ~1.5 clocks per stem row on `tiny`.
pub const ROW_SLACK: usize = 2;

/// Clocks per vector an engine may use: `G*S <= T` minus the row slack spread over the row,
/// `floor((T*w_out - ROW_SLACK) / w_out)`, at least 1.
pub fn budget(t: usize, w_out: usize) -> usize {
    ((t * w_out).saturating_sub(ROW_SLACK) / w_out).max(1)
}

/// Lanes and products per lane for `O` outputs of `L` products in at most `t` clocks:
/// minimal `P*Q`, then minimal SRAM bits, then minimal `P`.
pub fn choose(out_n: usize, l: usize, t: usize) -> (usize, usize) {
    // (multipliers, SRAM bits, P) -> (P, Q)
    type Key = (usize, usize, usize);
    let mut best: Option<(Key, (usize, usize))> = None;
    for p in 1..=out_n {
        for q in 1..=l {
            let gs = out_n.div_ceil(p) * l.div_ceil(q);
            if gs > t {
                continue;
            }
            let key = (p * q, gs * (p * q).div_ceil(4) * 32, p);
            if best.is_none_or(|(k, _)| key < k) {
                best = Some((key, (p, q)));
            }
        }
    }
    best.expect("P = O, Q = L always fits").1
}

/// An engine for a layer of `out_size` pixels, sized to keep one input pixel per clock.
#[allow(clippy::too_many_arguments)] // the layer's shape, field by field
pub fn engine(
    net: &NetLayout,
    layer: String,
    kind: EngineKind,
    in_n: usize,
    out_n: usize,
    l: usize,
    relu: bool,
    out_size: Size,
) -> EngineSchedule {
    let t = net.input.pixels() / out_size.pixels();
    let (p, q) = choose(out_n, l, budget(t, out_size.w));
    EngineSchedule {
        layer,
        kind,
        in_n,
        out_n,
        l,
        relu,
        out_size,
        clocks_available: t,
        p,
        q,
        pipe: EnginePipe::default(),
    }
}

/// The engines of one trainable core in stream order: stem, then per stage and block the
/// branches' depthwise and pointwise layers (a downsample block's `br1` before `br2`), then
/// the repeat block's banks.
pub fn core_schedule(net: &NetLayout, core: &CoreLayout) -> Vec<EngineSchedule> {
    let engine = |layer, kind, in_n, out_n, l, relu, out_size| {
        engine(net, layer, kind, in_n, out_n, l, relu, out_size)
    };
    let mut out = vec![engine(
        core.stem.clone(),
        EngineKind::Stem { cin: core.stem_in },
        9 * core.stem_in,
        core.stem_out,
        9 * core.stem_in,
        true,
        net.boundary_sizes[0],
    )];
    let mut branch = |br: &BranchLayout, window: usize, from: usize| {
        let c = br.channels;
        out.push(engine(
            br.dw(),
            EngineKind::Depthwise {
                channels: window,
                from,
            },
            9 * window,
            c,
            9,
            false,
            br.out_size(),
        ));
        out.push(engine(
            br.pw(),
            EngineKind::Pointwise,
            c,
            c,
            c,
            true,
            br.out_size(),
        ));
    };
    for block in core.stages.iter().flatten().chain(&core.repeat_banks) {
        match block {
            BlockLayout::Regular {
                channels,
                branch: b,
                ..
            } => branch(b, *channels, channels / 2),
            BlockLayout::Downsample {
                in_channels,
                br1,
                br2,
                ..
            } => {
                branch(br1, *in_channels, 0);
                branch(br2, *in_channels, 0);
            }
        }
    }
    out
}

/// One streaming stage of a trainable core: a window generator feeding its engines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainStageHw {
    /// `train0.stem` or a block name such as `train0.s1.b0`.
    pub name: String,
    pub in_size: Size,
    pub in_channels: usize,
    pub stride: usize,
    /// Regular blocks pass window-centre channels 0..passthrough through (x1).
    pub passthrough: usize,
    /// Engines per branch: the stem `[[stem]]`, a regular block `[[dw, pw]]`, a downsample
    /// block `[[dw1, pw1], [dw2, pw2]]`.
    pub branches: Vec<Vec<EngineSchedule>>,
    /// `Some(k)` when this stage's output is the core's features at boundary k.
    pub boundary: Option<usize>,
    /// The window generator registers its line memories' write port (`timing` pass).
    pub window_wr_reg: bool,
}

impl TrainStageHw {
    pub fn out_size(&self) -> Size {
        self.in_size.strided(self.stride)
    }
    pub fn out_channels(&self) -> usize {
        self.passthrough
            + self
                .branches
                .iter()
                .map(|b| b.last().map_or(0, |e| e.out_n))
                .sum::<usize>()
    }
    /// Blocks (not the stem) shuffle concat(x1, y2) or concat(b1, b2) at the output.
    pub fn shuffle(&self) -> bool {
        !matches!(self.branches[0][0].kind, EngineKind::Stem { .. })
    }
    /// Engine latencies summed along the slowest branch (no stalls).
    pub fn engine_latency(&self) -> usize {
        self.branches
            .iter()
            .map(|b| b.iter().map(|e| e.latency()).sum::<usize>())
            .max()
            .unwrap_or(0)
    }
    /// Clocks per window the engines need (the window generator's sweep rate).
    pub fn clocks_per_window(&self) -> usize {
        self.branches
            .iter()
            .flatten()
            .map(|e| e.clocks_used())
            .max()
            .unwrap_or(1)
    }
}

/// A trainable core as streaming stages up to boundary S, then the repeat block: one stage
/// per weight bank (pass r runs bank r; passes r >= n are bypassed), so every n keeps one
/// input pixel per clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainCoreHw {
    pub index: usize,
    pub stages: Vec<TrainStageHw>,
    pub repeat: Vec<TrainStageHw>,
}

impl TrainCoreHw {
    pub fn engines(&self) -> impl Iterator<Item = &EngineSchedule> {
        self.stages
            .iter()
            .chain(&self.repeat)
            .flat_map(|s| s.branches.iter().flatten())
    }
}

/// Groups a core's engines (in `core_schedule` order) into its streaming stages.
pub fn core_stages(net: &NetLayout, core: &CoreLayout, index: usize) -> TrainCoreHw {
    let mut engines = core_schedule(net, core).into_iter();
    let mut next = || engines.next().expect("one engine per layer");
    let mut stages = vec![TrainStageHw {
        name: core.stem.clone(),
        in_size: net.input,
        in_channels: core.stem_in,
        stride: 2,
        passthrough: 0,
        branches: vec![vec![next()]],
        boundary: Some(0),
        window_wr_reg: false,
    }];
    let mut repeat = Vec::new();
    // Repeat banks are marked with stage index usize::MAX.
    let banks = core.repeat_banks.iter().map(|b| (usize::MAX, b, None));
    let blocks = core.stages.iter().enumerate().flat_map(|(k, blocks)| {
        blocks
            .iter()
            .enumerate()
            .map(move |(j, b)| (k, b, (j + 1 == blocks.len()).then_some(k + 1)))
    });
    for (k, block, boundary) in blocks.chain(banks) {
        let st = match block {
            BlockLayout::Regular {
                name,
                channels,
                branch,
            } => TrainStageHw {
                name: name.clone(),
                in_size: branch.in_size,
                in_channels: *channels,
                stride: 1,
                passthrough: channels / 2,
                branches: vec![vec![next(), next()]],
                boundary,
                window_wr_reg: false,
            },
            BlockLayout::Downsample {
                name,
                in_channels,
                br1,
                ..
            } => TrainStageHw {
                name: name.clone(),
                in_size: br1.in_size,
                in_channels: *in_channels,
                stride: 2,
                passthrough: 0,
                branches: vec![vec![next(), next()], vec![next(), next()]],
                boundary,
                window_wr_reg: false,
            },
        };
        if k == usize::MAX {
            repeat.push(st);
        } else {
            stages.push(st);
        }
    }
    TrainCoreHw {
        index,
        stages,
        repeat,
    }
}

/// Every trainable core, core by core.
pub fn schedule(net: &NetLayout) -> Vec<TrainCoreHw> {
    net.trainable
        .iter()
        .enumerate()
        .map(|(t, c)| core_stages(net, c, t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_is_minimal_and_fits() {
        for (o, l, t) in [
            (8, 27, 4),
            (16, 9, 16),
            (16, 16, 16),
            (32, 32, 64),
            (3, 5, 1),
        ] {
            let (p, q) = choose(o, l, t);
            assert!(o.div_ceil(p) * l.div_ceil(q) <= t);
            for p2 in 1..=o {
                for q2 in 1..=l {
                    if o.div_ceil(p2) * l.div_ceil(q2) <= t {
                        assert!(p2 * q2 >= p * q, "({o},{l},{t}): {p2}x{q2} beats {p}x{q}");
                    }
                }
            }
        }
        assert_eq!(choose(3, 5, 1), (3, 5));
        assert_eq!(choose(4, 9, 1000), (1, 1));
    }

    #[test]
    fn layout_is_a_bijection_into_the_window() {
        let e = EngineSchedule {
            layer: "x".into(),
            kind: EngineKind::Stem { cin: 3 },
            in_n: 27,
            out_n: 8,
            l: 27,
            relu: true,
            out_size: Size { h: 2, w: 2 },
            clocks_available: 4,
            p: 5,
            q: 7,
            pipe: EnginePipe::default(),
        };
        let mut seen = std::collections::HashSet::new();
        for o in 0..8 {
            for i in 0..27 {
                let (k, b) = e.config_location(o, i);
                assert!(k < e.config_words() && b < 4);
                assert!(seen.insert((k, b)));
            }
        }
        // Stem order: i = tap*cin + ci reads tensor[o][ci][tap].
        let t: Vec<i8> = (0..8 * 27).map(|v| v as i8).collect();
        assert_eq!(e.engine_weight(&t, 1, 3 * 2 + 1), t[27 + 9 + 2]);
        let img = e.config_image(&t);
        let (k, b) = e.config_location(1, 7);
        assert_eq!((img[k] >> (8 * b)) as u8 as i8, e.engine_weight(&t, 1, 7));
    }
}
