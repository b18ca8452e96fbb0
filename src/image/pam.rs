//! PAM (netpbm P7), the netpbm format for channel counts other than 1 and 3: a 2-channel
//! model's input, which neither PGM nor PPM can hold (the cocotb testbench and `golden
//! --image` read the same file). `KEY value` header lines (WIDTH, HEIGHT, DEPTH, MAXVAL,
//! optional TUPLTYPE, `#` comments) up to `ENDHDR`, then the samples, channel fastest.
//! Sizes and depth are checked before anything is allocated, as for the other readers.

use super::{check_size, Image};
use crate::model::layout::Size;
use crate::model::validate::MAX_IN_CHANNELS;

/// Decodes a PAM file (`bytes` starts with `P7\n`).
pub fn decode(bytes: &[u8]) -> Result<Image, String> {
    let (mut w, mut h, mut depth, mut maxval) = (None, None, None, None);
    let mut pos = 3;
    loop {
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("malformed PAM header: no ENDHDR line")?;
        let line = String::from_utf8_lossy(&bytes[pos..pos + end]).into_owned();
        pos += end + 1;
        let mut words = line.split_whitespace();
        let (key, value) = (words.next().unwrap_or("#"), words.next());
        // Numbers beyond usize fail to parse: a malformed line, not an overflow.
        let number = || {
            value
                .and_then(|v| v.parse::<usize>().ok())
                .ok_or(format!("malformed PAM header line `{line}`"))
        };
        match key {
            "ENDHDR" => break,
            "WIDTH" => w = Some(number()?),
            "HEIGHT" => h = Some(number()?),
            "DEPTH" => depth = Some(number()?),
            "MAXVAL" => maxval = Some(number()?),
            k if k.starts_with('#') || k == "TUPLTYPE" => {}
            _ => return Err(format!("malformed PAM header line `{line}`")),
        }
    }
    let (Some(w), Some(h), Some(channels), Some(maxval)) = (w, h, depth, maxval) else {
        return Err("PAM header without WIDTH, HEIGHT, DEPTH and MAXVAL".to_string());
    };
    if maxval != 255 {
        return Err(format!(
            "expected MAXVAL 255 (8-bit samples), found {maxval}"
        ));
    }
    check_size(w, h)?;
    if !(1..=MAX_IN_CHANNELS).contains(&channels) {
        return Err(format!(
            "PAM DEPTH {channels}, outside any model input (1 to {MAX_IN_CHANNELS} channels)"
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::super::{decode, encode_pnm};
    use super::*;

    #[test]
    fn pnm_and_pam_round_trip_for_every_channel_count() {
        for channels in 1..=4 {
            let size = Size { h: 3, w: 5 };
            let pixels: Vec<u8> = (0..size.pixels() * channels)
                .map(|i| (i * 7 % 256) as u8)
                .collect();
            let img = Image {
                size,
                channels,
                pixels,
            };
            let bytes = encode_pnm(&img);
            assert_eq!(&bytes[..2], [b"P5", b"P7", b"P6", b"P7"][channels - 1]);
            assert_eq!(decode(&bytes).unwrap(), img);
        }
    }

    #[test]
    fn pam_headers_are_checked() {
        let good =
            b"P7\n# two channels\nWIDTH 2\nHEIGHT 1\nDEPTH 2\nMAXVAL 255\nTUPLTYPE X\nENDHDR\n";
        let mut bytes = good.to_vec();
        bytes.extend_from_slice(&[1, 2, 3, 4]);
        assert_eq!(decode(&bytes).unwrap().pixels, [1, 2, 3, 4]);
        for (bad, says) in [
            (
                &b"P7\nWIDTH 2\nHEIGHT 1\nDEPTH 2\nMAXVAL 65535\nENDHDR\n"[..],
                "MAXVAL 255",
            ),
            (
                b"P7\nWIDTH 2\nHEIGHT 1\nMAXVAL 255\nENDHDR\n",
                "without WIDTH, HEIGHT, DEPTH",
            ),
            (b"P7\nWIDTH two\n", "malformed PAM header line `WIDTH two`"),
            (b"P7\nWIDTH 2\n", "no ENDHDR line"),
            (
                b"P7\nWIDTH 2\nHEIGHT 1\nDEPTH 2\nMAXVAL 255\nENDHDR\n\x01",
                "truncated",
            ),
            (
                b"P7\nWIDTH 0\nHEIGHT 1\nDEPTH 2\nMAXVAL 255\nENDHDR\n",
                "outside any model input",
            ),
            (
                b"P7\nWIDTH 8192\nHEIGHT 8192\nDEPTH 99999999999999\nMAXVAL 255\nENDHDR\n",
                "DEPTH 99999999999999, outside any model input",
            ),
        ] {
            let e = decode(bad).unwrap_err();
            assert!(e.contains(says), "{e}");
        }
    }
}
