// TinyTorch Lab page tests (Node 20): serve the repository root on 127.0.0.1, drive Debian's
// chromium with playwright-core, and check the course site as a student uses it: the home
// page (capabilities, Run all suites, statuses), module pages (checks, loss curves, Break a
// layer), the tokenizer playground and the attention heat map, the two milestones (training
// in the worker, charts, accuracy, confusion matrix, streamed generation), the JS API in a
// page (gradients, faults, suites, bad inputs, memory, the declarations against the module
// with their documented examples (api-compat.mjs), every export called with odd
// arguments), the tools of modules 14–20 (cost table, int8, pruning, KV-cache timing, kernel
// speedups, Pareto view, capstone report), the module registry and the README's module map
// against the files, no request off the machine, no console error.
// Screenshots go to .test-artifacts/. Exit 1 on failure.
//   node tests/pages/run.mjs

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, chromium, CHROMIUM_ARGS, startServer, guard, safeHost, Checks } from './lib.mjs';
import { apiChecks } from './api-checks.mjs';
import { apiCompatFlow } from './api-compat.mjs';
import { fuzzApi } from './fuzz.mjs';
import { homeFlow, moduleFlow, examplesFlow, registryFlow } from './flows.mjs';
import { buildsFlow } from './builds.mjs';
import { profilerFlow, quantizeFlow, pruneFlow, kvFlow, kernelsFlow, paretoFlow, capstoneFlow } from './systems.mjs';
import { tokenizerFlow, heatmapFlow, digitsFlow, tinygptFlow } from './milestones.mjs';
import { exerciseBatch } from './exercise-batch.mjs';
import { exerciseFlows } from './exercises.mjs';
import { readmeMapProblems } from './readme-map.mjs';
import { writeFile } from 'node:fs/promises';

const ARTIFACTS = path.join(ROOT, '.test-artifacts');
const VIEWPORTS = {
  laptop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};
const checks = new Checks();
const started = Date.now();
const figures = {};

