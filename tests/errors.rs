//! Bad model files and images: every problem gets a clear message naming the file, the tensor
//! or field, what was expected and what was found; the CLI exits non-zero and never panics.

use semifreddo::model::{self, presets, tensors::TensorStore};
use semifreddo::modelgen::init::init;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A valid tiny model written to a temporary folder.
struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m");
        model::save(&init(&presets::preset("tiny").unwrap(), 1), &path).unwrap();
        Fixture { _dir: dir, path }
    }
    fn manifest(&self) -> PathBuf {
        self.path.join(model::MANIFEST_FILE)
    }
    fn tensors(&self) -> PathBuf {
        self.path.join(model::TENSOR_FILE)
    }
    fn edit_manifest(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.manifest()).unwrap();
        assert!(text.contains(from), "fixture manifest contains {from:?}");
        std::fs::write(self.manifest(), text.replacen(from, to, 1)).unwrap();
    }
    fn edit_store(&self, f: impl FnOnce(&mut TensorStore)) {
        let mut s = TensorStore::from_safetensors(&std::fs::read(self.tensors()).unwrap()).unwrap();
        f(&mut s);
        std::fs::write(self.tensors(), s.to_safetensors()).unwrap();
    }
    /// Loads and returns the error text (the load must fail).
    fn error(&self) -> String {
        match model::load(&self.path) {
            Ok(_) => panic!("the model should have been rejected"),
            Err(e) => e.to_string(),
        }
    }
}

fn assert_mentions(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message should mention {p:?}:\n{msg}");
    }
}

#[test]
fn missing_tensor() {
    let f = Fixture::new();
    f.edit_store(|s| {
        s.tensors.remove("frozen.s2.b1.pw.weight");
    });
    assert_mentions(
        &f.error(),
        &["model.safetensors", "`frozen.s2.b1.pw.weight`", "missing"],
    );
}

#[test]
fn extra_tensor() {
    let f = Fixture::new();
    f.edit_store(|s| s.insert("frozen.s9.b0.dw.weight", vec![1], &[0i8]));
    assert_mentions(
        &f.error(),
        &["`frozen.s9.b0.dw.weight`", "not part of this topology"],
    );
}

#[test]
fn misnamed_tensor_gets_a_hint() {
    let f = Fixture::new();
    f.edit_store(|s| {
        let t = s.tensors.remove("train1.blend3.alpha").unwrap();
        s.tensors.insert("train1.blend3.alpha_".into(), t);
    });
    let msg = f.error();
    assert_mentions(
        &msg,
        &[
            "`train1.blend3.alpha`",
            "missing",
            "`train1.blend3.alpha_`",
            "not part of this topology",
        ],
    );
    assert!(msg.contains("did you mean `train1.blend3.alpha`"), "{msg}");
}

#[test]
fn wrong_shape() {
    let f = Fixture::new();
    f.edit_store(|s| s.insert("frozen.stem.weight", vec![8, 3, 3, 2], &[0i8; 144]));
    assert_mentions(
        &f.error(),
        &[
            "`frozen.stem.weight`",
            "expected shape [8, 3, 3, 3]",
            "found [8, 3, 3, 2]",
        ],
    );
}

#[test]
fn wrong_dtype() {
    let f = Fixture::new();
    f.edit_store(|s| s.insert("head0.scale", vec![10], &[1i32; 10]));
    assert_mentions(
        &f.error(),
        &["`head0.scale`", "expected dtype I16", "found I32"],
    );
}

#[test]
fn alpha_over_256() {
    let f = Fixture::new();
    f.edit_store(|s| {
        let mut a: Vec<u16> = s.get("train0.blend1.alpha").unwrap().values().unwrap();
        a[5] = 257;
        s.insert("train0.blend1.alpha", vec![a.len()], &a);
    });
    assert_mentions(
        &f.error(),
        &["`train0.blend1.alpha`", "0..=256", "found 257", "channel 5"],
    );
}

#[test]
fn shift_over_40() {
    let f = Fixture::new();
    f.edit_store(|s| s.insert("frozen.s1.b0.br1.pw.shift", vec![1], &[41u8]));
    assert_mentions(
        &f.error(),
        &["`frozen.s1.b0.br1.pw.shift`", "0..=40", "found 41"],
    );
}

