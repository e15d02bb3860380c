#!/usr/bin/env bash
# `make bench` (after `make build`): compares our wasm with TF.js 4.x's wasm backend (and its
# cpu backend where wasm cannot train) and with our native build, in headless Debian chromium.
#   1. installs TF.js (exact versions of bench/package-lock.json) into the git-ignored
#      bench/node_modules; TF.js is only ever loaded by bench/bench.html, never by the site;
#   2. builds the native reference (cargo build --release --example bench_native);
#   3. runs bench/run.mjs: loopback server, one page per implementation, every workload
#      measured interleaved over BENCH_REPS repetitions (default 7); prints the table and
#      writes bench/results/bench-<date>.json.
# Not part of `make test`. Takes 2–4 minutes on 2 cores (about 1.5 of them in the browser).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

for f in pkg/tinytorch_bg.wasm pkg-relaxed/tinytorch_bg.wasm; do
  [ -f "$f" ] || { echo "missing $f: run \`make bench\` (it builds first) or \`bash scripts/build.sh\`" >&2; exit 1; }
done
[ -d tools/node_modules/playwright-core ] || { echo "missing tools/node_modules: run \`make setup\`" >&2; exit 1; }

if ! node -e 'for (const p of ["tfjs","tfjs-core","tfjs-backend-wasm","tfjs-backend-cpu"]) {
    const want = require("./bench/package.json").dependencies["@tensorflow/" + p];
    if (require("./bench/node_modules/@tensorflow/" + p + "/package.json").version !== want) process.exit(1); }' 2>/dev/null; then
  say "installing TF.js into bench/node_modules (npm ci)"
  npm ci --prefix bench --no-audit --no-fund --loglevel=error
fi

say "building the native reference (cargo build --release --example bench_native)"
unset RUSTFLAGS
cargo build --release --example bench_native --quiet

say "running the benchmark in headless chromium"
node bench/run.mjs

say "timing the suites with the student's JavaScript in the framework"
node bench/exercises.mjs
