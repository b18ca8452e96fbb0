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
