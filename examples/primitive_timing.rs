//! OSU 0.18 µm area, flip-flops and critical path of hand-written primitives (and of any
//! Verilog module), with the project's own flow: `semifreddo::cost::synth::synth_asic`
//! (Yosys 0.23 + ABC with the liberty, memories black boxes, synchronous stand-ins for
//! OpenSTA). A parametrized primitive is measured through a generated wrapper module whose
//! parameter defaults are the wanted values (the flow synthesizes a module without
//! parameters).
//!
//! ```text
//! cargo run --release --example primitive_timing -- [--cache DIR] [--dump DIR] SPEC...
//! SPEC = primitive[:NAME=VALUE[,NAME=VALUE...]]      e.g. sf_blend:CH=16,SIDE_W=2
//!      | file=PATH.v[:top=MODULE][:lib=A.v+B.v][:dep=C.v+D.v]
//!      | frozen=N:K      a random N x N int8 shift-add layer, a register every K adder levels
//! ```
//! Prints one line per spec: area µm², cells, flip-flops, critical path ns, path.

use anyhow::{bail, Context, Result};
use semifreddo::cost::synth::{self, Tools, Unit};
use semifreddo::emit::OutFile;
use std::path::{Path, PathBuf};

const PRIM_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/primitives");

/// Primitives each primitive instantiates (read as sources) and memories (black boxes).
fn deps(prim: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    match prim {
        "sf_mac_engine" => (vec!["sf_requant_pipe", "sf_fanout"], vec!["sf_sram_sp"]),
        "sf_head_pool" => (vec!["sf_requant_pipe", "sf_fanout"], vec!["sf_sram_sp"]),
        "sf_window3x3" | "sf_fifo" => (vec!["sf_fanout"], vec!["sf_sram_1r1w"]),
        "sf_blend" | "sf_serialize" => (vec!["sf_fanout"], vec![]),
        "sf_pwl" => (vec!["sf_skid_buffer"], vec![]),
        _ => (vec![], vec![]),
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The primitives folder (`SF_PRIM_DIR` overrides it, e.g. to measure an older version).
fn prim_dir() -> PathBuf {
    std::env::var_os("SF_PRIM_DIR").map_or_else(|| PathBuf::from(PRIM_DIR), PathBuf::from)
}

fn file(name: &str) -> Result<OutFile> {
    let p = prim_dir().join(format!("{name}.v"));
    Ok(OutFile {
        name: format!("{name}.v"),
        contents: read(&p)?,
    })
}

/// A wrapper `module <wrap> #(<header with new defaults>) (<ports>)` instantiating `prim`.
fn wrapper(text: &str, prim: &str, wrap: &str, overrides: &[(String, String)]) -> Result<String> {
    let start = text
        .find(&format!("module {prim} #("))
        .with_context(|| format!("no parametrized module {prim}"))?;
    let end = start
        + text[start..]
            .find("\n);")
            .context("no end of the port list")?
        + 3;
    let mut header =
        text[start..end].replacen(&format!("module {prim}"), &format!("module {wrap}"), 1);
    let mut params = Vec::new();
    let mut ports = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for line in header.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut out = line.to_string();
        if let Some(rest) = code.trim_start().strip_prefix("parameter integer ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if let Some((_, v)) = overrides.iter().find(|(n, _)| *n == name) {
                let eq = line.find('=').context("parameter without a default")?;
                let comma = code.trim_end().ends_with(',');
                out = format!("{} {v}{}", &line[..=eq], if comma { "," } else { "" });
            }
            params.push(name);
        } else if code.contains("input") || code.contains("output") {
            let t = code.trim().trim_end_matches(',').trim();
            if let Some(n) = t.split_whitespace().last() {
                ports.push(n.to_string());
            }
        }
        lines.push(out);
    }
    for (n, _) in overrides {
        if !params.contains(n) {
            bail!("{prim} has no parameter {n}");
        }
    }
    header = lines.join("\n");
    let pl: Vec<String> = params.iter().map(|p| format!(".{p}({p})")).collect();
    let po: Vec<String> = ports.iter().map(|p| format!(".{p}({p})")).collect();
    Ok(format!(
        "`default_nettype none\n{header}\n    {prim} #({}) u (\n        {}\n    );\nendmodule\n",
        pl.join(", "),
        po.join(",\n        ")
    ))
}

