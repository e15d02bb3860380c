// TinyTorch Lab: the student's progress in localStorage (schema version 2): per exercise the
// code, its status (not started / failing / passing / passing after viewing the solution), the
// hints shown and the last run's summary; the settings (use my code in later modules, the time
// limit); and, apart, the lab's own suite results ("the lab's reference framework passes
// these"). Version 1 (lab results only) migrates on first load. Export writes the same schema
// that src/exercises/progress.rs checks on import (in the worker), so an imported file is
// validated by the one definition of the schema before anything in it is kept.

const KEY = 'tinytorch-lab/progress/v2';
const OLD_KEY = 'tinytorch-lab/progress/v1';
export const FORMAT = 'tinytorch-lab-progress';
export const VERSION = 2;

const DEFAULT_SETTINGS = { useMyCode: true, timeLimitS: 10 };

function fresh() {
  return { format: FORMAT, version: VERSION, exercises: {}, settings: { ...DEFAULT_SETTINGS }, lab: { suites: {}, caseCounts: {} } };
}

function read() {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (data && typeof data === 'object' && data.version === VERSION && data.exercises) {
      data.settings = { ...DEFAULT_SETTINGS, ...(data.settings ?? {}) };
      data.lab ??= { suites: {}, caseCounts: {} };
      return data;
    }
    // Version 1 kept only the lab's suite results: they become the lab's results here.
    const old = JSON.parse(localStorage.getItem(OLD_KEY) ?? 'null');
    const data2 = fresh();
    if (old && typeof old === 'object' && old.suites) {
      data2.lab = { suites: old.suites ?? {}, caseCounts: old.caseCounts ?? {} };
      write(data2, false);
      localStorage.removeItem(OLD_KEY);
    }
    return data2;
  } catch { /* storage unavailable or corrupt: start afresh */ }
  return fresh();
}

function write(data, notify = true) {
  try {
    localStorage.setItem(KEY, JSON.stringify(data));
  } catch { /* private mode or full: progress just isn't kept */ }
  if (notify) window.dispatchEvent(new CustomEvent('tinytorch-progress'));
}

// ---- exercises ---------------------------------------------------------------------------------

/** The saved state of module `module`'s exercise, or null. */
export function exerciseState(module) {
  return read().exercises[String(module)] ?? null;
}

/** Merges `patch` into module `module`'s exercise (creating it) and saves. */
export function saveExercise(module, patch) {
  const data = read();
  const key = String(module);
  const prev = data.exercises[key] ?? { code: '', status: 'not_started', solutionViewed: false, hints: {} };
  data.exercises[key] = { ...prev, ...patch, updatedAt: new Date().toISOString() };
  write(data);
  return data.exercises[key];
}

/** Saves the editor's code only (no event: typing must not re-render the page). */
export function saveCode(module, code) {
  const data = read();
  const key = String(module);
  const prev = data.exercises[key] ?? { code: '', status: 'not_started', solutionViewed: false, hints: {} };
  data.exercises[key] = { ...prev, code, updatedAt: new Date().toISOString() };
  write(data, false);
}

/** Forgets module `module`'s exercise (its code goes back to the starter). */
export function resetExercise(module) {
  const data = read();
  delete data.exercises[String(module)];
  write(data);
}

/**
 * Records a finished run of module `module`: passing needs every unit check and every suite to
 * pass. Returns the new state.
 */
export function recordRun(module, { code, units, reports, seed = 0, durationMs = 0 }) {
  const prev = exerciseState(module);
  const solutionViewed = prev?.solutionViewed ?? false;
  const passed = Boolean(units?.passed) && reports.every((r) => r.passed);
  const status = passed ? (solutionViewed ? 'passing_after_solution' : 'passing') : 'failing';
  const lastRun = {
    at: new Date().toISOString(),
    passed,
    functions: (units?.functions ?? []).map((f) => ({ name: f.name, status: f.status, passed: f.passed, total: f.total })),
    suites: reports.map((r) => ({ suite: r.suite, passed: r.passed, failed: r.cases.filter((c) => !c.passed).map((c) => c.name) })),
    durationMs: Math.round(durationMs),
    seed,
  };
  return saveExercise(module, { code, status, lastRun });
}

/** Notes that the student opened the solution of module `module`. */
export function markSolutionViewed(module) {
  const prev = exerciseState(module);
  const status = prev?.status === 'passing' ? 'passing_after_solution' : prev?.status ?? 'not_started';
  saveExercise(module, { solutionViewed: true, status });
}

/** Records how many hints of `fn` were shown. */
export function markHint(module, fn, shown) {
  const prev = exerciseState(module);
  const hints = { ...(prev?.hints ?? {}), [fn]: Math.max(shown, prev?.hints?.[fn] ?? 0) };
  saveExercise(module, { hints });
}

