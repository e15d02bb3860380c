// `make bench` driver (called by scripts/bench.sh): serves the repository on loopback, opens
// bench/bench.html in headless Debian chromium (playwright-core from tools/) once per
// implementation — ours with pkg/ (SIMD128), ours with pkg-relaxed/ (SIMD128 + relaxed SIMD),
// TF.js wasm backend, TF.js cpu backend — and measures every workload of bench/workloads.mjs
// interleaved: each repetition runs every implementation on a workload back to back (in a
// rotating order) and runs the native reference binary once, so machine noise hits all of
// them. It also measures the f32x4 arithmetic peak of both our builds in every repetition, so each
// matmul is read as a share of the peak measured seconds from it (the shared host's clock moves
// between runs; that share moves much less). Prints a table of medians over the repetitions with
// their spread (max − min) / median,
// checks the targets of issue 7, and writes bench/results/bench-<date>.json.
//
// Environment: BENCH_REPS (7) repetitions; BENCH_RUNS (5) timed rounds per measurement;
// BENCH_ONLY=id,id to run some workloads; BENCH_THREADS=1 serves COOP/COEP headers so TF.js can
// pick its multithreaded wasm binary (off by default: ours runs on one thread, and so does the
// TF.js figure of performance.md); BENCH_NATIVE=path of the native binary
// (default target/release/examples/bench_native; "skip" to leave native out); BENCH_NOISY (0.5)
// the spread above which a series is listed as noisy.

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { execSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WORKLOADS, REFERENCE_PEAK } from './workloads.mjs';
import { printTable, printShares, checkTargets, printNoisy, printTargets } from './report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'tools/package.json'));
const { chromium } = require('playwright-core');

const REPS = Number(process.env.BENCH_REPS ?? 7);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const THREADS = process.env.BENCH_THREADS === '1';
const NATIVE = process.env.BENCH_NATIVE ?? path.join(ROOT, 'target/release/examples/bench_native');
// Same flags as the page tests (tests/pages/lib.mjs).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];

/** A series whose (max − min) / median across repetitions exceeds this is flagged as noisy. */
const NOISY = Number(process.env.BENCH_NOISY ?? 0.5);
const log = (...a) => console.error('[bench]', ...a);

// ---- loopback static server ----------------------------------------------------------------

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css', '.map': 'application/json', '.txt': 'text/plain',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' };

function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const file = path.join(ROOT, decodeURIComponent(url.pathname));
    if (!file.startsWith(ROOT + path.sep)) { res.writeHead(403).end(); return; }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) { res.writeHead(404).end('not found'); return; }
      const headers = { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size, 'Cache-Control': 'no-store' };
      if (THREADS) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
      res.writeHead(200, headers);
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` }));
  });
}

// ---- machine --------------------------------------------------------------------------------

function sh(cmd) {
  try { return execSync(cmd, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return null; }
}

function machineInfo() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const field = (name) => cpuinfo.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1] ?? null;
  const flags = field('flags')?.split(' ') ?? [];
  return {
    nproc: Number(sh('nproc')) || os.cpus().length,
    cpuModel: field('model name'),
    cpuMHz: Number(field('cpu MHz')) || null,
    cpuFlags: ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f'].filter((f) => flags.includes(f)),
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    loadavgStart: os.loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
    rustc: sh('rustc --version'),
  };
}

// ---- statistics -----------------------------------------------------------------------------

function summarize(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const n = v.length;
  const median = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return { n, median, min: v[0], max: v[n - 1], spread: (v[n - 1] - v[0]) / median, samples: values };
}

// ---- native ---------------------------------------------------------------------------------

function runNative() {
  if (NATIVE === 'skip') return null;
  const r = spawnSync(NATIVE, ['--json'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${NATIVE} --json failed (${r.status ?? r.signal}): ${r.stderr}`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  return JSON.parse(line);
}

// ---- main -----------------------------------------------------------------------------------

const IMPLS = [
  { key: 'ours-simd', query: 'impl=ours&build=simd' },
  { key: 'ours-relaxed', query: 'impl=ours&build=relaxed' },
  { key: 'tfjs-wasm', query: 'impl=tfjs&backend=wasm' },
  { key: 'tfjs-cpu', query: 'impl=tfjs&backend=cpu' },
];

