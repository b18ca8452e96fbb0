//! The matrix's results as files: JUnit XML, which CI matrices, Jenkins, GitLab and Slurm
//! pipelines collect (one testcase per run), and a Markdown table for docs/verification.md.
//! Both are rewritten after every run, so a job stopped part-way leaves what it finished.

use super::{total_seconds, RegressOptions, RegressRun};
use anyhow::{Context, Result};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where to write the results; `None` writes nothing.
#[derive(Debug, Clone, Default)]
pub struct ResultFiles {
    pub junit: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
}

impl ResultFiles {
    /// Writes (replaces) every requested file with the runs so far.
    pub fn write(&self, opts: &RegressOptions, runs: &[RegressRun]) -> Result<()> {
        if let Some(path) = &self.junit {
            write_atomically(path, &junit(opts, runs)?)?;
        }
        if let Some(path) = &self.markdown {
            write_atomically(path, &markdown(runs))?;
        }
        Ok(())
    }
}

/// Writes through a temporary file beside `path`, so readers never see half a file.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// The runs as a JUnit XML report: one suite (named with the shard), one testcase per run
/// with its model, program, frames and values compared as properties (values compared also
/// as `assertions`) and its wall time; a mismatch is a `failure` with the first mismatch as
/// message and the full report as text, a run that could not be made an `error`.
pub fn junit(opts: &RegressOptions, runs: &[RegressRun]) -> Result<String> {
    let mut suite = TestSuite::new(format!("semifreddo regress, shard {}", opts.shard));
    let seeds: Vec<String> = opts.seeds.iter().map(u64::to_string).collect();
    suite.add_properties([
        Property::new("shard", opts.shard.to_string()),
        Property::new("presets", opts.presets.join(",")),
        Property::new("seeds", seeds.join(",")),
        Property::new("programs", opts.programs.to_string()),
        Property::new("frames", opts.frames.to_string()),
        Property::new("gap", opts.p_gap.to_string()),
        Property::new("stall", opts.p_stall.to_string()),
    ]);
    suite.set_time(seconds(total_seconds(runs)));
    suite.add_test_cases(runs.iter().map(test_case));
    let mut report = Report::new("semifreddo regress");
    report.set_time(seconds(total_seconds(runs)));
    report.add_test_suite(suite);
    report
        .to_string()
        .context("cannot serialize the JUnit report")
}

fn test_case(r: &RegressRun) -> TestCase {
    let status = match &r.result {
        Ok(rep) if rep.passed() => TestCaseStatus::success(),
        Ok(rep) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let first = match &rep.mismatch {
                Some(m) => format!("first mismatch at {m}"),
                None if !rep.stream_errors.is_empty() => {
                    format!("stream errors: {}", rep.stream_errors.join("; "))
                }
                None => rep.fifo_errors().join("; "),
            };
            s.set_message(first)
                .set_type("mismatch")
                .set_description(rep.to_string());
            s
        }
        Err(e) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(e.lines().next().unwrap_or("error"))
                .set_type("error")
                .set_description(e.as_str());
            s
        }
    };
    let mut tc = TestCase::new(format!("{} {}", r.model, r.program), status);
    tc.set_classname(format!("regress.{}", r.model))
        .set_time(seconds(r.seconds))
        .set_assertions(r.values_compared())
        .add_properties([
            Property::new("model", r.model.as_str()),
            Property::new("program", r.program.as_str()),
            Property::new("frames", r.frames.to_string()),
            Property::new("values_compared", r.values_compared().to_string()),
            Property::new("shape", r.shape.as_str()),
        ]);
    tc
}

fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or_default()
}

/// The runs as a Markdown table (model, program, frames, values compared, result, seconds,
/// shape) with a totals line.
pub fn markdown(runs: &[RegressRun]) -> String {
    let mut s = String::from(
        "| model | program | frames | values compared | result | seconds | shape |\n\
         |---|---|--:|--:|---|--:|---|\n",
    );
    for r in runs {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {:.1} | {} |",
            cell(&r.model),
            cell(&r.program),
            r.frames,
            r.values_compared(),
            r.verdict(),
            r.seconds,
            cell(&r.shape)
        );
    }
    let failed = runs.iter().filter(|r| !r.passed()).count();
    let _ = writeln!(
        s,
        "\n{} run(s), {} values compared, {} failed, {:.1} s in all",
        runs.len(),
        runs.iter().map(|r| r.values_compared()).sum::<usize>(),
        failed,
        total_seconds(runs)
    );
    s
}

/// A table cell: a `|` would end the cell, a line break the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