fn set_pwl(f: &Fixture, x: &[i16]) {
    let k = x.len();
    f.edit_store(|s| {
        s.insert("head1.pwl.x", vec![k], x);
        s.insert("head1.pwl.y", vec![k], &vec![0i16; k]);
        s.insert("head1.pwl.g", vec![k], &vec![256i16; k]);
    });
}

#[test]
fn pwl_starts_not_increasing() {
    let f = Fixture::new();
    set_pwl(&f, &[i16::MIN, 10, 10]);
    assert_mentions(
        &f.error(),
        &[
            "`head1.pwl.x`",
            "strictly increasing",
            "x_1 = 10 then x_2 = 10",
        ],
    );
}

#[test]
fn pwl_first_start_not_minimum() {
    let f = Fixture::new();
    set_pwl(&f, &[-100, 10]);
    assert_mentions(&f.error(), &["`head1.pwl.x`", "x_0 = -32768", "found -100"]);
}

#[test]
fn pwl_more_segments_than_k_max() {
    let f = Fixture::new();
    let x: Vec<i16> = (0..9).map(|i| i16::MIN + i * 100).collect();
    set_pwl(&f, &x);
    assert_mentions(&f.error(), &["`head1.pwl.x`", "1..=8", "K_max", "found 9"]);
}

#[test]
fn pwl_lengths_differ() {
    let f = Fixture::new();
    f.edit_store(|s| s.insert("head1.pwl.g", vec![1], &[256i16]));
    assert_mentions(&f.error(), &["`head1.pwl.x`", "same length"]);
}

#[test]
fn repeat_passes_over_r_max() {
    let f = Fixture::new();
    f.edit_store(|s| s.insert("train1.rep.n", vec![1], &[3u8]));
    assert_mentions(&f.error(), &["`train1.rep.n`", "0..=2", "R_max", "found 3"]);
}

#[test]
fn flags_must_be_zero_or_one() {
    let f = Fixture::new();
    f.edit_store(|s| {
        s.insert("blend2.shuffle", vec![1], &[2u8]);
        s.insert("head0.pool", vec![1], &[7u8]);
    });
    assert_mentions(
        &f.error(),
        &[
            "`blend2.shuffle`",
            "`head0.pool`",
            "expected 0 or 1",
            "found 2",
            "found 7",
            "2 problems",
        ],
    );
}

#[test]
fn image_size_not_divisible() {
    let f = Fixture::new();
    f.edit_manifest("height = 32", "height = 40");
    assert_mentions(
        &f.error(),
        &[
            "model.toml",
            "`input.height`",
            "multiple of 16 (2^4",
            "found 40",
        ],
    );
}

#[test]
fn sizes_and_counts_beyond_the_limits() {
    let f = Fixture::new();
    f.edit_manifest("width = 32", "width = 1048576");
    assert_mentions(&f.error(), &["`input.width`", "1..=8192", "found 1048576"]);
    let g = Fixture::new();
    g.edit_manifest("frozen_repeats = 1", "frozen_repeats = 1000");
    assert_mentions(
        &g.error(),
        &[
            "`topology.stages[0].frozen_repeats`",
            "at most 64",
            "found 1000",
        ],
    );
    let h = Fixture::new();
    h.edit_manifest("height = 32", "height = \"tall\"");
    assert_mentions(&h.error(), &["model.toml", "invalid type: string \"tall\""]);
    let i = Fixture::new();
    i.edit_manifest("stem_channels = 8", "stem_channels = -8");
    assert_mentions(&i.error(), &["model.toml", "invalid value: integer `-8`"]);
}

#[test]
fn stage_widths_break_block_rules() {
    let f = Fixture::new();
    f.edit_manifest("channels = 16\nstride = 2", "channels = 24\nstride = 2");
    let msg = f.error();
    assert_mentions(
        &msg,
        &["`topology.stages[0].channels`", "expected 16, found 24"],
    );
    let g = Fixture::new();
    g.edit_manifest("stem_channels = 8", "stem_channels = 7");
    assert_mentions(&g.error(), &["`topology.stem_channels`", "even", "found 7"]);
}

#[test]
fn head_groups_must_divide() {
    let f = Fixture::new();
    f.edit_manifest("outputs = 10\ngroups = 2", "outputs = 10\ngroups = 3");
    assert_mentions(
        &f.error(),
        &[
            "`heads[2].groups`",
            "I = 128 is not divisible by G = 3",
            "O = 10 is not divisible by G = 3",
        ],
    );
}

