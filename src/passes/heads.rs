//! The `heads` pass: every model head (SPEC §1-2) as hardware. A head reads the boundary-S
//! stream of its source (I channels, `h_S x w_S` pixels, one every `T = H*W / (h_S*w_S)`
//! clocks) and computes a grouped 1x1 conv, requant16 and the PWL activation:
//! - without pooling, an `sf_mac_engine` (16-bit outputs, requant16) sized like the trainable
//!   layers, then `sf_serialize` (O beats per pixel) and `sf_pwl`;
//! - with pooling, `sf_head_pool`: the frame sums of the I inputs are accumulated first
//!   (exact, so `sum_p acc_o(p) = sum_i w[o][i] * sum_p x_i(p)`), then O dot products of L
//!   products run once per frame, Q per clock, then `sf_pwl`.
//!
//! Pooling changes the output stream's shape (O beats per frame instead of per pixel), so the
//! hardware is built for the model's `head{h}.pool` value; a configuration image with another
//! value is refused (it is part of the frozen hash, like the topology).

use super::schedule::{self, EngineKind, EngineSchedule};
use crate::model::layout::Size;
use crate::model::manifest::HeadSource;
use crate::model::Model;

/// Clocks per output `sf_head_pool` may spend besides its `S` memory reads (its CONTRACT's
/// bound, checked by its testbench: the dot products of a frame end within
/// `O*(S + 5) + RQ_STAGES + MUL_REG + 8` clocks of the closing vector).
pub const POOL_CLOCKS_PER_OUTPUT: usize = 5;
/// The fixed part of that bound besides the pipeline (`RQ_STAGES + MUL_REG`).
pub const POOL_FIXED_CLOCKS: usize = 8;
/// `sf_head_pool`'s pipeline at most: four requant16 stages (`sf_requant_pipe` STAGES) and the
/// product register, for sizing Q before the timing pass picks them.
pub const POOL_MAX_PIPELINE: usize = 5;
/// Clocks of `sf_serialize` (a vector's handshake to its first beat) and of `sf_pwl` (input
/// handshake to its output), from their CONTRACTs.
pub const SERIALIZE_CLOCKS: usize = 1;
pub const PWL_CLOCKS: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadHw {
    pub index: usize,
    /// `head{h}`
    pub name: String,
    pub source: HeadSource,
    pub in_channels: usize,
    pub outputs: usize,
    pub groups: usize,
    pub pool: bool,
    /// The source's feature-map size (boundary S).
    pub in_size: Size,
    /// PWL segments the hardware holds (K_max) and the model uses (K).
    pub k_max: usize,
    pub segments: usize,
    /// The weight memory and its lanes: the per-pixel engine, or with pooling the dot-product
    /// unit (`p = 1`, `q` products per clock, `clocks_available` = clocks per frame).
    pub engine: EngineSchedule,
}

impl HeadHw {
    /// `L = I / G`, weights per output.
    pub fn group_inputs(&self) -> usize {
        self.in_channels / self.groups
    }
    /// Output beats per frame.
    pub fn beats_per_frame(&self) -> usize {
        if self.pool {
            self.outputs
        } else {
            self.outputs * self.in_size.pixels()
        }
    }
    /// Signed accumulator bits of the pooled dot product: |acc| <= L * 128 * 128 * pixels.
    pub fn pool_acc_bits(&self) -> usize {
        let max = (self.group_inputs() as u128) * (1 << 14) * self.in_size.pixels() as u128;
        (u128::BITS - max.leading_zeros()) as usize + 1
    }
    /// Clocks per frame of the pooled dot products (the bound of `sf_head_pool`'s CONTRACT),
    /// `O * (S + 5) + RQ_STAGES + MUL_REG + 8`.
    pub fn pool_clocks(&self) -> usize {
        pool_frame_clocks(self.outputs, self.engine.steps(), self.pool_pipeline())
    }
    /// `sf_head_pool`'s `RQ_STAGES + MUL_REG`: it registers its products when the timing pass
    /// registers the engines' (`EnginePipe::mul_reg`).
    pub fn pool_pipeline(&self) -> usize {
        self.engine.pipe.rq_stages as usize + usize::from(self.engine.pipe.mul_reg)
    }
    /// Clocks from an input handshake to the first output beat it leads to, without stalls:
    /// per pixel the engine, `sf_serialize` and `sf_pwl`
    /// (`EngineSchedule::latency + 1 + 6`); pooled, from the frame's closing vector through
    /// the first dot product (2 clocks to start, S reads, the product register and requant16
    /// pipeline and 6 more, `sf_head_pool`'s CONTRACT) and `sf_pwl`.
    pub fn latency(&self) -> usize {
        if self.pool {
            2 + self.engine.steps() + self.pool_pipeline() + 6 + PWL_CLOCKS
        } else {
            self.engine.latency() + SERIALIZE_CLOCKS + PWL_CLOCKS
        }
    }
    /// Bits of the PWL segment-count register.
    pub fn segment_bits(&self) -> u32 {
        usize::BITS - self.k_max.leading_zeros()
    }
}

