// TinyTorch Lab page tests: every exercise of modules 01–09, run in one page through the real
// worker (student code imported from a blob URL, plugged into the wasm framework's slots):
// the starter fails and says what to do, the reference solution passes every unit check and
// every fast suite of its module, and each planted mistake of tests/pages/mistakes/*.json fails
// where the data says: the function's unit checks, the suite, and (for gradient mistakes) the
// per-layer table's culprit layer, marked as the student's code. Runs in the page (evaluate);
// returns the table the runner asserts on and prints.

/**
 * Runs in the page: returns { modules: [...], mistakes: [...] }. With `allSuites` every planted
 * mistake also runs every fast suite of its module (to find where each is caught).
 */
export async function exerciseBatch({ allSuites = false } = {}) {
  const { WorkerClient } = await import('/www/js/jobs.js');
  const { MODULES } = await import('/www/js/modules.js');
  const worker = new WorkerClient();
  const { exercises } = await worker.run('listExercises');
  const suiteInfo = await worker.run('listSuites');
  const fast = new Set(suiteInfo.filter((s) => s.fast).map((s) => s.name));
  const text = async (url) => { const r = await fetch(url); if (!r.ok) throw new Error(`${url}: ${r.status}`); return r.text(); };
  const run = (args) => worker.run('runExercise', { seed: 0, ...args }, { timeoutMs: 120_000 });
  const failingCases = (r) => r.reports.flatMap((rep) => rep.cases.filter((c) => !c.passed).map((c) => ({ suite: rep.suite, ...c })));
  const out = { modules: [], mistakes: [] };
  for (const ex of exercises) {
    const mod = MODULES.find((m) => m.number === ex.module);
    const dir = `/www/${mod.exercise.dir}`;
    const [starter, solution] = await Promise.all([text(dir + 'starter.js'), text(dir + 'solution.js')]);
    const suites = ex.suites.filter((s) => fast.has(s));
    const t0 = performance.now();
    const st = await run({ module: ex.module, code: starter, suites });
    const t1 = performance.now();
    const sol = await run({ module: ex.module, code: solution, suites });
    const t2 = performance.now();
    // A suite that never called this module's functions checked the lab's code: it says
    // nothing about the starter either way.
    const own = new Set(ex.functions);
    const usedOwn = (rep) => rep.cases.some((c) => c.your_code.some((n) => own.has(n)));
    out.modules.push({
      module: ex.module,
      suites,
      starter: {
        passed: st.units.passed || st.reports.some((r) => usedOwn(r) && r.passed),
        neutral: st.reports.filter((r) => !usedOwn(r)).map((r) => r.suite),
        todo: st.units.functions.every((f) => f.status === 'todo'),
        says: st.units.checks[0]?.message ?? '',
        ms: Math.round(t1 - t0),
      },
      solution: {
        units: sol.units.passed,
        failingChecks: sol.units.checks.filter((c) => c.status !== 'pass').map((c) => `${c.function}/${c.name}: ${c.message}`),
        suites: sol.reports.map((r) => ({ suite: r.suite, passed: r.passed, ms: Math.round(r.duration_ms), failing: r.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`) })),
        yours: [...new Set(sol.reports.flatMap((r) => r.cases.flatMap((c) => c.your_code)))],
        ms: Math.round(t2 - t1),
      },
    });
    const planted = JSON.parse(await text(`/tests/pages/mistakes/${String(ex.module).padStart(2, '0')}-${mod.slug}.json`));
    for (const m of planted) {
      const parts = solution.split(m.find);
      if (parts.length !== 2) {
        out.mistakes.push({ module: ex.module, name: m.name, error: `"find" occurs ${parts.length - 1} times in solution.js` });
        continue;
      }
      const code = parts.join(m.replace);
      const want = allSuites ? suites : m.expect.suite ? [m.expect.suite] : [];
      const r = await run({ module: ex.module, code, suites: want });
      const fn = r.units?.functions.find((f) => f.name === m.expect.unit);
      const check = r.units?.checks.find((c) => c.function === m.expect.unit && c.status !== 'pass');
      const cases = r.loadError ? [] : failingCases(r);
      const inSuite = cases.find((c) => c.suite === m.expect.suite);
      const caughtBy = [...new Set(cases.map((c) => c.suite))];
      // The case whose gradient table blames a layer, with that layer's verdict.
      const blamed = cases.map((c) => {
        const l = c.gradcheck?.layers.find((x) => x.culprit);
        return l ? { suite: c.suite, case: c.name, layer: l.index, kind: l.name, yours: l.your_code, reason: l.reason } : null;
      }).filter(Boolean).sort((x, y) => Number(y.yours.includes(m.expect.unit)) - Number(x.yours.includes(m.expect.unit)))
        .find((b) => !m.expect.layer || b.kind === m.expect.layer) ?? null;
      out.mistakes.push({
        module: ex.module,
        name: m.name,
        fn: m.expect.unit,
        unitStatus: fn?.status ?? (r.loadError ? 'load error' : 'none'),
        unitCheck: check ? `${check.name}: ${check.message}` : '',
        suite: m.expect.suite ?? null,
        suiteFailed: m.expect.suite ? Boolean(inSuite) : null,
        suiteSays: inSuite ? `${inSuite.name}: ${inSuite.message}` : '',
        wantLayer: m.expect.layer ?? null,
        blamed,
        caughtBy,
      });
    }
  }
  worker.stop();
  return out;
}
