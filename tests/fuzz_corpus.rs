//! Replays the fuzzing inputs through the readers, as the fuzz targets call them
//! (`semifreddo::fuzz_input`): the committed seeds (fuzz/seeds/) and every finding and
//! hostile input (tests/fixtures/fuzz/, each NAME with NAME.expect, a text its error must
//! contain). Nothing may panic or take long; findings must be clean errors. Fast: no fuzzer,
//! just the files (fuzz/README.md says how to fuzz).

use semifreddo::fuzz_input;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Far above what any input here needs (milliseconds), far below a hang.
const SLOW: Duration = Duration::from_secs(10);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Inputs in `dir` (not the `.expect` files, generator scripts or READMEs), by name.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            p.is_file() && !matches!(ext, "expect" | "py" | "sh" | "md")
        })
        .collect();
    v.sort();
    v
}

/// Runs `read` on the file without letting a panic escape; the result as Ok/Err text.
fn replay<T, E: std::fmt::Display>(
    path: &Path,
    read: fn(&[u8]) -> Result<T, E>,
) -> Result<Result<(), String>, String> {
    let bytes = std::fs::read(path).unwrap();
    let start = Instant::now();
    let outcome = std::panic::catch_unwind(|| read(&bytes).map(|_| ()).map_err(|e| e.to_string()));
    let took = start.elapsed();
    match outcome {
        Err(_) => Err(format!("{}: panicked", path.display())),
        Ok(_) if took > SLOW => Err(format!("{}: took {took:?}", path.display())),
        Ok(r) => Ok(r),
    }
}

/// Findings and hostile inputs: a clean error containing the `.expect` text.
fn check_fixtures<T, E: std::fmt::Display>(target: &str, read: fn(&[u8]) -> Result<T, E>) {
    let dir = root().join("tests/fixtures/fuzz").join(target);
    let files = inputs(&dir);
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let expect_file = PathBuf::from(format!("{}.expect", path.display()));
        let expect = std::fs::read_to_string(&expect_file)
            .unwrap_or_else(|_| panic!("{} needs {}", path.display(), expect_file.display()));
        match replay(path, read) {
            Err(problem) => failures.push(problem),
            Ok(Ok(())) => failures.push(format!("{}: accepted", path.display())),
            Ok(Err(msg)) if !msg.contains(expect.trim()) => failures.push(format!(
                "{}: error does not mention {:?}:\n{msg}",
                path.display(),
                expect.trim()
            )),
            Ok(Err(_)) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Seeds: no panic, no hang, and the valid ones (listed) still accepted.
fn check_seeds<T, E: std::fmt::Display>(
    target: &str,
    read: fn(&[u8]) -> Result<T, E>,
    valid: &[&str],
) {
    let dir = root().join("fuzz/seeds").join(target);
    let files = inputs(&dir);
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        match replay(path, read) {
            Err(problem) => failures.push(problem),
            Ok(Err(msg)) if valid.contains(&name) => failures.push(format!("{name}: {msg}")),
            Ok(Ok(())) if !valid.contains(&name) => failures.push(format!("{name}: accepted")),
            Ok(_) => {}
        }
    }
    for v in valid {
        assert!(files.iter().any(|p| p.ends_with(v)), "seed {v} is missing");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn model_seeds_replay() {
    let valid = [
        "tiny", "fashion", "rand4", "rand6", "rand7", "rand10", "rand11", "rand12",
    ];
    check_seeds("model", fuzz_input::model, &valid);
}

#[test]
fn image_seeds_replay() {
    let valid = [
        "grey8.png",
        "rgb8.png",
        "palette.png",
        "grey1.png",
        "rgb.ppm",
        "grey.pgm",
        "grey_alpha.pam",
    ];
    check_seeds("image", fuzz_input::image, &valid);
}

#[test]
fn model_findings_are_clean_errors() {
    check_fixtures("model", fuzz_input::model);
}

#[test]
fn image_findings_are_clean_errors() {
    check_fixtures("image", fuzz_input::image);
}

#[test]
fn model_input_format_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let m =
        semifreddo::modelgen::init::init(&semifreddo::model::presets::preset("tiny").unwrap(), 3);
    semifreddo::model::save(&m, dir.path()).unwrap();
    let read = |f: &str| std::fs::read(dir.path().join(f)).unwrap();
    let text = String::from_utf8(read("model.toml")).unwrap();
    let input = fuzz_input::model_input(&text, &read("model.safetensors"));
    let back = fuzz_input::model(&input).unwrap();
    assert_eq!(back.to_store(), m.to_store());
    assert_eq!(back.manifest.name, m.manifest.name);
    // Without the separator the tensor file is empty: the manifest parses, the tensors do not.
    let err = fuzz_input::model(text.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("fuzz/model.safetensors") && err.contains("not a valid safetensors file"));
}
