//! Names and ports the plan decides: module names, stream wires, the buses between the
//! register block and the cores, each engine's and head's ports, and the top level's port
//! table ([`HwPlan::ports`]) that `top.v`, the Verilator design description and through it
//! the simulation header read.

use super::frozen::{RequantHw, StageHw};
use super::heads::HeadHw;
use super::plan::HwPlan;
use super::regmap::bus_name;
use super::schedule::{EngineSchedule, TrainStageHw};
use crate::model::manifest::HeadSource;

/// A port of a generated module besides its streams (a register bus, a configuration wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub bits: usize,
    pub output: bool,
}

impl Port {
    fn input(name: String, bits: usize) -> Port {
        Port {
            name,
            bits,
            output: false,
        }
    }
}

/// An AXI4-Stream port of the top: `<prefix>_tdata/_tvalid/_tready/_tuser/_tlast`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPort {
    pub prefix: String,
    /// Width of `<prefix>_tdata`.
    pub bits: usize,
    /// A master (output) port; the video input is the only slave.
    pub output: bool,
    /// What it carries (the port's comment in `top.v`).
    pub what: String,
}

/// Prefix of the frozen core's feature output.
pub const FEATURES: &str = "m_axis_feat";
/// Prefix of the video input.
pub const VIDEO_IN: &str = "s_axis";
/// Prefix of the AXI4-Lite configuration slave (`rtl/top.v`, the harness's `sf_axil_*`).
pub const AXIL: &str = "s_axil";

/// Output stream of trainable core t.
pub fn train_stream(t: usize) -> String {
    format!("m_axis_train{t}")
}

/// Output stream of head h.
pub fn head_stream(h: usize) -> String {
    format!("m_axis_h{h}")
}

/// The boundary-k stream feeding core t's next stage (T''_t), also a debug tap.
pub fn boundary_wire(t: usize, k: usize) -> String {
    format!("train{t}_x{k}")
}

/// Name (wire prefix; the instance is `u_<name>`) of the skew FIFO F_k waits in at boundary k.
pub fn frozen_skew_fifo(k: usize) -> String {
    format!("skew{k}")
}

/// Name of core t's trainable-side skew FIFO at boundary k.
pub fn trainable_skew_fifo(t: usize, k: usize) -> String {
    format!("tskew{t}_{k}")
}

/// Name of core t's skew FIFO in front of train01 head h's join.
pub fn join_skew_fifo(h: usize, t: usize) -> String {
    format!("h{h}_skew{t}")
}

/// Width of the `count` port of an `sf_fifo` of `depth` entries (its derived `CNT_W`,
/// `$clog2(DEPTH + 1)`): the top level declares the wire it connects.
pub fn fifo_count_bits(depth: usize) -> usize {
    (usize::BITS - depth.leading_zeros()) as usize
}

/// Which skew FIFO of the top level an instance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkewPlace {
    /// F_k waiting for the trainable path at boundary k.
    Frozen { boundary: usize },
    /// Core t's features waiting for a deeper frozen path at boundary k.
    Trainable { core: usize, boundary: usize },
    /// Core t's side of train01 head h's join, behind the repeat block.
    Join { head: usize, core: usize },
}

/// One `sf_fifo` skew FIFO instance of the top level, as the plan sizes it: what
/// `semifreddo verify` measures (peak occupancy against `depth`) and what the top instantiates
/// (`u_<name>`, `DEPTH = depth`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkewFifoInst {
    pub name: String,
    pub place: SkewPlace,
    pub depth: usize,
    pub reason: String,
}

impl SkewFifoInst {
    /// The primitive every skew FIFO instantiates.
    pub const MODULE: &'static str = "sf_fifo";

    /// Its instance name below the top.
    pub fn instance(&self) -> String {
        format!("u_{}", self.name)
    }
}

impl EngineSchedule {
    /// Ports of the engine a stage or head exposes: requant parameters and configuration.
    pub fn ports(&self) -> Vec<Port> {
        self.ports_named(&bus_name(&self.layer))
    }
    /// [`Self::ports`] with the prefix `b` instead of the layer's bus name.
    pub fn ports_named(&self, b: &str) -> Vec<Port> {
        let out = |name: String, bits| Port {
            name,
            bits,
            output: true,
        };
        vec![
            Port::input(format!("{b}_scale"), 16 * self.out_n),
            Port::input(format!("{b}_bias"), 32 * self.out_n),
            Port::input(format!("{b}_shift"), 6),
            Port::input(format!("{b}_cfg_req"), 1),
            Port::input(format!("{b}_cfg_we"), 1),
            Port::input(format!("{b}_cfg_addr"), self.cfg_addr_bits()),
            Port::input(format!("{b}_cfg_wdata"), 32),
            out(format!("{b}_cfg_ack"), 1),
            out(format!("{b}_cfg_rdata"), 32),
        ]
    }
}

