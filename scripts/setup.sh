#!/usr/bin/env bash
# Installs whatever is missing to build and test TinyTorch Lab on a fresh Debian machine that
# has only Rust (rustup), Node/npm and Python. Every step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# The wasm-bindgen CLI must be exactly the version Cargo.lock pins, or wasm-pack tries the network.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
WASM_PACK_VERSION=0.15.1

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

cargo_install() { # name version
  # --locked reproduces the tool's own lockfile; if a pinned dependency is missing from the
  # registry mirror, fall back to a fresh resolution of the same tool version.
  cargo install "$1" --version "$2" --locked || cargo install "$1" --version "$2"
}

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (a few minutes)"
  cargo_install wasm-bindgen-cli "$WB_VERSION"
fi

if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION (a few minutes)"
  cargo_install wasm-pack "$WASM_PACK_VERSION"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing Debian chromium and chromium-driver"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium chromium-driver
fi

# npm tools live in tools/ (git-ignored node_modules): binaryen's wasm-opt (Debian's binaryen
# 108 silently breaks wasm-bindgen output) and playwright-core (drives Debian's chromium).
if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ ! -d tools/node_modules/playwright-core ]; then
  say "installing npm tools (binaryen, playwright-core) into tools/"
  npm ci --prefix tools --no-audit --no-fund
fi
say "toolchain ready: wasm-bindgen $WB_VERSION, wasm-pack $WASM_PACK_VERSION, $(chromium --version 2>/dev/null | head -1)"
