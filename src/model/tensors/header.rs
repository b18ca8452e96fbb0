//! A scan of a safetensors file's JSON header for names listed twice. The `safetensors`
//! crate reads the header into a map, so a repeated name silently keeps one of its entries;
//! a model file must never be read that way.
//!
//! The scan is bounded by the buffer already in memory: it reads the declared header length,
//! walks the top-level object without building its values (`IgnoredAny`; serde_json also
//! limits nesting depth), and keeps only the names. Anything that is not a well-formed
//! header is left to the crate, which reports it.

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::collections::BTreeSet;
use std::fmt;

/// Top-level header keys that occur more than once, each once, in order of their second
/// occurrence; empty when there are none or the header is malformed.
pub fn repeated_names(buffer: &[u8]) -> Vec<String> {
    let Some(header) = header_bytes(buffer) else {
        return Vec::new();
    };
    let mut de = serde_json::Deserializer::from_slice(header);
    Repeated::deserialize(&mut de)
        .map(|r| r.0)
        .unwrap_or_default()
}

/// The JSON header: 8 bytes of little-endian length, then that many bytes.
fn header_bytes(buffer: &[u8]) -> Option<&[u8]> {
    let len = u64::from_le_bytes(buffer.get(..8)?.try_into().ok()?);
    let end = usize::try_from(len).ok()?.checked_add(8)?;
    buffer.get(8..end)
}

struct Repeated(Vec<String>);

impl<'de> Deserialize<'de> for Repeated {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Repeated;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Repeated, A::Error> {
        let mut seen = BTreeSet::new();
        let mut repeated = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            if seen.contains(&key) {
                if !repeated.contains(&key) {
                    repeated.push(key);
                }
            } else {
                seen.insert(key);
            }
        }
        Ok(Repeated(repeated))
    }
}

#[cfg(test)]
mod tests {
    use super::repeated_names;

    fn file(header: &str) -> Vec<u8> {
        let mut v = (header.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(header.as_bytes());
        v
    }

    #[test]
    fn finds_each_repeated_name_once() {
        let t = r#"{"dtype":"U8","shape":[1],"data_offsets":[0,1]}"#;
        let h = format!(r#"{{"a":{t},"b":{t},"a":{t},"a":{t},"b":{t},"c":{t}}}"#);
        assert_eq!(repeated_names(&file(&h)), ["a", "b"]);
        let h = format!(r#"{{"a":{t},"b":{t}}}"#);
        assert!(repeated_names(&file(&h)).is_empty());
    }

    #[test]
    fn malformed_headers_are_left_to_the_crate() {
        for bad in [
            &b""[..],
            &b"\x05\0\0\0"[..],
            &b"\xff\xff\xff\xff\xff\xff\xff\xff{}"[..],
            &file("[1, 2]")[..],
            &file(r#"{"a": 1, "a": "#)[..],
            &file(&"[".repeat(100_000))[..],
        ] {
            assert!(repeated_names(bad).is_empty());
        }
    }
}
