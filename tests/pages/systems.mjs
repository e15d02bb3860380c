// TinyTorch Lab page tests: the tools of modules 14–20. Each flow opens a page, lets its tool
// finish in the tools worker, checks what a student sees, and returns the figures it measured:
// the profiler's cost table (14), int8 size and accuracy (15), accuracy against sparsity (16),
// KV-cache speedups (17), kernel GFLOP/s, training-step rates and fused vs unfused (18), the
// Pareto view (19), and the capstone's stages, validation and downloadable report (20).

const TOOL_TIMEOUT = 90_000;

async function open(page, base, file, sel) {
  await page.goto(`${base}/www/${file}`);
  await page.waitForSelector(`${sel}[data-state="done"], ${sel}[data-state="error"]`, { timeout: TOOL_TIMEOUT });
  return page.getAttribute(sel, 'data-state');
}

/** Starts recording the main thread's long tasks; `stop()` resolves to the longest (ms). */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__longest = 0;
    window.__lt = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    });
    window.__lt.observe({ type: 'longtask' });
  });
  return () => page.evaluate(() => new Promise((r) => setTimeout(() => { window.__lt.disconnect(); r(window.__longest); }, 100)));
}

const costTable = (page) => page.evaluate(() => {
  const rows = [...document.querySelectorAll('#cost-table tbody tr.cost-row')].map((tr) => ({
    index: Number(tr.dataset.index), kind: tr.dataset.kind, flops: Number(tr.dataset.flops), params: Number(tr.dataset.params),
  }));
  const foot = [...document.querySelectorAll('#cost-table tfoot td')].map((td) => td.textContent.trim());
  return { rows, foot, stats: [...document.querySelectorAll('#prof-stats .stat')].map((s) => s.innerText.replace(/\s+/g, ' ')),
    bars: document.querySelectorAll('#cost-table .hbar-fill').length, agree: document.getElementById('prof-countflops')?.dataset.agree,
    hand: document.getElementById('prof-hand')?.textContent ?? '' };
});

export async function profilerFlow(page, base, checks, { shots }) {
  const st = await open(page, base, '14-profiling.html', '#profiler');
  const cnn = await costTable(page);
  const layers = [0, 1, 2, 3, 4, 5, 6, 7];
  const heavy = cnn.rows.filter((r) => r.kind === 'Linear' || r.kind === 'Conv2d');
  checks.ok('14 profiler: the cost table has one row per layer of the CNN (8), in order', st === 'done' && cnn.rows.map((r) => r.index).join() === layers.join(),
    cnn.rows.map((r) => `${r.index} ${r.kind}`).join(', '));
  checks.ok('14 profiler: every Linear/Conv2d row has positive FLOPs and parameters; totals, time-share bars and the hand counts are shown',
    heavy.length === 3 && heavy.every((r) => r.flops > 0 && r.params > 0) && cnn.bars === 8 && cnn.agree === 'true' && !cnn.hand.includes('✗') && (cnn.hand.match(/✓/g) ?? []).length === 3,
    `${heavy.map((r) => `${r.kind} ${r.flops}`).join(', ')}; totals ${cnn.foot.join(' | ')}`);
  await shots(page, '14-profiling', '#profiler');
  await page.$eval('#profiler', (e) => { e.dataset.state = 'stale'; });
  await page.selectOption('#prof-model', 'mlp');
  await page.waitForSelector('#profiler[data-state="done"]', { timeout: TOOL_TIMEOUT });
  const mlp = await costTable(page);
  checks.ok('14 profiler: switching to the MLP gives its 4 rows, Linear FLOPs positive', mlp.rows.length === 4 && mlp.rows.filter((r) => r.kind === 'Linear').every((r) => r.flops > 0),
    mlp.rows.map((r) => `${r.kind} ${r.flops}`).join(', '));
  return { cnn: { totals: cnn.foot, stats: cnn.stats }, mlp: { totals: mlp.foot, stats: mlp.stats } };
}

export async function quantizeFlow(page, base, checks) {
  const st = await open(page, base, '15-quantization.html', '#quantize');
  const v = await page.evaluate(() => ({
    bytes: document.getElementById('q-bytes')?.innerText.replace(/\s+/g, ' '),
    accuracy: document.getElementById('q-accuracy')?.innerText.replace(/\s+/g, ' '),
    errorOk: document.getElementById('q-error')?.dataset.ok,
    hist: Number(document.getElementById('q-hist')?.width ?? 0),
    status: document.getElementById('q-status')?.textContent,
  }));
  const m = v.status.match(/\(([\d.]+)×\), accuracy ([\d.]+) % → ([\d.]+) %/);
  checks.ok('15 quantization: the int8 model is ≥ 3.5× smaller and within 1 point of the float model; round trip within half a step; histogram drawn',
    st === 'done' && m && Number(m[1]) >= 3.5 && Math.abs(Number(m[2]) - Number(m[3])) <= 1 && v.errorOk === 'true' && v.hist > 0, v.status);
  return { status: v.status, bytes: v.bytes, accuracy: v.accuracy };
}