async function main() {
  const t0 = Date.now();
  const started = new Date();
  const machine = machineInfo();
  if (NATIVE !== 'skip' && !fs.existsSync(NATIVE)) throw new Error(`native reference ${NATIVE} is missing: cargo build --release --example bench_native`);
  // The peak goes wherever a matmul does: their ratio is read within each repetition.
  const wantPeak = !ONLY || [...ONLY].some((id) => id.startsWith('matmul') || id === 'peak');
  const workloads = WORKLOADS.filter((w) => !ONLY || ONLY.has(w.id) || (w.kind === 'peak' && wantPeak));

  const { server, base } = await serve();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const problems = [];
  const pages = {};
  try {
    machine.chromium = `Chromium ${browser.version()}`;
    log(`${machine.cpuModel}, ${machine.nproc} cores, ${machine.chromium}; ${REPS} repetitions × ${RUNS} rounds; server ${base}${THREADS ? ' (COOP/COEP on)' : ''}`);

    for (const impl of IMPLS) {
      const context = await browser.newContext();
      const requests = [];
      // Loopback only: anything else is refused (and reported).
      await context.route('**/*', (route) => {
        const url = route.request().url();
        requests.push(url);
        if (url.startsWith(base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
        problems.push(`[${impl.key}] blocked a request to ${url}`);
        return route.abort('blockedbyclient');
      });
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`[${impl.key}] console error: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`[${impl.key}] uncaught exception: ${e.message}`));
      page.on('response', (r) => { if (r.status() >= 400) problems.push(`[${impl.key}] HTTP ${r.status()} for ${r.url()}`); });
      await page.goto(`${base}/bench/bench.html?${impl.query}`);
      await page.waitForFunction(() => window.bench || window.benchError, null, { timeout: 60_000 });
      const info = await page.evaluate(async () => {
        try { return await window.bench.ready; } catch (e) { return { error: String(e?.message ?? e) }; }
      });
      if (info.error) throw new Error(`${impl.key}: the bench page did not start: ${info.error}`);
      info.wasmFetched = [...new Set(requests.filter((u) => new URL(u).pathname.endsWith('.wasm')).map((u) => new URL(u).pathname))];
      pages[impl.key] = { page, context, info, requests };
      log(`${impl.key}: ${JSON.stringify(info)}`);
    }

    // What each repetition measures, per workload: [impl key, workload variant].
    const plan = (w) => {
      if (w.kind === 'peak') return [['ours-simd', w], ['ours-relaxed', w]];
      const jobs = [['ours-simd', w], ['ours-relaxed', w], ['tfjs-wasm', w]];
      if (w.kind === 'cnn') {
        jobs.push(['tfjs-cpu', w]);
        jobs.push(['tfjs-wasm', { ...w, variant: 'conv3d' }]);
      }
      return jobs;
    };
    const resultKey = (impl, w) => (w.variant ? `${impl}:${w.variant}` : impl);
    const samples = {}; // workload id → result key → [value per rep]
    const errors = {};
    const nativeRuns = [];
    // One untimed pass first: V8 starts wasm in its baseline compiler (Liftoff) and tiers hot
    // functions up to TurboFan later, so the first calls of every workload run slow code.
    const tWarm = Date.now();
    for (const w of workloads) {
      for (const [impl, wv] of plan(w)) {
        await pages[impl].page.bringToFront();
        await pages[impl].page.evaluate(([wl]) => window.bench.run(wl, { runs: 1 }), [wv]);
      }
    }
    log(`warm-up pass (discarded) done in ${((Date.now() - tWarm) / 1000).toFixed(1)} s`);
    for (let rep = 0; rep < REPS; rep++) {
      const tRep = Date.now();
      for (const w of workloads) {
        const jobs = plan(w);
        // Rotate the order every repetition so no implementation always runs first.
        const order = jobs.map((_, i) => jobs[(i + rep) % jobs.length]);
        for (const [impl, wv] of order) {
          const { page } = pages[impl];
          await page.bringToFront();
          const r = await page.evaluate(([wl, runs]) => window.bench.run(wl, { runs }), [wv, RUNS]);
          const key = resultKey(impl, wv);
          ((samples[w.id] ??= {})[key] ??= []).push(r.value);
          if (r.error) (errors[w.id] ??= {})[key] = r.error;
          if (r.leakedTensors) problems.push(`[${impl}] ${w.id}: ${r.leakedTensors} tensors leaked`);
        }
      }
      const native = runNative();
      if (native) nativeRuns.push(native);
      log(`repetition ${rep + 1}/${REPS} done in ${((Date.now() - tRep) / 1000).toFixed(1)} s`);
    }

    // ---- aggregate ----
    const results = workloads.map((w) => {
      const s = samples[w.id] ?? {};
      const stats = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, summarize(v)]));
      const native = summarize(nativeRuns.map((n) => n[w.native]));
      return { id: w.id, label: w.label, unit: w.unit, workload: w, stats, native, errors: errors[w.id] ?? {} };
    });
    const ratio = (a, b) => (a && b ? a.median / b.median : null);
    for (const r of results) {
      const { stats: s } = r;
      r.ratios = {
        relaxed_over_tfjs_wasm: ratio(s['ours-relaxed'], s['tfjs-wasm']),
        simd_over_tfjs_wasm: ratio(s['ours-simd'], s['tfjs-wasm']),
        simd_over_native: ratio(s['ours-simd'], r.native),
        relaxed_over_native: ratio(s['ours-relaxed'], r.native),
      };
      if (r.id === 'cnn') {
        Object.assign(r.ratios, {
          relaxed_over_tfjs_cpu: ratio(s['ours-relaxed'], s['tfjs-cpu']),
          simd_over_tfjs_cpu: ratio(s['ours-simd'], s['tfjs-cpu']),
          relaxed_over_tfjs_wasm_conv3d: ratio(s['ours-relaxed'], s['tfjs-wasm:conv3d']),
          simd_over_tfjs_wasm_conv3d: ratio(s['ours-simd'], s['tfjs-wasm:conv3d']),
        });
      }
    }

    // Each matmul's share of the arithmetic peak, per repetition (the two were measured seconds
    // apart), and what that share means at the reference run's clock (performance.md).
    for (const r of results.filter((x) => x.workload.kind === 'matmul')) {
      r.peakShare = {};
      r.atReferenceClock = {};
      for (const b of ['relaxed', 'simd']) {
        const mm = samples[r.id]?.[`ours-${b}`] ?? [];
        const pk = samples.peak?.[`ours-${b}`] ?? [];
        const shares = mm.map((v, i) => v / pk[i]).filter((x) => Number.isFinite(x) && x > 0);
        const share = summarize(shares);
        r.peakShare[b] = share;
        r.atReferenceClock[b] = share ? share.median * REFERENCE_PEAK[b] : null;
      }
    }

    // Series whose repetitions disagree by more than half their median: the host was busy, or a
    // comparator switched modes (one run had TF.js's matmul alternate between 13 and 37 GFLOP/s
    // from one repetition to the next while ours held within 18 %). Their ratios are also given
    // against TF.js's best repetition, the conservative reading.
    const noisy = [];
    for (const r of results) {
      for (const [key, s] of Object.entries(r.stats)) {
        if (!s || s.spread <= NOISY) continue;
        const best = key.startsWith('tfjs') && r.stats['ours-relaxed'] ? r.stats['ours-relaxed'].median / s.max : null;
        noisy.push({ workload: r.id, series: key, spread: s.spread, min: s.min, max: s.max, relaxedOverBest: best });
      }
    }

    const tfw = pages['tfjs-wasm'].info;
    const tfjsBinary = {
      reported: tfw.binary,
      fetched: tfw.wasmFetched.concat(pages['tfjs-wasm'].requests.map((u) => new URL(u).pathname).filter((p) => p.endsWith('.wasm')))
        .filter((p, i, a) => a.indexOf(p) === i),
      flags: tfw.flags,
      threads: tfw.threads,
    };
    const targets = checkTargets(results);
    machine.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));

    printTable(results, tfjsBinary, { reps: REPS, runs: RUNS });
    printShares(results);
    printTargets(targets);
    printNoisy(noisy, NOISY);
    if (problems.length) {
      console.log('\nProblems seen during the run:');
      for (const p of [...new Set(problems)]) console.log(`  - ${p}`);
    }

    const pkgJson = (p) => { try { return JSON.parse(fs.readFileSync(path.join(ROOT, 'bench/node_modules', p, 'package.json'), 'utf8')).version; } catch { return null; } };
    const report = {
      date: started.toISOString(),
      durationSec: Math.round((Date.now() - t0) / 1000),
      config: { reps: REPS, runsPerMeasurement: RUNS, minMsPerRound: 25, interleaved: true, warmupPassDiscarded: true, coopCoep: THREADS, referencePeak: REFERENCE_PEAK },
      git: { commit: sh('git rev-parse HEAD'), dirty: Boolean(sh('git status --porcelain -- src Cargo.toml Cargo.lock www bench')) },
      machine,
      tfjs: {
        versions: Object.fromEntries(['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'].map((p) => [p, pkgJson(p)])),
        wasmBinary: tfjsBinary,
      },
      pages: Object.fromEntries(Object.entries(pages).map(([k, v]) => [k, v.info])),
      native: { binary: path.relative(ROOT, NATIVE), kernels: 'simd (natively the portable twin of the wasm f32x4 kernel)', runs: nativeRuns },
      results,
      targets,
      noisy,
      problems: [...new Set(problems)],
    };
    const dir = path.join(ROOT, 'bench/results');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = started.toISOString().replace(/\..*$/, '').replace(/:/g, '-');
    const file = path.join(dir, `bench-${stamp}.json`);
    fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nWrote ${path.relative(ROOT, file)} (${report.durationSec} s)`);
  } finally {
    await browser.close().catch(() => {});
    server.close();
  }
}

main().catch((e) => { console.error(`[bench] failed: ${e.stack ?? e}`); process.exit(1); });
