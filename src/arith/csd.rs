//! Canonical signed digit (CSD) recoding: the signed power-of-two form of an integer with the
//! fewest nonzero digits (no two adjacent). It is the starting point of the lowering and the
//! per-weight baseline the report compares against.

/// One signed power-of-two digit: `(-1)^neg * 2^shift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digit {
    pub shift: u32,
    pub neg: bool,
}

/// CSD digits of `v`, least significant first. Empty for 0.
pub fn csd(v: i64) -> Vec<Digit> {
    let mut out = Vec::new();
    // i128 so that i64::MIN and the carry out of the top bit cannot overflow.
    let mut x = v as i128;
    let mut shift = 0u32;
    while x != 0 {
        if x & 1 == 1 {
            // x mod 4 == 3 -> digit -1 (absorbs a run of ones), == 1 -> digit +1.
            let neg = x & 3 == 3;
            out.push(Digit { shift, neg });
            x += if neg { 1 } else { -1 };
        }
        x >>= 1;
        shift += 1;
    }
    out
}

/// Number of nonzero CSD digits of `v` (the minimal signed-digit weight).
pub fn csd_weight(v: i64) -> u32 {
    csd(v).len() as u32
}

/// Value of a digit list.
#[cfg(test)]
fn value(digits: &[Digit]) -> i128 {
    digits
        .iter()
        .map(|d| {
            let m = 1i128 << d.shift;
            if d.neg {
                -m
            } else {
                m
            }
        })
        .sum()
}

/// Smallest `d` with `2^d >= n` (0 for n <= 1): the depth of a balanced tree over n leaves.
pub fn ceil_log2(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csd_is_exact_nonadjacent_and_minimal_for_16_bit() {
        for v in -70000i64..=70000 {
            let d = csd(v);
            assert_eq!(value(&d), v as i128, "value of {v}");
            for w in d.windows(2) {
                assert!(w[1].shift > w[0].shift + 1, "adjacent digits in csd({v})");
            }
        }
        assert_eq!(csd_weight(0), 0);
        assert_eq!(csd_weight(7), 2); // 8 - 1
        assert_eq!(csd_weight(-128), 1);
        assert_eq!(csd_weight(85), 4); // 1010101
        assert_eq!(csd_weight(i64::MIN), 1);
        assert_eq!(value(&csd(i64::MAX)), i64::MAX as i128);
    }

    #[test]
    fn ceil_log2_small() {
        let want = [0, 0, 1, 2, 2, 3, 3, 3, 3, 4];
        for (n, w) in want.iter().enumerate() {
            assert_eq!(ceil_log2(n as u64), *w, "n = {n}");
        }
    }
}