function shooter(kind) {
  // `only`: the focused element alone (no full-page shot).
  return async (page, name, focus = null, { only = false } = {}) => {
    const file = path.join(ARTIFACTS, `${name}-${kind}.png`);
    if (only) {
      // With the element taller than the viewport, the emulated phone's element shot comes out
      // shifted: make the viewport tall enough for it, then restore it.
      const el = await page.$(focus);
      const box = await el?.boundingBox();
      if (!box) return;
      const size = page.viewportSize();
      await page.setViewportSize({ width: size.width, height: Math.max(size.height, Math.ceil(box.height) + 16) });
      await el.screenshot({ path: file });
      await page.setViewportSize(size);
      return;
    }
    await page.screenshot({ path: file, fullPage: true });
    if (focus) {
      const el = await page.$(focus);
      if (el) {
        await el.scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${kind}-view.png`) });
      }
    }
  };
}

async function main() {
  await mkdir(ARTIFACTS, { recursive: true });
  const server = await startServer();
  let browser;
  const guards = [];
  try {
    console.log(`Serving ${ROOT} at ${server.base}`);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const laptop = await browser.newContext(VIEWPORTS.laptop);
    const g = guard(laptop, 'laptop');
    guards.push(g);
    await g.ready;
    const page = await laptop.newPage();

    checks.section('(k) the README\'s module map');
    const map = await readmeMapProblems(ROOT);
    checks.ok(`README module map: all ${map.rows} course modules have a row naming their page, exercise and tool as the registry does; its ${map.paths} paths exist and its ${map.names} JS names are in the API`,
      map.rows === 20 && map.problems.length === 0, map.problems.slice(0, 6).join(' | '));

    checks.section('(c) JS API in a page');
    await page.goto(`${server.base}/index.html`);
    const api = await page.evaluate(apiChecks);
    for (const c of api.checks) checks.ok(c.name, c.ok, c.detail);
    await apiCompatFlow(page, server.base, checks);
    await page.goto(`${server.base}/index.html`);
    const fuzz = await page.evaluate(fuzzApi);
    checks.ok(`the JS API takes ${fuzz.calls.toLocaleString('en-US')} calls with odd arguments without a trap, a non-Error or a dead handle, and works after them`,
      fuzz.bad.length === 0 && fuzz.alive && fuzz.calls > 5000, fuzz.bad.slice(0, 8).join(' | ') || `${fuzz.calls} calls`);
    const suites = await page.evaluate(async () => (await import('/www/js/tinytorch.js')).listSuites().map((s) => s.name));
    const modules = await page.evaluate(async () => (await import('/www/js/modules.js')).MODULES.map((m) => ({ file: m.file, built: m.built, number: m.number })));

    checks.section('(a) course home');
    await homeFlow(page, server.base, checks, { shots: shooter('1280'), expectSuites: suites, modules });

    checks.section('(b) module pages: checks and Break a layer');
    await moduleFlow(page, server.base, '05-autograd.html', checks, {
      label: '05-autograd', shots: shooter('1280'),
      breaks: [{ layer: 3, kind: 'flip_sign' }, { layer: 1, kind: 'detach' }],
    });
    await moduleFlow(page, server.base, '07-training.html', checks, {
      label: '07-training', shots: shooter('1280'),
      breaks: [{ layer: 1, kind: 'detach' }, { layer: 3, kind: 'flip_sign' }],
    });
    await moduleFlow(page, server.base, '08-dataloader.html', checks, { label: '08-dataloader', shots: shooter('1280') });

    checks.section('(i) exercises 01–09: starters, solutions and planted mistakes through the real worker');
    await page.goto(`${server.base}/index.html`);
    const batch = await page.evaluate(exerciseBatch);
    checkBatch(batch);
    figures.batch = batch;
    await writeFile(path.join(ARTIFACTS, 'exercise-batch.json'), JSON.stringify(batch, null, 2));

    checks.section('(j) an exercise page as a student uses it');
    await exerciseFlows(browser, server.base, checks, {
      shots: { laptop: shooter('1280'), phone: shooter('390') },
      guard: (ctx, label) => { const gx = guard(ctx, label); guards.push(gx); return gx; },
      viewports: VIEWPORTS,
    });

    checks.section('(b) the module registry against the files and the crate');
    await registryFlow(page, server.base, checks);

    checks.section('(b) every module page: live examples and honest "not built yet"');
    await examplesFlow(page, server.base, modules, checks);

    checks.section('(g) module tools and milestones: playground, heat map, digits CNN, TinyGPT');
    await tokenizerFlow(page, server.base, checks, { shots: shooter('1280') });
    await heatmapFlow(page, server.base, checks, { shots: shooter('1280') });
    const digits = await digitsFlow(page, server.base, checks, { shots: shooter('1280') });
    const gpt = await tinygptFlow(page, server.base, checks, { shots: shooter('1280') });
    figures.digits = digits;
    figures.gpt = gpt;
    const homeMilestones = await page.goto(`${server.base}/index.html`).then(() => page.$$eval('#milestones .milestone-card a', (as) => as.map((a) => a.getAttribute('href'))));
    const fromModules = [];
    for (const f of ['09-spatial.html', '13-transformers.html']) {
      await page.goto(`${server.base}/www/${f}`);
      await page.waitForSelector('main .module-hero h1');
      fromModules.push(await page.$eval('.milestone-callout a.btn', (a) => a.getAttribute('href')).catch(() => null));
    }
    checks.ok('milestones are linked from the home page and from pages 09 and 13',
      homeMilestones.join() === 'www/milestone-digits.html,www/milestone-tinygpt.html' && fromModules.join() === 'milestone-digits.html,milestone-tinygpt.html',
      `home: ${homeMilestones.join(', ')}; modules: ${fromModules.join(', ')}`);

    checks.section('(h) modules 14–20: cost table, int8, pruning, KV cache, kernels, Pareto view, capstone');
    figures.profile = await profilerFlow(page, server.base, checks, { shots: shooter('1280') });
    figures.quant = await quantizeFlow(page, server.base, checks);
    figures.prune = await pruneFlow(page, server.base, checks);
    figures.kv = await kvFlow(page, server.base, checks, { shots: shooter('1280') });
    figures.kernels = await kernelsFlow(page, server.base, checks, { shots: shooter('1280') });
    figures.pareto = await paretoFlow(page, server.base, checks);
    figures.capstone = await capstoneFlow(page, server.base, checks, { shots: shooter('1280') });

    checks.section('(f) both builds, each forced: SIMD128 and SIMD128 + relaxed SIMD');
    await buildsFlow(browser, server.base, checks, (ctx, label) => { const gb = guard(ctx, label); guards.push(gb); return gb; }, VIEWPORTS.laptop);

    checks.section('(e) phone width (390 × 844)');
    const phone = await browser.newContext(VIEWPORTS.phone);
    const gp = guard(phone, 'phone');
    guards.push(gp);
    await gp.ready;
    const ppage = await phone.newPage();
    await ppage.goto(`${server.base}/index.html`);
    await ppage.waitForSelector('#capabilities[data-simd]', { timeout: 30_000 });
    await ppage.click('#run-all');
    await ppage.waitForSelector('#suites[data-state="done"]', { timeout: 60_000 });
    await shooter('390')(ppage, 'index');
    const overflow = await ppage.evaluate(() => document.documentElement.scrollWidth - 390);
    checks.ok('phone: home page has no horizontal overflow', overflow <= 0, `${overflow} px`);
    await moduleFlow(ppage, server.base, '05-autograd.html', checks, {
      label: '05-autograd', shots: shooter('390'), breaks: [{ layer: 3, kind: 'flip_sign' }],
    });
    const overflow2 = await ppage.evaluate(() => document.documentElement.scrollWidth - 390);
    checks.ok('phone: module page has no horizontal overflow', overflow2 <= 0, `${overflow2} px`);
    for (const f of ['10-tokenization.html', '12-attention.html']) {
      await ppage.goto(`${server.base}/www/${f}`);
      await ppage.waitForSelector('.tool[data-state="done"]', { timeout: 30_000 });
      await shooter('390')(ppage, f.replace('.html', ''), '.tool');
      const o = await ppage.evaluate(() => document.documentElement.scrollWidth - 390);
      checks.ok(`phone: ${f} (with its tool) has no horizontal overflow`, o <= 0, `${o} px`);
    }
    for (const [f, sel, click] of [['14-profiling.html', '#profiler'], ['17-memoization.html', '#kv'], ['18-acceleration.html', '#gelu-box'], ['20-capstone.html', '#capstone', '#cap-run']]) {
      await ppage.goto(`${server.base}/www/${f}`);
      if (click) { await ppage.waitForSelector(click); await ppage.click(click); }
      await ppage.waitForSelector(`${sel}[data-state="done"]`, { timeout: 90_000 });
      await shooter('390')(ppage, f.replace('.html', ''), '.tool');
      const o = await ppage.evaluate(() => document.documentElement.scrollWidth - 390);
      checks.ok(`phone: ${f} (with its tool) has no horizontal overflow`, o <= 0, `${o} px`);
    }
    await digitsFlow(ppage, server.base, checks, { shots: shooter('390'), label: 'phone digits' });
    const o3 = await ppage.evaluate(() => document.documentElement.scrollWidth - 390);
    checks.ok('phone: the digits milestone has no horizontal overflow', o3 <= 0, `${o3} px`);
    await tinygptFlow(ppage, server.base, checks, { shots: shooter('390'), label: 'phone tinygpt' });
    const o4 = await ppage.evaluate(() => document.documentElement.scrollWidth - 390);
    checks.ok('phone: the TinyGPT milestone has no horizontal overflow', o4 <= 0, `${o4} px`);

    checks.section('(d) network and console');
    const requests = guards.flatMap((x) => x.requests);
    const offsite = requests.filter((r) => !['127.0.0.1'].includes(safeHost(r.url)) && !r.url.startsWith('data:') && !r.url.startsWith('blob:'));
    const urls = new Set(requests.map((r) => new URL(r.url).pathname));
    checks.ok('every request went to 127.0.0.1', offsite.length === 0,
      offsite.length ? offsite.map((r) => r.url).join(', ') : `${requests.length} requests recorded, ${urls.size} distinct paths`);
    checks.ok('the wasm module and the worker were fetched (request recording works)',
      (urls.has('/pkg/tinytorch_bg.wasm') || urls.has('/pkg-relaxed/tinytorch_bg.wasm')) && urls.has('/www/js/worker.js'));
    const problems = guards.flatMap((x) => x.problems);
    checks.ok('no console error, uncaught exception or failed request', problems.length === 0, problems.slice(0, 5).join(' | '));

    printFigures(api, figures);
  } catch (err) {
    checks.ok(`the test run itself: ${err.message.split('\n')[0]}`, false, err.stack?.split('\n').slice(1, 4).join(' '));
  } finally {
    await browser?.close().catch(() => {});
    server.stop();
  }
  console.log(`\nScreenshots in ${path.relative(process.cwd(), ARTIFACTS) || ARTIFACTS}/ · ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return checks.summary();
}

/** Asserts the exercise batch: starters fail, solutions pass, every planted mistake is caught where its data says. */
function checkBatch({ modules, mistakes }) {
  for (const m of modules) {
    checks.ok(`exercise ${m.module}: the starter runs and fails, saying what to write`, !m.starter.passed && m.starter.todo && /not written yet/.test(m.starter.says), m.starter.says.slice(0, 100));
    checks.ok(`exercise ${m.module}: the reference solution passes every unit check and ${m.suites.join(', ')} with its code in place`,
      m.solution.units && m.solution.suites.every((s) => s.passed) && m.solution.yours.length > 0,
      [...m.solution.failingChecks, ...m.solution.suites.filter((s) => !s.passed).map((s) => `${s.suite}: ${s.failing[0]}`)].slice(0, 3).join(' | ') || `${m.solution.ms} ms; your code: ${m.solution.yours.join(', ')}`);
  }
  const byModule = {};
  for (const x of mistakes) (byModule[x.module] ??= []).push(x);
  for (const [mod, list] of Object.entries(byModule)) {
    const bad = list.filter((x) => x.error || x.unitStatus === 'pass' || x.unitStatus === 'none'
      || (x.suite && !x.suiteFailed)
      || (x.wantLayer && !(x.blamed && x.blamed.kind === x.wantLayer && x.blamed.yours.includes(x.fn))));
    checks.ok(`exercise ${mod}: all ${list.length} planted mistakes fail, named at their function${list.some((x) => x.wantLayer) ? ', and at their layer in the gradient table' : ''}`,
      list.length >= 3 && bad.length === 0, bad.map((x) => `${x.name}: unit ${x.unitStatus}, suite ${x.suite}:${x.suiteFailed}, layer ${x.blamed?.kind ?? '—'}${x.error ? ` (${x.error})` : ''}`).join(' | ') || `${list.length} mistakes`);
  }
}

function printFigures(api, { digits, gpt, profile, quant, prune, kv, kernels, pareto, capstone, batch } = {}) {
  const { memory, faults } = api;
  console.log('\nFigures');
  if (batch) {
    for (const m of batch.modules) console.log(`  exercise ${m.module}: starter ${m.starter.ms} ms, solution ${m.solution.ms} ms (${m.solution.suites.map((s) => `${s.suite} ${s.ms} ms`).join(', ')})`);
    console.log(`  planted mistakes: ${batch.mistakes.length}; named at a layer: ${batch.mistakes.filter((x) => x.blamed).length}`);
  }
  if (profile) {
    for (const [name, p] of Object.entries(profile)) console.log(`  profiler ${name}: totals ${p.totals.filter(Boolean).join(' · ')} | ${p.stats.join(' | ')}`);
  }
  if (quant) console.log(`  int8: ${quant.status}`);
  if (prune) console.log(`  pruning: ${prune.at50} | ${prune.at90}`);
  if (kv) console.log(`  KV cache speedup: ${kv.map((r) => `${r.tokens} tokens ${r.speedup.toFixed(2)}×`).join(', ')}`);
  if (kernels) {
    for (const r of kernels.table) console.log(`  matmul ${r.kernel.padEnd(8)} GFLOP/s: ${r.cells.map((c) => `n=${c.n} ${c.gflops.toFixed(1)}`).join(', ')}`);
    for (const p of kernels.peak ?? []) console.log(`  f32x4 peak (${p.kernel}): ${p.gflops.toFixed(1)} GFLOP/s; the ${p.kernel} kernel at n = 256 reaches ${p.share}`);
    console.log(`  training MLP 64-128-64-10: ${kernels.train.map((t) => `${t.kernel} ${Math.round(t.rate)} samples/s`).join(', ')}`);
    console.log(`  bias+GELU 256×512: fused ${kernels.gelu.fused.toFixed(3)} ms, unfused ${kernels.gelu.unfused.toFixed(3)} ms (${(kernels.gelu.unfused / kernels.gelu.fused).toFixed(2)}×)`);
  }
  if (pareto) console.log(`  models: ${pareto.map((r) => `${r.name} ${r.bytes} B ${(100 * r.accuracy).toFixed(2)} %${r.front ? ' (front)' : ''}`).join('; ')}`);
  if (capstone) {
    const { baseline: b, optimized: o, improvements: i } = capstone;
    console.log(`  capstone: baseline ${b.bytes} B ${(100 * b.accuracy).toFixed(2)} % ${(1000 * b.latency_ms.median).toFixed(2)} µs; optimised ${o.bytes} B ${(100 * o.accuracy).toFixed(2)} % ${(1000 * o.latency_ms.median).toFixed(2)} µs; speedup ${i.speedup.toFixed(2)}×, ratio ${i.compression_ratio.toFixed(2)}×, Δacc ${(100 * i.accuracy_delta).toFixed(2)} pt`);
  }
  if (digits) console.log(`  digits CNN (milestone page, worker): held-out accuracy ${(100 * digits.accuracy).toFixed(2)} % of ${digits.testSize}, trained in ${(digits.ms / 1000).toFixed(2)} s, ${digits.mistakes} misclassified`);
  if (gpt) {
    const tasks = Object.entries(gpt.tasks).map(([k, v]) => `${k} ${v.correct}/${v.total} (${(100 * v.accuracy).toFixed(1)} %)`).join(', ');
    console.log(`  TinyGPT (milestone page, worker): ${tasks}; trained in ${(gpt.ms / 1000).toFixed(2)} s at ${Math.round(gpt.tokensPerSec)} tokens/s; "rev:abcd=" → ${JSON.stringify(gpt.generated)}`);
  }
  console.log(`  wasm memory: ${memory.before} B before, ${memory.after} B after 10,000 JS-driven steps `
    + `(growth ${memory.after - memory.before} B, ${Math.round(memory.ms)} ms, loss ${memory.first.toFixed(4)} → ${memory.last.toFixed(4)})`);
  const byKind = {};
  for (const f of faults) (byKind[f.kind] ??= []).push(`${f.layer}→${f.culprit}`);
  for (const [kind, list] of Object.entries(byKind)) console.log(`  fault ${kind.padEnd(10)} injected→named: ${list.join(' ')}`);
}

main().then((ok) => process.exit(ok ? 0 : 1), (err) => { console.error(err); process.exit(1); });
