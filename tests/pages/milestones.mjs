// TinyTorch Lab page tests: the interactive pages of modules 09–13 and the two milestones.
// tokenizerFlow: page 10's playground round-trips typed text, flags unknown characters, and
// retrains BPE from the slider. heatmapFlow: page 12's heat map, causal cells exactly 0, the
// toggle and the head selector. digitsFlow / tinygptFlow: train in the page's worker with the
// defaults, then check the progress bar, charts, accuracies, confusion matrix, misclassified
// digits, and streamed generation. Each returns the figures it measured.

const TRAIN_TIMEOUT = 120_000;

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

/** Waits until the tool section `sel` has finished the request made after `action`. */
async function settle(page, sel, action) {
  await page.$eval(sel, (e) => { e.dataset.state = 'stale'; });
  await action();
  await page.waitForSelector(`${sel}[data-state="done"], ${sel}[data-state="error"]`, { timeout: 30_000 });
  // A debounced request may follow the first one: wait until the state stays put.
  await page.waitForTimeout(400);
  await page.waitForSelector(`${sel}[data-state="done"], ${sel}[data-state="error"]`, { timeout: 30_000 });
}

export async function tokenizerFlow(page, base, checks, { shots }) {
  await page.goto(`${base}/www/10-tokenization.html`);
  await page.waitForSelector('#playground[data-state="done"]', { timeout: 30_000 });
  const typed = 'q: what is a tensor? rev:abcd=dcba';
  await settle(page, '#playground', () => page.fill('#pg-text', typed));
  const view = await page.evaluate(() => ({
    chars: Number(document.getElementById('pg-char-count')?.textContent),
    charOk: document.querySelector('#pg-char-roundtrip .roundtrip')?.dataset.ok,
    charDecoded: document.querySelector('#pg-char-roundtrip .decoded')?.textContent,
    bpeOk: document.querySelector('#pg-bpe-roundtrip .roundtrip')?.dataset.ok,
    bpeDecoded: document.querySelector('#pg-bpe-roundtrip .decoded')?.textContent,
    bpeTokens: [...document.querySelectorAll('#pg-bpe-tokens .tok')].map((t) => t.querySelector('.tok-text').textContent),
    merges: document.querySelectorAll('#pg-merges li').length,
  }));
  checks.ok('10 playground: a typed text round-trips through the character tokenizer',
    view.chars === typed.length && view.charOk === 'true' && JSON.parse(view.charDecoded) === typed, `${view.chars} ids → ${view.charDecoded}`);
  checks.ok('10 playground: … and through the corpus BPE, shown as sub-word tokens with the merges list',
    view.bpeOk === 'true' && JSON.parse(view.bpeDecoded) === typed && view.bpeTokens.length > 0 && view.bpeTokens.length < typed.length && view.merges > 0,
    `${view.bpeTokens.length} BPE tokens: ${view.bpeTokens.join(' ')}; ${view.merges} merges listed`);

  await settle(page, '#playground', () => page.fill('#pg-text', 'Zebra? 42!'));
  const unk = await page.evaluate(() => ({
    marked: [...document.querySelectorAll('#pg-char-tokens .tok-unk .tok-text')].map((e) => e.textContent),
    note: document.getElementById('pg-unknown')?.textContent ?? '',
    ok: document.querySelector('#pg-char-roundtrip .roundtrip')?.dataset.ok,
    echo: [...document.querySelectorAll('#pg-echo mark')].map((e) => e.textContent),
  }));
  checks.ok('10 playground: unknown characters are highlighted and the round trip says it differs',
    unk.marked.join('') === 'Z!' && unk.echo.join('') === 'Z!' && unk.note.includes('Not in the vocabulary') && unk.ok === 'false', `${unk.marked.join(', ')} · ${unk.note.slice(0, 80)}`);

  await settle(page, '#playground', async () => {
    await page.fill('#pg-text', typed);
    await page.$eval('#pg-vocab', (s) => { s.value = '300'; s.dispatchEvent(new Event('input', { bubbles: true })); });
  });
  const big = await page.evaluate(() => ({
    out: document.getElementById('pg-vocab-out').textContent,
    tokens: document.querySelectorAll('#pg-bpe-tokens .tok').length,
    ok: document.querySelector('#pg-bpe-roundtrip .roundtrip')?.dataset.ok,
    heading: document.querySelector('#pg-merges h3')?.textContent ?? '',
  }));
  checks.ok('10 playground: the vocabulary slider retrains BPE (more merges, fewer tokens, still exact)',
    big.out === '300' && big.tokens <= view.bpeTokens.length && big.ok === 'true' && /The 229 merges/.test(big.heading),
    `vocab 300: ${big.tokens} tokens (was ${view.bpeTokens.length}); ${big.heading}`);
  await shots(page, '10-tokenization-playground', '#playground');
}

