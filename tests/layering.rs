//! The README's Layout table is the import order of the library: every module may use
//! (`crate::<module>`) only the modules in its own row or above it, so there is no import
//! cycle between them. This test reads the table and every source file (up to its
//! `#[cfg(test)]` module: unit tests may use any layer) and names each use that breaks the
//! order.

use std::collections::BTreeMap;
use std::path::Path;

/// Module name -> row of the README's Layout table (0 = top).
fn layout_rows(readme: &str) -> BTreeMap<String, usize> {
    let table = readme
        .split("| module | job |")
        .nth(1)
        .expect("README has the Layout table");
    let mut rows = BTreeMap::new();
    for (row, line) in table
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .enumerate()
    {
        let cell = line.split('|').nth(1).unwrap_or("");
        for path in cell.split('`').filter(|t| t.starts_with("src/")) {
            let name = path.trim_start_matches("src/").trim_end_matches(".rs");
            rows.insert(name.to_string(), row);
        }
    }
    rows
}

/// The `.rs` files of a module: `src/<m>.rs` and everything under `src/<m>/`.
fn module_files(src: &Path, module: &str) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let single = src.join(format!("{module}.rs"));
    if single.is_file() {
        files.push(single);
    }
    let mut dirs = vec![src.join(module)];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files
}

/// The modules a source text uses through `crate::<name>`, comments and the unit tests (from
/// the first `#[cfg(test)]` on) left out.
fn crate_uses(text: &str) -> Vec<String> {
    let mut uses = Vec::new();
    for line in text.lines().take_while(|l| l.trim() != "#[cfg(test)]") {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            uses.push(name);
        }
    }
    uses
}

#[test]
fn modules_import_only_what_the_readme_lists_above_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let rows = layout_rows(&readme);
    let src = root.join("src");
    // every library module is in the table
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(m) = line.trim().strip_prefix("pub mod ") {
            let m = m.trim_end_matches(';');
            assert!(
                rows.contains_key(m),
                "src/{m} is missing from README's Layout table"
            );
        }
    }
    let mut breaks = Vec::new();
    for (module, &row) in &rows {
        for file in module_files(&src, module) {
            let text = std::fs::read_to_string(&file).unwrap();
            for used in crate_uses(&text) {
                match rows.get(&used) {
                    Some(&r) if r > row => breaks.push(format!(
                        "{} uses crate::{used} (row {r}) from {module} (row {row})",
                        file.strip_prefix(root).unwrap().display()
                    )),
                    _ => {}
                }
            }
        }
    }
    assert!(
        breaks.is_empty(),
        "imports against README's Layout order:\n{}",
        breaks.join("\n")
    );
}

#[test]
fn the_checker_sees_a_use_and_skips_comments() {
    let uses = crate_uses(
        "use crate::passes::timing; // crate::cost\n/// crate::emit\nlet x = crate::area::f();\n\
         #[cfg(test)]\nmod tests { use crate::cli; }",
    );
    assert_eq!(uses, ["passes", "area"]);
    let rows = layout_rows(
        "| module | job |\n|---|---|\n| `src/a.rs` | x |\n| `src/b`, `src/c.rs` | y |\n\nrest",
    );
    assert_eq!(rows["a"], 0);
    assert_eq!((rows["b"], rows["c"]), (1, 1));
}
