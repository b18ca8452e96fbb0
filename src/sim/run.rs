//! Running a built simulator and reading its results back.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use super::stimulus::parse_beats;
use super::{bytes_for, Beat, Built, SimError, Stimulus};

/// Options of one run. `Default`: seed 1, no gaps or stalls, timeout 100,000 cycles, automatic
/// drain.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub seed: u64,
    /// Probability per cycle that the input (and AXI4-Lite aw/w/ar) holds tvalid low.
    pub p_gap: f64,
    /// Probability per cycle per output that tready is low (also bready/rready).
    pub p_stall: f64,
    /// Cycles without any handshake, while work remains, that count as a deadlock. Must exceed
    /// the longest legitimate quiet time (after the last input beat, a deep stride-2 pipeline
    /// can be silent for several of its lines).
    pub timeout: u64,
    /// After the input is consumed and every expectation met: stop once no output beat came
    /// for this many cycles (extra beats in that window are errors). `None`: 100 cycles when
    /// every output has an expectation, else `timeout` (quiet that long means done).
    pub drain: Option<u64>,
    /// Expected beats per output prefix; the run ends when all are met.
    pub expect: BTreeMap<String, u64>,
    /// AXI4-Lite config script text (docs/sim.md); run after reset, before streaming.
    pub config_script: Option<String>,
    /// Write an FST waveform here (needs a build with `waveform`).
    pub fst: Option<PathBuf>,
    /// Only dump cycles in `[from, to)` (cycle 0 = first after reset); `None`: everything.
    pub fst_window: Option<(u64, u64)>,
    /// Keep the raw output files here (default: a temporary directory, removed).
    pub out_dir: Option<PathBuf>,
    /// Stop with an error after this many cycles (0 = no limit).
    pub max_cycles: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: 1,
            p_gap: 0.0,
            p_stall: 0.0,
            timeout: 100_000,
            drain: None,
            expect: BTreeMap::new(),
            config_script: None,
            fst: None,
            fst_window: None,
            out_dir: None,
            max_cycles: 0,
        }
    }
}

/// One handshake at a debug tap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapBeat {
    /// Cycle of the handshake (0 = first cycle after reset).
    pub cycle: u64,
    pub data: Vec<u8>,
}

/// One AXI4-Lite read done by the config script (`R` or `R?`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxilRead {
    pub addr: u32,
    pub data: u32,
    /// OKAY, EXOKAY, SLVERR or DECERR.
    pub resp: String,
    /// Line of the config script.
    pub line: u32,
}

/// Per output stream statistics (cycles count from 0 = first cycle after reset).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StreamStats {
    pub beats: u64,
    pub expected: Option<u64>,
    pub first_cycle: Option<u64>,
    /// Cycles with tvalid high and tready low (backpressure applied by the harness).
    pub stall_cycles: u64,
    /// Cycle of every beat with tuser / with tlast.
    pub user_cycles: Vec<u64>,
    pub last_cycles: Vec<u64>,
}

impl StreamStats {
    /// Cycles between consecutive `tuser` beats of this stream (output cycles per frame).
    pub fn frame_intervals(&self) -> Vec<u64> {
        self.user_cycles.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// For each frame (from one `tuser` beat to the next), the cycle of its last `tlast` beat;
    /// `None` for a frame without any.
    pub fn frame_end_cycles(&self) -> Vec<Option<u64>> {
        let mut ends = Vec::with_capacity(self.user_cycles.len());
        for (f, &start) in self.user_cycles.iter().enumerate() {
            let next = self.user_cycles.get(f + 1).copied().unwrap_or(u64::MAX);
            ends.push(
                self.last_cycles
                    .iter()
                    .copied()
                    .filter(|&c| c >= start && c < next)
                    .max(),
            );
        }
        ends
    }
}

/// A probed FIFO's occupancy over a run, read every clock (cycles count from 0 = first
/// cycle after reset).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FifoStats {
    pub depth: u64,
    /// Largest `count` seen.
    pub peak: u64,
    /// First cycle it was reached.
    pub peak_cycle: u64,
    /// Cycles with `count == depth` (`s_ready` low).
    pub full_cycles: u64,
    /// Of those, cycles the writer had a beat waiting (`s_valid` high): backpressure the
    /// FIFO put on its writer.
    pub stalled_cycles: u64,
}