export async function heatmapFlow(page, base, checks, { shots }) {
  await page.goto(`${base}/www/12-attention.html`);
  await page.waitForSelector('#heatmap[data-state="done"]', { timeout: 30_000 });
  const read = () => page.evaluate(() => {
    const c = document.getElementById('hm-canvas');
    const cells = [...document.querySelectorAll('#hm-table td[data-i]')].map((td) => ({ i: +td.dataset.i, j: +td.dataset.j, v: Number(td.dataset.value) }));
    const S = Math.round(Math.sqrt(cells.length));
    const sums = Array.from({ length: S }, (_, i) => cells.filter((x) => x.i === i).reduce((a, x) => a + x.v, 0));
    return {
      canvas: c ? { w: c.width, h: c.height } : null,
      thumbs: document.querySelectorAll('.hm-thumb').length,
      head: document.querySelector('#hm-table table')?.dataset.head,
      S, upper: cells.filter((x) => x.j > x.i).map((x) => x.v), sums,
      fact: document.getElementById('hm-masked-fact')?.dataset.maskedMax ?? null,
    };
  });
  const causal = await read();
  checks.ok('12 heat map: a canvas per head is drawn (a large one and the thumbnails)',
    causal.canvas && causal.canvas.w > 100 && causal.canvas.h > 100 && causal.thumbs === 4, JSON.stringify(causal.canvas));
  checks.ok('12 heat map: causal upper triangle is exactly 0, every row sums to 1',
    causal.S > 1 && causal.upper.length === causal.S * (causal.S - 1) / 2 && causal.upper.every((v) => v === 0)
      && causal.sums.every((s) => Math.abs(s - 1) < 1e-5) && causal.fact === '0',
    `${causal.S}×${causal.S}: ${causal.upper.length} masked cells, max ${Math.max(...causal.upper)}; row sums ${causal.sums.map((s) => s.toFixed(6)).join(' ')}`);
  await shots(page, '12-attention-heatmap', '#heatmap');
  await settle(page, '#heatmap', () => page.click('#hm-causal'));
  const open = await read();
  checks.ok('12 heat map: without the mask the future gets weight (and rows still sum to 1)',
    open.upper.some((v) => v > 0) && open.sums.every((s) => Math.abs(s - 1) < 1e-5), `largest future weight ${Math.max(...open.upper).toFixed(4)}`);
  await page.selectOption('#hm-head', '2');
  const third = await read();
  await settle(page, '#heatmap', () => page.click('#hm-causal'));
  checks.ok('12 heat map: the head selector switches heads', third.head === '2');
}

