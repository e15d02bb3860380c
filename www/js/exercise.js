// TinyTorch Lab: the exercise panel of modules 01–09. The student writes the module's
// functions in a code editor; Run checks sends the code to its own worker, which puts every
// exported function into the framework's slot of the same name and runs the module's unit checks
// and then its integration suites with the student's code in place (and the code of earlier
// exercises that passed, unless switched off). Results stream in: unit checks as expected vs
// yours, suites with the per-layer gradient table marking the student's layers. A time limit
// (shown while it runs, with Stop) terminates a runaway run; the code is saved before every
// run, so nothing is lost.

import { h, setChildren, pad2, fmtMs, announce } from './dom.js';
import { WorkerClient } from './jobs.js';
import { unitSection } from './unit-view.js';
import { suiteSection } from './report.js';
import { createEditor, syntaxError } from './editor.js';
import { mountHelp } from './exercise-help.js';
import {
  exerciseState, saveCode, recordRun, resetExercise, exerciseStatus, passedExercises, settings, setSetting,
} from './progress.js';

/** The worker that runs student code: its own, so Stop never touches the lab's checks. */
export const exerciseWorker = new WorkerClient();

const LIMITS = [10, 30, 60, 120];

async function text(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/**
 * Where the first failure points into the student's code: the "(line L:C)" the engine adds to
 * an exception's message, in the first failing unit check, else the first failing case.
 */
export function firstErrorAt(r) {
  const messages = [
    ...(r.units?.checks ?? []).filter((c) => c.status === 'fail' || c.status === 'todo').map((c) => `${c.function}: ${c.message}`),
    ...r.reports.flatMap((rep) => rep.cases.filter((c) => !c.passed).map((c) => c.message)),
  ];
  for (const m of messages) {
    const hit = /\(line (\d+):(\d+)\)/.exec(m);
    if (hit) return { line: Number(hit[1]), column: Number(hit[2]), message: m.replace(hit[0], '').trim() };
  }
  return null;
}

/** Loads the starter, solution and hints of `mod` from its folder (the registry's exercise.dir). */
export async function loadExercise(mod) {
  const { dir } = mod.exercise;
  const [starter, solution, hints] = await Promise.all([
    text(dir + 'starter.js'), text(dir + 'solution.js'), import(new URL(`../${dir}hints.js`, import.meta.url)).then((m) => m.HINTS),
  ]);
  return { starter, solution, hints };
}

/**
 * Mounts the panel into `root` for module `mod`. `catalogue` is the worker's listExercises
 * answer; `onStatus()` is called when the exercise's status changes.
 */
export async function mountExercise(root, mod, { catalogue, onStatus = () => {} }) {
  const entry = catalogue.exercises.find((e) => e.module === mod.number);
  const slots = catalogue.slots.filter((s) => s.module === mod.number);
  const content = await loadExercise(mod);
  const saved = exerciseState(mod.number);
  const status = h('span', { class: 'progress-text', role: 'status', id: 'exercise-status' });
  const runBtn = h('button', { class: 'btn btn-primary', id: 'run-exercise', type: 'button' }, 'Run checks');
  const stopBtn = h('button', { class: 'btn btn-warn', id: 'stop-exercise', type: 'button', hidden: true }, 'Stop');
  const limitSel = h('select', { id: 'time-limit', 'aria-describedby': 'time-limit-help' },
    LIMITS.map((s) => h('option', { value: s }, `${s} s`)));
  limitSel.value = String(LIMITS.includes(settings().timeLimitS) ? settings().timeLimitS : 10);
  const resetBtn = h('button', { class: 'btn btn-quiet', id: 'reset-exercise', type: 'button' }, 'Reset my code…');
  const useMine = h('input', { type: 'checkbox', id: 'use-my-code', checked: settings().useMyCode });
  // Fast suites run every time; the slow scenario suites (seconds of training with your code)
  // only when asked.
  const covering = catalogue.suites.filter((s) => entry?.suites.includes(s.name));
  const slow = covering.filter((s) => !s.fast);
  const withSlow = h('input', { type: 'checkbox', id: 'include-slow' });
  const results = h('div', { class: 'results exercise-results', id: 'exercise-results', 'aria-live': 'polite' });
  const editorHost = h('div', { class: 'editor-host', id: 'exercise-editor' });
  const help = h('div', { class: 'fn-help' });
  setChildren(root,
    h('h2', { id: 'work-title' }, 'Write it yourself'),
    h('p', {}, `Implement the ${slots.length} function${slots.length === 1 ? '' : 's'} below. `
      + 'Run checks puts each one into the framework in place of the lab\'s own code, runs its unit checks, '
      + `then the integration suites that cover module ${pad2(mod.number)} with your code inside real models. `,
    h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter'), ' runs from the editor.'),
    help,
    editorHost,
    h('div', { class: 'actions exercise-actions' }, runBtn, stopBtn,
      h('label', { class: 'inline-field' }, h('span', {}, 'Time limit'), limitSel), resetBtn, status),
    h('p', { class: 'field-help', id: 'time-limit-help' }, 'A run that takes longer is stopped (the worker is restarted); your code is saved before every run.'),
    h('label', { class: 'switch' }, useMine,
      h('span', {}, 'Use my code from the exercises I passed (modules before this one, later modules and the milestones); off: the lab\'s code')),
    slow.length ? h('label', { class: 'switch' }, withSlow,
      h('span', {}, 'Also train the scenario suite', slow.length === 1 ? ' ' : 's ', slow.map((x, i) => [i ? ', ' : '', h('code', {}, x.name)]),
        ' with my code (seconds of training: raise the time limit)')) : null,
    results);

  const editor = createEditor(editorHost, {
    doc: saved?.code || content.starter,
    label: `Module ${pad2(mod.number)} exercise code`,
    onChange: (code) => saveCode(mod.number, code),
    onRun: () => run(),
  });
  mountHelp(help, { mod, slots, content, editor, onStatus });

  const showStatus = () => {
    const s = exerciseStatus(mod.number);
    root.dataset.status = s.status;
    onStatus(s);
  };
  showStatus();
  useMine.addEventListener('change', () => setSetting('useMyCode', useMine.checked));
  limitSel.addEventListener('change', () => setSetting('timeLimitS', Number(limitSel.value)));
  resetBtn.addEventListener('click', () => {
    if (!window.confirm(`Reset module ${pad2(mod.number)}? Your code goes back to the starter and its status to "not started". This cannot be undone (export your progress from the course home first if you want a copy).`)) return;
    resetExercise(mod.number);
    editor.setValue(content.starter);
    editor.clearMarks();
    setChildren(results);
    status.textContent = 'Reset to the starter code.';
    showStatus();
  });
  stopBtn.addEventListener('click', () => exerciseWorker.stop(new Error('stopped: you pressed Stop. The worker restarts on the next run; your code is saved.')));

  async function run() {
    if (runBtn.disabled) return;
    const code = editor.getValue();
    saveCode(mod.number, code);
    editor.clearMarks();
    const bad = syntaxError(code);
    if (bad) {
      editor.markError(bad);
      status.textContent = `Your code does not parse: ${bad.message}. Fix line ${bad.line} and run again.`;
      root.dataset.state = 'syntax-error';
      announce(status.textContent);
      return;
    }
    const limit = Number(limitSel.value) * 1000;
    const others = passedExercises({ before: mod.number });
    const suites = covering.filter((x) => x.fast || withSlow.checked).map((x) => x.name);
    setChildren(results);
    const units = unitSection(slots.map((s) => s.name));
    const suiteHead = h('h3', { class: 'results-head' }, 'Integration suites with your code');
    const suiteBox = h('div', { class: 'suites-with-code' });
    const note = others.length
      ? h('p', { class: 'muted small your-modules' }, `Also in place: your code from module${others.length === 1 ? '' : 's'} ${others.map((o) => pad2(o.module)).join(', ')} (passed exercises).`)
      : null;
    results.append(h('h3', { class: 'results-head' }, 'Unit checks'), units.el, suiteHead, ...(note ? [note] : []), suiteBox);
    const sections = new Map();
    runBtn.disabled = true;
    stopBtn.hidden = false;
    root.dataset.state = 'running';
    const started = performance.now();
    const tick = setInterval(() => {
      status.textContent = `Running… ${((performance.now() - started) / 1000).toFixed(1)} s of ${limit / 1000} s`;
    }, 100);
    try {
      const r = await exerciseWorker.run('runExercise', { module: mod.number, code, others, suites, seed: 0 }, {
        timeoutMs: limit,
        onProgress(msg) {
          if (msg.kind === 'unit') units.add(msg.result);
          else if (msg.kind === 'suite-start') {
            const meta = catalogue.suites.find((s) => s.name === msg.suite) ?? { name: msg.suite, category: '', modules: [] };
            const sec = suiteSection(meta, { yourCode: true });
            sections.set(msg.suite, sec);
            suiteBox.append(sec.el);
          } else if (msg.kind === 'case') sections.get(msg.suite)?.addCase(msg.report);
          else if (msg.kind === 'warning') results.prepend(h('p', { class: 'notice' }, msg.message));
        },
      });
      if (r.loadError) {
        editor.markError({ line: r.loadError.line, column: r.loadError.column, message: r.loadError.message });
        status.textContent = r.loadError.line ? `${r.loadError.message} (line ${r.loadError.line})` : r.loadError.message;
        root.dataset.state = 'load-error';
        return;
      }
      units.finish(r.units);
      const own = new Set(slots.map((x) => x.name));
      for (const rep of r.reports) {
        const sec = sections.get(rep.suite);
        sec?.finish(rep);
        // A suite that never called this module's functions checked the lab's code (and your
        // earlier modules'): say so, so its pass is not read as a pass of this exercise.
        const used = rep.cases.some((c) => c.your_code.some((n) => own.has(n)));
        if (sec && !used) {
          sec.el.dataset.yours = 'none';
          sec.el.append(h('p', { class: 'not-yours muted small' }, `This suite never called your module ${pad2(mod.number)} functions, so here it checked the lab's code${others.length ? ' and your earlier modules' : ''}.`));
        }
      }
      const where = firstErrorAt(r);
      if (where) editor.markError(where);
      const state = recordRun(mod.number, { code, units: r.units, reports: r.reports, durationMs: performance.now() - started });
      const fnPass = r.units.functions.filter((f) => f.status === 'pass').length;
      const suitePass = r.reports.filter((x) => x.passed).length;
      status.textContent = `${state.lastRun.passed ? 'Passed' : 'Not yet'}: ${fnPass} of ${r.units.functions.length} functions pass their unit checks, `
        + `${suitePass} of ${r.reports.length} suites pass with your code (${fmtMs(performance.now() - started)}).`;
      root.dataset.state = state.lastRun.passed ? 'pass' : 'fail';
    } catch (err) {
      const timedOut = /time limit/.test(err.message);
      status.textContent = timedOut
        ? `Stopped after ${limit / 1000} s (the time limit): an endless loop, or a run slower than the limit allows. Your code is saved; raise the limit or fix the loop and run again.`
        : `The run stopped: ${err.message}`;
      results.append(h('p', { class: 'error-box', role: 'alert' }, status.textContent));
      root.dataset.state = timedOut ? 'timeout' : 'stopped';
    } finally {
      clearInterval(tick);
      runBtn.disabled = false;
      stopBtn.hidden = true;
      showStatus();
      announce(status.textContent);
    }
  }
  runBtn.addEventListener('click', run);
  root.dataset.state = 'ready';
  return { editor, run };
}
