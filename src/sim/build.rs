//! Verilating and compiling the harness, cached by content hash.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use super::{design_header, public_config, Design, SimError};

/// The hand-written harness, compiled into the library so the tool needs no source tree.
const HARNESS_CPP: &str = include_str!("../../sim/harness.cpp");
/// Bump when the build recipe changes in a way the hash does not see.
const RECIPE: &str = "semifreddo-sim-build v1";

/// How to build; the defaults suit the 2-core CI machines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// Include FST tracing (`--trace-fst`); a separate cached build.
    pub waveform: bool,
    /// `make -j` for the C++ compile.
    pub jobs: u32,
    /// Compiler optimisation for the model's fast-path and slow-path (init) files.
    pub opt_fast: String,
    pub opt_slow: String,
    /// Extra Verilator arguments (e.g. `-Wall`, `-GFOO=1`); part of the hash.
    pub extra_args: Vec<String>,
    /// `--x-initial unique --x-assign unique`: registers without reset (and X assignments)
    /// start from values randomised per run seed, so outputs that depend on them show up as
    /// seed-dependent mismatches. Default `fast` (zeros in practice).
    pub randomize_x: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            waveform: false,
            jobs: 2,
            opt_fast: "-O1".into(),
            opt_slow: "-O1".into(),
            extra_args: Vec::new(),
            randomize_x: false,
        }
    }
}

/// A compiled simulator for one design.
#[derive(Debug, Clone)]
pub struct Built {
    pub design: Design,
    /// `cache_dir/<hash>`.
    pub dir: PathBuf,
    /// The harness executable (`sf_sim`).
    pub exe: PathBuf,
    /// Hex SHA-256 of everything the build depends on.
    pub hash: String,
    /// True when an earlier build was reused.
    pub cached: bool,
    pub waveform: bool,
    /// Built with [`BuildOptions::randomize_x`].
    pub randomize_x: bool,
    /// Wall time of this call (near 0 when cached).
    pub seconds: f64,
}

