#!/usr/bin/env bash
# Runs every test: native `cargo test`, the browser suites under `wasm-pack test --headless
# --chrome`, then the page tests against the release pkg/ (built with wasm-opt, since only a
# page load catches a broken optimised build). Assumes scripts/setup.sh has run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$PATH"
unset RUSTFLAGS
# Whole-page budget for the browser suites (the runner defaults to 20 s; ours take minutes).
# webdriver.json raises chromedriver's script timeout from 30 s: the runner polls the page with
# a script, and a suite that trains for real keeps the page busy between polls.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-900}"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "native: cargo test"
cargo test -j2

step "browser: wasm-pack test --headless --chrome"
wasm-pack test --headless --chrome --mode no-install

step "release build of pkg/"
bash scripts/build.sh

if [ -f tests/pages/run.mjs ]; then
  step "page tests in headless chromium"
  node tests/pages/run.mjs
fi
printf '\n\033[1;32mall tests passed\033[0m\n'
