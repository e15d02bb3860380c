#!/usr/bin/env bash
# Builds the release site package into pkg/ (wasm-pack --target web, optimised with npm's
# binaryen wasm-opt) and reports the .wasm size and how many SIMD instructions it holds.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# NOTE: RUSTFLAGS from the environment would replace .cargo/config.toml's +simd128.
unset RUSTFLAGS
wasm-pack --quiet build --release --target web --out-dir pkg --out-name tinytorch --mode no-install
wasm="pkg/tinytorch_bg.wasm"
simd=$(wasm-dis "$wasm" | grep -cE '\b(f32x4|v128|i32x4|f64x2)\.' || true)
printf '[build] %s: %s bytes (%s gzipped), %s SIMD instructions\n' "$wasm" \
  "$(stat -c %s "$wasm")" "$(gzip -9c "$wasm" | wc -c)" "$simd"
