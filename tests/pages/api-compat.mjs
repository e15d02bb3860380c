// TinyTorch Lab page tests: the JS half of `api_compatibility` (www/js/api-check.js) in a served
// page. checkJsApi on the real pkg/tinytorch.d.ts passes every case; a name the declarations
// export but the module lacks, a declared class member that is missing, and a documented value
// that drifted each fail the right case with a message naming them; the report renders with the
// pages' renderer; and the Rust half (runSuite('api_compatibility')) passes in the browser and
// names a planted layer. run.mjs calls
// `apiCompatFlow`; on its own:
//   node tests/pages/api-compat.mjs

import { fileURLToPath } from 'node:url';
import { chromium, CHROMIUM_ARGS, startServer, Checks } from './lib.mjs';

/** Runs in the page: checkJsApi against the real declarations and three planted drifts. */
async function inPage() {
  const tt = await import('/www/js/tinytorch.js');
  await tt.ready();
  const { checkJsApi, parseDts, exampleContext } = await import('/www/js/api-check.js');
  const context = exampleContext(tt);
  const dts = await (await fetch('/pkg/tinytorch.d.ts')).text();
  const failing = (r) => r.cases.filter((c) => !c.passed).map((c) => ({ name: c.name, message: c.message }));
  const real = checkJsApi(tt, dts, { context });

  // 1. A function declared in the .d.ts that the module does not have.
  const extra = checkJsApi(tt, `${dts}\n/** Not in the module. */\nexport function notInTheModule(x: number): number;\n`, { context });
  // 2. The module without one of its declared functions (the first the .d.ts declares).
  const { exports, examples } = parseDts(dts);
  const dropped = exports.find((e) => e.kind === 'function').name;
  const lacking = { ...tt };
  delete lacking[dropped];
  const without = checkJsApi(lacking, dts, { context });
  // 3. A member declared on class Tensor that the class lacks.
  const member = checkJsApi(tt, dts.replace(/^(export class Tensor \{\n)/m, '$1  notAMember(): void;\n'), { context });
  // 4. A documented value that drifted: a shape an example's comment states, one larger (the
  //    first such comment in an example that runs).
  let drifted = null;
  let value = [];
  const sites = [...dts.matchAll(/(;\s*\/\/\s*\[)(\d+)/g)];
  for (const m of sites) {
    const at = m.index + m[1].length;
    const n = Number(m[2]);
    const planted = `${dts.slice(0, at)}${n + 1}${dts.slice(at + m[2].length)}`;
    value = failing(checkJsApi(tt, planted, { context }));
    if (value.length) { drifted = `${n} → ${n + 1}`; break; }
  }
  // The report renders with the pages' renderer like a Rust suite's, failures named on their card.
  const { suiteSection } = await import('/www/js/report.js');
  const shown = [];
  for (const r of [real, extra]) {
    const sec = suiteSection(r);
    for (const c of r.cases) sec.addCase(c);
    sec.finish(r);
    document.body.append(sec.el);
    shown.push({ state: sec.el.dataset.state, cards: sec.el.querySelectorAll('.case').length,
      failed: [...sec.el.querySelectorAll('.case-fail .case-message')].map((e) => e.textContent) });
  }
  // The Rust half runs in the browser too, and a planted fault fails it naming the layer.
  const rust = tt.runSuite('api_compatibility', { seed: 3 });
  const broken = tt.runSuite('api_compatibility', { seed: 3, fault: { layer: 2, kind: 'flip_sign' } });
  return {
    shown, rust: { passed: rust.passed, cases: rust.cases.length, ms: rust.duration_ms },
    broken: broken.cases.filter((c) => !c.passed).map((c) => ({ name: c.name, layer: c.layer })),
    real: { passed: real.passed, cases: real.cases.map((c) => ({ name: c.name, passed: c.passed, message: c.message })), keys: Object.keys(real.cases[0]), ms: real.duration_ms },
    declared: exports.length, examples: examples.length,
    extra: failing(extra), dropped, without: failing(without), member: failing(member), drifted, value,
  };
}

/** The checks, recorded in `checks` (run.mjs's recorder or this file's own). */
export async function apiCompatFlow(page, base, checks) {
  // The SIMD128 build: the one pkg/tinytorch.d.ts was generated with.
  await page.goto(`${base}/index.html?build=simd`);
  const r = await page.evaluate(inPage);
  const bad = r.real.cases.filter((c) => !c.passed);
  const examples = r.real.cases.filter((c) => c.name.startsWith('js_example_'));
  checks.ok(`checkJsApi on the real pkg/tinytorch.d.ts: all ${r.real.cases.length} cases pass (${r.declared} declared names, ${examples.length} of ${r.examples} documented examples run, ${r.real.ms.toFixed(0)} ms)`,
    r.real.passed && examples.length > 0, bad.map((c) => `${c.name}: ${c.message}`).join(' | ') || r.real.cases.find((c) => c.name === 'js_examples')?.message);
  const shape = ['name', 'description', 'passed', 'message', 'layer', 'gradcheck', 'curve', 'metrics', 'your_code', 'detail'];
  checks.ok('its cases have the Rust suites\' case fields (report.rs CaseReport)', shape.every((k) => r.real.keys.includes(k)), r.real.keys.join(', '));
  checks.ok('a function the .d.ts declares but the module lacks fails js_exports, naming it',
    r.extra.length === 1 && r.extra[0].name === 'js_exports' && r.extra[0].message.includes('notInTheModule'), JSON.stringify(r.extra));
  checks.ok(`the module without its declared function ${r.dropped} fails js_exports, naming it`,
    r.without.length >= 1 && r.without[0].name === 'js_exports' && r.without[0].message.includes(r.dropped), JSON.stringify(r.without).slice(0, 400));
  checks.ok('a member declared on Tensor that the class lacks fails js_class_members, naming Tensor.prototype.notAMember',
    r.member.length === 1 && r.member[0].name === 'js_class_members' && r.member[0].message.includes('Tensor.prototype.notAMember'), JSON.stringify(r.member));
  checks.ok(`a documented value that drifted (${r.drifted}) fails its example's case, naming the documented and the real value`,
    r.drifted !== null && r.value.length === 1 && r.value[0].name.startsWith('js_example_') && /is documented as .* the module gave /.test(r.value[0].message),
    JSON.stringify(r.value));
  checks.ok('the pages\' report renderer shows it like a Rust suite: a passing section with a card per case, and a failing one whose card names the missing export',
    r.shown[0].state === 'pass' && r.shown[0].cards === r.real.cases.length && r.shown[1].state === 'fail' && r.shown[1].failed.some((t) => t.includes('notInTheModule')),
    JSON.stringify(r.shown).slice(0, 300));
  checks.ok(`the Rust half, runSuite('api_compatibility'), passes in the browser (${r.rust.cases} cases, ${r.rust.ms.toFixed(0)} ms)`, r.rust.passed && r.rust.cases === 20, JSON.stringify(r.rust));
  checks.ok('with flip_sign planted in layer 2 it fails the MLP and CNN cases, naming layer 2',
    JSON.stringify(r.broken) === JSON.stringify([{ name: 'm03_layers', layer: 2 }, { name: 'm09_spatial', layer: 2 }]), JSON.stringify(r.broken));
  return r;
}

async function main() {
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const checks = new Checks();
  try {
    const page = await browser.newPage();
    checks.section('api_compatibility, the JS half (www/js/api-check.js)');
    await apiCompatFlow(page, server.base, checks);
  } finally {
    await browser.close();
    server.stop();
  }
  return checks.summary();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then((ok) => process.exit(ok ? 0 : 1), (err) => { console.error(err); process.exit(1); });
}
