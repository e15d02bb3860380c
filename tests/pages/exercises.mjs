// TinyTorch Lab page tests: the exercise pages as a student uses them. The batch (every
// module's starter, solution and planted mistakes through the real worker) is in
// exercise-batch.mjs; here: the editor and Run checks on a module page, a correct solution
// typed with keystrokes, expected vs yours for a wrong function, a planted backward mistake
// named at its layer and marked as the student's, an endless loop stopped at the time limit,
// hints and the confirmed solution, progress across a reload, export/import (and a hostile
// import refused), the version-1 migration, and both widths in screenshots.

const RUN = 60_000;

/** The editor's text, and a way to replace it (CodeMirror's view from the DOM). */
async function getCode(page) {
  return page.evaluate(async () => {
    const { EditorView } = await import('/www/vendor/codemirror.js');
    return EditorView.findFromDOM(document.querySelector('#exercise-editor .cm-editor')).state.doc.toString();
  });
}
async function setCode(page, code) {
  await page.evaluate(async (text) => {
    const { EditorView } = await import('/www/vendor/codemirror.js');
    const view = EditorView.findFromDOM(document.querySelector('#exercise-editor .cm-editor'));
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }, code);
}

async function runExercise(page, timeout = RUN) {
  await page.click('#run-exercise');
  await page.waitForSelector('#exercise-work[data-state="running"]', { timeout: 5_000 }).catch(() => {});
  await page.waitForSelector('#exercise-work:not([data-state="running"])', { timeout });
  return page.getAttribute('#exercise-work', 'data-state');
}

const mine = (page) => page.getAttribute('#module-status .status-mine', 'data-status');

async function openModule(page, base, file) {
  await page.goto(`${base}/www/${file}`);
  await page.waitForSelector('#exercise-work[data-state="ready"]', { timeout: 30_000 });
}

// Module 02 written one function per line, as a student types it (no auto-closed brackets to
// fight: every bracket opened on a line closes on it).
const TYPED_02 = [
  "export function relu(x) { return { data: x.data.map((v) => (v > 0 ? v : 0)), shape: x.shape }; }",
  "export function sigmoid(x) { return { data: x.data.map((v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)))), shape: x.shape }; }",
  "export function tanh(x) { return { data: x.data.map(Math.tanh), shape: x.shape }; }",
  "const C = Math.sqrt(2 / Math.PI);",
  "export function gelu(x) { return { data: x.data.map((v) => 0.5 * v * (1 + Math.tanh(C * (v + 0.044715 * v * v * v)))), shape: x.shape }; }",
  "export function softmax(x) { const n = x.shape[x.shape.length - 1], out = new Float32Array(x.data.length); for (let r = 0; r < x.data.length; r += n) { let m = -Infinity, s = 0; for (let j = 0; j < n; j++) m = Math.max(m, x.data[r + j]); for (let j = 0; j < n; j++) s += (out[r + j] = Math.exp(x.data[r + j] - m)); for (let j = 0; j < n; j++) out[r + j] /= s; } return { data: out, shape: x.shape }; }",
];

