//! The integer operations of SPEC §2, one function each. Everything is exact: accumulators
//! are 32-bit (enough for 4096 channels of int8 x int8, see `validate::MAX_CHANNELS`) and
//! requantization computes in 64 or 128 bits.

use super::fmap::{Acc, Fmap};
use crate::model::layout::Size;
use crate::model::params::{Pwl, Requant};
use rayon::prelude::*;

/// SPEC §2 requant of one accumulator: clamp((acc*m + b + rnd) >> s, lo, hi), `>>` floor.
/// Exact for every input: 128-bit intermediate.
pub fn requant_value(acc: i128, m: i16, b: i32, shift: u8, lo: i128, hi: i128) -> i128 {
    let rnd: i128 = if shift == 0 { 0 } else { 1 << (shift - 1) };
    ((acc * m as i128 + b as i128 + rnd) >> shift).clamp(lo, hi)
}

/// The 64-bit fast path for conv accumulators (|acc| < 2^31, so |acc*m + b + rnd| < 2^63).
#[inline]
fn requant_i32(acc: i32, m: i16, b: i32, shift: u8, lo: i64) -> i8 {
    let rnd: i64 = if shift == 0 { 0 } else { 1 << (shift - 1) };
    ((acc as i64 * m as i64 + b as i64 + rnd) >> shift).clamp(lo, 127) as i8
}

/// Requantizes conv accumulators to int8 (lo = 0 with ReLU, -128 without).
pub fn requant(acc: &Acc, rq: &Requant, relu: bool) -> Fmap {
    let lo = if relu { 0 } else { -128 };
    let c = acc.channels;
    let mut data = vec![0i8; acc.data.len()];
    data.par_chunks_mut(c * 64)
        .zip(acc.data.par_chunks(c * 64))
        .for_each(|(out, inp)| {
            for (o, a) in out.chunks_exact_mut(c).zip(inp.chunks_exact(c)) {
                for ch in 0..c {
                    o[ch] = requant_i32(a[ch], rq.scale[ch], rq.bias[ch], rq.shift, lo);
                }
            }
        });
    Fmap {
        size: acc.size,
        channels: c,
        data,
    }
}

/// requant16 (SPEC §2): int16 limits, no ReLU. `values[i]` belongs to channel i % channels.
pub fn requant16(values: &[i64], channels: usize, rq: &Requant) -> Vec<i16> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let ch = i % channels;
            requant_value(
                v as i128,
                rq.scale[ch],
                rq.bias[ch],
                rq.shift,
                i16::MIN as i128,
                i16::MAX as i128,
            ) as i16
        })
        .collect()
}

/// Piecewise-linear activation (SPEC §2): segment k = max{k : z >= x_k}, then
/// clamp16(y_k + (((z - x_k) * g_k + 128) >> 8)).
pub fn pwl(z: i16, f: &Pwl) -> i16 {
    let k = f.x.iter().rposition(|&x| z >= x).unwrap_or(0);
    let dz = z as i64 - f.x[k] as i64;
    let v = f.y[k] as i64 + ((dz * f.g[k] as i64 + 128) >> 8);
    v.clamp(i16::MIN as i64, i16::MAX as i64) as i16
}

/// Alpha blend (SPEC §1): (a*xf + (256 - a)*xt + 128) >> 8 per channel.
pub fn blend(frozen: &Fmap, trainable: &Fmap, alpha: &[u16]) -> Fmap {
    let c = frozen.channels;
    let data = frozen
        .data
        .iter()
        .zip(&trainable.data)
        .enumerate()
        .map(|(i, (&xf, &xt))| blend_value(xf, xt, alpha[i % c]))
        .collect();
    Fmap {
        size: frozen.size,
        channels: c,
        data,
    }
}

#[inline]
pub fn blend_value(xf: i8, xt: i8, a: u16) -> i8 {
    let a = a as i32;
    ((a * xf as i32 + (256 - a) * xt as i32 + 128) >> 8) as i8
}