/// Products per clock of a pooled head: the fewest that finish the frame's dot products in
/// half a frame (the other half is margin for output backpressure), then up to 3 more if
/// that saves weight-SRAM bits (a memory word holds a multiple of 4 bytes, so Q = 1 would
/// leave 3 of every 4 bytes empty).
pub fn pool_products(outputs: usize, l: usize, frame_clocks: usize) -> usize {
    let fits =
        |q: usize| pool_frame_clocks(outputs, l.div_ceil(q), POOL_MAX_PIPELINE) <= frame_clocks / 2;
    let q_min = (1..=l).find(|&q| fits(q)).unwrap_or(l);
    let sram_bits = |q: usize| outputs * l.div_ceil(q) * q.div_ceil(4) * 32;
    (q_min..=(q_min + 3).min(l))
        .min_by_key(|&q| (sram_bits(q), q))
        .unwrap_or(q_min)
}

/// The bound on a frame's pooled dot products for `outputs` outputs of `steps` memory reads
/// with a `pipeline` of `RQ_STAGES + MUL_REG` registers, `O * (S + 5) + RQ_STAGES + MUL_REG + 8`.
pub fn pool_frame_clocks(outputs: usize, steps: usize, pipeline: usize) -> usize {
    outputs * (steps + POOL_CLOCKS_PER_OUTPUT) + pipeline + POOL_FIXED_CLOCKS
}

/// Every head of the model, in head order.
pub fn schedule(model: &Model) -> Vec<HeadHw> {
    let net = &model.layout;
    let in_size = *net.boundary_sizes.last().expect("boundary S");
    let frame = net.input.pixels();
    net.heads
        .iter()
        .zip(&model.heads)
        .enumerate()
        .map(|(h, (hl, head))| {
            let l = hl.group_inputs();
            let kind = EngineKind::Head { groups: hl.groups };
            let mut engine = schedule::engine(
                net,
                hl.name.clone(),
                kind,
                hl.in_channels,
                hl.outputs,
                l,
                false,
                in_size,
            );
            if head.pool {
                engine.p = 1;
                engine.q = pool_products(hl.outputs, l, frame);
                engine.clocks_available = frame;
            }
            HeadHw {
                index: h,
                name: hl.name.clone(),
                source: hl.source,
                in_channels: hl.in_channels,
                outputs: hl.outputs,
                groups: hl.groups,
                pool: head.pool,
                in_size,
                k_max: model.manifest.generation.k_max,
                segments: head.pwl.x.len(),
                engine,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_dot_products_fit_half_a_frame() {
        assert_eq!(
            pool_products(100, 128, 76_800),
            4,
            "qvga head0: no empty bytes"
        );
        for (o, l, frame) in [
            (10, 64, 1024),
            (1000, 128, 307_200),
            (4, 8, 16),
            (3, 2, 1000),
        ] {
            let q = pool_products(o, l, frame);
            assert!(q >= 1 && q <= l);
            let fits =
                |q: usize| pool_frame_clocks(o, l.div_ceil(q), POOL_MAX_PIPELINE) <= frame / 2;
            if q < l {
                assert!(fits(q));
            }
            // No fewer products fit, and none of the next three saves SRAM.
            let bits = |q: usize| o * l.div_ceil(q) * q.div_ceil(4) * 32;
            let q_min = (1..=l).find(|&q| fits(q)).unwrap_or(l);
            assert!(q >= q_min && q <= q_min + 3);
            for q2 in q_min..=(q_min + 3).min(l) {
                assert!(bits(q2) >= bits(q), "{q2} beats {q}");
            }
        }
    }

    #[test]
    fn grouped_index_formula() {
        let e = EngineSchedule {
            layer: "head0".into(),
            kind: EngineKind::Head { groups: 2 },
            in_n: 8,
            out_n: 6,
            l: 4,
            relu: false,
            out_size: Size { h: 1, w: 1 },
            clocks_available: 4,
            p: 2,
            q: 2,
            pipe: super::schedule::EnginePipe::default(),
        };
        let (offset, si, so, go, sg) = e.index_params();
        for o in 0..6 {
            for i in 0..4 {
                let idx = offset as isize
                    + (i * si) as isize
                    + (o * so) as isize
                    + (o / go) as isize * sg;
                assert_eq!(idx as usize, (o / 3) * 4 + i);
            }
        }
    }
}
