// TinyTorch Lab page tests: what a student does on the pages, driven through Playwright.
// homeFlow: capabilities, "Run all suites", module statuses, reset. moduleFlow: run the
// checks, the loss curve, "Break a layer", the named layer and a failing case's detailed
// output (opened from the keyboard), Clear. registryFlow: the module registry agrees with the
// files and with the crate's exercise catalogue. examplesFlow: every built page's live example
// runs; every unbuilt page says so.

const RUN_TIMEOUT = 60_000;

export async function homeFlow(page, base, checks, { shots, expectSuites, modules }) {
  await page.goto(`${base}/index.html`);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.className);
  checks.ok('home: the first Tab stop is the skip link', first === 'skip-link', first);
  await page.waitForSelector('#capabilities[data-simd]', { timeout: 30_000 });
  const simd = await page.getAttribute('#capabilities', 'data-simd');
  const capsText = (await page.textContent('#capabilities')).replace(/\s+/g, ' ').trim();
  checks.ok('home: runtime capabilities shown, SIMD on', simd === 'true' && /SIMD \(128-bit\)\s*✓\s*on/.test(capsText), capsText);
  const cards = await page.$$eval('.module-card', (els) => els.map((e) => ({ n: Number(e.dataset.module), s: e.dataset.status })));
  checks.ok('home: 20 modules listed in order', cards.length === 20 && cards.every((c, i) => c.n === i + 1));
  const builtSet = new Set(modules.filter((m) => m.built).map((m) => m.number));
  checks.ok('home: unbuilt modules show "not built"', cards.filter((c) => !builtSet.has(c.n)).every((c) => c.s === 'not-built'),
    `built: ${[...builtSet].join(', ')}`);
  checks.ok('home: every module card is built (none says "not built")', builtSet.size === 20 && cards.every((c) => c.s !== 'not-built'),
    `${builtSet.size} of 20 built`);
  const caps = await page.evaluate(() => ({ build: document.getElementById('cap-build')?.textContent.trim(), kernel: document.getElementById('cap-kernels')?.textContent.trim() }));
  checks.ok('home: the runtime panel shows the build loaded and the matmul kernel', /^SIMD128( \+ relaxed)?$/.test(caps.build) && /^(naive|scalar|simd|relaxed)$/.test(caps.kernel),
    `build ${caps.build}, kernel ${caps.kernel}`);
  const tiers = await page.$$eval('.tier h3', (els) => els.map((e) => e.textContent.trim()));
  checks.ok('home: four tiers', tiers.length === 4, tiers.join(' | '));

  // The page must stay responsive while the suites run: record the main thread's long tasks.
  await page.evaluate(() => {
    window.__longest = 0;
    window.__lt = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    });
    window.__lt.observe({ type: 'longtask' });
  });
  await page.click('#run-all');
  await page.waitForSelector('#suites[data-state="running"]', { timeout: 5_000 }).catch(() => {});
  await page.waitForSelector('#suites[data-state="done"], #suites[data-state="error"]', { timeout: RUN_TIMEOUT });
  const longest = await page.evaluate(() => new Promise((r) => setTimeout(() => { window.__lt.disconnect(); r(window.__longest); }, 100)));
  const workers = page.workers().map((w) => w.url().split('/').pop());
  const suites = await page.$$eval('#suite-results .suite', (els) => els.map((e) => ({ name: e.dataset.suite, state: e.dataset.state })));
  checks.ok('home: "Run all suites" ran every listed suite', suites.length === expectSuites.length && expectSuites.every((n) => suites.some((s) => s.name === n)),
    suites.map((s) => `${s.name}:${s.state}`).join(', '));
  checks.ok('home: every suite passed', suites.length > 0 && suites.every((s) => s.state === 'pass'));
  // api_compatibility's JS half (js/api-check.js against pkg/tinytorch.d.ts) joins its report.
  const apiCases = await page.$$eval('#suite-results .suite[data-suite="api_compatibility"] .case', (els) => els.map((e) => e.dataset.case ?? e.querySelector('.case-name')?.textContent ?? ''));
  const jsCases = apiCases.filter((n) => /js_/.test(n));
  checks.ok('home: api_compatibility shows its Rust cases (m01…m20) and its JS half (js_exports, js_class_members, the documented examples)',
    apiCases.length >= 23 && jsCases.some((n) => n.includes('js_exports')) && jsCases.some((n) => n.includes('js_examples')), `${apiCases.length} cases, JS: ${jsCases.slice(0, 4).join(', ')}…`);
  checks.ok('home: suites ran in a Web Worker and the page never froze (longest main-thread task < 200 ms)',
    workers.includes('worker.js') && longest < 200, `workers: ${workers.join(', ')}; longest task ${Math.round(longest)} ms`);
  const after = await page.$$eval('.module-card', (els) => els.map((e) => ({ n: Number(e.dataset.module), s: e.dataset.status, lab: e.dataset.lab })));
  const built = after.filter((c) => builtSet.has(c.n));
  checks.ok('home: the lab\'s own results appear apart, labelled as the lab\'s (every built module: "lab: pass")', built.length > 0 && built.every((c) => c.lab === 'pass'),
    built.map((c) => `${c.n}:${c.lab}`).join(' '));
  // Running the lab's suites is not the student's work: no exercise shows as passing.
  const mine = after.filter((c) => c.n <= 9);
  checks.ok('home: a fresh visitor\'s exercises stay "not started" after the lab\'s suites pass (status means the student\'s work)',
    mine.every((c) => c.s === 'not-started') && after.filter((c) => c.n > 9).every((c) => c.s === 'no-exercise'),
    mine.map((c) => `${c.n}:${c.s}`).join(' '));
  await shots(page, 'index');

  const kept = await page.evaluate(() => localStorage.getItem('tinytorch-lab/progress/v2'));
  checks.ok('home: progress persisted in localStorage (schema version 2)', kept && kept.includes('gradient_flow') && JSON.parse(kept).version === 2);
  await page.reload();
  await page.waitForSelector('.module-card[data-module="5"][data-lab="pass"]', { timeout: 10_000 })
    .then(() => checks.ok('home: statuses survive a reload', true))
    .catch(() => checks.ok('home: statuses survive a reload', false));
  await page.click('#reset-progress');
  await page.waitForSelector('.module-card[data-module="5"][data-lab="not-run"]', { timeout: 5_000 })
    .then(() => checks.ok('home: "Clear these results" returns the lab\'s results to "not run"', true))
    .catch(() => checks.ok('home: "Clear these results" returns the lab\'s results to "not run"', false));
}