impl StageHw {
    /// Top-level wire prefix of the stage's output stream (also its debug-tap name).
    pub fn wire(&self) -> String {
        bus_name(&self.name)
    }
    /// Register buses of its programmable requants (the shifts).
    pub fn params(&self) -> Vec<Port> {
        self.layers()
            .filter_map(|l| match &l.requant {
                RequantHw::Programmable { shift_bus } => Some(Port::input(shift_bus.clone(), 6)),
                RequantHw::Constant { .. } => None,
            })
            .collect()
    }
    /// Bus prefix of its parameter-memory window (`<bus>_cfg_*` at the top level).
    pub fn param_bus(&self) -> String {
        format!("{}_rq", bus_name(&self.name))
    }
    /// Address bits of its parameter-memory window.
    pub fn cfg_addr_bits(&self) -> usize {
        let words = self.param_table().len();
        ((usize::BITS - words.saturating_sub(1).leading_zeros()) as usize).max(1)
    }
    /// Its configuration ports (`cfg_*` in the module, `<bus>_cfg_*` at the top level), when its
    /// requant parameters are programmable.
    pub fn cfg_ports(&self) -> Vec<Port> {
        if !self.programmable() {
            return Vec::new();
        }
        let b = self.param_bus();
        let out = |name: String, bits| Port {
            name,
            bits,
            output: true,
        };
        vec![
            Port::input(format!("{b}_cfg_req"), 1),
            Port::input(format!("{b}_cfg_we"), 1),
            Port::input(format!("{b}_cfg_addr"), self.cfg_addr_bits()),
            Port::input(format!("{b}_cfg_wdata"), 32),
            out(format!("{b}_cfg_ack"), 1),
            out(format!("{b}_cfg_rdata"), 32),
        ]
    }
}

impl TrainStageHw {
    /// Stream names: `<s>_data`, `<s>_valid`, `<s>_ready`, `<s>_sof`, `<s>_eol`.
    pub fn wire(&self) -> String {
        bus_name(&self.name)
    }
    /// Ports of the stage's module after the streams: every engine's, named by its layer
    /// inside the stage (`br1_dw_scale`), so the stages sharing the module share its ports.
    pub fn module_ports(&self) -> Vec<Port> {
        self.branches
            .iter()
            .flatten()
            .flat_map(|e| self.engine_connections(e))
            .map(|(port, _)| port)
            .collect()
    }
    /// Engine `e`'s module ports, each with the top-level wire this stage's instance
    /// connects to it (the layer's bus, `train0_s1_b0_br1_dw_scale`).
    pub fn engine_connections(&self, e: &EngineSchedule) -> Vec<(Port, String)> {
        let local = e.ports_named(&bus_name(&self.local_layer(e)));
        local
            .into_iter()
            .zip(e.ports().into_iter().map(|p| p.name))
            .collect()
    }
}

impl HeadHw {
    /// Register buses of the PWL activation.
    pub fn pwl_ports(&self) -> Vec<Port> {
        let b = bus_name(&self.name);
        vec![
            Port::input(format!("{b}_pwl_x"), 16 * self.k_max),
            Port::input(format!("{b}_pwl_y"), 16 * self.k_max),
            Port::input(format!("{b}_pwl_g"), 16 * self.k_max),
            Port::input(format!("{b}_pwl_k"), self.segment_bits() as usize),
        ]
    }
    /// Every port of the head module after the streams.
    pub fn ports(&self) -> Vec<Port> {
        let mut v = self.engine.ports();
        v.extend(self.pwl_ports());
        v
    }
    /// Its output stream.
    pub fn stream(&self) -> String {
        head_stream(self.index)
    }
    /// Bits of the pooled head's pixel counter (`PW` of `rtl/head.v`), at least 1.
    pub fn pixel_bits(&self) -> usize {
        (crate::arith::csd::ceil_log2(self.in_size.pixels() as u64) as usize).max(1)
    }
}

