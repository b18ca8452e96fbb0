//! The cocotb testbench that `generate` writes into `tb/` (docs/integration.md), run for real
//! as an integrator would: `semifreddo generate`, `config` and `golden --json` from the CLI,
//! then `tb/run.py` on Icarus Verilog with cocotbext-axi's AXI4-Lite master, stream source and
//! sinks (random idles and backpressure). It must be bit-exact on `tiny` and on a random
//! regression topology, recover from a malformed frame, and fail, naming the place, when a
//! value is wrong.
//!
//! Needs the pinned cocotb and cocotbext-axi (templates/tb/requirements.txt) in the Python
//! named by SEMIFREDDO_COCOTB_PYTHON or in target/cocotb-venv; `scripts/test` installs them.
//! Missing tools fail the test, never skip it.

mod common;

use common::{require_tool, tiny};
use semifreddo::model::{self, Model};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The random regression topology of this seed (`semifreddo init --preset random --seed 2`:
/// 8x8 grey input, two trainable cores with core shuffle, two repeat banks, two pooled heads
/// on train0 and train1).
const RANDOM_SEED: u64 = 2;
/// A random topology with a per-pixel head (rand5: a 2x3 head on the frozen core).
const PER_PIXEL_SEED: u64 = 5;

fn python() -> PathBuf {
    let p = std::env::var_os("SEMIFREDDO_COCOTB_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cocotb-venv/bin/python")
        });
    let ok = Command::new(&p)
        .args(["-c", "import cocotb, cocotbext.axi"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{} cannot import cocotb and cocotbext-axi; run scripts/test, which creates \
         target/cocotb-venv from templates/tb/requirements.txt",
        p.display()
    );
    p
}

fn cli(args: &[&str], paths: &[&Path]) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_semifreddo"));
    cmd.args(args).args(paths);
    common::run_tool(&mut cmd);
}

/// A generated folder with the model's configuration image and golden outputs of `image`.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(m: &Model, pixels: &[u8]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        model::save(m, &d.join("model")).unwrap();
        let img = semifreddo::image::Image {
            size: m.layout.input,
            channels: m.layout.in_channels,
            pixels: pixels.to_vec(),
        };
        std::fs::write(d.join("image.pnm"), semifreddo::image::encode_pnm(&img)).unwrap();
        let (model_dir, rtl) = (d.join("model"), d.join("rtl"));
        cli(&["generate"], &[&model_dir, Path::new("-o"), &rtl]);
        cli(
            &["config"],
            &[
                &model_dir,
                Path::new("--rtl"),
                &rtl,
                Path::new("-o"),
                &d.join("config.txt"),
            ],
        );
        cli(
            &["golden"],
            &[
                &model_dir,
                Path::new("--image"),
                &d.join("image.pnm"),
                Path::new("--json"),
                &d.join("golden.json"),
            ],
        );
        Case { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs tb/run.py on Icarus; (success, all output).
    fn run(&self, extra: &[&str]) -> (bool, String) {
        require_tool("iverilog");
        let out = Command::new(python())
            .arg(self.path("rtl/tb/run.py"))
            .args(["--sim", "icarus", "--config"])
            .arg(self.path("config.txt"))
            .arg("--golden")
            .arg(self.path("golden.json"))
            .arg("--image")
            .arg(self.path("image.pnm"))
            .arg("--build-dir")
            .arg(self.path("build"))
            .args(extra)
            .output()
            .expect("cannot run tb/run.py");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }
}

/// The lines a passing run must print: the simulator, every head bit-exact, PASS.
fn assert_passed(m: &Model, ok: bool, text: &str) {
    let top = format!(
        "{}_top",
        semifreddo::passes::plan::identifier(&m.manifest.name)
    );
    assert!(ok, "the cocotb test of {top} failed:\n{text}");
    assert!(text.contains("simulator: Icarus Verilog"), "{text}");
    for h in &m.layout.heads {
        let line = text
            .lines()
            .find(|l| l.contains(&format!(" {} (", h.name)) && l.contains("exact frames"))
            .unwrap_or_else(|| panic!("no summary of {}:\n{text}", h.name));
        assert!(line.ends_with("bit-exact"), "{line}");
    }
    assert!(
        text.contains(&format!("{top} on Icarus Verilog")) && text.contains(": PASS"),
        "{text}"
    );
    let timing: Vec<&str> = text.lines().filter(|l| l.contains("cycles/s")).collect();
    eprintln!("{}", timing.join("\n"));
}

/// `tiny` through the generated testbench: about 77,000 Icarus cycles (programming dominates)
/// at some 33 cycles per CPU second on today's RTL, about 40 CPU minutes, so it runs in the
/// nightly command (`scripts/nightly`), not in the default suite; the random topology below
/// runs the same testbench, AXI models, gaps, backpressure and malformed frame in CI.
#[test]
#[ignore = "nightly: about 40 CPU minutes on Icarus (scripts/nightly runs it)"]
fn tiny_is_bit_exact_through_cocotbext_axi() {
    let m = tiny(1);
    let pixels = semifreddo::image::builtin(m.layout.input, m.layout.in_channels);
    let case = Case::new(&m, &pixels);
    let t = std::time::Instant::now();
    let (ok, text) = case.run(&["--frames", "1", "--gap", "0.2", "--stall", "0.3"]);
    assert_passed(&m, ok, &text);
    eprintln!(
        "tiny: cocotb build and run in {:.0} s",
        t.elapsed().as_secs_f64()
    );
}

