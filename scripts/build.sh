#!/usr/bin/env bash
# Builds the two release site packages with wasm-pack (--target web), optimised with npm's
# binaryen wasm-opt:
#   pkg/          SIMD128              (every browser with wasm SIMD)
#   pkg-relaxed/  SIMD128 + relaxed SIMD (fused multiply-add where the browser has it)
# www/js/tinytorch.js feature-detects relaxed SIMD at load time and picks one.
# Prints each .wasm's size (raw and gzipped) and how many SIMD instructions it holds.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# NOTE: RUSTFLAGS from the environment would replace .cargo/config.toml's +simd128.
unset RUSTFLAGS

report() {
  local wasm="$1/tinytorch_bg.wasm"
  local simd relaxed
  local wat
  wat=$(wasm-dis "$wasm")
  simd=$(grep -cE '\((f32x4|v128|i32x4|i16x8|i8x16|f64x2)\.' <<<"$wat" || true)
  # Opcodes only: the data section's strings mention "relaxed" too.
  relaxed=$(grep -cE '\((f32x4|f64x2|i8x16|i16x8|i32x4)\.relaxed' <<<"$wat" || true)
  printf '[build] %s: %s bytes (%s gzipped), %s SIMD instructions, %s relaxed\n' "$wasm" \
    "$(stat -c %s "$wasm")" "$(gzip -9c "$wasm" | wc -c)" "$simd" "$relaxed"
}

# Both packages newer than every input: nothing to do (so `make serve` restarts in seconds
# instead of re-running the release build and wasm-opt). FORCE_BUILD=1 rebuilds anyway.
up_to_date() {
  local out
  for out in pkg/tinytorch_bg.wasm pkg/tinytorch.js pkg-relaxed/tinytorch_bg.wasm pkg-relaxed/tinytorch.js; do
    [ -f "$out" ] || return 1
    [ -z "$(find src Cargo.toml Cargo.lock .cargo scripts/build.sh -newer "$out" -print -quit)" ] || return 1
  done
}
if [ "${FORCE_BUILD:-0}" != 1 ] && [ "${SKIP_RELAXED:-0}" != 1 ] && up_to_date; then
  echo "[build] pkg/ and pkg-relaxed/ are newer than the sources: kept (FORCE_BUILD=1 rebuilds)"
  exit 0
fi

# The flags of .cargo/config.toml, plus path remapping so the shipped .wasm's panic locations
# name `cargo/registry/...` and `tinytorch/src/...` rather than this machine's directories.
flags="-C llvm-args=-disable-lsr --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=cargo --remap-path-prefix=$PWD=tinytorch"

CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128 $flags" \
  wasm-pack --quiet build --release --target web --out-dir pkg --out-name tinytorch --mode no-install
report pkg

if [ "${SKIP_RELAXED:-0}" != 1 ]; then
  CARGO_TARGET_DIR=target/relaxed \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd $flags" \
    wasm-pack --quiet build --release --target web --out-dir pkg-relaxed --out-name tinytorch --mode no-install
  report pkg-relaxed
fi