#[test]
fn head_with_too_many_weights() {
    let f = Fixture::new();
    f.edit_manifest("outputs = 4\ngroups = 1", "outputs = 2050\ngroups = 1");
    assert_mentions(
        &f.error(),
        &["`heads[1].outputs`", "at most 131072", "2050*64/1 = 131200"],
    );
}

#[test]
fn unknown_manifest_keys() {
    let f = Fixture::new();
    f.edit_manifest("[input]\n", "[input]\ncolour = true\n");
    assert_mentions(&f.error(), &["model.toml", "unknown field `colour`"]);
    let g = Fixture::new();
    g.edit_manifest("[topology]\n", "[topology]\nfrozen_repeat = 1\n");
    assert_mentions(&g.error(), &["unknown field `frozen_repeat`"]);
}

#[test]
fn head_source_needs_the_cores() {
    let f = Fixture::new();
    f.edit_manifest("trainable_cores = 2", "trainable_cores = 1");
    assert_mentions(
        &f.error(),
        &[
            "`heads[2].source`",
            "\"train01\" needs 2 trainable cores, found 1",
        ],
    );
}

#[test]
fn missing_tensor_file() {
    let f = Fixture::new();
    std::fs::remove_file(f.tensors()).unwrap();
    assert_mentions(
        &f.error(),
        &[
            "model.toml",
            "`tensors`",
            "cannot read the tensor file",
            "model.safetensors",
        ],
    );
}

#[test]
fn truncated_safetensors() {
    let f = Fixture::new();
    let bytes = std::fs::read(f.tensors()).unwrap();
    std::fs::write(f.tensors(), &bytes[..bytes.len() / 2]).unwrap();
    assert_mentions(
        &f.error(),
        &["model.safetensors", "not a valid safetensors file"],
    );
}

#[test]
fn corrupt_safetensors() {
    let f = Fixture::new();
    let mut bytes = std::fs::read(f.tensors()).unwrap();
    bytes[10] = b'{';
    bytes[0] = 0xff; // header length far beyond the file
    std::fs::write(f.tensors(), &bytes).unwrap();
    assert_mentions(
        &f.error(),
        &["model.safetensors", "not a valid safetensors file"],
    );
    std::fs::write(f.tensors(), b"").unwrap();
    assert_mentions(&f.error(), &["not a valid safetensors file"]);
}