impl HwPlan {
    pub fn top(&self) -> String {
        format!("{}_top", self.prefix)
    }
    pub fn regs_module(&self) -> String {
        format!("{}_regs", self.prefix)
    }
    /// Module of a head.
    pub fn head_module(&self, h: &HeadHw) -> String {
        format!("{}_{}", self.prefix, h.name)
    }
    /// The top's AXI4-Stream ports in port order: video in, frozen features, each
    /// trainable core's features, each head.
    pub fn ports(&self) -> Vec<StreamPort> {
        let bits = 8 * self.out_channels();
        let mut v = vec![
            StreamPort {
                prefix: VIDEO_IN.into(),
                bits: 8 * self.in_channels,
                output: false,
                what: "video in".into(),
            },
            StreamPort {
                prefix: FEATURES.into(),
                bits,
                output: true,
                what: "frozen features out".into(),
            },
        ];
        for c in &self.trainable {
            let t = c.index;
            v.push(StreamPort {
                prefix: train_stream(t),
                bits,
                output: true,
                what: format!(
                    "trainable core {t} features out (T''_{t} at boundary S, after the repeat \
                     block)"
                ),
            });
        }
        for h in &self.heads {
            let per = if h.pool { "frame" } else { "pixel" };
            v.push(StreamPort {
                prefix: h.stream(),
                bits: 16,
                output: true,
                what: format!(
                    "head {} ({}): {} int16 values per {per}",
                    h.index, h.source, h.outputs
                ),
            });
        }
        v
    }
    /// Register buses of every frozen stage's programmable requants, in stream order.
    pub fn frozen_params(&self) -> Vec<Port> {
        self.stages.iter().flat_map(|s| s.params()).collect()
    }
    /// Register buses the trainable part takes: requant, alphas, shuffle, repeat passes.
    pub fn train_params(&self) -> Vec<Port> {
        self.param_buses(|bus| bus.starts_with("train") || bus.starts_with("blend"))
    }
    /// Register buses the heads take.
    pub fn head_params(&self) -> Vec<Port> {
        self.param_buses(|bus| bus.starts_with("head"))
    }
    fn param_buses(&self, keep: impl Fn(&str) -> bool) -> Vec<Port> {
        self.regmap
            .params()
            .filter(|(_, bus)| keep(bus))
            .map(|(a, bus)| Port::input(bus.to_string(), a.count * a.bits as usize))
            .collect()
    }
    /// Configuration wires between the register block and the frozen stages' parameter
    /// memories and the engines.
    pub fn cfg_wires(&self) -> Vec<Port> {
        self.stages
            .iter()
            .flat_map(|s| s.cfg_ports())
            .chain(
                self.engines()
                    .flat_map(|e| e.ports())
                    .filter(|p| p.name.contains("_cfg_")),
            )
            .collect()
    }
    /// `cfg_addr` bits of the memory behind window `bus` (a stage's parameters or an
    /// engine's weights).
    pub fn window_addr_bits(&self, bus: &str) -> usize {
        if let Some(s) = self.stages.iter().find(|s| s.param_bus() == bus) {
            return s.cfg_addr_bits();
        }
        self.engines()
            .find(|e| bus_name(&e.layer) == bus)
            .map_or(1, |e| e.cfg_addr_bits())
    }
    /// Every skew FIFO the top instantiates, in the top's order: per boundary F_k's, then the
    /// trainable side's where the frozen path is deeper; then per train01 head (with a repeat
    /// block) each core's side of the join.
    pub fn skew_fifo_instances(&self) -> Vec<SkewFifoInst> {
        let mut v = Vec::new();
        for bd in &self.boundaries {
            let k = bd.index;
            v.push(SkewFifoInst {
                name: frozen_skew_fifo(k),
                place: SkewPlace::Frozen { boundary: k },
                depth: bd.skew.depth,
                reason: bd.skew.reason.clone(),
            });
        }
        for bd in &self.boundaries {
            for side in bd.trainable.iter().filter(|s| s.depth > 0) {
                let (t, k) = (side.core, bd.index);
                v.push(SkewFifoInst {
                    name: trainable_skew_fifo(t, k),
                    place: SkewPlace::Trainable {
                        core: t,
                        boundary: k,
                    },
                    depth: side.depth,
                    reason: format!(
                        "the frozen path is later at boundary {k} ({} extra frozen block(s))",
                        side.extra_blocks
                    ),
                });
            }
        }
        let passes = self.trainable.first().map_or(0, |c| c.repeat.len());
        if self.train01_skew_depth > 0 {
            for h in self
                .heads
                .iter()
                .filter(|h| h.source == HeadSource::Train01)
            {
                for t in 0..self.trainable.len() {
                    v.push(SkewFifoInst {
                        name: join_skew_fifo(h.index, t),
                        place: SkewPlace::Join {
                            head: h.index,
                            core: t,
                        },
                        depth: self.train01_skew_depth,
                        reason: format!(
                            "head {} join: up to {passes} repeat pass(es) of difference",
                            h.index
                        ),
                    });
                }
            }
        }
        v
    }
    /// Whether frozen stage i's output also feeds the trainable cores (it is forked).
    pub fn feeds_trainable(&self, stage: usize) -> bool {
        self.boundaries.iter().any(|b| b.frozen_stage == stage)
    }
}
