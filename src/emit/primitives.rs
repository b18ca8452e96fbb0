//! The hand-written primitives (`templates/primitives/`), copied verbatim into the output:
//! which ones a plan needs, in dependency order.

use super::OutFile;
use crate::passes::HwPlan;

/// The hand-written primitives, in dependency order.
pub const PRIMITIVES: [(&str, &str); 12] = [
    (
        "sf_sram_1r1w.v",
        include_str!("../../templates/primitives/sf_sram_1r1w.v"),
    ),
    (
        "sf_sram_sp.v",
        include_str!("../../templates/primitives/sf_sram_sp.v"),
    ),
    (
        "sf_fanout.v",
        include_str!("../../templates/primitives/sf_fanout.v"),
    ),
    (
        "sf_fifo.v",
        include_str!("../../templates/primitives/sf_fifo.v"),
    ),
    (
        "sf_skid_buffer.v",
        include_str!("../../templates/primitives/sf_skid_buffer.v"),
    ),
    (
        "sf_delay.v",
        include_str!("../../templates/primitives/sf_delay.v"),
    ),
    (
        "sf_requant_pipe.v",
        include_str!("../../templates/primitives/sf_requant_pipe.v"),
    ),
    (
        "sf_requant_seq.v",
        include_str!("../../templates/primitives/sf_requant_seq.v"),
    ),
    (
        "sf_window3x3.v",
        include_str!("../../templates/primitives/sf_window3x3.v"),
    ),
    (
        "sf_window_reader.v",
        include_str!("../../templates/primitives/sf_window_reader.v"),
    ),
    (
        "sf_axis_video_in.v",
        include_str!("../../templates/primitives/sf_axis_video_in.v"),
    ),
    (
        "sf_axil_regbus.v",
        include_str!("../../templates/primitives/sf_axil_regbus.v"),
    ),
];

/// Primitives only models with trainable cores need, after `PRIMITIVES`.
pub const TRAIN_PRIMITIVES: [(&str, &str); 3] = [
    (
        "sf_mac_engine.v",
        include_str!("../../templates/primitives/sf_mac_engine.v"),
    ),
    (
        "sf_blend.v",
        include_str!("../../templates/primitives/sf_blend.v"),
    ),
    (
        "sf_fork.v",
        include_str!("../../templates/primitives/sf_fork.v"),
    ),
];

/// Primitives of the model heads, after `TRAIN_PRIMITIVES`.
pub const HEAD_PRIMITIVES: [(&str, &str); 3] = [
    (
        "sf_pwl.v",
        include_str!("../../templates/primitives/sf_pwl.v"),
    ),
    (
        "sf_serialize.v",
        include_str!("../../templates/primitives/sf_serialize.v"),
    ),
    (
        "sf_head_pool.v",
        include_str!("../../templates/primitives/sf_head_pool.v"),
    ),
];

/// The primitives a plan instantiates: the common ones, the MAC-engine ones when there are
/// trainable cores or heads, the head ones when there are heads.
pub fn files(plan: &HwPlan) -> Vec<OutFile> {
    let mut list: Vec<&(&str, &str)> = PRIMITIVES.iter().collect();
    if !plan.trainable.is_empty() || !plan.heads.is_empty() {
        list.extend(TRAIN_PRIMITIVES.iter());
    }
    if !plan.heads.is_empty() {
        list.extend(HEAD_PRIMITIVES.iter());
    }
    list.into_iter().map(|&(n, c)| file(n, c)).collect()
}

/// One primitive by file name (`sf_mac_engine.v`), if it exists.
pub fn find(name: &str) -> Option<OutFile> {
    PRIMITIVES
        .iter()
        .chain(&TRAIN_PRIMITIVES)
        .chain(&HEAD_PRIMITIVES)
        .find(|(n, _)| *n == name)
        .map(|&(n, c)| file(n, c))
}

fn file(name: &str, contents: &str) -> OutFile {
    OutFile {
        name: name.to_string(),
        contents: contents.to_string(),
    }
}