async function runChecks(page, button, wantState) {
  await page.click(button);
  await page.waitForSelector(`#checks[data-state="${wantState}"], #checks[data-state="error"]`, { timeout: RUN_TIMEOUT });
  return page.getAttribute('#checks', 'data-state');
}

/** Runs a module page's checks, then breaks `breaks` layers ([{ layer, kind }]) one by one. */
export async function moduleFlow(page, base, file, checks, { label, breaks = [], shots }) {
  await page.goto(`${base}/www/${file}`);
  await page.waitForSelector('#checks[data-state="ready"]', { timeout: 30_000 });
  const state = await runChecks(page, '#run-checks', 'done');
  const cases = await page.$$eval('#check-results .case', (els) => els.map((e) => ({ name: e.dataset.case, passed: e.dataset.passed })));
  const suites = await page.$$eval('#check-results .suite', (els) => els.map((e) => e.dataset.suite));
  checks.ok(`${label}: checks ran (${suites.join(', ')}) and every case passed`, state === 'done' && cases.length > 0 && cases.every((c) => c.passed === 'true'),
    `${cases.filter((c) => c.passed === 'true').length}/${cases.length} cases`);
  const curves = await page.$$eval('#check-results canvas.chart', (els) => els.map((e) => Number(e.dataset.points)));
  checks.ok(`${label}: a loss curve is drawn`, curves.some((n) => n > 1), `${curves.length} chart(s), points ${curves.join('/')}`);
  await shots(page, `${label}-checks`);

  for (const { layer, kind } of breaks) {
    await page.selectOption('#fault-layer', String(layer));
    await page.selectOption('#fault-kind', kind);
    const st = await runChecks(page, '#break-run', 'fault-done');
    const view = await page.evaluate(() => {
      const tables = [...document.querySelectorAll('#check-results .gradtable')];
      const withCulprit = tables.map((t) => [...t.querySelectorAll('.layer-group.culprit')].map((g) => ({
        layer: g.dataset.layer, reason: g.querySelector('.layer-reason td')?.textContent ?? '',
      }))).filter((c) => c.length);
      const failing = [...document.querySelectorAll('#check-results .case[data-passed="false"]')].map((c) => ({ name: c.dataset.case, layer: c.dataset.layer }));
      const verdict = document.getElementById('fault-verdict');
      return { withCulprit, failing, named: verdict?.dataset.named, verdict: verdict?.innerText ?? '' };
    });
    const exactlyOne = view.withCulprit.every((c) => c.length === 1);
    const right = view.withCulprit.every((c) => c[0].layer === String(layer) && c[0].reason.includes(`layer ${layer}`));
    checks.ok(`${label}: break layer ${layer} (${kind}) → each table highlights exactly layer ${layer} and its reason names it`,
      st === 'fault-done' && view.withCulprit.length > 0 && exactlyOne && right,
      `${view.withCulprit.length} highlighted table(s); e.g. "${view.withCulprit[0]?.[0]?.reason ?? '—'}"`);
    const wrongBlame = view.failing.filter((c) => c.layer !== '' && c.layer !== String(layer));
    checks.ok(`${label}: break layer ${layer} (${kind}) → no failing case blames another layer; verdict names layer ${layer}`,
      wrongBlame.length === 0 && view.named === String(layer) && view.verdict.includes('highlighted layer is where the gradient first goes wrong'),
      `${view.failing.length} failing case(s), named ${view.failing.filter((c) => c.layer === String(layer)).length}`);
    await shots(page, `${label}-break-${layer}-${kind}`, '.case-fail .gradcheck');
    await detailCheck(page, checks, { label, layer, kind, shots });
  }
  if (breaks.length) {
    const st = await runChecks(page, '#break-clear', 'done');
    const allPass = await page.$$eval('#check-results .case', (els) => els.length > 0 && els.every((e) => e.dataset.passed === 'true'));
    const hidden = await page.$eval('#fault-verdict', (e) => e.hidden);
    checks.ok(`${label}: "Clear" returns to normal (all cases pass again)`, st === 'done' && allPass && hidden);
  }
}

