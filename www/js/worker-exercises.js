// TinyTorch Lab: the worker tasks that run a student's code, merged into js/worker.js's task
// table. A student's module (an ES module's source text) is imported from a blob URL, each
// exported function that names a slot of its course module goes into the framework with
// tt.useImplementation, and the module's unit checks and integration suites run with it in
// place. Errors thrown inside the student's code are annotated with their line and column in
// the student's source. Only this worker ever runs student code (the page never does), and the
// page terminates it at the time limit.

import * as tt from './tinytorch.js';

// `import … from './helpers.js'` in a student's module means the lab's helpers.
const HELPERS_URL = new URL('../exercises/helpers.js', import.meta.url).href;

/** The student's source with the helpers import pointed at the lab's file (same lines). */
function resolveImports(code) {
  return code.replace(/(from\s*|import\s*\(\s*|import\s*)(['"])\.{1,2}\/(?:exercises\/)?helpers\.js\2/g, (_, head, q) => `${head}${q}${HELPERS_URL}${q}`);
}

/** The first stack frame inside `url` as { line, column } (1-based), or null. */
function locate(err, url) {
  const stack = typeof err?.stack === 'string' ? err.stack : '';
  for (const line of stack.split('\n')) {
    const at = line.lastIndexOf(url);
    if (at < 0) continue;
    const m = /^:(\d+):(\d+)/.exec(line.slice(at + url.length));
    if (m) return { line: Number(m[1]), column: Number(m[2]) };
  }
  return null;
}

/**
 * Imports a student's module. Resolves to { exports, url, module } or throws an Error with
 * `line`/`column` when the source does not parse or its top level throws.
 */
async function importStudent(module, code) {
  const url = URL.createObjectURL(new Blob([resolveImports(code)], { type: 'text/javascript' }));
  try {
    const exports = await import(url);
    return { exports, url, module };
  } catch (err) {
    const where = locate(err, url);
    const e = new Error(`module ${String(module).padStart(2, '0')} could not be loaded: ${err?.name ?? 'Error'}: ${err?.message ?? err}`);
    if (where) Object.assign(e, where);
    e.loadError = true;
    throw e;
  }
}

/**
 * Wraps a student's function so an exception carries where it happened in the student's
 * source (err.line, err.column): the engine adds "(line L:C)" to its message, and the page
 * marks that line in the editor.
 */
function wrap(fn, url) {
  return function (...args) {
    try {
      return fn.apply(this, args);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(`threw a ${typeof err}: ${String(err)}`);
      const where = locate(error, url);
      if (where && error.line === undefined) Object.assign(error, where);
      throw error;
    }
  };
}

/** The slots of each module with exercises: { [module]: [name] }. */
function slotsByModule() {
  const out = {};
  for (const s of tt.listSlots()) (out[s.module] ??= []).push(s.name);
  return out;
}

/** Installs a module's functions. Returns { installed, missing, extra } (names). */
async function install(module, code) {
  const { exports, url } = await importStudent(module, code);
  const own = slotsByModule()[module] ?? [];
  const installed = [];
  for (const name of own) {
    const fn = exports[name];
    if (typeof fn !== 'function') continue;
    // trainEpoch composes the JS API: it gets the lab's API object, and everything its loop
    // creates is freed when it returns.
    const impl = name === 'trainEpoch'
      ? wrap((args) => tt.tidy(() => fn({ ...args, api: tt })), url)
      : wrap(fn, url);
    tt.useImplementation(name, impl);
    installed.push(name);
  }
  const missing = own.filter((n) => !installed.includes(n));
  const extra = Object.keys(exports).filter((n) => !own.includes(n));
  return { installed, missing, extra };
}

/**
 * Runs a student's exercise: `{ module, code, others: [{ module, code }], suites: [name],
 * seed, units = true }`. `others` are earlier modules whose exercises passed (their code
 * powers this run too). Streams { kind: 'unit', result } and the suite progress of runSuites;
 * returns { units, reports, installed, missing, extra, usedModules }.
 */
async function runExercise({ module, code, others = [], suites = [], seed = 0, units = true } = {}, progress) {
  tt.clearImplementations();
  try {
    const usedModules = [];
    for (const o of others) {
      if (o.module === module) continue;
      try {
        const r = await install(o.module, o.code);
        if (r.installed.length) usedModules.push({ module: o.module, functions: r.installed });
      } catch (err) {
        progress({ kind: 'warning', message: `Your module ${String(o.module).padStart(2, '0')} could not be loaded, so the lab's code is used for it: ${err.message}` });
      }
    }
    let mine;
    try {
      mine = await install(module, code);
    } catch (err) {
      return { loadError: { message: err.message, line: err.line ?? null, column: err.column ?? null }, units: null, reports: [] };
    }
    const unitReport = units
      ? tt.runUnitChecks(module, { seed, onCheck: (result) => progress({ kind: 'unit', result }) })
      : null;
    const reports = [];
    const chosen = tt.listSuites().filter((s) => suites.includes(s.name));
    for (const [index, suite] of chosen.entries()) {
      progress({ kind: 'suite-start', suite: suite.name, index, total: chosen.length });
      const report = tt.runSuite(suite.name, { seed, onCase: (done, total, r) => progress({ kind: 'case', suite: suite.name, done, total, report: r }) });
      reports.push(report);
      progress({ kind: 'suite-done', suite: suite.name, index, total: chosen.length, passed: report.passed });
    }
    return { units: unitReport, reports, installed: mine.installed, missing: mine.missing, extra: mine.extra, usedModules };
  } finally {
    tt.clearImplementations();
  }
}

/**
 * Runs `task` (a function of the worker) with the student's passed modules installed:
 * `student: [{ module, code }]`. Used by the milestone and the later modules' Checks, so a
 * student's code powers what comes after. Returns what `task` returns plus `usedModules`.
 */
export async function withStudentCode(student, task) {
  tt.clearImplementations();
  const usedModules = [];
  try {
    for (const s of student ?? []) {
      try {
        const r = await install(s.module, s.code);
        if (r.installed.length) usedModules.push({ module: s.module, functions: r.installed });
      } catch { /* a module that no longer loads is skipped: the lab's code runs instead */ }
    }
    const value = await task();
    return { value, usedModules };
  } finally {
    tt.clearImplementations();
  }
}

export const exerciseTasks = {
  runExercise,
  // An imported progress file, checked against the schema in Rust (src/exercises/progress.rs).
  parseProgress: async ({ text }) => tt.parseProgress(text),
  listExercises: async () => ({ exercises: tt.listExercises(), slots: tt.listSlots() }),
};