const WORDS = {
  not_started: ['not-started', 'not started', 'You have not run this exercise yet.'],
  failing: ['failing', 'failing', 'Your last run failed some checks.'],
  passing: ['passing', 'passing', 'Your code passed every unit check and suite.'],
  passing_after_solution: ['passing-solution', 'passing (solution viewed)', 'Your code passes, after you viewed the solution.'],
};

/** The student's status of an exercise module: `{ status, label, detail }`. */
export function exerciseStatus(module) {
  const s = exerciseState(module);
  const key = s?.lastRun ? s.status : 'not_started';
  const [status, label, detail] = WORDS[key] ?? WORDS.not_started;
  return { status, label, detail };
}

/** The exercises that passed, `[{ module, code }]`: they power later modules when the
 * "use my code" setting is on. */
export function passedExercises({ before = Infinity } = {}) {
  const data = read();
  if (!data.settings.useMyCode) return [];
  return Object.entries(data.exercises)
    .filter(([m, e]) => Number(m) < before && (e.status === 'passing' || e.status === 'passing_after_solution'))
    .map(([m, e]) => ({ module: Number(m), code: e.code }));
}

// ---- settings ----------------------------------------------------------------------------------

export function settings() {
  return read().settings;
}

export function setSetting(key, value) {
  const data = read();
  data.settings = { ...data.settings, [key]: value };
  write(data);
}

// ---- export / import ---------------------------------------------------------------------------

/** The progress as the text of an export file. */
export function exportProgress() {
  const { exercises, settings: s } = read();
  return JSON.stringify({ format: FORMAT, version: VERSION, exportedAt: new Date().toISOString(), exercises, settings: s }, null, 2);
}

/**
 * Replaces the exercises and settings with `checked` — an object already validated by the
 * worker's parseProgress (the Rust schema). The lab's own results are kept.
 */
export function importProgress(checked) {
  const data = read();
  data.exercises = checked.exercises ?? {};
  data.settings = { ...DEFAULT_SETTINGS, ...(checked.settings ?? {}) };
  write(data);
}

// ---- the lab's own suite results (kept apart from the student's) -------------------------------

/** Records finished suite reports of the lab's reference framework (never a fault run or a
 * run with the student's code). */
export function recordReports(reports) {
  const data = read();
  for (const r of reports) {
    if (r.fault) continue;
    data.lab.caseCounts[r.suite] = r.cases.length;
    const failed = r.cases.filter((c) => !c.passed).map((c) => c.name);
    data.lab.suites[r.suite] = { passed: r.passed, failed, cases: r.cases.length, modules: r.modules, at: new Date().toISOString() };
  }
  write(data);
}

/** How many cases a suite had last time (for a determinate progress bar), or undefined. */
export function expectedCases(names) {
  const counts = read().lab.caseCounts;
  let total = 0;
  for (const n of names) {
    if (!(n in counts)) return undefined;
    total += counts[n];
  }
  return total;
}

/** Clears the lab's recorded suite results (the student's exercises are untouched). */
export function resetProgress() {
  const data = read();
  data.lab = { suites: {}, caseCounts: data.lab.caseCounts };
  write(data);
}

/**
 * The lab's status for a module (its reference framework on the suites that cover it):
 * `{ status, label, detail }` with status 'not-built' | 'none' | 'not-run' | 'partial' | 'pass' | 'fail'.
 */
export function labStatus(mod, suites) {
  if (!mod.built) return { status: 'not-built', label: 'not built', detail: 'This module is not built yet.' };
  const touching = suites.filter((s) => s.modules.includes(mod.number));
  if (!touching.length) return { status: 'none', label: 'no checks yet', detail: 'No suite covers this module yet.' };
  const stored = read().lab.suites;
  const ran = touching.filter((s) => stored[s.name]);
  const failed = ran.filter((s) => !stored[s.name].passed);
  const names = (list) => list.map((s) => s.name).join(', ');
  if (failed.length) return { status: 'fail', label: 'lab: fail', detail: `The lab's reference fails: ${names(failed)}` };
  if (ran.length === touching.length) return { status: 'pass', label: 'lab: pass', detail: `The lab's reference framework passes: ${names(ran)}` };
  if (ran.length) return { status: 'partial', label: `lab: ${ran.length}/${touching.length}`, detail: `Not run yet: ${names(touching.filter((s) => !stored[s.name]))}` };
  return { status: 'not-run', label: 'lab: not run', detail: `The lab's suites: ${names(touching)}` };
}

/** The stored result of one of the lab's suites, or undefined. */
export const suiteResult = (name) => read().lab.suites[name];
