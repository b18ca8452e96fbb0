//! The register map: one description from which the RTL register block, the Markdown and
//! JSON documentation and the C header are all emitted. Parameters are grouped in arrays
//! (one 32-bit word per element), so a layer's scales are one contiguous window.

use serde::{Deserialize, Serialize};

/// ID register value: "SFRD".
pub const MAGIC: u32 = 0x5346_5244;
/// Word offset of the first parameter array.
pub const PARAM_BASE: u32 = 0x100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Read only.
    Ro,
    /// Read and write.
    Rw,
}

/// What hardware a register array is wired to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A constant (ID, hash, version).
    Constant,
    /// STATUS: sticky input-stream error flags.
    Status,
    /// FRAME_COUNT: frames seen by the input sanitizer.
    FrameCount,
    /// CONTROL: bit 0 clears the error flags (self-clearing).
    Control,
    /// A parameter bus of `count * bits` bits driven to the datapath, holding model tensor
    /// `tensor` (element i = tensor value i).
    Param { bus: String, tensor: String },
    /// A window onto the weight SRAM of a trainable layer's `sf_mac_engine` (ports
    /// `<bus>_cfg_*`), holding model tensor `tensor` (`<layer>.weight`) in the engine's
    /// layout, four int8 weights per word. Accesses wait for the engine (one clock); no reset
    /// value: the configuration image loads it.
    Window { bus: String, tensor: String },
    /// A window onto a frozen stage's requant parameter memories (ports `<bus>_cfg_*`):
    /// word i holds `words[i]` (an element of a model tensor, sign-extended to 32 bits) or
    /// nothing (an unused slot). Accesses wait for the stage; no reset value: the
    /// configuration image loads it.
    Table {
        bus: String,
        words: Vec<Option<TableWord>>,
    },
}

/// One word of a parameter table: element `index` of model tensor `tensor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableWord {
    pub tensor: String,
    pub index: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegArray {
    /// Upper-case name, e.g. `FROZEN_S1_B0_BR1_DW_SCALE`.
    pub name: String,
    /// Byte offset of element 0; element i is at offset + 4 i.
    pub offset: u32,
    pub count: usize,
    /// Used bits of each 32-bit word (from bit 0).
    pub bits: u32,
    /// Values are two's complement in `bits` bits (sign-extended on read).
    pub signed: bool,
    pub access: Access,
    /// Reset value of each element.
    pub reset: Vec<i64>,
    pub description: String,
    pub target: Target,
}

