//! The model loader: manifest TOML, a NUL byte, then the safetensors file
//! (`semifreddo::fuzz_input::model`). Any result is fine; a panic, a hang or an allocation
//! beyond libFuzzer's limits is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = semifreddo::fuzz_input::model(data);
});