#[test]
fn a_random_topology_is_bit_exact_through_cocotbext_axi() {
    let m = semifreddo::modelgen::random::random_model(RANDOM_SEED);
    let pixels = semifreddo::image::builtin(m.layout.input, m.layout.in_channels);
    let case = Case::new(&m, &pixels);
    let (ok, text) = case.run(&[
        "--frames", "2", "--seed", "3", "--gap", "0.3", "--stall", "0.4",
    ]);
    assert_passed(&m, ok, &text);
}

#[test]
fn a_wrong_value_fails_and_names_head_frame_position_and_channel() {
    let m = semifreddo::modelgen::random::random_model(PER_PIXEL_SEED);
    let head = m.heads.iter().position(|h| !h.pool);
    let pixels = semifreddo::image::builtin(m.layout.input, m.layout.in_channels);
    let case = Case::new(&m, &pixels);
    let golden = case.path("golden.json");
    let mut g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&golden).unwrap()).unwrap();
    // Pixel (row 1, col 1), channel 1 of the per-pixel head (shape [rows, cols, outputs]).
    let h = head.expect("rand5 has a per-pixel head");
    let shape = g["heads"][h]["shape"].clone();
    let (cols, outputs) = (shape[1].as_u64().unwrap(), shape[2].as_u64().unwrap());
    let k = ((cols + 1) * outputs + 1) as usize;
    let v = &mut g["heads"][h]["values"][k];
    let was = v.as_i64().unwrap();
    assert_ne!(was, 12345, "pick another wrong value");
    *v = serde_json::json!(12345);
    std::fs::write(&golden, serde_json::to_string(&g).unwrap()).unwrap();
    let (ok, text) = case.run(&["--frames", "1"]);
    assert!(
        !ok,
        "a wrong golden value must fail the cocotb test:\n{text}"
    );
    let want = format!("head{h}: frame 0, pixel (row 1, col 1), channel 1: expected 12345");
    assert!(text.contains(&want), "expected `{want}` in:\n{text}");
    // Frame 2 (after the malformed frame) is compared too.
    assert!(
        text.contains(&format!(
            "head{h}: frame 2, pixel (row 1, col 1), channel 1"
        )),
        "{text}"
    );
    assert!(text.contains(": FAIL"), "{text}");
}

/// `tb/sf_tb.py` decodes images as the tool does: PNG with every row filter, grey and RGB,
/// PNM with a comment in its header, and PAM (plain python3, no cocotb needed).
#[test]
fn the_testbench_reads_images_like_the_tool() {
    use rand::{Rng, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let tb = dir.path().join("sf_tb.py");
    std::fs::write(&tb, include_str!("../templates/tb/sf_tb.py")).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let filters = [
        png::FilterType::NoFilter,
        png::FilterType::Sub,
        png::FilterType::Up,
        png::FilterType::Avg,
        png::FilterType::Paeth,
    ];
    let mut files = Vec::new();
    for (k, filter) in filters.iter().enumerate() {
        for (channels, colour) in [(1, png::ColorType::Grayscale), (3, png::ColorType::Rgb)] {
            let (w, h) = (5 + k as u32, 4);
            let pixels: Vec<u8> = (0..w * h * channels).map(|_| rng.gen()).collect();
            let path = dir.path().join(format!("f{k}_c{channels}.png"));
            let mut e = png::Encoder::new(std::fs::File::create(&path).unwrap(), w, h);
            e.set_color(colour);
            e.set_depth(png::BitDepth::Eight);
            e.set_filter(*filter);
            e.write_header().unwrap().write_image_data(&pixels).unwrap();
            files.push((path, pixels));
        }
    }
    let pnm = dir.path().join("c.ppm");
    let pixels: Vec<u8> = (0..3 * 4 * 3).map(|_| rng.gen()).collect();
    let mut bytes = b"P6\n# a comment\n3 4\n255\n".to_vec();
    bytes.extend_from_slice(&pixels);
    std::fs::write(&pnm, bytes).unwrap();
    files.push((pnm, pixels));
    // Two channels: PAM, as the tool writes it.
    let pam = dir.path().join("c2.pam");
    let img = semifreddo::image::Image {
        size: semifreddo::model::layout::Size { h: 2, w: 3 },
        channels: 2,
        pixels: (0..12).map(|_| rng.gen()).collect(),
    };
    std::fs::write(&pam, semifreddo::image::encode_pnm(&img)).unwrap();
    files.push((pam, img.pixels));
    for (path, pixels) in files {
        let tool = semifreddo::image::load(&path).unwrap();
        assert_eq!(tool.pixels, pixels, "{}", path.display());
        let script = "import sys; sys.path.insert(0, sys.argv[1]); import sf_tb; \
                      h, w, c, p = sf_tb.read_image(sys.argv[2]); \
                      sys.stdout.buffer.write(bytes([h, w, c]) + p)";
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(dir.path())
            .arg(&path)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (h, w, c) = (tool.size.h as u8, tool.size.w as u8, tool.channels as u8);
        assert_eq!(out.stdout[..3], [h, w, c], "{}", path.display());
        assert_eq!(out.stdout[3..], pixels[..], "{}", path.display());
    }
}
