// TinyTorch Lab: runs a set of suites in the worker and renders them as they go, with a
// progress bar and a status line. Shared by the home page ("Run all suites") and each
// module's Checks panel. Suites are discovered with listSuites(), never hard-coded.

import { h, setChildren, announce, fmtMs } from './dom.js';
import { checksWorker } from './jobs.js';
import { suiteSection } from './report.js';
import { recordReports, expectedCases } from './progress.js';

let suiteList = null;

/** Every fault kind `[{ name, label, description }]` (the crate's faultKinds()), asked once. */
let kindList = null;
export function faultKinds() {
  kindList ??= checksWorker.run('faultKinds').catch((err) => { kindList = null; throw err; });
  return kindList;
}

/** Every suite `[{ name, category, modules, description }]`, asked of the worker once. */
export function listSuites() {
  suiteList ??= checksWorker.run('listSuites').catch((err) => { suiteList = null; throw err; });
  return suiteList;
}

/** A progress bar plus a status line; `el` goes into the page. */
export function progressView() {
  const bar = h('progress', { class: 'progress', max: 1, hidden: true });
  const text = h('span', { class: 'progress-text', role: 'status' });
  const el = h('div', { class: 'progress-row' }, bar, text);
  return {
    el,
    start(total) {
      bar.hidden = false;
      if (total) { bar.max = total; bar.value = 0; } else bar.removeAttribute('value');
    },
    step(done, message) {
      if (bar.hasAttribute('value') && done <= bar.max) bar.value = done;
      text.textContent = message;
    },
    end(message) {
      bar.hidden = true;
      text.textContent = message;
      announce(message);
    },
  };
}

/**
 * Runs `suites` (metadata from listSuites) into `resultsEl`, optionally with a fault
 * `{ layer, kind }`. Returns the suite reports. Normal runs are recorded as progress.
 */
export async function runSuites(suites, { resultsEl, progress, fault = null, seed = 0, collapsible = false, student = [], quick = false }) {
  const names = suites.map((s) => s.name);
  const sections = new Map();
  setChildren(resultsEl);
  // listSuites() states each suite's case count; a planted fault may add one "fault_planted" case.
  const stated = suites.reduce((n, s) => n + (s.cases ?? 0), 0);
  progress.start(stated > 0 ? stated : fault ? undefined : expectedCases(names));
  let done = 0;
  const started = performance.now();
  const onProgress = (msg) => {
    if (msg.kind === 'suite-start') {
      const meta = suites.find((s) => s.name === msg.suite);
      const section = suiteSection(meta, { fault, collapsible, yourCode: student.length > 0 });
      sections.set(msg.suite, section);
      resultsEl.append(section.el);
      progress.step(done, `Running ${msg.suite} (suite ${msg.index + 1} of ${msg.total})…`);
    } else if (msg.kind === 'case') {
      done += 1;
      sections.get(msg.suite)?.addCase(msg.report);
      progress.step(done, `Running ${msg.suite}: ${msg.report.name} done (${done} case${done === 1 ? '' : 's'} so far)`);
    }
  };
  try {
    const { reports } = await checksWorker.run('runSuites', { names, seed, fault: fault && { layer: fault.layer, kind: fault.kind }, student, quick }, { onProgress });
    for (const r of reports) sections.get(r.suite)?.finish(r);
    // Only the lab's own runs are the lab's results; a run on the student's code is theirs.
    if (!fault && !student.length && !quick) recordReports(reports);
    const passed = reports.filter((r) => r.passed).length;
    const cases = reports.reduce((n, r) => n + r.cases.length, 0);
    progress.end(`${passed} of ${reports.length} suite${reports.length === 1 ? '' : 's'} passed${quick ? ' in quick mode' : ''} (${cases} cases, ${fmtMs(performance.now() - started)}).`);
    return reports;
  } catch (err) {
    progress.end(`The run stopped: ${err.message}`);
    resultsEl.append(h('p', { class: 'error-box', role: 'alert' }, `Error: ${err.message}`));
    throw err;
  }
}