/// Channel shuffle with 2 groups: out[2i] = in[i], out[2i+1] = in[C/2 + i].
pub fn shuffle(x: &Fmap) -> Fmap {
    let c = x.channels;
    let half = c / 2;
    let mut data = vec![0i8; x.data.len()];
    for (o, i) in data.chunks_exact_mut(c).zip(x.data.chunks_exact(c)) {
        for k in 0..half {
            o[2 * k] = i[k];
            o[2 * k + 1] = i[half + k];
        }
    }
    Fmap {
        size: x.size,
        channels: c,
        data,
    }
}

/// Core shuffle (SPEC §1): T''_0 = T'_0[0:C/2] ‖ T'_1[C/2:C], T''_1 = T'_1[0:C/2] ‖ T'_0[C/2:C].
pub fn core_shuffle(t0: &Fmap, t1: &Fmap) -> (Fmap, Fmap) {
    let half = t0.channels / 2;
    let lo0 = t0.channel_slice(0, half);
    let hi0 = t0.channel_slice(half, half);
    let lo1 = t1.channel_slice(0, half);
    let hi1 = t1.channel_slice(half, half);
    (Fmap::concat(&lo0, &hi1), Fmap::concat(&lo1, &hi0))
}

#[inline]
fn dot(a: &[i16], b: &[i16]) -> i32 {
    // Vectorizes to multiply-add of 16-bit pairs into 32-bit lanes.
    a.iter().zip(b).map(|(&x, &y)| x as i32 * y as i32).sum()
}

/// Full 3x3 conv (the stem), zero padding 1, stride `stride`. Weight [O][Cin][3][3].
pub fn conv3x3(x: &Fmap, weight: &[i8], out_channels: usize, stride: usize) -> Acc {
    let cin = x.channels;
    let taps = 9 * cin;
    // Reorder weights to the patch order (i, j, ci) so each output is one dot product.
    let mut w = vec![0i16; out_channels * taps];
    for o in 0..out_channels {
        for ci in 0..cin {
            for t in 0..9 {
                w[o * taps + t * cin + ci] = weight[(o * cin + ci) * 9 + t] as i16;
            }
        }
    }
    let out_size = x.size.strided(stride);
    let mut data = vec![0i32; out_size.pixels() * out_channels];
    data.par_chunks_mut(out_size.w * out_channels)
        .enumerate()
        .for_each(|(r, row)| {
            let mut patch = vec![0i16; taps];
            for c in 0..out_size.w {
                for i in 0..3 {
                    for j in 0..3 {
                        let dst = &mut patch[(i * 3 + j) * cin..(i * 3 + j + 1) * cin];
                        match input_pos(x.size, stride * r + i, stride * c + j) {
                            Some((y, xx)) => {
                                for (d, &s) in dst.iter_mut().zip(x.pixel(y, xx)) {
                                    *d = s as i16;
                                }
                            }
                            None => dst.fill(0),
                        }
                    }
                }
                let out = &mut row[c * out_channels..(c + 1) * out_channels];
                for (o, acc) in out.iter_mut().enumerate() {
                    *acc = dot(&patch, &w[o * taps..(o + 1) * taps]);
                }
            }
        });
    Acc {
        size: out_size,
        channels: out_channels,
        data,
    }
}

/// Input position of window tap (row + i - 1, col + j - 1), or None in the zero padding.
#[inline]
fn input_pos(size: Size, r: usize, c: usize) -> Option<(usize, usize)> {
    // r and c are offset by +1 (the padding), so r == 0 is row -1.
    if r == 0 || c == 0 || r > size.h || c > size.w {
        None
    } else {
        Some((r - 1, c - 1))
    }
}

