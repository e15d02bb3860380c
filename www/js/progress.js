// TinyTorch Lab: the student's progress, kept in localStorage. It stores the latest result of
// each suite (from a normal run, never a "break a layer" run) and derives each module's
// status from the suites whose `modules` include it: pass, fail, partly run, not run, not built.

const KEY = 'tinytorch-lab/progress/v1';

function load() {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (data && typeof data === 'object' && data.suites) return data;
  } catch { /* storage unavailable or corrupt: start afresh */ }
  return { suites: {}, caseCounts: {} };
}

function save(data) {
  try {
    localStorage.setItem(KEY, JSON.stringify(data));
  } catch { /* private mode or full: progress just isn't kept */ }
  window.dispatchEvent(new CustomEvent('tinytorch-progress'));
}

/** Records finished suite reports. Runs with an injected fault are not progress and are ignored. */
export function recordReports(reports) {
  const data = load();
  for (const r of reports) {
    if (r.fault) continue;
    data.caseCounts[r.suite] = r.cases.length;
    const failed = r.cases.filter((c) => !c.passed).map((c) => c.name);
    data.suites[r.suite] = { passed: r.passed, failed, cases: r.cases.length, modules: r.modules, at: new Date().toISOString() };
  }
  save(data);
}

/** How many cases a suite had last time (for a determinate progress bar), or undefined. */
export function expectedCases(names) {
  const counts = load().caseCounts;
  let total = 0;
  for (const n of names) {
    if (!(n in counts)) return undefined;
    total += counts[n];
  }
  return total;
}

export function resetProgress() {
  const data = load();
  save({ suites: {}, caseCounts: data.caseCounts });
}

/**
 * A module's status: `{ status, label, detail }` with status one of
 * 'not-built' | 'none' | 'not-run' | 'partial' | 'pass' | 'fail'.
 */
export function moduleStatus(mod, suites) {
  if (!mod.built) return { status: 'not-built', label: 'not built', detail: 'This module is not built yet.' };
  const touching = suites.filter((s) => s.modules.includes(mod.number));
  if (!touching.length) return { status: 'none', label: 'no checks yet', detail: 'No suite covers this module yet.' };
  const stored = load().suites;
  const ran = touching.filter((s) => stored[s.name]);
  const failed = ran.filter((s) => !stored[s.name].passed);
  const names = (list) => list.map((s) => s.name).join(', ');
  if (failed.length) return { status: 'fail', label: 'fail', detail: `Failing: ${names(failed)}` };
  if (ran.length === touching.length) return { status: 'pass', label: 'pass', detail: `Passed: ${names(ran)}` };
  if (ran.length) return { status: 'partial', label: `${ran.length}/${touching.length} suites`, detail: `Not run yet: ${names(touching.filter((s) => !stored[s.name]))}` };
  return { status: 'not-run', label: 'not run', detail: `Checks: ${names(touching)}` };
}

/** The stored result of one suite, or undefined. */
export const suiteResult = (name) => load().suites[name];