export async function exerciseFlows(browser, base, checks, { shots, guard, viewports }) {
  const laptopShot = shots.laptop, phoneShot = shots.phone;
  const ctx = await browser.newContext({ ...viewports.laptop, acceptDownloads: true });
  await guard(ctx, 'exercises').ready;
  const page = await ctx.newPage();
  page.on('dialog', (d) => d.accept());
  const fetchText = (url) => page.evaluate(async (u) => (await fetch(u)).text(), url);

  // 1. A fresh page: the starter, status "not started".
  await openModule(page, base, '02-activations.html');
  const starter = await fetchText('/www/exercises/02-activations/starter.js');
  checks.ok('exercise 02: the editor holds the starter and the status says "not started" (not the lab\'s pass)',
    (await getCode(page)) === starter && (await mine(page)) === 'not-started', await mine(page));
  await laptopShot(page, 'exercise-02-before', '#exercise-work');

  // 2. The stub runs and fails, saying what to write; its line is marked in the editor.
  let st = await runExercise(page);
  const todo = await page.$$eval('.fn-group', (els) => els.map((e) => ({ fn: e.dataset.function, status: e.dataset.status, text: e.querySelector('.fn-todo')?.textContent ?? '' })));
  const marked = await page.$$eval('#exercise-editor .cm-errorLine', (els) => els.length);
  checks.ok('exercise 02: the starter fails; every function says "to do" with what to write, and the stub line is marked',
    st === 'fail' && todo.length === 5 && todo.every((t) => t.status === 'todo' && t.text.length > 20) && marked > 0 && (await mine(page)) === 'failing',
    `${st}; ${todo.map((t) => `${t.fn}: ${t.text.slice(0, 40)}`).join(' | ')}; ${marked} marked line(s)`);

  // 3. A wrong softmax: expected vs yours, the differing values highlighted, in words.
  const solution = await fetchText('/www/exercises/02-activations/solution.js');
  const planted = JSON.parse(await fetchText('/tests/pages/mistakes/02-activations.json')).find((m) => m.function === 'softmax');
  await setCode(page, solution.replace(planted.find, planted.replace));
  st = await runExercise(page);
  const wrong = await page.evaluate(() => {
    const card = document.querySelector('.fn-group[data-function="softmax"] .unit-fail');
    return { diff: card?.querySelectorAll('.tgrid td.diff').length ?? 0, first: card?.querySelector('.unit-first')?.textContent ?? '', grids: card?.querySelectorAll('.tensor').length ?? 0 };
  });
  checks.ok(`exercise 02: "${planted.name}" shows expected vs yours side by side, the differing values highlighted and the first difference in words`,
    st === 'fail' && wrong.grids >= 2 && wrong.diff > 0 && /First difference at index \[\d/.test(wrong.first), `${wrong.diff} highlighted; "${wrong.first}"`);
  await laptopShot(page, 'exercise-02-after-fail', '.fn-group[data-function="softmax"]');

  // 4. A correct solution typed with keystrokes passes the unit checks and the suites.
  await page.click('#exercise-editor .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  for (const line of TYPED_02) {
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Home'); // drop the auto-indent of the new line
  }
  const typed = await getCode(page);
  st = await runExercise(page);
  const passed = await page.evaluate(() => ({
    fns: [...document.querySelectorAll('.fn-group')].map((e) => e.dataset.status),
    suites: [...document.querySelectorAll('.suites-with-code .suite')].map((e) => `${e.dataset.suite}:${e.dataset.state}`),
    yours: document.querySelectorAll('.suites-with-code .chip-yours').length,
  }));
  checks.ok('exercise 02: a correct solution typed with keystrokes passes every unit check and every suite, with its layers marked "your code"',
    st === 'pass' && passed.fns.every((s) => s === 'pass') && passed.suites.length > 0 && passed.suites.every((s) => s.endsWith(':pass')) && passed.yours > 0 && (await mine(page)) === 'passing',
    `${typed.split('\n').length} typed lines; ${passed.suites.join(', ')}; ${passed.yours} "your code" marks`);

  // 5. Progress survives a reload: the code and the status.
  await page.reload();
  await page.waitForSelector('#exercise-work[data-state="ready"]', { timeout: 30_000 });
  checks.ok('exercise 02: the code and the status survive a reload', (await getCode(page)) === typed && (await mine(page)) === 'passing');

  // 6. An endless loop is stopped at the time limit; the page keeps working; the next run passes.
  await page.selectOption('#time-limit', '10');
  await setCode(page, typed.replace('export function relu(x) {', 'export function relu(x) { while (true) {}'));
  const t0 = Date.now();
  await page.click('#run-exercise');
  await page.waitForTimeout(2_000);
  const responsive = await Promise.race([page.evaluate(() => 'ok'), new Promise((r) => setTimeout(() => r('blocked'), 1_000))]);
  await page.waitForSelector('#exercise-work[data-state="timeout"]', { timeout: 20_000 }).catch(() => {});
  const stopped = await page.textContent('#exercise-status');
  const tookS = (Date.now() - t0) / 1000;
  await setCode(page, typed);
  st = await runExercise(page);
  checks.ok('exercise 02: while(true){} is stopped at the 10 s limit, the page stays responsive, and the next run (a fresh worker) passes',
    /Stopped after 10 s/.test(stopped) && responsive === 'ok' && tookS < 16 && st === 'pass', `stopped after ${tookS.toFixed(1)} s: "${stopped.slice(0, 80)}…"`);

  // 7. Hints come first; the solution only after a confirmation, and it is recorded.
  await page.click('[data-hint="softmax"]');
  await page.click('[data-hint="softmax"]');
  const hints = await page.$$eval('.fn-item[data-function="softmax"] .hint', (els) => els.length);
  await page.click('[data-solution="softmax"]');
  const sol = await page.$eval('.fn-item[data-function="softmax"] .solution-code', (e) => e.textContent);
  await page.waitForTimeout(100);
  checks.ok('exercise 02: two staged hints, then the confirmed solution of that function; the status records it was viewed',
    hints === 2 && sol.includes('export function softmax') && !sol.includes('export function relu') && (await mine(page)) === 'passing-solution', `${hints} hints; status ${await mine(page)}`);

  // 8. A planted backward mistake in module 05 is named at its layer and marked as the student's.
  await openModule(page, base, '05-autograd.html');
  const sol05 = await fetchText('/www/exercises/05-autograd/solution.js');
  const relu05 = JSON.parse(await fetchText('/tests/pages/mistakes/05-autograd.json')).find((m) => m.function === 'reluBackward');
  await setCode(page, sol05.replace(relu05.find, relu05.replace));
  st = await runExercise(page);
  const blame = await page.evaluate(() => [...document.querySelectorAll('.suites-with-code .layer-group.culprit')].map((g) => ({
    layer: g.dataset.layer, yours: g.dataset.yours, kind: g.querySelector('.layer-kind')?.textContent, reason: g.querySelector('.layer-reason td')?.textContent ?? '',
  })));
  checks.ok(`exercise 05: "${relu05.name}" fails, and the per-layer table highlights a ReLU layer marked as your code, its reason saying "(your code)"`,
    st === 'fail' && blame.length > 0 && blame.every((b) => b.kind === 'ReLU' && b.yours.includes('reluBackward') && b.reason.includes('(your code)')),
    blame.map((b) => `layer ${b.layer}: ${b.reason}`).slice(0, 2).join(' | '));
  await laptopShot(page, 'exercise-05-blame', '.suites-with-code .case-fail .gradcheck');

  // 9. Export, reset, import back; a hostile or broken file is refused and changes nothing.
  await page.goto(`${base}/index.html`);
  await page.waitForSelector('.module-card[data-module="2"]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-progress')]);
  const exported = JSON.parse(await (await import('node:fs/promises')).readFile(await download.path(), 'utf8'));
  const home2 = await page.getAttribute('.module-card[data-module="2"]', 'data-status');
  await openModule(page, base, '02-activations.html');
  await page.click('#reset-exercise');
  await page.waitForTimeout(100);
  const afterReset = await mine(page);
  await page.goto(`${base}/index.html`);
  await page.setInputFiles('#import-progress', { name: 'progress.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
  await page.waitForSelector('#import-status:not([hidden])');
  const imported = await page.getAttribute('.module-card[data-module="2"]', 'data-status');
  checks.ok('progress: export → reset → import restores the exercise (code and status)',
    exported.format === 'tinytorch-lab-progress' && exported.exercises['2']?.code === typed && home2 === 'passing-solution' && afterReset === 'not-started' && imported === 'passing-solution',
    `exported ${Object.keys(exported.exercises).join(', ')}; home ${home2} → reset ${afterReset} → imported ${imported}`);
  const hostile = { ...exported, exercises: { ...exported.exercises, 2: { ...exported.exercises['2'], code: '<img src=x onerror="window.__pwned=1">', status: 'hacked' } } };
  for (const [label, body] of [['a broken JSON file', '{"format": "tinytorch-lab-progress", '], ['a file with an unknown status and HTML in the code', JSON.stringify(hostile)],
    ['a file of another format', JSON.stringify({ format: 'something-else', version: 2 })], ['a file with an unknown key', JSON.stringify({ ...exported, extra: 1 })]]) {
    await page.setInputFiles('#import-progress', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(body) });
    await page.waitForFunction(() => document.getElementById('import-status').className === 'error-box', null, { timeout: 10_000 }).catch(() => {});
    const msg = await page.textContent('#import-status');
    const same = await page.getAttribute('.module-card[data-module="2"]', 'data-status');
    const pwned = await page.evaluate(() => window.__pwned === 1 || document.querySelector('img[src="x"]') !== null);
    checks.ok(`progress: ${label} is refused with a message and changes nothing`, /^Not imported: /.test(msg) && same === 'passing-solution' && !pwned, msg.slice(0, 140));
    await page.evaluate(() => { document.getElementById('import-status').className = ''; });
  }

  // 10. Version 1 progress (the lab's results only) migrates.
  await page.evaluate(() => {
    localStorage.removeItem('tinytorch-lab/progress/v2');
    localStorage.setItem('tinytorch-lab/progress/v1', JSON.stringify({ suites: { xor: { passed: true, failed: [], cases: 1, modules: [2, 3, 4, 6] } }, caseCounts: { xor: 1 } }));
  });
  await page.reload();
  await page.waitForSelector('.module-card[data-module="2"]');
  const migrated = await page.evaluate(() => ({ v1: localStorage.getItem('tinytorch-lab/progress/v1'), v2: JSON.parse(localStorage.getItem('tinytorch-lab/progress/v2') ?? '{}') }));
  checks.ok('progress: saved version-1 progress migrates to version 2 (the lab\'s results kept apart)',
    migrated.v1 === null && migrated.v2.version === 2 && migrated.v2.lab?.suites?.xor?.passed === true);
  await ctx.close();

  // 11. Phone width: before and after a failing run, no horizontal overflow.
  const phone = await browser.newContext(viewports.phone);
  await guard(phone, 'exercises-phone').ready;
  const pp = await phone.newPage();
  await openModule(pp, base, '02-activations.html');
  await phoneShot(pp, 'exercise-02-before', '#exercise-work');
  const o1 = await pp.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  st = await runExercise(pp);
  await phoneShot(pp, 'exercise-02-after-fail', '.units');
  const o2 = await pp.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  checks.ok('phone: the exercise page has no horizontal overflow, before and after a failing run', o1 <= 0 && o2 <= 0 && st === 'fail', `${o1} / ${o2} px`);
  await phone.close();
}
