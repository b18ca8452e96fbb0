//! Input images: PNG and binary netpbm (P6 colour, P5 grey, P7 PAM for other channel counts)
//! with 8-bit samples, checked against the model's input size (never resized); plus the
//! built-in test image and synthetic calibration images.

mod pam;
mod png_chunks;

use crate::model::layout::Size;
use rand::Rng;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{file}: cannot read the image: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    #[error("{file}: image is {found}, but the model expects {expected}")]
    Mismatch {
        file: String,
        expected: String,
        found: String,
    },
}

/// A decoded image: raw bytes in raster order, channel fastest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub size: Size,
    pub channels: usize,
    pub pixels: Vec<u8>,
}

fn describe(size: Size, channels: usize) -> String {
    let kind = match channels {
        1 => "grey".to_string(),
        3 => "RGB".to_string(),
        n => format!("{n}-channel"),
    };
    format!("{}x{} {kind}", size.w, size.h)
}

/// Loads an image and checks it has exactly the model's size and channel count.
pub fn load_for_model(path: &Path, size: Size, channels: usize) -> Result<Image, ImageError> {
    let img = load(path)?;
    if img.size != size || img.channels != channels {
        return Err(ImageError::Mismatch {
            file: path.display().to_string(),
            expected: describe(size, channels),
            found: describe(img.size, img.channels),
        });
    }
    Ok(img)
}

/// Loads a PNG, PPM (P6), PGM (P5) or PAM (P7) file, telling them apart by their first bytes.
pub fn load(path: &Path) -> Result<Image, ImageError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ImageError::Io {
        file: file.clone(),
        source,
    })?;
    decode(&bytes).map_err(|message| ImageError::Format { file, message })
}

/// Decodes the bytes of a PNG, PPM (P6), PGM (P5) or PAM (P7) file; the error says what is
/// wrong.
/// Sizes are checked against the largest model input before any pixel buffer is allocated,
/// so a hostile header cannot exhaust memory.
pub fn decode(bytes: &[u8]) -> Result<Image, String> {
    if bytes.starts_with(b"\x89PNG") {
        decode_png(bytes)
    } else if bytes.starts_with(b"P6") || bytes.starts_with(b"P5") {
        decode_pnm(bytes)
    } else if bytes.starts_with(b"P7\n") {
        pam::decode(bytes)
    } else {
        Err("not a PNG or binary PPM/PGM/PAM (P6/P5/P7) file".to_string())
    }
}

/// Width and height within 1..=MAX_SIZE, the range of every model input.
fn check_size(w: usize, h: usize) -> Result<(), String> {
    let max = crate::model::validate::MAX_SIZE;
    if w == 0 || h == 0 || w > max || h > max {
        return Err(format!(
            "image is {w}x{h}, outside any model input (1x1 to {max}x{max})"
        ));
    }
    Ok(())
}

fn decode_png(bytes: &[u8]) -> Result<Image, String> {
    // The size from IHDR (always the first chunk) before the decoder, whose own memory
    // limit would otherwise refuse a huge image without saying why.
    if let (Some(b"IHDR"), Some(w), Some(h)) = (bytes.get(12..16), be32(bytes, 16), be32(bytes, 20))
    {
        check_size(w, h)?;
    }
    png_chunks::check_palette(bytes)?;
    let mut decoder = png::Decoder::new(bytes);
    // Palette images are expanded to RGB (lossless); nothing else is converted.
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("invalid PNG: {e}"))?;
    check_size(reader.info().width as usize, reader.info().height as usize)?;
    let (color, depth) = reader.output_color_type();
    if depth != png::BitDepth::Eight {
        return Err(format!("expected 8-bit samples, found {}-bit", depth as u8));
    }
    let channels = match color {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        other => {
            return Err(format!(
                "expected a grey or RGB PNG without alpha, found colour type {other:?}"
            ))
        }
    };
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("invalid PNG: {e}"))?;
    buf.truncate(info.buffer_size());
    let size = Size {
        h: info.height as usize,
        w: info.width as usize,
    };
    // Rows may be padded only for sub-byte depths, which were rejected above.
    Ok(Image {
        size,
        channels,
        pixels: buf,
    })
}

/// The big-endian u32 at `at`, if the bytes reach that far.
fn be32(bytes: &[u8], at: usize) -> Option<usize> {
    let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b) as usize)
}

