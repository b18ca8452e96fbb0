//! Checks of the manifest's topology against SPEC §1's block rules and the hardware limits.
//! Tensor values are checked where they are read (see `params`).

use super::error::Problems;
use super::manifest::{HeadSource, Manifest, FORMAT};

/// Largest channel count at any boundary; keeps every conv accumulator within 32 bits.
pub const MAX_CHANNELS: usize = 4096;
/// Largest input height or width (keeps line buffers and golden-model frames sane).
pub const MAX_SIZE: usize = 8192;
/// Most stages, and most extra blocks per stage and core.
pub const MAX_STAGES: usize = 16;
pub const MAX_REPEATS: usize = 64;
/// Largest Cin.
pub const MAX_IN_CHANNELS: usize = 64;
/// SPEC §2: at most this many weights per head.
pub const MAX_HEAD_PARAMS: usize = 131_072;
/// SPEC §1: up to three heads.
pub const MAX_HEADS: usize = 3;
/// Upper bound on K_max and R_max (hardware tables stay small).
pub const MAX_SEGMENTS: usize = 64;
pub const MAX_REPEAT_BANKS: usize = 16;
/// SPEC §2: requant shift range.
pub const MAX_SHIFT: u8 = 40;

pub fn check_manifest(m: &Manifest, p: &mut Problems) {
    if m.format != FORMAT {
        p.field(
            "format",
            format!("expected \"{FORMAT}\", found \"{}\"", m.format),
        );
    }
    if m.tensors.trim().is_empty() {
        p.field(
            "tensors",
            "expected the path of the safetensors file, found an empty string",
        );
    }
    let inp = &m.input;
    for (name, v) in [("input.height", inp.height), ("input.width", inp.width)] {
        if v == 0 || v > MAX_SIZE {
            p.field(
                name,
                format!("expected a size in 1..={MAX_SIZE}, found {v}"),
            );
        }
    }
    if !(1..=MAX_IN_CHANNELS).contains(&inp.channels) {
        p.field(
            "input.channels",
            format!("expected 1..={MAX_IN_CHANNELS}, found {}", inp.channels),
        );
    }
    let t = &m.topology;
    if t.trainable_cores > 2 {
        p.field(
            "topology.trainable_cores",
            format!("expected 0, 1 or 2, found {}", t.trainable_cores),
        );
    }
    if t.repeat_banks > MAX_REPEAT_BANKS {
        p.field(
            "topology.repeat_banks",
            format!(
                "expected at most {MAX_REPEAT_BANKS} banks (R_max), found {}",
                t.repeat_banks
            ),
        );
    }
    if t.repeat_banks > 0 && t.trainable_cores == 0 {
        p.field(
            "topology.repeat_banks",
            format!("the repeat block belongs to the trainable cores, but there are none (found R_max = {})", t.repeat_banks),
        );
    }
    check_width(p, "topology.stem_channels", t.stem_channels);
    if t.stages.is_empty() || t.stages.len() > MAX_STAGES {
        p.field(
            "topology.stages",
            format!("expected 1..={MAX_STAGES} stages, found {}", t.stages.len()),
        );
    }
    let mut prev = t.stem_channels;
    let mut stride2_layers = 1; // the stem
    for (i, st) in t.stages.iter().enumerate() {
        let f = format!("topology.stages[{i}]");
        match st.stride {
            2 => {
                stride2_layers += 1;
                if st.channels != prev.saturating_mul(2) {
                    p.field(
                        format!("{f}.channels"),
                        format!(
                            "a stride-2 stage doubles the width: expected {}, found {}",
                            prev.saturating_mul(2),
                            st.channels
                        ),
                    );
                }
            }
            1 => {
                if st.channels != prev {
                    p.field(
                        format!("{f}.channels"),
                        format!(
                            "a stride-1 stage keeps the width: expected {prev}, found {}",
                            st.channels
                        ),
                    );
                }
            }
            s => p.field(format!("{f}.stride"), format!("expected 1 or 2, found {s}")),
        }
        check_width(p, &format!("{f}.channels"), st.channels);
        for (field, v) in [
            ("frozen_repeats", st.frozen_repeats),
            ("trainable_repeats", st.trainable_repeats),
        ] {
            if v > MAX_REPEATS {
                p.field(
                    format!("{f}.{field}"),
                    format!("expected at most {MAX_REPEATS} extra blocks, found {v}"),
                );
            }
        }
        prev = st.channels;
    }
    let div = 1usize << stride2_layers.min(30);
    for (name, v) in [("input.height", inp.height), ("input.width", inp.width)] {
        if v % div != 0 {
            p.field(
                name,
                format!(
                    "expected a multiple of {div} (2^{stride2_layers}, one factor per stride-2 layer), found {v}"
                ),
            );
        }
    }
    check_heads(m, p, prev);
    let g = &m.generation;
    if !(1..=MAX_SEGMENTS).contains(&g.k_max) {
        p.field(
            "generation.k_max",
            format!("expected 1..={MAX_SEGMENTS}, found {}", g.k_max),
        );
    }
    check_target(p, g.target_mhz, g.timing_model);
}

/// The target clock must be a number the timing pass can plan for.
fn check_target(p: &mut Problems, mhz: f64, technology: crate::technology::TimingModel) {
    if let Err(e) = crate::technology::check_target(mhz, technology) {
        p.field("generation.target_mhz", format!("{e:#}"));
    }
}

/// Block rules: halves and shuffles need an even width.
fn check_width(p: &mut Problems, field: &str, c: usize) {
    if c < 2 || !c.is_multiple_of(2) || c > MAX_CHANNELS {
        p.field(
            field,
            format!("expected an even width in 2..={MAX_CHANNELS}, found {c}"),
        );
    }
}

fn check_heads(m: &Manifest, p: &mut Problems, c_s: usize) {
    if m.heads.len() > MAX_HEADS {
        p.field(
            "heads",
            format!(
                "expected at most {MAX_HEADS} heads, found {}",
                m.heads.len()
            ),
        );
    }
    let cores = m.topology.trainable_cores;
    for (h, head) in m.heads.iter().enumerate() {
        let f = format!("heads[{h}]");
        let needs = match head.source {
            HeadSource::Frozen => 0,
            HeadSource::Train0 => 1,
            HeadSource::Train1 | HeadSource::Train01 => 2,
        };
        if cores < needs {
            p.field(
                format!("{f}.source"),
                format!(
                    "source \"{}\" needs {needs} trainable cores, found {cores}",
                    head.source
                ),
            );
        }
        let inputs = if head.source == HeadSource::Train01 {
            c_s.saturating_mul(2)
        } else {
            c_s
        };
        let (o, g) = (head.outputs, head.groups);
        if o == 0 {
            p.field(
                format!("{f}.outputs"),
                "expected at least 1 output, found 0",
            );
        }
        if g == 0 {
            p.field(format!("{f}.groups"), "expected at least 1 group, found 0");
            continue;
        }
        if inputs % g != 0 {
            p.field(
                format!("{f}.groups"),
                format!("input width I = {inputs} is not divisible by G = {g}"),
            );
        }
        if o % g != 0 {
            p.field(
                format!("{f}.groups"),
                format!("outputs O = {o} is not divisible by G = {g}"),
            );
        }
        // In u128: a hostile manifest's O and I must not overflow the check itself.
        let params = o as u128 * (inputs / g) as u128;
        if params > MAX_HEAD_PARAMS as u128 {
            p.field(
                format!("{f}.outputs"),
                format!("expected at most {MAX_HEAD_PARAMS} weights (O*I/G), found {o}*{inputs}/{g} = {params}"),
            );
        }
    }
}