/**
 * Opens (with the keyboard) the detailed output of the first failing case that names `layer`
 * and checks it shows that layer, real numbers and the path of layers with the layer marked.
 */
async function detailCheck(page, checks, { label, layer, kind, shots }) {
  const summary = `#check-results .case[data-passed="false"][data-layer="${layer}"] .case-detail > summary`;
  const found = await page.$(summary);
  if (!found) {
    checks.ok(`${label}: break layer ${layer} (${kind}) → a failing case offers its detailed output`, false, 'no .case-detail on a failing case naming the layer');
    return;
  }
  await page.focus(summary);
  await page.keyboard.press('Enter');
  const d = await page.$eval(summary, (s) => {
    const det = s.parentElement;
    const number = (el) => (el ? Number(el.textContent.replace('−', '-')) : NaN);
    const rows = [...det.querySelectorAll('.gradient-table tr')].map((tr) => tr.querySelector('td'));
    return {
      open: det.open,
      gradLayer: det.querySelector('.detail-gradient strong')?.textContent ?? null,
      numerical: number(rows[1]), backward: number(rows[2]), ratio: number(rows[3]),
      culprits: [...det.querySelectorAll('.layer-path li.culprit')].map((li) => li.dataset.layer),
      steps: det.querySelectorAll('.layer-path li').length,
      values: (det.querySelector('.values-table .vals')?.textContent.match(/-?\d+(\.\d+)?/g) ?? []).length,
    };
  });
  // A detached layer passes back no gradient at all: its detail has no element to compare.
  const gradientOk = kind === 'detach'
    ? d.gradLayer === null || Number.isNaN(d.backward)
    : d.gradLayer?.startsWith(`layer ${layer},`) && Number.isFinite(d.numerical) && Number.isFinite(d.backward) && d.numerical !== 0
      && (kind !== 'flip_sign' || Math.abs(d.ratio + 1) < 0.1) && (kind !== 'scale_grad' || Math.abs(d.ratio - 2) < 0.2);
  const what = kind === 'detach' ? 'no gradient element (none arrives)' : `layer ${layer}'s numerical vs backward gradient`;
  checks.ok(`${label}: break layer ${layer} (${kind}) → Enter on a failing case opens its detailed output: ${what}, the inputs, the layer path with ${layer} marked`,
    d.open && gradientOk && d.culprits.join() === String(layer) && d.steps > layer && d.values >= 2,
    `${d.gradLayer ?? 'no gradient element'}: numerical ${d.numerical}, backward ${d.backward}, ratio ${d.ratio}; path of ${d.steps} marks ${d.culprits.join(', ') || 'none'}; ${d.values} input values`);
  await shots(page, `${label}-detail-${layer}-${kind}`, summary.replace(' > summary', ''), { only: true });
}