export async function digitsFlow(page, base, checks, { shots, label = 'digits' }) {
  await page.goto(`${base}/www/milestone-digits.html`);
  await page.waitForSelector('#digit-samples canvas.digit', { timeout: 30_000 });
  const samples = await page.$$eval('#digit-samples canvas.digit', (els) => els.length);
  checks.ok(`${label}: the data strip draws one digit of each class`, samples === 10, `${samples} canvases`);
  // Stop mid-run: the worker is shut down, the page says so, and Train works again after it.
  await page.click('#train-btn');
  await page.waitForFunction(() => Number(document.querySelector('.train-progress')?.dataset.percent) > 0, null, { timeout: 30_000 });
  await page.click('#stop-btn');
  await page.waitForSelector('#train[data-state="stopped"]', { timeout: 5_000 }).catch(() => {});
  const stopped = await page.evaluate(() => ({ state: document.getElementById('train').dataset.state, text: document.getElementById('train-progress-text').textContent, train: !document.getElementById('train-btn').disabled }));
  checks.ok(`${label}: Stop ends a run at once and Train is offered again`, stopped.state === 'stopped' && stopped.train && /Stopped/.test(stopped.text), stopped.text);
  const longest = await watchLongTasks(page);
  await page.click('#train-btn');
  await page.waitForSelector('#train[data-state="done"], #train[data-state="error"]', { timeout: TRAIN_TIMEOUT });
  const long = await longest();
  const r = await page.evaluate(() => {
    const bar = document.getElementById('train-progress');
    const table = document.getElementById('confusion-table');
    const counts = [...(table?.querySelectorAll('td[data-count]') ?? [])].map((td) => Number(td.dataset.count));
    return {
      state: document.getElementById('train').dataset.state,
      progress: bar ? bar.value / bar.max : 0,
      status: document.getElementById('train-progress-text')?.textContent ?? '',
      charts: [...document.querySelectorAll('#loss-chart canvas.chart, #acc-chart canvas.chart')].map((c) => Number(c.dataset.length)),
      accuracy: Number(document.getElementById('stat-accuracy')?.dataset.accuracy),
      shown: document.querySelector('#stat-accuracy .stat-value')?.textContent ?? '',
      ms: Number(document.getElementById('stat-time')?.dataset.ms),
      cells: counts.length, sum: counts.reduce((a, b) => a + b, 0), testSize: Number(table?.dataset.testSize),
      mistakes: document.querySelectorAll('#mistake-list canvas.digit').length,
      captions: [...document.querySelectorAll('#mistake-list .digit-label')].map((e) => e.textContent),
      noMistakes: Boolean(document.getElementById('no-mistakes')),
      runs: document.querySelectorAll('#runs tbody tr').length,
    };
  });
  checks.ok(`${label}: the CNN trained in the worker and the progress bar reached 100 %`, r.state === 'done' && r.progress === 1, r.status);
  checks.ok(`${label}: live loss and accuracy charts (train and held out) exist, one point per epoch`, r.charts.length === 2 && r.charts.every((n) => n === 20), `points ${r.charts.join('/')}`);
  checks.ok(`${label}: held-out accuracy shown is ≥ 97 %`, r.accuracy >= 0.97 && r.shown.includes('%'), `${r.shown} (${(r.accuracy * 100).toFixed(2)} %) in ${Math.round(r.ms)} ms`);
  checks.ok(`${label}: the 10×10 confusion matrix sums to the test size`, r.cells === 100 && r.sum === r.testSize && r.testSize > 300, `${r.sum} of ${r.testSize}`);
  checks.ok(`${label}: misclassified digits are drawn as 8×8 images labelled true → predicted (or "no mistakes")`,
    (r.mistakes > 0 && r.captions.every((c) => /^\d → \d$/.test(c))) || r.noMistakes, r.noMistakes ? 'no mistakes' : `${r.mistakes}: ${r.captions.join(', ')}`);
  checks.ok(`${label}: the page never froze while training (longest main-thread task < 200 ms)`, long < 200, `${Math.round(long)} ms`);
  await shots(page, 'milestone-digits', '#results');
  return { accuracy: r.accuracy, ms: r.ms, mistakes: r.mistakes, testSize: r.testSize };
}