fn decode_pnm(bytes: &[u8]) -> Result<Image, String> {
    let channels = if bytes[1] == b'6' { 3 } else { 1 };
    let mut pos = 2;
    let mut fields = [0usize; 3];
    for f in fields.iter_mut() {
        // Skip whitespace and comments, then read one decimal number.
        loop {
            match bytes.get(pos) {
                Some(b'#') => {
                    while bytes.get(pos).is_some_and(|&b| b != b'\n') {
                        pos += 1;
                    }
                }
                Some(b) if b.is_ascii_whitespace() => pos += 1,
                _ => break,
            }
        }
        let start = pos;
        while bytes.get(pos).is_some_and(|b| b.is_ascii_digit()) {
            pos += 1;
        }
        *f = std::str::from_utf8(&bytes[start..pos])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| "malformed PNM header: expected width, height and maxval".to_string())?;
    }
    let [w, h, maxval] = fields;
    if maxval != 255 {
        return Err(format!(
            "expected maxval 255 (8-bit samples), found {maxval}"
        ));
    }
    if !bytes.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
        return Err("malformed PNM header: no whitespace after maxval".to_string());
    }
    pos += 1;
    check_size(w, h)?;
    let need = w * h * channels;
    let data = &bytes[pos..];
    if data.len() < need {
        return Err(format!(
            "truncated: expected {need} bytes of pixel data, found {}",
            data.len()
        ));
    }
    Ok(Image {
        size: Size { h, w },
        channels,
        pixels: data[..need].to_vec(),
    })
}

/// Encodes raw pixels as a binary PGM (1 channel), PPM (3 channels) or PAM (any other count).
pub fn encode_pnm(img: &Image) -> Vec<u8> {
    let (w, h) = (img.size.w, img.size.h);
    let mut out = match img.channels {
        1 => format!("P5\n{w} {h}\n255\n"),
        3 => format!("P6\n{w} {h}\n255\n"),
        c => format!("P7\nWIDTH {w}\nHEIGHT {h}\nDEPTH {c}\nMAXVAL 255\nENDHDR\n"),
    }
    .into_bytes();
    out.extend_from_slice(&img.pixels);
    out
}

/// The built-in test image: colour bars over a diagonal gradient with a bright disc, so every
/// channel sees edges, flat areas and both ends of the range.
pub fn builtin(size: Size, channels: usize) -> Vec<u8> {
    let mut px = Vec::with_capacity(size.pixels() * channels);
    let (cy, cx) = (size.h as f64 * 0.6, size.w as f64 * 0.35);
    let radius = size.h.min(size.w) as f64 * 0.25;
    for r in 0..size.h {
        for c in 0..size.w {
            let bar = c * 8 / size.w.max(1);
            let grad = ((r + c) * 255 / (size.h + size.w).max(1)) as u8;
            let inside = ((r as f64 - cy).powi(2) + (c as f64 - cx).powi(2)).sqrt() < radius;
            for ch in 0..channels {
                let bar_on = (bar >> (ch % 3)) & 1 == 1;
                let v = if inside {
                    240 - (ch as u8 * 40)
                } else if r < size.h / 2 {
                    if bar_on {
                        220
                    } else {
                        20
                    }
                } else {
                    grad.wrapping_add(ch as u8 * 60)
                };
                px.push(v);
            }
        }
    }
    px
}

/// A random natural-ish image for calibration: smooth gradients, rectangles and noise.
pub fn synthetic(size: Size, channels: usize, rng: &mut impl Rng) -> Vec<u8> {
    let base: Vec<f64> = (0..channels).map(|_| rng.gen_range(40.0..200.0)).collect();
    let gy: Vec<f64> = (0..channels).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let gx: Vec<f64> = (0..channels).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let rects: Vec<(usize, usize, usize, usize, Vec<f64>)> = (0..6)
        .map(|_| {
            let (r0, c0) = (rng.gen_range(0..size.h), rng.gen_range(0..size.w));
            let (r1, c1) = (rng.gen_range(r0..size.h) + 1, rng.gen_range(c0..size.w) + 1);
            (
                r0,
                c0,
                r1,
                c1,
                (0..channels).map(|_| rng.gen_range(0.0..255.0)).collect(),
            )
        })
        .collect();
    let mut px = Vec::with_capacity(size.pixels() * channels);
    for r in 0..size.h {
        for c in 0..size.w {
            for ch in 0..channels {
                let fy = r as f64 / size.h as f64 * 128.0;
                let fx = c as f64 / size.w as f64 * 128.0;
                let mut v = base[ch] + gy[ch] * fy + gx[ch] * fx;
                for (r0, c0, r1, c1, col) in &rects {
                    if (*r0..*r1).contains(&r) && (*c0..*c1).contains(&c) {
                        v = 0.5 * v + 0.5 * col[ch];
                    }
                }
                v += rng.gen_range(-12.0..12.0);
                px.push(v.round().clamp(0.0, 255.0) as u8);
            }
        }
    }
    px
}