/// Depthwise 3x3 conv of channels `from..from+C` of `x`, zero padding 1. Weight [C][1][3][3].
pub fn depthwise3x3(x: &Fmap, from: usize, weight: &[i8], stride: usize) -> Acc {
    let c = weight.len() / 9;
    // Tap-major weights so the channel loop is contiguous and vectorizes.
    let mut w = vec![0i32; 9 * c];
    for ch in 0..c {
        for t in 0..9 {
            w[t * c + ch] = weight[ch * 9 + t] as i32;
        }
    }
    let out_size = x.size.strided(stride);
    let mut data = vec![0i32; out_size.pixels() * c];
    data.par_chunks_mut(out_size.w * c)
        .enumerate()
        .for_each(|(r, row)| {
            for col in 0..out_size.w {
                let out = &mut row[col * c..(col + 1) * c];
                for i in 0..3 {
                    for j in 0..3 {
                        if let Some((y, xx)) = input_pos(x.size, stride * r + i, stride * col + j) {
                            let px = &x.pixel(y, xx)[from..from + c];
                            let wt = &w[(i * 3 + j) * c..(i * 3 + j + 1) * c];
                            for ((a, &v), &k) in out.iter_mut().zip(px).zip(wt) {
                                *a += v as i32 * k;
                            }
                        }
                    }
                }
            }
        });
    Acc {
        size: out_size,
        channels: c,
        data,
    }
}

