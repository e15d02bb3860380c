// TinyTorch Lab: the JS half of the `api_compatibility` suite. `checkJsApi(tt, dtsText)` reads
// the generated TypeScript declarations (pkg/tinytorch.d.ts) and holds the module object `tt`
// to them: every exported class and function is there with the right kind, every declared
// class member exists, and the documented examples (the ```js blocks of the doc comments) run
// and give the values their comments state. Names come from the .d.ts itself, never from a
// list kept here, so a new export is checked the day it appears.
//
// It returns a report in the shape of the Rust suites' reports (report.rs: suite, cases with
// name, description, passed, message, …), so the pages' report renderer shows it as it is.
//
//   import * as tt from './tinytorch.js';
//   await tt.ready();
//   const dts = await (await fetch('../pkg/tinytorch.d.ts')).text();
//   checkJsApi(tt, dts).passed;   // true

/** Examples not run by default: they train models for seconds or change global state. */
export const SLOW_OR_STATEFUL = ['runCapstone', 'trainGpt', 'trainDigits', 'distill', 'benchMlp', 'benchCnn',
  'kvCacheTiming', 'useImplementation', 'clearImplementations'];

// Names an example may use without defining them: JS keywords and the browser's globals.
const KNOWN = new Set(('break case catch class const continue debugger default delete do else export extends false ' +
  'finally for function if import in instanceof let new null return super switch this throw true try typeof ' +
  'undefined var void while with yield async await of console Math JSON Array Object Number String Boolean ' +
  'Float32Array Uint32Array Int8Array Uint8Array Map Set Date Promise Error Infinity NaN Symbol globalThis').split(' '));

