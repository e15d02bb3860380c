// TinyTorch Lab: the Checks panel of a module page. It runs, in the worker, every suite whose
// `modules` include this module, renders each case as it finishes, and offers "Break a
// layer": plant a known fault in one layer, re-run, and see which layer the checks name.

import { h, setChildren, pad2 } from './dom.js';
import { faultKinds, listSuites, progressView, runSuites } from './suites-run.js';
import { moduleRange } from './report.js';

/**
 * Mounts the panel into `root` for module number `module`. `student()` (optional) gives the
 * student's passed exercises `[{ module, code }]` to run the suites on; without it (or when it
 * gives none) the suites run the lab's reference framework, and say so.
 */
export async function mountChecks(root, module, { student = null } = {}) {
  const progress = progressView();
  const results = h('div', { class: 'results', id: 'check-results' });
  const runBtn = h('button', { class: 'btn btn-primary', id: 'run-checks', type: 'button', disabled: true }, 'Run checks');
  const intro = h('div', { class: 'suite-list' }, h('p', { class: 'muted' }, 'Finding the suites that cover this module…'));
  const breaker = breakControl();
  const whose = h('p', { class: 'checks-whose', id: 'checks-whose' });
  setChildren(root,
    h('h2', { id: 'checks-title' }, 'Checks'),
    whose,
    intro,
    h('div', { class: 'actions' }, runBtn, progress.el),
    breaker.el,
    results);

  let suites;
  try {
    suites = (await listSuites()).filter((s) => s.modules.includes(module));
  } catch (err) {
    setChildren(intro, h('p', { class: 'error-box', role: 'alert' }, `The lab could not start its worker: ${err.message}`));
    return;
  }
  if (!suites.length) {
    setChildren(intro, h('p', {}, `No integration suite covers module ${pad2(module)} yet.`));
    breaker.el.hidden = true;
    return;
  }
  setChildren(intro,
    h('p', {}, `${suites.length} integration suite${suites.length === 1 ? '' : 's'} cover module ${pad2(module)}. `
      + 'They run in a background worker, so the page stays responsive.'),
    h('ul', { class: 'suite-intro' }, suites.map((s) => h('li', {},
      h('code', {}, s.name), ' ', h('span', { class: `chip chip-${s.category}` }, s.category), ' ',
      h('span', { class: 'chip chip-modules' }, `modules ${moduleRange(s.modules)}`), ' ', s.description))));

  const mine = () => (student ? student() : []);
  const sayWhose = () => {
    const s = mine();
    whose.replaceChildren(...(s.length
      ? [h('span', { class: 'chip chip-yours' }, 'your code'), ` These suites run on your passed exercises (module${s.length === 1 ? '' : 's'} ${s.map((x) => pad2(x.module)).join(', ')}) wherever they fill a part of the framework, and the lab's code elsewhere. Turn "use my code" off on an exercise page to run the lab's alone.`]
      : [h('span', { class: 'chip' }, 'the lab\'s code'), ' These checks run the lab\'s reference framework: they show what passing looks like, and what each planted fault does. '
        + (student ? 'Your passed exercises will run here too.' : 'Your own code is checked in "Write it yourself" above.')]));
  };
  sayWhose();
  window.addEventListener('tinytorch-progress', sayWhose);
  const buttons = [runBtn, breaker.runBtn, breaker.clearBtn];
  async function run(fault) {
    buttons.forEach((b) => { b.disabled = true; });
    root.dataset.state = 'running';
    try {
      const reports = await runSuites(suites, { resultsEl: results, progress, fault, student: mine() });
      breaker.learnLayers(reports);
      if (fault) breaker.explain(fault, reports);
      else breaker.explain(null);
      root.dataset.state = fault ? 'fault-done' : 'done';
    } catch {
      root.dataset.state = 'error';
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }
  runBtn.addEventListener('click', () => run(null));
  breaker.runBtn.addEventListener('click', () => run(breaker.fault()));
  breaker.clearBtn.addEventListener('click', () => { breaker.reset(); run(null); });
  buttons.forEach((b) => { b.disabled = false; });
  root.dataset.state = 'ready';
}

/** The "Break a layer" fieldset: layer and fault pickers, and the sentence after a run. */
function breakControl() {
  const layerSel = h('select', { id: 'fault-layer' });
  const fillLayers = (entries) => {
    const keep = layerSel.value;
    setChildren(layerSel, entries.map(([i, kinds]) => h('option', { value: i }, kinds ? `layer ${i} (${kinds})` : `layer ${i}`)));
    if ([...layerSel.options].some((o) => o.value === keep)) layerSel.value = keep;
  };
  fillLayers([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, '']));
  layerSel.value = '3';
  // The kinds, their labels and descriptions are the crate's (faultKinds()), asked of the worker.
  let kinds = [];
  const kindSel = h('select', { id: 'fault-kind' });
  const kindHelp = h('p', { class: 'field-help', id: 'fault-kind-help' });
  const showHelp = () => { kindHelp.textContent = kinds.find((k) => k.name === kindSel.value)?.description ?? ''; };
  kindSel.setAttribute('aria-describedby', 'fault-kind-help');
  kindSel.addEventListener('change', showHelp);
  faultKinds().then((list) => {
    kinds = list;
    setChildren(kindSel, kinds.map((k) => h('option', { value: k.name }, k.label)));
    kindSel.value = 'flip_sign';
    showHelp();
  }, (err) => { kindHelp.textContent = `The fault kinds could not be loaded: ${err.message}`; });
  const runBtn = h('button', { class: 'btn btn-warn', id: 'break-run', type: 'button', disabled: true }, 'Break it and run');
  const clearBtn = h('button', { class: 'btn', id: 'break-clear', type: 'button', disabled: true }, 'Clear');
  const verdict = h('div', { class: 'fault-verdict', id: 'fault-verdict', 'aria-live': 'polite', hidden: true });
  const el = h('fieldset', { class: 'break-layer' },
    h('legend', {}, 'Break a layer'),
    h('p', { class: 'field-help' }, 'Plant a known bug in one layer of every model the suites build, run again, and see what the failure looks like and which layer the checks name.'),
    h('div', { class: 'break-fields' },
      h('label', {}, h('span', {}, 'Layer'), layerSel),
      h('label', {}, h('span', {}, 'Fault'), kindSel)),
    kindHelp,
    h('div', { class: 'actions' }, runBtn, clearBtn),
    verdict);

  return {
    el, runBtn, clearBtn,
    fault: () => ({ layer: Number(layerSel.value), kind: kindSel.value, label: kinds.find((k) => k.name === kindSel.value)?.label }),
    reset() { verdict.hidden = true; verdict.replaceChildren(); },
    /** Offers the layer indices the suites' models actually have, with their kinds. */
    learnLayers(reports) {
      const kinds = new Map();
      for (const c of reports.flatMap((r) => r.cases)) {
        for (const l of (c.gradcheck?.layers ?? []).filter((x) => !x.loss)) {
          if (!kinds.has(l.index)) kinds.set(l.index, new Set());
          kinds.get(l.index).add(l.name);
        }
      }
      if (kinds.size) fillLayers([...kinds.keys()].sort((a, b) => a - b).map((i) => [i, [...kinds.get(i)].join(' / ')]));
    },
    explain(fault, reports) {
      if (!fault) { verdict.hidden = true; return; }
      const cases = reports.flatMap((r) => r.cases);
      const named = cases.filter((c) => c.layer === fault.layer);
      const other = cases.filter((c) => !c.passed && c.layer !== null && c.layer !== fault.layer);
      const unexplained = cases.filter((c) => !c.passed && c.layer === null);
      const passed = cases.filter((c) => c.passed);
      const list = (cs) => cs.map((c) => c.name).join(', ');
      const n = (cs) => `${cs.length} case${cs.length === 1 ? '' : 's'}`;
      verdict.dataset.named = named.length ? String(fault.layer) : '';
      setChildren(verdict,
        h('p', { class: 'verdict-main' }, named.length
          ? [h('strong', {}, `The checks named layer ${fault.layer}`), ` in ${n(named)}: ${list(named)}.`]
          : h('strong', {}, `No case named layer ${fault.layer}.`)),
        other.length ? h('p', {}, `${n(other)} named another layer: ${list(other)}.`) : null,
        unexplained.length ? h('p', {}, `${n(unexplained)} failed without naming a layer: `,
          unexplained.map((c, i) => [i ? '; ' : '', h('code', {}, c.name), ` (${c.message})`]), '.') : null,
        passed.length ? h('p', {}, `${n(passed)} still pass: their models have no layer ${fault.layer}, or it does not matter to what they check.`) : null,
        h('p', { class: 'howto' }, 'How to read a gradient table: the highlighted layer is where the gradient first goes wrong; '
          + 'layers before it (lower numbers, nearer the input) inherit the error, so their rows may be missing or zero too. Fix the highlighted one first.'));
      verdict.hidden = false;
    },
  };
}
