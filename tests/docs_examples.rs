//! Examples in the documentation that show the tool's output are produced by the tool here,
//! so they cannot drift. A fenced block preceded by `<!-- example: NAME -->` must equal what
//! `example(NAME)` renders; `SEMIFREDDO_UPDATE_DOCS=1 cargo test --test docs_examples`
//! rewrites the blocks instead of failing.

mod common;

use common::tiny;
use semifreddo::config_image::{self, Access, ConfigImage};
use semifreddo::passes::{self, HwPlan, PlanOptions};
use std::path::Path;

/// Accesses shown in the excerpts.
const SHOWN: usize = 3;

fn tiny_plan() -> HwPlan {
    passes::plan(&tiny(1), &PlanOptions::default()).unwrap()
}

fn image(plan: &HwPlan) -> ConfigImage {
    config_image::build(&tiny(1), &plan.top(), &plan.frozen_hash, &plan.regmap).unwrap()
}

/// `NAME[i]` of the register element at byte address `addr`.
fn register(plan: &HwPlan, addr: u32) -> String {
    let a = plan
        .regmap
        .arrays
        .iter()
        .find(|a| a.offset <= addr && addr < a.end())
        .expect("mapped address");
    if a.count == 1 {
        a.name.clone()
    } else {
        format!("{}[{}]", a.name, (addr - a.offset) / 4)
    }
}

/// The head of `semifreddo config`'s text image, the first accesses commented with the
/// registers they reach (comments are part of the format).
fn config_text(plan: &HwPlan) -> String {
    let img = image(plan);
    let text = img.text();
    let mut lines: Vec<String> = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect();
    for (line, access) in text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .zip(&img.accesses)
        .take(SHOWN)
    {
        let addr = match access {
            Access::Check { addr, .. } | Access::Write { addr, .. } => *addr,
        };
        lines.push(format!("{line:<24}# {}", register(plan, addr)));
    }
    lines.push("...".to_string());
    lines.join("\n") + "\n"
}

/// The head and tail of the C array.
fn config_c(plan: &HwPlan) -> String {
    let c = image(plan).c_array("tiny_config");
    let lines: Vec<&str> = c.lines().collect();
    let open = lines.iter().position(|l| l.contains("[][3] = {")).unwrap();
    let mut out: Vec<String> = lines[open..=open + SHOWN]
        .iter()
        .map(|l| l.to_string())
        .collect();
    out.push("    ...".to_string());
    out.extend(lines[lines.len() - 2..].iter().map(|l| l.to_string()));
    out.join("\n") + "\n"
}

/// `semifreddo config` refusing a model whose frozen weights differ from the RTL's.
fn config_error(plan: &HwPlan) -> String {
    let other = tiny(2);
    let e = config_image::build(&other, &plan.top(), &plan.frozen_hash, &plan.regmap)
        .expect_err("other frozen weights are refused");
    format!("error: {e:#}\n")
}

fn example(name: &str, plan: &HwPlan) -> String {
    match name {
        "config-error" => config_error(plan),
        "config-text" => config_text(plan),
        "config-c" => config_c(plan),
        other => panic!("unknown example `{other}`"),
    }
}

/// Replaces every marked block of `doc` with its rendering; returns (new text, names).
fn render_doc(doc: &str, plan: &HwPlan) -> (String, Vec<String>) {
    const MARK: &str = "<!-- example: ";
    let mut out = String::new();
    let mut names = Vec::new();
    let mut rest = doc;
    while let Some(at) = rest.find(MARK) {
        let name_end = rest[at..].find(" -->").expect("closed marker") + at;
        let name = rest[at + MARK.len()..name_end].to_string();
        let fence = rest[name_end..]
            .find("```")
            .expect("a fenced block after the marker")
            + name_end;
        let body = rest[fence..].find('\n').unwrap() + fence + 1;
        let close = rest[body..].find("```").expect("closed fence") + body;
        out.push_str(&rest[..body]);
        out.push_str(&example(&name, plan));
        names.push(name);
        rest = &rest[close..];
    }
    out.push_str(rest);
    (out, names)
}

#[test]
fn config_examples_are_the_tools_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/config.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (rendered, names) = render_doc(&doc, &tiny_plan());
    assert_eq!(names, ["config-error", "config-text", "config-c"]);
    if rendered != doc {
        if std::env::var_os("SEMIFREDDO_UPDATE_DOCS").is_some() {
            std::fs::write(&path, rendered).unwrap();
            return;
        }
        let diff: Vec<String> = doc
            .lines()
            .zip(rendered.lines())
            .filter(|(a, b)| a != b)
            .take(5)
            .map(|(a, b)| format!("  docs: {a}\n  tool: {b}"))
            .collect();
        panic!(
            "docs/config.md's examples differ from the tool's output (rerun with \
             SEMIFREDDO_UPDATE_DOCS=1 to rewrite them):\n{}",
            diff.join("\n")
        );
    }
}

#[test]
fn the_excerpts_show_the_real_hash_and_length() {
    let plan = tiny_plan();
    let img = image(&plan);
    let text = config_text(&plan);
    assert!(text.contains(&format!("R 0x0004 0x{}", &plan.frozen_hash[..8])));
    let c = config_c(&plan);
    assert!(c.ends_with(&format!(
        "static const unsigned tiny_config_len = {};\n",
        img.accesses.len()
    )));
    assert!(config_error(&plan).contains(&plan.frozen_hash));
}