/** Blanks out string contents and comments, keeping offsets (so identifiers can be scanned). */
function stripStrings(code) {
  return code.replace(/\/\/.*$/gm, (m) => ' '.repeat(m.length))
    .replace(/(['"`])(?:\\.|(?!\1)[^\\])*\1/g, (m) => `'${' '.repeat(Math.max(0, m.length - 2))}'`);
}

/** The parsed .d.ts: exported classes (with members), functions, and doc examples. */
export function parseDts(text) {
  const exports = [];
  const examples = [];
  const lines = text.split('\n');
  let doc = [];
  let inDoc = false;
  let cls = null;
  for (const raw of lines) {
    const line = raw.trimEnd();
    const t = line.trim();
    if (t.startsWith('/**')) { inDoc = true; doc = []; }
    if (inDoc) {
      doc.push(t.replace(/^\/\*\*\s?/, '').replace(/^\*\/$/, '').replace(/^\*\s?/, '').replace(/\s*\*\/$/, ''));
      if (t.endsWith('*/')) inDoc = false;
      continue;
    }
    let m;
    if ((m = /^export (?:declare )?class (\w+)/.exec(t))) {
      cls = { name: m[1], kind: 'class', members: [] };
      exports.push(cls);
      takeExamples(doc, m[1], examples);
    } else if ((m = /^export (?:declare )?function (\w+)/.exec(t))) {
      exports.push({ name: m[1], kind: 'function' });
      takeExamples(doc, m[1], examples);
    } else if (cls && t === '}' && !line.startsWith(' ')) {
      cls = null;
    } else if (cls && /^\s+[\w[]/.test(line)) {
      // A member: `static fromArray(…): Tensor;`, `forward(x: Tensor): Tensor;`, `get shape(): …`,
      // `set requiresGrad(v: boolean);`, `readonly x: number;`, `private constructor();`.
      const mm = /^(?:(private|protected)\s+)?(static\s+)?(?:readonly\s+)?(?:(get|set)\s+)?(\[?[\w.]+\]?)\s*[(:?]/.exec(t);
      if (mm && !mm[1] && mm[4] === 'constructor') takeExamples(doc, `new ${cls.name}`, examples);
      else if (mm && !mm[1] && !mm[4].startsWith('[')) {
        cls.members.push({ name: mm[4], isStatic: Boolean(mm[2]), accessor: mm[3] ?? (/^\w+\s*\(/.test(t.replace(/^(static\s+)?(readonly\s+)?/, '')) ? 'method' : 'property') });
        takeExamples(doc, `${cls.name}.${mm[4]}`, examples);
      }
    }
    if (t && !t.startsWith('*')) doc = [];
  }
  // wasm-bindgen's loader entry points are not part of the course API.
  return { exports: exports.filter((e) => !['initSync', '__wbg_init'].includes(e.name)), examples };
}

function takeExamples(doc, owner, out) {
  let block = null;
  for (const l of doc) {
    if (/^```js\b/.test(l.trim())) block = [];
    else if (block && l.trim().startsWith('```')) { out.push({ owner, code: block.join('\n') }); block = null; } else if (block) block.push(l);
  }
}

/** A documented value written in a comment (`[2, 3]`, `0.5`, `true`, `"mse"`), or undefined. */
export function parseDocumented(comment) {
  // `Float32Array [2, 4, 6, 8]`: the type is a reader's hint; the values are compared.
  const c = comment.trim().replace(/^(?:Float32Array|Uint32Array|Int32Array|Int8Array|Array)\s+(?=\[)/, '');
  if (c.includes('…') || c.includes('...')) return undefined;
  const attempt = (s) => {
    try {
      return { value: JSON.parse(s.replace(/'/g, '"').replace(/([{,]\s*)([A-Za-z_]\w*)\s*:/g, '$1"$2":')) };
    } catch { return undefined; }
  };
  const whole = attempt(c);
  if (whole) return whole;
  // A literal followed by words: `[64, 128]: Flatten is layer 0`.
  const open = c[0];
  if (open === '[' || open === '{') {
    const close = open === '[' ? ']' : '}';
    let depth = 0;
    for (let i = 0; i < c.length; i++) {
      if (c[i] === open) depth++;
      if (c[i] === close && --depth === 0) return attempt(c.slice(0, i + 1));
    }
  }
  // A bare literal, or one before a colon (`1: layer 1`); `5 values` is prose, not a value.
  const lead = /^(-?\d+(?:\.\d+)?(?:e-?\d+)?|true|false|null)\s*(?:$|:)/.exec(c);
  return lead ? attempt(lead[1]) : undefined;
}

/** Deep equality for documented values: numbers within 1e-6 (relative), array-likes as arrays. */
function same(want, got) {
  if (typeof want === 'number') return typeof got === 'number' && Math.abs(want - got) <= 1e-6 * Math.max(1, Math.abs(want));
  if (Array.isArray(want)) {
    const g = got && typeof got === 'object' && typeof got.length === 'number' ? Array.from(got) : null;
    return g !== null && g.length === want.length && want.every((w, i) => same(w, g[i]));
  }
  if (want && typeof want === 'object') return got && typeof got === 'object' && Object.keys(want).every((k) => same(want[k], got[k]));
  return want === got;
}

const show = (v) => {
  try { return JSON.stringify(v && typeof v === 'object' && typeof v.length === 'number' ? Array.from(v) : v); } catch { return String(v); }
};

/** The identifiers an example uses without defining them (beyond `known`). */
export function freeNames(code, known) {
  const s = stripStrings(code);
  const declared = new Set();
  // Call arguments hide the commas between declarators (`const a = f(1, 2), b = 3`).
  let flat = s;
  for (let prev = ''; prev !== flat;) { prev = flat; flat = flat.replace(/\([^()]*\)/g, ''); }
  for (const m of flat.matchAll(/\b(?:const|let|var|function)\s+(\{[^}]*\}|\[[^\]]*\]|[\w$]+(?:\s*=[^,;]*)?(?:\s*,\s*[\w$]+(?:\s*=[^,;]*)?)*)/g)) {
    for (const id of m[1].replace(/=[^,;]*/g, '').match(/[A-Za-z_$][\w$]*/g) ?? []) declared.add(id);
  }
  for (const m of s.matchAll(/\(([^()]*)\)\s*=>|([A-Za-z_$][\w$]*)\s*=>/g)) {
    for (const id of (m[1] ?? m[2]).match(/[A-Za-z_$][\w$]*/g) ?? []) declared.add(id);
  }
  const free = new Set();
  for (const m of s.matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*/g)) {
    const before = s.slice(0, m.index).trimEnd();
    const after = s.slice(m.index + m[0].length).trimStart();
    const isKey = after.startsWith(':') && /[{,]$/.test(before);
    if (before.endsWith('.') || isKey || declared.has(m[0]) || KNOWN.has(m[0]) || known.has(m[0])) continue;
    free.add(m[0]);
  }
  return [...free];
}

/** Turns `expr;   // value` lines into checks; returns the body and the documented values. */
function instrument(code) {
  const checks = [];
  const body = code.split('\n').map((line) => {
    const m = /^(.*;)\s*\/\/\s*(.+)$/.exec(line);
    if (!m) return line;
    const stmts = m[1].slice(0, -1);
    const cut = stmts.lastIndexOf(';');
    const [head, expr] = cut < 0 ? ['', stmts] : [stmts.slice(0, cut + 1), stmts.slice(cut + 1)];
    if (/^\s*(const|let|var|return|if|for)\b/.test(expr)) return line;
    const expected = parseDocumented(m[2]);
    checks.push({ expr: expr.trim(), comment: m[2].trim(), expected });
    return `${head} __check(${checks.length - 1}, (${expr}));`;
  }).join('\n');
  return { body, checks };
}

const blank = (name, description) => ({ name, description, passed: false, message: '', layer: null, gradcheck: null,
  curve: [], metrics: {}, your_code: [], detail: null });

function kindOf(v) {
  if (typeof v !== 'function') return v === undefined ? 'missing' : typeof v;
  const src = (() => { try { return Function.prototype.toString.call(v); } catch { return ''; } })();
  // A class, or a class behind a Proxy (the facade's Tensor), has a prototype with methods.
  const protoMethods = v.prototype ? Object.getOwnPropertyNames(v.prototype).filter((n) => n !== 'constructor') : [];
  return /^class\b/.test(src) || protoMethods.length > 0 ? 'class' : 'function';
}

/**
 * What the documented examples' surroundings hold, for `checkJsApi`'s `context`: each example
 * gets fresh objects (a digits MLP with 64 digit-shaped inputs and their labels, a
 * Linear(64, 128), a small GPT); the two examples written for other models get theirs.
 */
export function exampleContext(tt) {
  const { Tensor } = tt;
  const ids = (n, k) => Tensor.fromArray(Array.from({ length: n }, (_, i) => i % k), [n]);
  return (owner) => {
    if (owner === 'Sequential') return { x: Tensor.randn([2, 4]) };
    if (owner === 'gradcheck') {
      return { model: new tt.Sequential([new tt.Linear(4, 8), new tt.ReLU(), new tt.Linear(8, 2)]), x: Tensor.randn([8, 4]), y: Tensor.randn([8, 2]) };
    }
    const model = tt.digitsModel({ model: 'mlp', seed: 0 });
    const x = Tensor.rand([64, 1, 8, 8]);
    const y = ids(64, 10);
    return {
      model, x, y, testImages: x, testLabels: y, loss: tt.crossEntropyLoss(model.forward(x), y),
      lin: new tt.Linear(64, 128), trained: tt.digitsModel({ model: 'mlp', seed: 1 }),
      gpt: new tt.GPT({ vocab: 40, dim: 32, layers: 2, heads: 4, maxLen: 64 }),
    };
  };
}

/**
 * Checks module object `tt` against the TypeScript declarations `dtsText`. Options: `skip`,
 * names whose examples are not run (default {@link SLOW_OR_STATEFUL}); `context(owner)`, for
 * an example that uses names from its surroundings (`model`, `x`…), an object binding them
 * (called only for such examples; one that leaves a name unbound is listed as not run; default
 * {@link exampleContext}).
 * `examples: false` checks the names only (quick mode). Returns a suite report `{ suite,
 * category, modules, passed, cases, duration_ms, … }`.
 */
export function checkJsApi(tt, dtsText, { skip = SLOW_OR_STATEFUL, context = exampleContext(tt), examples: runExamples = true } = {}) {
  const started = performance.now();
  const { exports, examples } = parseDts(dtsText);
  const cases = [];

  const present = blank('js_exports', 'Every class and function the TypeScript declarations export is on the module object with the right kind (a class or a function).');
  const wrong = exports.map((e) => ({ e, got: kindOf(tt[e.name]) })).filter(({ e, got }) => got !== e.kind);
  present.passed = exports.length > 0 && wrong.length === 0;
  present.metrics = { declared: exports.length, classes: exports.filter((e) => e.kind === 'class').length };
  present.message = exports.length === 0 ? 'the declarations export nothing: is this tinytorch.d.ts?'
    : wrong.length ? wrong.map(({ e, got }) => (got === 'missing' ? `${e.name} (a ${e.kind}) is declared but missing from the module`
      : `${e.name} is declared a ${e.kind} but the module has a ${got}`)).join('; ')
      : `all ${exports.length} declared names are exported with the right kind`;
  cases.push(present);

  const members = blank('js_class_members', 'Every member the declarations give a class (methods, getters and setters, statics) exists on the class or its prototype.');
  const missing = [];
  let count = 0;
  for (const c of exports.filter((e) => e.kind === 'class')) {
    const cls = tt[c.name];
    if (typeof cls !== 'function') continue;
    for (const m of c.members) {
      count++;
      const where = m.isStatic ? cls : cls.prototype;
      const ok = m.accessor === 'method' ? typeof where?.[m.name] === 'function' : where != null && m.name in where;
      if (!ok) missing.push(`${c.name}${m.isStatic ? '.' : '.prototype.'}${m.name}`);
    }
  }
  members.passed = missing.length === 0;
  members.metrics = { members: count };
  members.message = missing.length ? `declared but missing: ${missing.join(', ')}` : `all ${count} declared members exist`;
  cases.push(members);

  const names = new Set(exports.map((e) => e.name));
  if (!runExamples) return report(cases, started);
  const notRun = [];
  const seen = new Map();
  for (const ex of examples) {
    const slow = skip.filter((n) => new RegExp(`\\b${n}\\s*\\(`).test(ex.code));
    let free = slow.length ? [] : freeNames(ex.code, names);
    let given = {};
    if (free.length && context) {
      let all = {};
      try { all = context(ex.owner) ?? {}; } catch { all = {}; }
      // Only the names the example leaves free: binding one it declares would be a redeclaration.
      given = Object.fromEntries(free.filter((n) => n in all).map((n) => [n, all[n]]));
      free = free.filter((n) => !(n in given));
    }
    if (free.length || slow.length) {
      notRun.push(`${ex.owner} (${slow.length ? `calls ${slow.join(', ')}` : `uses ${free.join(', ')}`})`);
      continue;
    }
    const n = (seen.get(ex.owner) ?? 0) + 1;
    seen.set(ex.owner, n);
    const inContext = Object.keys(given).length ? ` (with ${Object.keys(given).join(', ')} from the context)` : '';
    const c = blank(`js_example_${ex.owner.replace(/\W/g, '_')}${n > 1 ? `_${n}` : ''}`, `The documented example of ${ex.owner}${inContext} runs${/\/\/\s*\S/.test(ex.code) ? ' and gives the values its comments state' : ''}: ${ex.code.replace(/\s+/g, ' ').trim()}`);
    const { body, checks } = instrument(ex.code);
    const got = [];
    try {
      const list = [...names].filter((k) => tt[k] !== undefined && !(k in given));
      const extra = Object.keys(given);
      // eslint-disable-next-line no-new-func
      new Function('__check', ...list, ...extra, body)((i, v) => { got[i] = v; }, ...list.map((k) => tt[k]), ...extra.map((k) => given[k]));
      const bad = checks.filter((k, i) => k.expected && !same(k.expected.value, got[i]));
      c.passed = bad.length === 0;
      const compared = checks.filter((k) => k.expected).map((k) => `${k.expr} = ${show(k.expected.value)}`);
      c.message = bad.length ? bad.map((k) => `${ex.owner}: ${k.expr} is documented as ${show(k.expected.value)}, the module gave ${show(got[checks.indexOf(k)])}`).join('; ')
        : compared.length ? `ran; documented values hold: ${compared.join('; ')}` : 'ran without error (no documented value to compare)';
      c.metrics = { compared: compared.length };
    } catch (e) {
      c.message = `${ex.owner}: the documented example threw ${e?.name ?? 'an error'}: ${e?.message ?? e}`;
    }
    cases.push(c);
  }
  const ran = cases.length - 2;
  const cover = blank('js_examples', 'The declarations carry documented examples and the self-contained ones run (the others are listed: they need a model or data from their surroundings, or train for seconds).');
  cover.passed = ran > 0;
  cover.metrics = { examples: examples.length, ran, not_run: notRun.length };
  cover.message = ran > 0 ? `${ran} of ${examples.length} examples ran${notRun.length ? `; not run: ${notRun.join('; ')}` : ''}`
    : `no documented example could run (${examples.length} found)`;
  cases.push(cover);

  return report(cases, started);
}

/** The suite report of `cases`; `name` and `description` let report.js's suiteSection take it as its meta too. */
function report(cases, started) {
  return {
    suite: 'api_compatibility_js', name: 'api_compatibility_js',
    description: 'The JS API against its TypeScript declarations: every export, every member, the documented examples.',
    category: 'standard', modules: Array.from({ length: 20 }, (_, i) => i + 1),
    seed: 0, fault: null, quick: false, passed: cases.every((c) => c.passed), cases,
    duration_ms: performance.now() - started,
  };
}