impl RegArray {
    pub fn end(&self) -> u32 {
        self.offset + 4 * self.count as u32
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegMap {
    pub arrays: Vec<RegArray>,
    /// AXI4-Lite address bits covering the whole map.
    pub addr_bits: u32,
}

/// Builds the map from the system registers and the parameter arrays, in order.
pub struct RegMapBuilder {
    arrays: Vec<RegArray>,
    next: u32,
}

impl RegMapBuilder {
    /// The fixed system registers: ID, FROZEN_HASH, VERSION, STATUS, FRAME_COUNT, CONTROL.
    pub fn new(frozen_hash: u32, version: u32) -> RegMapBuilder {
        let sys =
            |name: &str, offset: u32, bits: u32, access, reset: i64, description: &str, target| {
                RegArray {
                    name: name.to_string(),
                    offset,
                    count: 1,
                    bits,
                    signed: false,
                    access,
                    reset: vec![reset],
                    description: description.to_string(),
                    target,
                }
            };
        let arrays = vec![
            sys("ID", 0x00, 32, Access::Ro, MAGIC as i64, "magic number 0x53465244 (\"SFRD\")", Target::Constant),
            sys(
                "FROZEN_HASH",
                0x04,
                32,
                Access::Ro,
                frozen_hash as i64,
                "first 32 bits of the SHA-256 of the frozen weights and topology",
                Target::Constant,
            ),
            sys("VERSION", 0x08, 32, Access::Ro, version as i64, "generator version: major << 16 | minor << 8 | patch", Target::Constant),
            sys(
                "STATUS",
                0x0c,
                4,
                Access::Ro,
                0,
                "sticky input errors: bit 0 short line, 1 long line, 2 missing start of frame, 3 start of frame inside a frame",
                Target::Status,
            ),
            sys("FRAME_COUNT", 0x10, 32, Access::Ro, 0, "frames accepted by the input (modulo 2^32)", Target::FrameCount),
            sys("CONTROL", 0x14, 1, Access::Rw, 0, "bit 0: write 1 to clear STATUS (reads 0)", Target::Control),
        ];
        RegMapBuilder {
            arrays,
            next: PARAM_BASE,
        }
    }

    /// Appends a read-write parameter array holding model tensor `tensor`, wired to a bus of
    /// the same name (count * bits bits).
    pub fn param(
        &mut self,
        tensor: &str,
        bits: u32,
        signed: bool,
        reset: Vec<i64>,
        description: String,
    ) {
        let count = reset.len();
        self.arrays.push(RegArray {
            name: reg_name(tensor),
            offset: self.next,
            count,
            bits,
            signed,
            access: Access::Rw,
            reset,
            description,
            target: Target::Param {
                bus: bus_name(tensor),
                tensor: tensor.to_string(),
            },
        });
        self.next += 4 * count as u32;
    }

    /// Appends a read-write window of `words` 32-bit words onto the weight SRAM of the engine
    /// of layer `layer` (tensor `<layer>.weight`, ports `<bus>_cfg_*`).
    pub fn window(&mut self, layer: &str, words: usize, description: String) {
        let tensor = format!("{layer}.weight");
        self.arrays.push(RegArray {
            name: reg_name(&format!("{layer}.weights")),
            offset: self.next,
            count: words,
            bits: 32,
            signed: false,
            access: Access::Rw,
            reset: Vec::new(),
            description,
            target: Target::Window {
                bus: bus_name(layer),
                tensor,
            },
        });
        self.next += 4 * words as u32;
    }

    /// Appends a read-write window `name` onto a parameter table (ports `<bus>_cfg_*`).
    pub fn table(
        &mut self,
        name: &str,
        bus: &str,
        words: Vec<Option<TableWord>>,
        description: String,
    ) {
        let count = words.len();
        self.arrays.push(RegArray {
            name: reg_name(name),
            offset: self.next,
            count,
            bits: 32,
            signed: false,
            access: Access::Rw,
            reset: Vec::new(),
            description,
            target: Target::Table {
                bus: bus.to_string(),
                words,
            },
        });
        self.next += 4 * count as u32;
    }

    pub fn build(self) -> RegMap {
        let end = self.next.max(PARAM_BASE);
        let addr_bits = 32 - (end - 1).leading_zeros();
        RegMap {
            arrays: self.arrays,
            addr_bits: addr_bits.max(8),
        }
    }
}

impl RegMap {
    pub fn find(&self, name: &str) -> Option<&RegArray> {
        self.arrays.iter().find(|a| a.name == name)
    }

    pub fn params(&self) -> impl Iterator<Item = (&RegArray, &str)> {
        self.arrays.iter().filter_map(|a| match &a.target {
            Target::Param { bus, .. } => Some((a, bus.as_str())),
            _ => None,
        })
    }

    /// The windows onto memories (weight SRAMs, parameter tables): (array, bus prefix of
    /// the `<bus>_cfg_*` ports).
    pub fn windows(&self) -> impl Iterator<Item = (&RegArray, &str)> {
        self.arrays.iter().filter_map(|a| match &a.target {
            Target::Window { bus, .. } | Target::Table { bus, .. } => Some((a, bus.as_str())),
            _ => None,
        })
    }
}

/// Register-array name of a tensor, e.g. `frozen.s1.b0.dw.scale` -> `FROZEN_S1_B0_DW_SCALE`.
pub fn reg_name(tensor: &str) -> String {
    tensor.replace('.', "_").to_uppercase()
}

/// Verilog bus name of a tensor, e.g. `frozen.s1.b0.dw.scale` -> `frozen_s1_b0_dw_scale`.
pub fn bus_name(tensor: &str) -> String {
    tensor.replace('.', "_")
}
