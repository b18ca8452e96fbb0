//! Palette rules of the PNG specification that the `png` crate (0.17) does not check before
//! it expands a palette image, and panics on instead (found by fuzzing,
//! tests/fixtures/fuzz/image/): a PLTE chunk must hold 1 to 256 RGB entries (a multiple of 3
//! bytes), and an indexed image's tRNS chunk at most one alpha per palette entry.
//!
//! A walk over the chunk headers up to the first IDAT, bounded by the buffer; anything
//! else malformed is left to the decoder, which reports it.

/// PNG colour type of palette (indexed) images.
const INDEXED: u8 = 3;

/// Checks the palette chunks of an indexed PNG (`bytes` starts with the PNG signature).
pub fn check_palette(bytes: &[u8]) -> Result<(), String> {
    // IHDR is the first chunk: colour type at byte 25 of the file.
    if bytes.get(12..16) != Some(b"IHDR") || bytes.get(25) != Some(&INDEXED) {
        return Ok(());
    }
    let mut entries = None;
    let mut pos = 8usize;
    while let (Some(len), Some(kind)) = (
        super::be32(bytes, pos),
        bytes.get(pos.saturating_add(4)..pos.saturating_add(8)),
    ) {
        match kind {
            b"PLTE" if len == 0 || len % 3 != 0 || len > 3 * 256 => {
                return Err(format!(
                    "invalid PNG: PLTE chunk of {len} bytes, expected 1 to 256 RGB entries \
                     (3 to 768 bytes, a multiple of 3)"
                ))
            }
            b"PLTE" => entries = Some(len / 3),
            b"tRNS" => match entries {
                Some(n) if len > n => {
                    return Err(format!(
                        "invalid PNG: tRNS chunk has {len} alpha values, more than the {n} \
                         palette entries"
                    ))
                }
                _ => {}
            },
            b"IDAT" => break,
            _ => {}
        }
        // Length, type, data, CRC.
        match pos.checked_add(12).and_then(|p| p.checked_add(len)) {
            Some(next) => pos = next,
            None => break,
        }
    }
    Ok(())
}