export async function tinygptFlow(page, base, checks, { shots, label = 'tinygpt' }) {
  await page.goto(`${base}/www/milestone-tinygpt.html`);
  await page.waitForSelector('#corpus table', { timeout: 30_000 });
  const locked = await page.$eval('#prompt', (e) => e.disabled);
  checks.ok(`${label}: the prompt box is locked until the model is trained`, locked);
  const longest = await watchLongTasks(page);
  await page.click('#train-btn');
  await page.waitForSelector('#train[data-state="done"], #train[data-state="error"]', { timeout: TRAIN_TIMEOUT });
  const long = await longest();
  const r = await page.evaluate(() => {
    const bar = document.getElementById('train-progress');
    const t = document.getElementById('stat-time');
    return {
      state: document.getElementById('train').dataset.state,
      progress: bar ? bar.value / bar.max : 0,
      status: document.getElementById('train-progress-text')?.textContent ?? '',
      chart: Number(document.querySelector('#loss-chart canvas.chart')?.dataset.points ?? 0),
      tasks: Object.fromEntries([...document.querySelectorAll('#task-table tr[data-task]')].map((tr) => [tr.dataset.task, { accuracy: Number(tr.dataset.accuracy), correct: Number(tr.dataset.correct), total: Number(tr.dataset.total) }])),
      samples: document.querySelectorAll('#sample-table tbody tr').length,
      ms: Number(t?.dataset.ms), tokensPerSec: Number(t?.dataset.tokensPerSec),
      ready: document.getElementById('prompt-panel').dataset.ready,
    };
  });
  checks.ok(`${label}: TinyGPT trained in the worker and the progress bar reached 100 %`, r.state === 'done' && r.progress === 1, r.status);
  checks.ok(`${label}: the live loss chart exists`, r.chart > 10, `${r.chart} points`);
  const rev = r.tasks.reverse ?? { accuracy: 0, correct: 0, total: 0 };
  checks.ok(`${label}: held-out reversal accuracy ≥ 90 %, per-task table and sample answers shown`,
    rev.accuracy >= 0.9 && rev.total > 0 && r.samples > 0,
    Object.entries(r.tasks).map(([k, v]) => `${k} ${v.correct}/${v.total}`).join(', '));
  checks.ok(`${label}: the page never froze while training (longest main-thread task < 200 ms)`, long < 200, `${Math.round(long)} ms`);

  // Streamed generation from the model the worker kept.
  await page.fill('#prompt', 'rev:abcd=');
  await page.fill('#temperature', '0');
  await page.evaluate(() => {
    window.__tokenTimes = [];
    new MutationObserver(() => window.__tokenTimes.push(performance.now())).observe(document.getElementById('gen-text'), { childList: true });
  });
  await page.click('#generate-btn');
  await page.waitForSelector('#gen-output[data-state="done"], #gen-output[data-state="error"]', { timeout: 30_000 });
  const g = await page.evaluate(() => ({ ...document.getElementById('gen-output').dataset, shown: document.getElementById('gen-text').textContent, mutations: window.__tokenTimes.length, info: document.getElementById('gen-info').textContent }));
  checks.ok(`${label}: generating from "rev:abcd=" at temperature 0 streams "dcba" token by token`,
    g.state === 'done' && g.text.startsWith('dcba') && g.shown.startsWith('dcba') && Number(g.tokens) >= 4 && g.streamedBeforeResult === 'true' && g.mutations >= 4,
    `${JSON.stringify(g.text)} in ${g.tokens} streamed tokens (${g.mutations} DOM updates); ${g.info}`);

  // Bad input gets a clear message.
  await page.fill('#prompt', '');
  await page.click('#generate-btn');
  const empty = await page.textContent('#prompt-error');
  await page.fill('#prompt', 'rev:ABC=');
  const warning = await page.textContent('#prompt-warning');
  await page.fill('#temperature', '-1');
  await page.click('#generate-btn');
  const negative = await page.textContent('#prompt-error');
  await page.fill('#temperature', '0');
  checks.ok(`${label}: clear messages for an empty prompt, unknown characters and a negative temperature`,
    /prompt is empty/.test(empty) && /Not in the vocabulary: A, B, C/.test(warning) && /Temperature must be 0 or more/.test(negative),
    `${empty} | ${warning.slice(0, 60)}… | ${negative}`);
  await page.fill('#prompt', 'rev:abcd=');
  await shots(page, 'milestone-tinygpt', '#results');
  return { tasks: r.tasks, ms: r.ms, tokensPerSec: r.tokensPerSec, generated: g.text };
}