fn prim_unit(spec: &str) -> Result<Unit> {
    let (prim, args) = spec.split_once(':').unwrap_or((spec, ""));
    let overrides: Vec<(String, String)> = args
        .split(',')
        .filter(|a| !a.is_empty())
        .map(|a| {
            let (n, v) = a
                .split_once('=')
                .with_context(|| format!("bad override {a}"))?;
            Ok((n.to_string(), v.to_string()))
        })
        .collect::<Result<_>>()?;
    let tag: String = overrides
        .iter()
        .map(|(n, v)| format!("_{}{}", n.to_lowercase(), v.replace('-', "m")))
        .collect();
    let wrap = format!("{prim}_w{tag}");
    let main = file(prim)?;
    let (src_deps, bb) = deps(prim);
    let mut files = Vec::new();
    for d in src_deps {
        if prim_dir().join(format!("{d}.v")).exists() {
            files.push(file(d)?);
        }
    }
    files.push(main.clone());
    files.push(OutFile {
        name: format!("{wrap}.v"),
        contents: wrapper(&main.contents, prim, &wrap, &overrides)?,
    });
    Ok(Unit {
        module: wrap,
        instances: 1,
        files,
        black_boxes: bb.into_iter().map(file).collect::<Result<_>>()?,
    })
}

fn file_unit(spec: &str) -> Result<Unit> {
    let mut parts = spec.split(':');
    let path = PathBuf::from(parts.next().unwrap().trim_start_matches("file="));
    let mut top = path.file_stem().unwrap().to_string_lossy().into_owned();
    let (mut libs, mut srcs) = (Vec::new(), Vec::new());
    for p in parts {
        if let Some(t) = p.strip_prefix("top=") {
            top = t.to_string();
        } else if let Some(l) = p.strip_prefix("lib=") {
            libs.extend(l.split('+').map(PathBuf::from));
        } else if let Some(d) = p.strip_prefix("dep=") {
            srcs.extend(d.split('+').map(PathBuf::from));
        }
    }
    srcs.push(path);
    let of = |p: &PathBuf| -> Result<OutFile> {
        Ok(OutFile {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            contents: read(p)?,
        })
    };
    Ok(Unit {
        module: top,
        instances: 1,
        files: srcs.iter().map(of).collect::<Result<_>>()?,
        black_boxes: libs.iter().map(of).collect::<Result<_>>()?,
    })
}

/// A random N x N int8 frozen layer (seed 1) as an adder graph with a register every K levels.
fn frozen_unit(spec: &str) -> Result<Unit> {
    use semifreddo::arith::{self, Interval, LowerOptions, PortNames};
    let (n, k) = spec
        .trim_start_matches("frozen=")
        .split_once(':')
        .context("frozen=N:K")?;
    let (n, k): (usize, u32) = (n.parse()?, k.parse()?);
    let m = arith::random_int8_matrix(n, n, 1);
    let opts = LowerOptions {
        pipeline_every: k,
        ..LowerOptions::default()
    };
    let g = arith::lower(&m, &vec![Interval::INT8; n], &opts)?;
    let name = format!("frozen_pw{n}_every{k}");
    let v = arith::emit_verilog(&g, &name, &PortNames::default_for(&g))?;
    eprintln!("{name}: adder depth {}, latency {}", g.depth(), g.latency());
    Ok(Unit {
        module: name.clone(),
        instances: 1,
        files: vec![OutFile {
            name: format!("{name}.v"),
            contents: v,
        }],
        black_boxes: vec![],
    })
}

fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut cache = PathBuf::from("/tmp/semifreddo-primitive-timing");
    if let Some(i) = args.iter().position(|a| a == "--cache") {
        cache = PathBuf::from(args.get(i + 1).context("--cache DIR")?);
        args.drain(i..=i + 1);
    }
    let mut dump = None;
    if let Some(i) = args.iter().position(|a| a == "--dump") {
        dump = Some(PathBuf::from(args.get(i + 1).context("--dump DIR")?));
        args.drain(i..=i + 1);
    }
    let tools = Tools::find()?;
    if tools.sta.is_none() {
        bail!("{}", Tools::sta_missing());
    }
    for spec in &args {
        let unit = if spec.starts_with("file=") {
            file_unit(spec)?
        } else if spec.starts_with("frozen=") {
            frozen_unit(spec)?
        } else {
            prim_unit(spec)?
        };
        if let Some(d) = &dump {
            std::fs::create_dir_all(d)?;
            for f in unit.files.iter().chain(&unit.black_boxes) {
                std::fs::write(d.join(&f.name), &f.contents)?;
            }
        }
        let (r, cached) = synth::synth_asic(&unit, &tools, &cache)?;
        println!(
            "{spec}\tarea {:.0} um2\tcells {}\tff {}\tcp {} ns\t{}\t{}",
            r.area_um2,
            r.cells,
            r.flip_flops,
            r.critical_path_ns.map_or("-".into(), |v| format!("{v:.2}")),
            r.critical_path.unwrap_or_default(),
            if cached { "(cached)" } else { "" }
        );
    }
    Ok(())
}
