#!/usr/bin/env bash
# Writes the model loader's fuzz seeds (fuzz/seeds/model/): `init`'s tiny preset, a few
# small random topologies (grey and RGB input, 0-2 trainable cores, repeat banks, every
# head source) and the trained fashion fixture, each as manifest TOML + NUL + safetensors
# (`semifreddo::fuzz_input::model`), plus one manifest without a tensor file.
# Rerun it to reproduce the committed files: fuzz/seeds/make_model_seeds.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=fuzz/seeds/model
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --quiet
bin=target/debug/semifreddo
join() { # manifest-dir output
  { cat "$1/model.toml"; printf '\0'; cat "$1/model.safetensors"; } > "$2"
}
mkdir -p "$out"
"$bin" init --preset tiny --seed 1 -o "$tmp/tiny" >/dev/null
join "$tmp/tiny" "$out/tiny"
for s in 4 6 7 10 11 12; do
  "$bin" init --preset random --seed "$s" -o "$tmp/rand$s" >/dev/null
  join "$tmp/rand$s" "$out/rand$s"
done
# The fashion fixture's manifest names its own tensor file; the seed carries its bytes.
join tests/fixtures/fashion "$out/fashion"
cp "$tmp/tiny/model.toml" "$out/tiny_manifest_only"
echo "wrote $(ls "$out" | wc -l) seeds to $out"