/**
 * The module registry (www/js/modules.js) against the files and the crate: numbers 1–20 in
 * order, every page file exists and renders its own entry, every thin page is the same template,
 * every tool's file exports mount(), and the modules with an exercise are exactly the crate's
 * (listExercises()), each with its starter, solution and hints.
 */
export async function registryFlow(page, base, checks) {
  await page.goto(`${base}/index.html`);
  const r = await page.evaluate(async () => {
    const { MODULES } = await import('/www/js/modules.js');
    const tt = await import('/www/js/tinytorch.js');
    await tt.ready();
    const status = async (url) => (await fetch(url)).status;
    const pages = await Promise.all(MODULES.map(async (m) => (await fetch(`/www/${m.file}`)).text()));
    const template = pages.map((html, i) => html.replaceAll(MODULES[i].title, 'TITLE')
      .replace(`data-module="${MODULES[i].number}"`, 'data-module="N"').replaceAll(String(MODULES[i].number).padStart(2, '0'), 'NN'));
    const tools = [];
    for (const m of MODULES.filter((x) => x.tool)) tools.push([m.number, typeof (await import(`/www/js/${m.tool.src}`)).mount]);
    const files = [];
    for (const m of MODULES.filter((x) => x.exercise)) {
      for (const f of ['starter.js', 'solution.js', 'hints.js']) files.push([`${m.exercise.dir}${f}`, await status(`/www/${m.exercise.dir}${f}`)]);
    }
    return {
      numbers: MODULES.map((m) => m.number),
      templates: new Set(template).size,
      tools,
      files,
      registry: MODULES.filter((m) => m.exercise).map((m) => m.number).join(),
      crate: tt.listExercises().map((e) => e.module).sort((a, b) => a - b).join(),
    };
  });
  checks.ok('registry: modules 1–20 in order, and all 20 thin pages are one template (number and title apart)',
    r.numbers.join() === Array.from({ length: 20 }, (_, i) => i + 1).join() && r.templates === 1, `${r.templates} template(s)`);
  checks.ok('registry: every module\'s tool file exports mount()', r.tools.length > 0 && r.tools.every(([, t]) => t === 'function'),
    r.tools.map(([n, t]) => `${n}:${t}`).join(' '));
  checks.ok('registry: the modules with an exercise are the crate\'s (listExercises), each with starter, solution and hints',
    r.registry === r.crate && r.files.every(([, st]) => st === 200), `registry ${r.registry}; crate ${r.crate}; ${r.files.filter(([, st]) => st !== 200).map(([f]) => f).join(', ') || 'every file found'}`);
}

/** Every module page loads; built ones run their example, unbuilt ones say "not built yet". */
export async function examplesFlow(page, base, modules, checks) {
  for (const m of modules) {
    await page.goto(`${base}/www/${m.file}`);
    await page.waitForSelector('main .module-hero h1', { timeout: 15_000 });
    if (!m.built) {
      const text = await page.textContent('main');
      const hasChecks = await page.$('#checks');
      checks.ok(`${m.file}: says "Not built yet" and offers no checks`, text.includes('Not built yet') && !hasChecks);
      continue;
    }
    await page.click('#run-example');
    await page.waitForSelector('#example[data-state]', { timeout: 30_000 });
    const st = await page.getAttribute('#example', 'data-state');
    const out = await page.textContent('#example-output');
    const lines = out.split('\n').filter(Boolean);
    const numbers = (out.match(/-?\d+(\.\d+)?/g) ?? []).length;
    checks.ok(`${m.file}: live example runs and prints numbers`, st === 'done' && lines.length >= 3 && numbers >= 2 && !out.includes('Error:'),
      `${lines.length} lines; first: ${lines[0]?.slice(0, 90)}`);
  }
}