export async function pruneFlow(page, base, checks) {
  const st = await open(page, base, '16-compression.html', '#prune');
  await page.waitForSelector('#prune-extras[data-state="done"], #prune-extras[data-state="error"]', { timeout: TOOL_TIMEOUT });
  const read = () => page.evaluate(() => ({
    sparsity: document.getElementById('prune-stats')?.dataset.sparsity,
    measured: document.getElementById('prune-measured')?.innerText.replace(/\s+/g, ' '),
    before: document.getElementById('prune-before')?.innerText.replace(/\s+/g, ' '),
    after: document.getElementById('prune-after')?.innerText.replace(/\s+/g, ' '),
    status: document.getElementById('prune-status')?.textContent,
    curve: Number(document.getElementById('prune-chart')?.dataset.points ?? 0),
    extras: document.querySelectorAll('#compress-table tbody tr').length,
  }));
  const at50 = await read();
  await page.$eval('#prune', (e) => { e.dataset.state = 'stale'; });
  await page.$eval('#prune-sparsity', (e) => { e.value = '90'; e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change')); });
  await page.waitForSelector('#prune[data-state="done"]', { timeout: TOOL_TIMEOUT });
  const at90 = await read();
  checks.ok('16 compression: accuracy-vs-sparsity curve measured (10 points) and the extras table filled',
    st === 'done' && at50.curve === 10 && at50.extras === 10, `${at50.curve} points; ${at50.extras} rows`);
  checks.ok('16 compression: at 50 % and 90 % the pruned weights stay exactly 0 through fine-tuning',
    at50.sparsity === '0.5' && at90.sparsity === '0.9' && /stayed exactly 0/.test(at50.measured) && /stayed exactly 0/.test(at90.measured), `${at50.status} | ${at90.status}`);
  return { at50: at50.status, at90: at90.status };
}

export async function kvFlow(page, base, checks, { shots }) {
  const st = await open(page, base, '17-memoization.html', '#kv');
  const v = await page.evaluate(() => ({
    points: Number(document.querySelector('#kv-chart canvas.chart')?.dataset.points ?? 0),
    rows: [...document.querySelectorAll('#kv-rows tbody tr.kv-row')].map((tr) => ({
      tokens: Number(tr.dataset.tokens), same: tr.dataset.same, speedup: Number(tr.dataset.speedup), text: tr.textContent,
    })),
  }));
  checks.ok('17 KV cache: the chart of cached vs uncached time exists (2 series × 5 lengths)', st === 'done' && v.points === 10, `${v.points} points`);
  checks.ok('17 KV cache: every length 8…128 says "outputs identical"', v.rows.length === 5 && v.rows.every((r) => r.same === 'true' && r.text.includes('outputs identical')),
    v.rows.map((r) => `${r.tokens}: ${r.speedup.toFixed(1)}×`).join(', '));
  checks.ok('17 KV cache: the cache is faster at 64 and 128 tokens', v.rows.filter((r) => r.tokens >= 64).every((r) => r.speedup > 1.5));
  await shots(page, '17-memoization', '#kv');
  return v.rows.map(({ tokens, speedup }) => ({ tokens, speedup }));
}

export async function kernelsFlow(page, base, checks, { shots }) {
  const st = await open(page, base, '18-acceleration.html', '#kernels');
  await page.waitForSelector('#kern-train-box[data-state="done"]', { timeout: TOOL_TIMEOUT });
  await page.waitForSelector('#gelu-box[data-state="done"]', { timeout: TOOL_TIMEOUT });
  const available = await page.evaluate(async () => (await (await import('/www/js/tinytorch.js')).ready()).availableKernels);
  const table = await page.evaluate(() => [...document.querySelectorAll('#kernel-table tbody tr.kernel-row')].map((tr) => ({
    kernel: tr.dataset.kernel,
    cells: [...tr.querySelectorAll('td[data-n]')].map((td) => ({ n: Number(td.dataset.n), gflops: Number(td.dataset.gflops) })),
  })));
  checks.ok('18 kernels: the table lists every available kernel with a positive GFLOP/s at every size',
    st === 'done' && table.length === available.length && available.every((k) => table.some((r) => r.kernel === k && r.cells.length === 4 && r.cells.every((c) => c.gflops > 0))),
    `available ${available.join(', ')}; ${table.map((r) => `${r.kernel} ${r.cells.map((c) => c.gflops.toFixed(1)).join('/')}`).join('; ')}`);
  // The peak note: one positive peak per vector flavour, and each share is that kernel's n = 256
  // figure over it (not a separate measurement that could disagree with the table).
  const peak = await page.evaluate(() => [...document.querySelectorAll('#kern-peak [data-peak]')].map((e) => ({
    kernel: e.dataset.peak, gflops: Number(e.dataset.gflops),
    share: document.querySelector(`#kern-peak [data-share="${e.dataset.peak}"]`)?.textContent ?? '',
  })));
  const vector = available.filter((k) => k === 'simd' || k === 'relaxed');
  const at256 = (k) => table.find((r) => r.kernel === k)?.cells.find((c) => c.n === 256)?.gflops;
  checks.ok('18 kernels: the arithmetic peak of every vector flavour is shown with each kernel\'s share of it at n = 256',
    peak.length === vector.length && peak.every((p) => vector.includes(p.kernel) && p.gflops > 0 && Number.isFinite(p.gflops)
      && p.share === `${Math.round((100 * at256(p.kernel)) / p.gflops)} %`),
    peak.map((p) => `${p.kernel} peak ${p.gflops.toFixed(1)} GFLOP/s, share ${p.share}`).join('; '));
  const other = available.includes('naive') ? 'naive' : available[0];
  await page.selectOption('#kern-select', other);
  await page.$eval('#kern-train-box', (e) => { e.dataset.state = 'stale'; });
  await page.click('#kern-train');
  await page.waitForSelector('#kern-train-box[data-state="done"]', { timeout: TOOL_TIMEOUT });
  const train = await page.$$eval('#kern-train-table tbody tr[data-kernel]', (trs) => trs.map((tr) => ({ kernel: tr.dataset.kernel, rate: Number(tr.dataset.rate) })));
  checks.ok('18 kernels: the selector switches setKernels and re-times a training step', train.length === 2 && train[1].kernel === other && train.every((t) => t.rate > 0),
    train.map((t) => `${t.kernel} ${Math.round(t.rate)} samples/s`).join(', '));
  const gelu = await page.$eval('#gelu-stats', (e) => ({ fused: Number(e.dataset.fused), unfused: Number(e.dataset.unfused) }));
  checks.ok('18 kernels: fused and unfused bias + GELU are timed', gelu.fused > 0 && gelu.unfused > 0, `fused ${gelu.fused.toFixed(3)} ms, unfused ${gelu.unfused.toFixed(3)} ms`);
  await shots(page, '18-acceleration', '#kernels');
  return { table, train, gelu, peak };
}

export async function paretoFlow(page, base, checks) {
  const st = await open(page, base, '19-benchmarking.html', '#pareto');
  const v = await page.evaluate(() => ({
    rows: [...document.querySelectorAll('#compare-table tbody tr')].map((tr) => ({ name: tr.dataset.model, accuracy: Number(tr.dataset.accuracy), bytes: Number(tr.dataset.bytes), front: tr.dataset.front === 'true' })),
    points: Number(document.querySelector('#pareto-chart canvas.chart')?.dataset.points ?? 0),
    front: document.getElementById('pareto-chart')?.dataset.front,
  }));
  checks.ok('19 benchmarking: 7 models measured (accuracy a real number each), scatter drawn, Pareto front highlighted',
    st === 'done' && v.rows.length === 7 && v.rows.every((r) => r.accuracy > 0.5 && r.accuracy <= 1) && v.points === 7 && v.rows.some((r) => r.front),
    v.rows.map((r) => `${r.name} ${r.bytes} B ${(100 * r.accuracy).toFixed(1)} %${r.front ? ' ◆' : ''}`).join('; '));
  return v.rows;
}

export async function capstoneFlow(page, base, checks, { shots }) {
  await page.goto(`${base}/www/20-capstone.html`);
  await page.waitForSelector('#cap-run');
  const stop = await watchLongTasks(page);
  await page.fill('#cap-student', 'page test');
  await page.click('#cap-run');
  await page.waitForSelector('#capstone[data-state="done"], #capstone[data-state="error"]', { timeout: TOOL_TIMEOUT });
  const longest = await stop();
  const v = await page.evaluate(async () => {
    const stages = [...document.querySelectorAll('#cap-stages li')].map((li) => li.dataset.state);
    const validation = document.getElementById('cap-validation');
    const link = document.getElementById('cap-download');
    const json = await (await fetch(link.href)).json();
    const tt = await import('/www/js/tinytorch.js');
    await tt.ready();
    return {
      stages, valid: validation?.dataset.valid, text: validation?.textContent ?? '', href: link.href, download: link.getAttribute('download'),
      errors: tt.validateSubmission(json), json,
      schema: !!document.getElementById('cap-schema')?.href.startsWith('blob:'),
      progress: document.getElementById('cap-progress')?.value,
    };
  });
  checks.ok('20 capstone: the run shows all 5 stages done and the progress bar at 100 %', v.stages.length === 5 && v.stages.every((s) => s === 'done') && v.progress === 100, v.stages.join(', '));
  checks.ok('20 capstone: the report is shown as "valid"', v.valid === 'true' && v.text.includes('valid'), v.text.slice(0, 80));
  checks.ok('20 capstone: "Download report" is a Blob link whose JSON validates in the page (validateSubmission → [])',
    v.href.startsWith('blob:') && v.download.endsWith('.json') && Array.isArray(v.errors) && v.errors.length === 0 && v.json.student === 'page test' && v.schema,
    `${v.download}; errors ${JSON.stringify(v.errors)}`);
  checks.ok('20 capstone: the page never froze during the run (longest main-thread task < 200 ms)', longest < 200, `${Math.round(longest)} ms`);
  await shots(page, '20-capstone', '#capstone');
  return v.json;
}