/// `stats.json` of a run.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Stats {
    pub status: String,
    pub top: String,
    pub seed: u64,
    pub reset_cycles: u64,
    /// Cycles simulated after reset.
    pub cycles: u64,
    pub in_beats: u64,
    /// Cycles with input tvalid high and tready low.
    pub in_stall_cycles: u64,
    pub in_first_cycle: Option<u64>,
    /// Cycle at which each input frame's tuser beat was accepted.
    pub frame_start_cycles: Vec<u64>,
    pub axil_ops: u64,
    pub streams: BTreeMap<String, StreamStats>,
    pub taps: BTreeMap<String, u64>,
    /// Per FIFO probe ([`super::FifoProbe`]), its occupancy over the run.
    #[serde(default)]
    pub fifos: BTreeMap<String, FifoStats>,
    pub wall_seconds: f64,
    pub cycles_per_second: f64,
}

impl Stats {
    /// Cycles between consecutive input frame starts (back-to-back frames: cycles per frame).
    pub fn frame_intervals(&self) -> Vec<u64> {
        self.frame_start_cycles
            .windows(2)
            .map(|w| w[1] - w[0])
            .collect()
    }

    /// Latency from the first input beat to the first beat of `stream`.
    pub fn latency(&self, stream: &str) -> Option<u64> {
        Some(self.streams.get(stream)?.first_cycle? - self.in_first_cycle?)
    }
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct SimResult {
    /// Output beats per stream prefix.
    pub outputs: BTreeMap<String, Vec<Beat>>,
    /// Handshakes per tap name.
    pub taps: BTreeMap<String, Vec<TapBeat>>,
    pub axil_reads: Vec<AxilRead>,
    pub stats: Stats,
    /// The harness's stdout (`R?`/`W?` results, summary line).
    pub log: String,
}

impl SimResult {
    /// Beats of one output stream (panics with the known names if absent).
    pub fn stream(&self, prefix: &str) -> &[Beat] {
        self.outputs.get(prefix).unwrap_or_else(|| {
            panic!(
                "no output stream `{prefix}` (have {:?})",
                self.outputs.keys()
            )
        })
    }
}

impl Built {
    /// Runs the simulator on `stim`. A deadlock, a failed AXI4-Lite check or extra output beats
    /// are errors ([`SimError`]) carrying the harness's message.
    pub fn run(&self, stim: &Stimulus, opts: &RunOptions) -> Result<SimResult> {
        let top = &self.design.top;
        if stim.bytes_per_beat() != self.design.input_bytes() {
            bail!(
                "stimulus has {} bytes per beat but `{top}` takes {} ({} bits)",
                stim.bytes_per_beat(),
                self.design.input_bytes(),
                self.design.input_bits
            );
        }
        if opts.fst.is_some() && !self.waveform {
            bail!("an FST waveform was asked for but `{top}` was built without tracing (build with waveform = true)");
        }
        let tmp = tempfile::Builder::new().prefix("sf_sim-").tempdir()?;
        let out_dir = match &opts.out_dir {
            Some(d) => {
                std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
                d.clone()
            }
            None => tmp.path().to_path_buf(),
        };
        let stim_path = tmp.path().join("input.bin");
        std::fs::write(&stim_path, stim.to_bytes())?;
        let mut cmd = Command::new(&self.exe);
        cmd.arg("--in")
            .arg(&stim_path)
            .arg("--out-dir")
            .arg(&out_dir);
        cmd.args(["--seed", &opts.seed.to_string()]);
        cmd.args([
            "--p-gap",
            &opts.p_gap.to_string(),
            "--p-stall",
            &opts.p_stall.to_string(),
        ]);
        let all_expected = self
            .design
            .outputs
            .iter()
            .all(|o| opts.expect.contains_key(&o.prefix));
        let drain = opts
            .drain
            .unwrap_or(if all_expected { 100 } else { opts.timeout });
        cmd.args([
            "--timeout",
            &opts.timeout.to_string(),
            "--drain",
            &drain.to_string(),
        ]);
        cmd.args(["--max-cycles", &opts.max_cycles.to_string()]);
        if self.randomize_x {
            // Verilator's own randomisation of uninitialised state, seeded per run
            cmd.arg("+verilator+rand+reset+2").arg(format!(
                "+verilator+seed+{}",
                opts.seed.max(1) & 0x7fff_ffff
            ));
        }
        for (p, n) in &opts.expect {
            if !self.design.outputs.iter().any(|o| &o.prefix == p) {
                bail!("expectation for unknown output stream `{p}` of `{top}`");
            }
            cmd.arg("--expect").arg(format!("{p}={n}"));
        }
        if let Some(script) = &opts.config_script {
            let p = tmp.path().join("config.txt");
            std::fs::write(&p, script)?;
            cmd.arg("--config").arg(p);
        }
        if let Some(f) = &opts.fst {
            cmd.arg("--fst").arg(f);
            if let Some((from, to)) = opts.fst_window {
                cmd.args(["--fst-from", &from.to_string(), "--fst-to", &to.to_string()]);
            }
        }
        let out = cmd
            .output()
            .with_context(|| format!("running {}", self.exe.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let message = stderr
            .strip_prefix("sf_sim: ")
            .unwrap_or(&stderr)
            .to_string();
        match out.status.code() {
            Some(0) => {}
            Some(2) => {
                return Err(SimError::Deadlock {
                    top: top.clone(),
                    message,
                }
                .into())
            }
            Some(3) => {
                return Err(SimError::Axil {
                    top: top.clone(),
                    message,
                }
                .into())
            }
            c => {
                let status = c.map(|c| c.to_string()).unwrap_or_else(|| "signal".into());
                return Err(SimError::Run {
                    top: top.clone(),
                    status,
                    message,
                }
                .into());
            }
        }

        let stats: Stats = serde_json::from_slice(&std::fs::read(out_dir.join("stats.json"))?)
            .context("parsing the harness's stats.json")?;
        let mut outputs = BTreeMap::new();
        for o in &self.design.outputs {
            let buf = std::fs::read(out_dir.join(format!("{}.bin", o.prefix)))?;
            outputs.insert(
                o.prefix.clone(),
                parse_beats(&buf, bytes_for(o.bits)).with_context(|| o.prefix.clone())?,
            );
        }
        let mut taps = BTreeMap::new();
        for t in &self.design.taps {
            let buf = std::fs::read(out_dir.join(format!("tap_{}.bin", t.name)))?;
            let rec = 8 + bytes_for(t.bits);
            if buf.len() % rec != 0 {
                bail!("tap file of `{}` is not whole {rec}-byte records", t.name);
            }
            let beats = buf
                .chunks_exact(rec)
                .map(|c| TapBeat {
                    cycle: u64::from_le_bytes(c[..8].try_into().unwrap()),
                    data: c[8..].to_vec(),
                })
                .collect();
            taps.insert(t.name.clone(), beats);
        }
        let mut axil_reads = Vec::new();
        for line in std::fs::read_to_string(out_dir.join("axil_reads.txt"))?.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() == 4 {
                axil_reads.push(AxilRead {
                    addr: u32::from_str_radix(f[0], 16)?,
                    data: u32::from_str_radix(f[1], 16)?,
                    resp: f[2].to_string(),
                    line: f[3].parse()?,
                });
            }
        }
        Ok(SimResult {
            outputs,
            taps,
            axil_reads,
            stats,
            log: stdout,
        })
    }
}
