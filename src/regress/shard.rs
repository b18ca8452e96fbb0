//! `--shard K/N`: a deterministic split of the regression matrix over N machines or jobs.
//!
//! The unit of the split is the model, not the run: a model's runs share one generated RTL
//! and one Verilator build (the bulk of the time), so they stay together. The models are
//! numbered in matrix order (presets in the order given, then seeds in increasing order),
//! from 0, and shard K takes the models whose number i has `i mod N == K - 1`: round robin,
//! so the expensive presets at the front land on different shards. Every model is in
//! exactly one shard, so the union of shards 1/N..N/N is the unsharded run, each run once;
//! a run's seeds depend only on its model's number, so it is the same run in any shard.

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (1-based), e.g. 2/5; 1/1 is the whole matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The whole matrix.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Whether the model numbered `model` (0-based, in matrix order) belongs to this shard.
    pub fn holds(&self, model: usize) -> bool {
        model % self.count == self.index - 1
    }
}

impl Default for Shard {
    fn default() -> Self {
        Shard::ALL
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let form = || format!("expected K/N (shard K of N, 1 <= K <= N), e.g. 2/5, found `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(form)?;
        let (Ok(index), Ok(count)) = (k.trim().parse::<usize>(), n.trim().parse::<usize>()) else {
            return Err(form());
        };
        if count == 0 {
            return Err("expected at least one shard (N >= 1), found N = 0".to_string());
        }
        if index == 0 || index > count {
            return Err(format!(
                "shards are numbered 1 to N: expected K in 1..={count}, found {index}"
            ));
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn parses_and_prints() {
        let s: Shard = "2/5".parse().unwrap();
        assert_eq!(s, Shard { index: 2, count: 5 });
        assert_eq!(s.to_string(), "2/5");
        assert_eq!(" 1 / 1 ".parse::<Shard>().unwrap(), Shard::ALL);
    }

    #[test]
    fn every_model_in_exactly_one_shard() {
        for count in 1..=7 {
            for model in 0..30 {
                let owners = (1..=count)
                    .filter(|&index| Shard { index, count }.holds(model))
                    .count();
                assert_eq!(owners, 1, "model {model} of {count} shards");
            }
        }
    }
}