/// The tensor file with `name`'s header entry written a second time (same dtype, shape and
/// offsets, so the container is otherwise valid).
fn repeat_header_entry(bytes: &[u8], name: &str) -> Vec<u8> {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
    let start = header.find(&format!("\"{name}\":")).unwrap();
    let end = start + header[start..].find('}').unwrap() + 1;
    let entry = &header[start..end];
    let new_header = format!("{},{entry}}}", header.trim_end().strip_suffix('}').unwrap());
    let mut out = (new_header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(new_header.as_bytes());
    out.extend_from_slice(&bytes[8 + n..]);
    out
}

#[test]
fn tensor_named_twice_in_the_header() {
    let f = Fixture::new();
    let bytes = std::fs::read(f.tensors()).unwrap();
    let mut twice = repeat_header_entry(&bytes, "head1.bias");
    twice = repeat_header_entry(&twice, "frozen.stem.weight");
    std::fs::write(f.tensors(), &twice).unwrap();
    let msg = f.error();
    assert_mentions(
        &msg,
        &[
            "2 problems",
            "model.safetensors: tensor `head1.bias`: named more than once",
            "model.safetensors: tensor `frozen.stem.weight`: named more than once",
        ],
    );
    let (code, _, err) = semifreddo(&["info", f.path.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert_mentions(&err, &["`head1.bias`", "named more than once"]);
    // The same file without the repeats loads.
    std::fs::write(f.tensors(), &bytes).unwrap();
    model::load(&f.path).unwrap();
}

#[test]
fn every_problem_is_reported_at_once() {
    let f = Fixture::new();
    f.edit_store(|s| {
        s.insert("frozen.stem.shift", vec![1], &[50u8]);
        s.insert("head2.shift", vec![1], &[45u8]);
    });
    assert_mentions(
        &f.error(),
        &["2 problems", "`frozen.stem.shift`", "`head2.shift`"],
    );
}

fn semifreddo(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_semifreddo"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_reports_bad_models_without_panicking() {
    let f = Fixture::new();
    f.edit_store(|s| s.insert("frozen.stem.shift", vec![1], &[99u8]));
    let (code, _, err) = semifreddo(&["golden", f.path.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert_mentions(&err, &["error:", "`frozen.stem.shift`", "found 99"]);
    assert!(!err.contains("panicked"), "{err}");
    let (code, _, err) = semifreddo(&["info", "/nonexistent/model.toml"]);
    assert_ne!(code, 0);
    assert_mentions(
        &err,
        &["/nonexistent/model.toml", "cannot read the manifest"],
    );
}

#[test]
fn cli_rejects_images_of_the_wrong_size_or_kind() {
    let f = Fixture::new();
    let dir = f.path.parent().unwrap();
    let img = semifreddo::image::Image {
        size: semifreddo::model::layout::Size { h: 16, w: 32 },
        channels: 3,
        pixels: vec![7; 16 * 32 * 3],
    };
    let ppm = dir.join("small.ppm");
    std::fs::write(&ppm, semifreddo::image::encode_pnm(&img)).unwrap();
    let (code, _, err) = semifreddo(&[
        "golden",
        f.path.to_str().unwrap(),
        "--image",
        ppm.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert_mentions(
        &err,
        &["small.ppm", "image is 32x16 RGB", "model expects 32x32 RGB"],
    );
    let junk = dir.join("junk.png");
    std::fs::write(&junk, b"\x89PNG not really").unwrap();
    let (code, _, err) = semifreddo(&[
        "golden",
        f.path.to_str().unwrap(),
        "--image",
        junk.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert_mentions(&err, &["junk.png", "invalid PNG"]);
    assert!(!err.contains("panicked"));
}

#[test]
fn cli_golden_runs_on_png_and_ppm_alike() {
    let f = Fixture::new();
    let dir = f.path.parent().unwrap();
    let m = model::load(&f.path).unwrap();
    let px = semifreddo::image::builtin(m.layout.input, 3);
    let img = semifreddo::image::Image {
        size: m.layout.input,
        channels: 3,
        pixels: px,
    };
    let ppm = dir.join("img.ppm");
    std::fs::write(&ppm, semifreddo::image::encode_pnm(&img)).unwrap();
    let png = dir.join("img.png");
    write_png(&png, &img);
    let run = |p: &Path, json: &Path| {
        let (code, out, err) = semifreddo(&[
            "golden",
            f.path.to_str().unwrap(),
            "--image",
            p.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("top-5"));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
        v["heads"].clone()
    };
    assert_eq!(
        run(&ppm, &dir.join("a.json")),
        run(&png, &dir.join("b.json"))
    );
}

fn write_png(path: &Path, img: &semifreddo::image::Image) {
    let file = std::fs::File::create(path).unwrap();
    let mut enc = png::Encoder::new(file, img.size.w as u32, img.size.h as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()
        .unwrap()
        .write_image_data(&img.pixels)
        .unwrap();
}

#[test]
fn timing_model_and_target_clock() {
    let f = Fixture::new();
    f.edit_manifest(
        "target_mhz = 150.0\n",
        "target_mhz = 150.0\ntiming_model = \"xc7\"\n",
    );
    assert_mentions(
        &f.error(),
        &["model.toml", "unknown variant `xc7`", "`osu018` or `ecp5`"],
    );
    // an ECP5 cannot close the default 150 MHz: the error names the field, the table and
    // the fastest clock it supports
    let g = Fixture::new();
    g.edit_manifest(
        "target_mhz = 150.0\n",
        "target_mhz = 150.0\ntiming_model = \"ecp5\"\n",
    );
    assert_mentions(
        &g.error(),
        &[
            "generation.target_mhz",
            "150 MHz",
            "ecp5 delay model",
            "fastest supported clock",
        ],
    );
    let h = Fixture::new();
    h.edit_manifest(
        "target_mhz = 150.0\n",
        "target_mhz = 100.0\ntiming_model = \"ecp5\"\n",
    );
    let m = model::load(&h.path).unwrap();
    let plan = semifreddo::passes::plan(&m, &Default::default()).unwrap();
    assert_eq!(
        plan.timing.timing_model,
        semifreddo::passes::timing::TimingModel::Ecp5
    );
}