/// Grouped pointwise conv: out[o] = sum over group(o) of w[o][i] * x[i]. Weight [O][I/G][1][1].
/// Used for PW layers (G = 1) and heads.
pub fn pointwise(x: &Fmap, weight: &[i8], out_channels: usize, groups: usize) -> Acc {
    let cin = x.channels;
    let gi = cin / groups;
    let go = out_channels / groups;
    let w: Vec<i16> = weight.iter().map(|&v| v as i16).collect();
    let mut data = vec![0i32; x.size.pixels() * out_channels];
    let rows = 16;
    data.par_chunks_mut(rows * out_channels)
        .enumerate()
        .for_each(|(blk, out)| {
            let mut px = vec![0i16; cin];
            for (p, o) in out.chunks_exact_mut(out_channels).enumerate() {
                let src = &x.data[(blk * rows + p) * cin..(blk * rows + p + 1) * cin];
                for (d, &s) in px.iter_mut().zip(src) {
                    *d = s as i16;
                }
                for (oc, acc) in o.iter_mut().enumerate() {
                    let g = oc / go;
                    *acc = dot(&px[g * gi..(g + 1) * gi], &w[oc * gi..(oc + 1) * gi]);
                }
            }
        });
    Acc {
        size: x.size,
        channels: out_channels,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rq(acc: i128, m: i16, b: i32, s: u8, relu: bool) -> i128 {
        requant_value(acc, m, b, s, if relu { 0 } else { -128 }, 127)
    }

    #[test]
    fn requant_rounds_half_up_also_for_negative_values() {
        // s = 1: 1.5 -> 2, 0.5 -> 1, -0.5 -> 0, -1.5 -> -1, -2.5 -> -2 (floor(v + 0.5)).
        assert_eq!(rq(3, 1, 0, 1, false), 2);
        assert_eq!(rq(1, 1, 0, 1, false), 1);
        assert_eq!(rq(-1, 1, 0, 1, false), 0);
        assert_eq!(rq(-3, 1, 0, 1, false), -1);
        assert_eq!(rq(-5, 1, 0, 1, false), -2);
        // s = 2: -0.75 -> -1, -0.25 -> 0.
        assert_eq!(rq(-3, 1, 0, 2, false), -1);
        assert_eq!(rq(-1, 1, 0, 2, false), 0);
    }

    #[test]
    fn requant_shift_zero_has_no_rounding_term() {
        assert_eq!(rq(5, 3, -2, 0, false), 13);
        assert_eq!(rq(-5, 3, 2, 0, false), -13);
    }

    #[test]
    fn requant_shift_forty() {
        // acc*m = +-2.5 * 2^40: rounds to 3 and -2.
        assert_eq!(rq(5 << 25, 1 << 14, 0, 40, false), 3);
        assert_eq!(rq(-(5 << 25), 1 << 14, 0, 40, false), -2);
        assert_eq!(requant_i32(5 << 25, 1 << 14, 0, 40, -128), 3);
        assert_eq!(requant_i32(-(5 << 25), 1 << 14, 0, 40, -128), -2);
    }

    #[test]
    fn requant_saturates_at_both_ends_and_relu_clamps_at_zero() {
        assert_eq!(rq(1000, 1, 0, 0, false), 127);
        assert_eq!(rq(-1000, 1, 0, 0, false), -128);
        assert_eq!(rq(-1000, 1, 0, 0, true), 0);
        assert_eq!(rq(-1, 1, 0, 0, true), 0);
        assert_eq!(rq(127, 1, 0, 0, true), 127);
        assert_eq!(rq(128, 1, 0, 0, true), 127);
        // Negative scale and bias.
        assert_eq!(rq(10, -2, 5, 0, false), -15);
        // The 32-bit fast path agrees at the extremes of its range.
        for &(acc, m, b, s) in &[
            (i32::MAX, i16::MAX, i32::MAX, 40u8),
            (i32::MIN, i16::MIN, i32::MIN, 0),
            (i32::MIN, i16::MAX, 7, 17),
        ] {
            assert_eq!(
                requant_i32(acc, m, b, s, -128) as i128,
                rq(acc as i128, m, b, s, false)
            );
            assert_eq!(
                requant_i32(acc, m, b, s, 0) as i128,
                rq(acc as i128, m, b, s, true)
            );
        }
    }

    #[test]
    fn requant16_uses_int16_limits_and_128_bit_products() {
        let r = Requant {
            scale: vec![1, i16::MAX],
            bias: vec![0, 0],
            shift: 0,
        };
        assert_eq!(
            requant16(&[40000, 1, -40000, -1], 2, &r),
            vec![32767, 32767, -32768, -32767]
        );
        let big = Requant {
            scale: vec![i16::MIN],
            bias: vec![0],
            shift: 40,
        };
        // (2^62 * -2^15) >> 40 = -2^37: only exact with a wide intermediate, then clamped.
        assert_eq!(requant16(&[1i64 << 62], 1, &big), vec![-32768]);
        let exact = Requant {
            scale: vec![3],
            bias: vec![-5],
            shift: 2,
        };
        assert_eq!(requant16(&[7], 1, &exact), vec![4]); // (21 - 5 + 2) >> 2 = 4
    }

    #[test]
    fn blend_matches_hand_computed_values() {
        assert_eq!(blend_value(17, -3, 256), 17);
        assert_eq!(blend_value(17, -3, 0), -3);
        assert_eq!(blend_value(1, 0, 128), 1); // (128 + 128) >> 8
        assert_eq!(blend_value(-1, 0, 128), 0); // (-128 + 128) >> 8
        assert_eq!(blend_value(-128, 127, 128), 0); // (-16384 + 16256 + 128) >> 8
        assert_eq!(blend_value(127, -128, 1), -127); // floor(-32385 / 256)
        assert_eq!(blend_value(-128, -128, 77), -128);
        assert_eq!(blend_value(127, 127, 200), 127);
    }

    #[test]
    fn channel_shuffle_interleaves_the_halves() {
        let x = Fmap {
            size: Size { h: 1, w: 2 },
            channels: 6,
            data: vec![0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15],
        };
        assert_eq!(
            shuffle(&x).data,
            vec![0, 3, 1, 4, 2, 5, 10, 13, 11, 14, 12, 15]
        );
    }

    #[test]
    fn core_shuffle_swaps_the_upper_halves() {
        let s = Size { h: 1, w: 1 };
        let t0 = Fmap {
            size: s,
            channels: 4,
            data: vec![1, 2, 3, 4],
        };
        let t1 = Fmap {
            size: s,
            channels: 4,
            data: vec![5, 6, 7, 8],
        };
        let (a, b) = core_shuffle(&t0, &t1);
        assert_eq!(a.data, vec![1, 2, 7, 8]);
        assert_eq!(b.data, vec![5, 6, 3, 4]);
    }

    #[test]
    fn pwl_segments_edges_rounding_and_clamping() {
        let f = Pwl {
            x: vec![i16::MIN, 0, 100],
            y: vec![-100, 0, 50],
            g: vec![256, 512, -256],
        };
        assert_eq!(pwl(-1, &f), -100 + 32767);
        assert_eq!(pwl(i16::MIN, &f), -100);
        assert_eq!(pwl(0, &f), 0);
        assert_eq!(pwl(99, &f), 198); // (99*512 + 128) >> 8 = 198.5 floored
        assert_eq!(pwl(100, &f), 50);
        assert_eq!(pwl(101, &f), 49); // (-256 + 128) >> 8 = -1 (floor of -0.5)
        assert_eq!(pwl(i16::MAX, &f), 50 - 32667);
        let steep = Pwl {
            x: vec![i16::MIN, 0],
            y: vec![0, 0],
            g: vec![-32768, i16::MAX],
        };
        assert_eq!(pwl(i16::MAX, &steep), i16::MAX);
        assert_eq!(pwl(-1, &steep), i16::MIN);
        let half = Pwl {
            x: vec![i16::MIN],
            y: vec![0],
            g: vec![1],
        };
        assert_eq!(pwl(i16::MIN + 127, &half), 0); // (127 + 128) >> 8
        assert_eq!(pwl(i16::MIN + 128, &half), 1); // (128 + 128) >> 8
    }

    #[test]
    fn conv3x3_zero_pads_every_border() {
        // 2x3 single-channel input, all-ones kernel: each output sums its in-image neighbours.
        let x = Fmap {
            size: Size { h: 2, w: 3 },
            channels: 1,
            data: vec![1, 2, 3, 4, 5, 6],
        };
        let acc = conv3x3(&x, &[1; 9], 1, 1);
        assert_eq!(acc.data, vec![12, 21, 16, 12, 21, 16]);
        // Stride 2: outputs at (0,0) and (0,2), ceil(2/2) x ceil(3/2).
        let acc2 = conv3x3(&x, &[1; 9], 1, 2);
        assert_eq!(acc2.size, Size { h: 1, w: 2 });
        assert_eq!(acc2.data, vec![12, 16]);
        // Kernel position (i, j) multiplies input (r + i - 1, c + j - 1): only the centre-right tap.
        let mut w = [0i8; 9];
        w[5] = 2;
        assert_eq!(conv3x3(&x, &w, 1, 1).data, vec![4, 6, 0, 10, 12, 0]);
    }

    #[test]
    fn stem_conv_sums_over_input_channels() {
        let x = Fmap {
            size: Size { h: 1, w: 1 },
            channels: 2,
            data: vec![3, -4],
        };
        // Weight [1][2][3][3]: centre taps 5 and 7.
        let mut w = vec![0i8; 18];
        w[4] = 5;
        w[9 + 4] = 7;
        assert_eq!(conv3x3(&x, &w, 1, 2).data, vec![15 - 28]);
    }

    #[test]
    fn depthwise_uses_its_channel_slice() {
        let x = Fmap {
            size: Size { h: 1, w: 2 },
            channels: 4,
            data: vec![1, 2, 3, 4, 5, 6, 7, 8],
        };
        // Channels 2..4, centre tap 1 and left tap 10 (input column c - 1).
        let mut w = vec![0i8; 18];
        for ch in 0..2 {
            w[ch * 9 + 4] = 1;
            w[ch * 9 + 3] = 10;
        }
        assert_eq!(depthwise3x3(&x, 2, &w, 1).data, vec![3, 4, 7 + 30, 8 + 40]);
    }

    #[test]
    fn grouped_pointwise_only_sees_its_group() {
        let x = Fmap {
            size: Size { h: 1, w: 1 },
            channels: 4,
            data: vec![1, 2, 3, 4],
        };
        // O = 2, G = 2: output 0 sees inputs 0..2, output 1 sees 2..4. Weight [2][2].
        let acc = pointwise(&x, &[1, 10, 100, -1], 2, 2);
        assert_eq!(acc.data, vec![21, 296]);
        let full = pointwise(&x, &[1, 1, 1, 1, -128, -128, -128, -128], 2, 1);
        assert_eq!(full.data, vec![10, -1280]);
    }
}