/// `verilator --version`, or [`SimError::ToolMissing`].
pub fn verilator_version() -> Result<String> {
    let out = Command::new("verilator")
        .arg("--version")
        .output()
        .map_err(|e| SimError::ToolMissing {
            tool: "verilator".into(),
            detail: e.to_string(),
        })?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let major: u32 = v
        .split_whitespace()
        .nth(1)
        .and_then(|x| x.split('.').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    if !out.status.success() || major < 5 {
        return Err(SimError::ToolMissing {
            tool: "verilator >= 5.0".into(),
            detail: format!("found `{v}`"),
        }
        .into());
    }
    Ok(v)
}

fn cxx_version() -> String {
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".into());
    Command::new(&cxx)
        .arg("--version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_else(|_| format!("{cxx}: not found"))
}

/// Builds with default options (and FST tracing if `waveform`).
pub fn build(design: &Design, cache_dir: &Path, waveform: bool) -> Result<Built> {
    build_with(
        design,
        cache_dir,
        &BuildOptions {
            waveform,
            ..BuildOptions::default()
        },
    )
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn tail(text: &str, lines: usize) -> String {
    let v: Vec<&str> = text.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

/// Verilates and compiles `design` into `cache_dir/<hash>` unless that build exists.
pub fn build_with(design: &Design, cache_dir: &Path, opts: &BuildOptions) -> Result<Built> {
    let t0 = Instant::now();
    design.validate()?;
    let vver = verilator_version()?;
    let header = design_header(design);
    let vlt = public_config(design);
    let top = &design.top;

    let mut flags: Vec<String> = ["--cc", "--exe", "--build", "--threads", "1", "-O3"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let x = if opts.randomize_x { "unique" } else { "fast" };
    flags.extend([
        "--x-assign".into(),
        x.into(),
        "--x-initial".into(),
        x.into(),
    ]);
    flags.extend(["-j".into(), opts.jobs.max(1).to_string()]);
    // Small C++ files of small functions: g++ time grows faster than linearly with a
    // function's size (a 3 MB one-function file of the vga design took 14 CPU-minutes at
    // -O1; split into functions of at most 500 statements, a 1.8 MB file compiles in 8 s).
    flags.extend([
        "--output-split".into(),
        "5000".into(),
        "--output-split-cfuncs".into(),
        "500".into(),
        "-fno-dfg".into(),
    ]);
    flags.extend([
        "--top-module".into(),
        top.clone(),
        "--prefix".into(),
        format!("V{top}"),
    ]);
    flags.extend(["-o".into(), "sf_sim".into()]);
    flags.extend([
        "-MAKEFLAGS".into(),
        format!(
            "OPT_FAST={} OPT_SLOW={} OPT_GLOBAL={}",
            opts.opt_fast, opts.opt_slow, opts.opt_slow
        ),
    ]);
    if opts.waveform {
        flags.push("--trace-fst".into());
    }
    flags.extend(opts.extra_args.iter().cloned());

    // ---- content hash ----
    let mut h = Sha256::new();
    let mut feed = |tag: &str, bytes: &[u8]| {
        h.update((tag.len() as u64).to_le_bytes());
        h.update(tag.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    feed("recipe", RECIPE.as_bytes());
    feed("verilator", vver.as_bytes());
    feed("cxx", cxx_version().as_bytes());
    feed("flags", flags.join("\x1f").as_bytes());
    feed("harness", HARNESS_CPP.as_bytes());
    feed("header", header.as_bytes());
    feed("vlt", vlt.as_bytes());
    let mut rtl = Vec::new();
    for f in &design.rtl_files {
        let text = std::fs::read(f).with_context(|| format!("reading RTL file {}", f.display()))?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        feed(&format!("rtl:{name}"), &text);
        rtl.push(std::path::absolute(f)?);
    }
    let mut incs = Vec::new();
    for d in &design.include_dirs {
        let mut files = Vec::new();
        files_under(d, &mut files)
            .with_context(|| format!("reading include dir {}", d.display()))?;
        for f in files {
            let rel = f
                .strip_prefix(d)
                .unwrap_or(&f)
                .to_string_lossy()
                .to_string();
            feed(&format!("inc:{rel}"), &std::fs::read(&f)?);
        }
        incs.push(std::path::absolute(d)?);
    }
    let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let dir = cache_dir.join(format!("{top}-{}", &hash[..20]));
    let exe = dir.join("obj_dir").join("sf_sim");
    let done = |cached: bool| Built {
        design: design.clone(),
        dir: dir.clone(),
        exe: exe.clone(),
        hash: hash.clone(),
        cached,
        waveform: opts.waveform,
        randomize_x: opts.randomize_x,
        seconds: t0.elapsed().as_secs_f64(),
    };
    if dir.join("BUILD_OK").is_file() && exe.is_file() {
        return Ok(done(true));
    }

    // ---- one builder per design: the others wait for it and reuse its build ----
    std::fs::create_dir_all(cache_dir)
        .with_context(|| format!("creating cache dir {}", cache_dir.display()))?;
    let lock_path = build_lock(&dir);
    let lock = std::fs::File::create(&lock_path)
        .with_context(|| format!("creating the build lock {}", lock_path.display()))?;
    lock.lock()
        .with_context(|| format!("locking {}", lock_path.display()))?;
    if dir.join("BUILD_OK").is_file() && exe.is_file() {
        return Ok(done(true));
    }

    // ---- build in a private directory, then rename into place ----
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = cache_dir.join(format!(
        ".tmp-{}-{}-{stamp}",
        &hash[..20],
        std::process::id()
    ));
    std::fs::create_dir_all(&tmp)?;
    let tmp = std::path::absolute(&tmp)?;
    std::fs::write(tmp.join("harness.cpp"), HARNESS_CPP)?;
    std::fs::write(tmp.join("sf_design.h"), &header)?;
    if !vlt.is_empty() {
        std::fs::write(tmp.join("sf_public.vlt"), &vlt)?;
    }
    let mut cmd = Command::new("verilator");
    cmd.args(&flags)
        .arg("-Mdir")
        .arg(tmp.join("obj_dir"))
        .arg("-CFLAGS")
        .arg(format!("-I{}", tmp.display()));
    for d in &incs {
        cmd.arg(format!("-I{}", d.display()));
    }
    if !vlt.is_empty() {
        cmd.arg(tmp.join("sf_public.vlt"));
    }
    cmd.args(&rtl).arg(tmp.join("harness.cpp"));
    let out = cmd.output().map_err(|e| SimError::ToolMissing {
        tool: "verilator".into(),
        detail: e.to_string(),
    })?;
    let mut log = out.stdout.clone();
    log.extend_from_slice(&out.stderr);
    std::fs::write(tmp.join("build.log"), &log)?;
    if !out.status.success() || !tmp.join("obj_dir").join("sf_sim").is_file() {
        let mut text = String::from_utf8_lossy(&log).to_string();
        if text.contains("___024root") && text.contains("has no member named") {
            text.push_str(
                "\nhint: a debug tap names a signal Verilator did not keep: mark it \
                 `/* verilator public_flat_rd */` in the RTL and check its hierarchical path \
                 (a FIFO probe: its instance path and module name)",
            );
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(SimError::Build {
            step: format!("verilator build of `{top}` (verilate + C++ compile)"),
            status: out
                .status
                .code()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "signal".into()),
            tail: tail(&text, 40),
        }
        .into());
    }
    let mut info = std::fs::File::create(tmp.join("BUILD_OK"))?;
    writeln!(
        info,
        "{}",
        serde_json::json!({
            "top": top, "hash": hash, "verilator": vver, "flags": flags,
            "design": design, "build_seconds": t0.elapsed().as_secs_f64(),
        })
    )?;
    drop(info);
    if std::fs::rename(&tmp, &dir).is_err() {
        // another process finished the same build first, or a stale partial dir is in the way
        if dir.join("BUILD_OK").is_file() && exe.is_file() {
            let _ = std::fs::remove_dir_all(&tmp);
        } else {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::rename(&tmp, &dir)
                .with_context(|| format!("moving the build into {}", dir.display()))?;
        }
    }
    Ok(done(false))
}

/// The lock file of the build in `dir` (`<cache>/<top>-<hash>`): `<cache>/.lock-<top>-<hash>`.
fn build_lock(dir: &Path) -> PathBuf {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    dir.with_file_name(format!(".lock-{name}"))
}

/// Removes all but the `keep` most recent builds of each top in `cache_dir` (by the time their
/// build finished) with their build locks, and abandoned temporary build folders older than an
/// hour. Returns how many folders were removed. Not called automatically: a build still in use must not disappear.
pub fn prune_cache(cache_dir: &Path, keep: usize) -> Result<usize> {
    let mut by_top: std::collections::BTreeMap<String, Vec<(std::time::SystemTime, PathBuf)>> =
        Default::default();
    let mut removed = 0;
    let now = std::time::SystemTime::now();
    for e in
        std::fs::read_dir(cache_dir).with_context(|| format!("reading {}", cache_dir.display()))?
    {
        let e = e?;
        let name = e.file_name().to_string_lossy().to_string();
        let path = e.path();
        if name.starts_with(".tmp-") {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .map(|t| now.duration_since(t).unwrap_or_default().as_secs() > 3600)
                .unwrap_or(false);
            if old && std::fs::remove_dir_all(&path).is_ok() {
                removed += 1;
            }
            continue;
        }
        let Some((top, _hash)) = name.rsplit_once('-') else {
            continue;
        };
        let Ok(t) = std::fs::metadata(path.join("BUILD_OK")).and_then(|m| m.modified()) else {
            continue;
        };
        by_top.entry(top.to_string()).or_default().push((t, path));
    }
    for (_, mut builds) in by_top {
        builds.sort_by_key(|b| std::cmp::Reverse(b.0));
        for (_, p) in builds.into_iter().skip(keep) {
            if std::fs::remove_dir_all(&p).is_ok() {
                removed += 1;
                let _ = std::fs::remove_file(build_lock(&p));
            }
        }
    }
    Ok(removed)
}
