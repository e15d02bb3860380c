// `make bench`, second part: how fast the integration suites run with a student's JavaScript in
// the framework. In headless chromium, in the lab's worker, it times gradient_flow,
// training_flow and cnn_integration on the built-in Rust ops and with every slot of modules
// 01–09 filled by the reference JS solutions (www/exercises/NN-*/solution.js), as the suite's
// own wall time (report.duration_ms, measured in the worker), interleaved
// (lab, JS, lab, JS, … for each repetition) so machine noise hits both alike. Prints medians,
// the spread (max − min) / median, the JS ÷ Rust ratio, and the goals (within 5× and under 3 s
// each); writes bench/results/exercises-<date>.json.
//
// Environment: BENCH_EXERCISE_REPS (7) repetitions; BENCH_BUILD=simd|relaxed forces a build
// (default: the one the browser would load).

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'tools/package.json'));
const { chromium } = require('playwright-core');
const REPS = Number(process.env.BENCH_EXERCISE_REPS ?? 7);
const SUITES = ['gradient_flow', 'training_flow', 'cnn_integration'];
const GOAL_RATIO = 5;
const GOAL_MS = 3000;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const log = (...a) => console.error('[bench exercises]', ...a);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const spread = (xs) => (Math.max(...xs) - Math.min(...xs)) / median(xs);

async function main() {
  const port = 18000 + Math.floor(Math.random() * 2000);
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: ROOT, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 700));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  try {
    const page = await browser.newPage();
    const build = process.env.BENCH_BUILD ? `?build=${process.env.BENCH_BUILD}` : '';
    await page.goto(`http://127.0.0.1:${port}/index.html${build}`);
    log(`${REPS} repetitions of ${SUITES.join(', ')}: lab's Rust ops vs every slot of 01–09 in JavaScript`);
    const result = await page.evaluate(async ({ suites, reps }) => {
      const { WorkerClient } = await import('/www/js/jobs.js');
      const { MODULES } = await import('/www/js/modules.js');
      const w = new WorkerClient();
      const caps = await w.run('capabilities');
      const student = [];
      for (const m of MODULES.filter((x) => x.exercise)) {
        const code = await (await fetch(`/www/exercises/${String(m.number).padStart(2, '0')}-${m.slug}/solution.js`)).text();
        student.push({ module: m.number, code });
      }
      const times = Object.fromEntries(suites.map((s) => [s, { lab: [], js: [], passed: true, slots: new Set() }]));
      // One warm-up pass of each, not timed (JIT, first imports).
      await w.run('runSuites', { names: suites, seed: 0 });
      await w.run('runSuites', { names: suites, seed: 0, student });
      for (let r = 0; r < reps; r++) {
        for (const name of suites) {
          for (const which of r % 2 ? ['js', 'lab'] : ['lab', 'js']) {
            // The suite's own wall time, measured in the worker around the run (installing the
            // student's modules before it is not part of the suite).
            const { reports } = await w.run('runSuites', { names: [name], seed: 0, student: which === 'js' ? student : null });
            times[name][which].push(reports[0].duration_ms);
            times[name].passed &&= reports[0].passed;
            if (which === 'js') for (const c of reports[0].cases) for (const s of c.your_code) times[name].slots.add(s);
          }
        }
      }
      for (const t of Object.values(times)) t.slots = [...t.slots];
      return { caps, times };
    }, { suites: SUITES, reps: REPS });
    const rows = SUITES.map((name) => {
      const t = result.times[name];
      const lab = median(t.lab), js = median(t.js);
      return { suite: name, labMs: lab, jsMs: js, ratio: js / lab, labSpread: spread(t.lab), jsSpread: spread(t.js), passed: t.passed, slots: t.slots, raw: t };
    });
    console.log(`\nSuites with the student's JS in the framework (build ${result.caps.build}, ${REPS} interleaved repetitions, medians; ±spread = (max − min)/median)`);
    console.log('suite              lab (Rust ops)      every 01–09 slot in JS    JS ÷ Rust   goal (≤ 5×, < 3 s)');
    for (const r of rows) {
      const goal = r.ratio <= GOAL_RATIO && r.jsMs < GOAL_MS;
      console.log(`${r.suite.padEnd(18)} ${`${r.labMs.toFixed(0)} ms ±${(100 * r.labSpread).toFixed(0)} %`.padEnd(19)} ${`${r.jsMs.toFixed(0)} ms ±${(100 * r.jsSpread).toFixed(0)} %`.padEnd(25)} ${`${r.ratio.toFixed(2)}×`.padEnd(11)} ${goal ? 'met' : 'MISSED'}${r.passed ? '' : ' (a run FAILED)'}`);
    }
    for (const r of rows) console.log(`  ${r.suite}: ${r.slots.length} student functions ran: ${r.slots.join(', ')}`);
    const dir = path.join(ROOT, 'bench/results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `exercises-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify({ reps: REPS, caps: result.caps, rows }, null, 2));
    log(`wrote ${path.relative(ROOT, file)}`);
    if (rows.some((r) => !r.passed)) process.exitCode = 1;
  } finally {
    await browser.close();
    server.kill();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
