//! Value intervals and minimal two's-complement widths. Intervals are computed exactly from each
//! node's coefficient vector over the input box (not by interval arithmetic on operands, which
//! over-estimates when one input reaches a node along two paths), so no bit is wasted.

/// A closed integer interval `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interval {
    pub lo: i64,
    pub hi: i64,
}

impl Interval {
    pub const fn new(lo: i64, hi: i64) -> Self {
        Interval { lo, hi }
    }
    /// Signed 8-bit feature map values.
    pub const INT8: Interval = Interval::new(-128, 127);
    /// Feature map values after ReLU.
    pub const RELU8: Interval = Interval::new(0, 127);

    /// Minimal two's-complement width holding every value of the interval.
    pub fn width(&self) -> u32 {
        signed_width(self.lo as i128, self.hi as i128)
    }
}

/// Smallest `w >= 1` with `-2^(w-1) <= lo` and `hi <= 2^(w-1) - 1`.
pub fn signed_width(lo: i128, hi: i128) -> u32 {
    let bits = |v: i128| -> u32 {
        // Bits for v in two's complement, excluding nothing: 0 and -1 need 1 bit.
        let m = if v < 0 { !v } else { v };
        129 - m.leading_zeros()
    };
    bits(lo).max(bits(hi)).max(1)
}

/// Exact interval of `sum_i c_i * x_i` with `x_i` in `ranges[i]`, for a sparse coefficient list.
/// `None` if it does not fit in i64.
pub fn linear_interval(coeffs: &[(u32, i64)], ranges: &[Interval]) -> Option<Interval> {
    let (mut lo, mut hi) = (0i128, 0i128);
    for &(i, c) in coeffs {
        let r = ranges.get(i as usize)?;
        let (a, b) = (c as i128 * r.lo as i128, c as i128 * r.hi as i128);
        lo += a.min(b);
        hi += a.max(b);
    }
    Some(Interval::new(
        i64::try_from(lo).ok()?,
        i64::try_from(hi).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(Interval::INT8.width(), 8);
        assert_eq!(Interval::RELU8.width(), 8);
        assert_eq!(Interval::new(0, 0).width(), 1);
        assert_eq!(Interval::new(-1, 0).width(), 1);
        assert_eq!(Interval::new(0, 1).width(), 2);
        assert_eq!(Interval::new(-129, 0).width(), 9);
        assert_eq!(Interval::new(-128, 128).width(), 9);
        assert_eq!(Interval::new(i64::MIN, i64::MAX).width(), 64);
        // Brute force against the definition.
        for lo in -300i64..=0 {
            for hi in [lo, 0, 5, 127, 128, 255, 256] {
                if hi < lo {
                    continue;
                }
                let w = Interval::new(lo, hi).width();
                let fits = |w: u32| -(1i64 << (w - 1)) <= lo && hi < (1i64 << (w - 1));
                assert!(fits(w) && (w == 1 || !fits(w - 1)), "[{lo},{hi}] -> {w}");
            }
        }
    }

    #[test]
    fn exact_interval_beats_operand_arithmetic() {
        // 7x = (x << 3) - x over int8: exact [-889, 896]... i.e. 7*[-128,127].
        let r = [Interval::INT8];
        assert_eq!(
            linear_interval(&[(0, 7)], &r),
            Some(Interval::new(-896, 889))
        );
        let r2 = [Interval::INT8, Interval::RELU8];
        assert_eq!(
            linear_interval(&[(0, -3), (1, 5)], &r2),
            Some(Interval::new(-381, 1019))
        );
    }
}
