// TinyTorch Lab page tests: shared plumbing. A static server on 127.0.0.1 (python3
// http.server on a free port, always stopped), Debian's chromium through playwright-core,
// guards that record every network request and every console error / page exception, and a
// tiny check recorder that prints ✓/✗ lines and the closing "N passed, N failed" line.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(ROOT, 'tools/package.json'));
export const { chromium } = require('playwright-core');

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** Starts `python3 -m http.server` on a free loopback port serving the repository root. */
export async function startServer() {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const stop = () => { if (child.exitCode === null && !child.killed) child.kill('SIGTERM'); };
  process.on('exit', stop);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`http.server exited: ${log}`);
    try {
      const res = await fetch(`${base}/index.html`);
      if (res.ok) return { base, port, stop, log: () => log };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error(`http.server did not start on ${base}`);
}

/** Records every request and every console error / uncaught exception in a context. */
export function guard(context, label) {
  const requests = [];
  const problems = [];
  context.on('request', (req) => requests.push({ url: req.url(), from: label }));
  const watchPage = (page) => {
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`[${label}] console error: ${msg.text()} (${page.url()})`); });
    page.on('pageerror', (err) => problems.push(`[${label}] uncaught exception: ${err.message} (${page.url()})`));
    page.on('worker', (worker) => {
      worker.on('console', (msg) => { if (msg.type() === 'error') problems.push(`[${label}] worker console error: ${msg.text()}`); });
    });
    // ERR_ABORTED is a load cut short by navigating to the next page; a missing file shows as HTTP ≥ 400.
    page.on('requestfailed', (req) => {
      const why = req.failure()?.errorText ?? '';
      if (why !== 'net::ERR_ABORTED') problems.push(`[${label}] request failed: ${req.url()} (${why})`);
    });
    page.on('response', (res) => { if (res.status() >= 400) problems.push(`[${label}] HTTP ${res.status()} for ${res.url()}`); });
  };
  context.on('page', watchPage);
  // Route every request (workers included) so none can leave the machine unrecorded.
  const routed = context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push({ url, from: `${label} (route)` });
    const host = safeHost(url);
    if (host === '127.0.0.1' || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    return route.abort('blockedbyclient');
  });
  return { requests, problems, ready: routed };
}

export function safeHost(url) {
  try { return new URL(url).hostname; } catch { return '?'; }
}

/** Collects named checks; prints them as they happen. */
export class Checks {
  constructor() { this.results = []; }
  ok(name, cond, detail = '') {
    this.results.push({ name, ok: Boolean(cond), detail });
    console.log(`  ${cond ? '✓' : '✗'} ${name}${detail ? ` — ${detail}` : ''}`);
    return Boolean(cond);
  }
  section(title) { console.log(`\n${title}`); }
  get failed() { return this.results.filter((r) => !r.ok); }
  summary() {
    const failed = this.failed;
    if (failed.length) {
      console.log('\nFailures:');
      for (const f of failed) console.log(`  ✗ ${f.name}${f.detail ? ` — ${f.detail}` : ''}`);
    }
    console.log(`\npages: ${this.results.length - failed.length} passed, ${failed.length} failed`);
    return failed.length === 0;
  }
}
