// TinyTorch Lab: the course home (index.html): the runtime's capabilities (refreshed), the
// 20 modules by tier with each one's status, "Run all suites" in the worker with per-suite
// results, and "Reset progress".

import { h, setChildren, badge, pad2, fmtBytes, announce } from './dom.js';
import { MODULES, TIERS, MILESTONES } from './modules.js';
import { checksWorker } from './jobs.js';
import { listSuites, progressView, runSuites } from './suites-run.js';
import { exerciseStatus, labStatus, resetProgress, exportProgress, importProgress } from './progress.js';
import { siteHeader, siteFooter } from './chrome.js';

const $ = (id) => document.getElementById(id);
$('main').before(siteHeader({ current: 'home' }));
document.body.append(siteFooter());

// ---- runtime capabilities --------------------------------------------------------------------

const yesNo = (on, yes = 'on', no = 'off') => badge(on ? 'pass' : 'not-run', on ? yes : no);

async function showCapabilities() {
  const caps = await checksWorker.run('capabilities');
  const box = $('capabilities');
  box.dataset.simd = String(caps.simd);
  setChildren(box,
    h('div', {}, h('dt', {}, 'SIMD (128-bit)'), h('dd', { id: 'cap-simd' }, yesNo(caps.simd))),
    h('div', {}, h('dt', {}, 'Relaxed SIMD'), h('dd', { id: 'cap-relaxed' }, yesNo(caps.relaxedSimd))),
    h('div', { title: 'Which .wasm the lab loaded: relaxed SIMD (fused multiply-add) where this browser supports it, plain SIMD128 otherwise' },
      h('dt', {}, 'Build loaded'), h('dd', { id: 'cap-build' }, h('code', {}, caps.build === 'relaxed' ? 'SIMD128 + relaxed' : 'SIMD128'))),
    h('div', {}, h('dt', {}, 'Matmul kernel'), h('dd', { id: 'cap-kernels' }, h('code', {}, caps.kernels))),
    h('div', { title: 'WebAssembly linear memory reserved by the lab\'s worker; it grows when needed and never shrinks' },
      h('dt', {}, 'Wasm memory in use'), h('dd', { id: 'cap-memory' }, fmtBytes(caps.memoryBytes))),
    h('div', {}, h('dt', {}, 'Version'), h('dd', {}, caps.version)));
  $('capabilities-note').textContent = `Measured in the lab's worker, refreshed ${new Date().toLocaleTimeString()}.`;
}

let polling = false;
async function pollCapabilities() {
  if (polling || document.hidden) return;
  polling = true;
  try { await showCapabilities(); } catch (err) {
    setChildren($('capabilities'), h('p', { class: 'error-box', role: 'alert' }, `The WebAssembly runtime did not start: ${err.message}`));
  } finally { polling = false; }
}

// ---- modules and their status ----------------------------------------------------------------

async function renderModules() {
  let suites = [];
  try { suites = await listSuites(); } catch { /* statuses fall back to "not run" */ }
  const root = $('module-list');
  const counts = { exercises: 0, pass: 0, fail: 0 };
  setChildren(root, TIERS.map((tier) => {
    const mods = MODULES.filter((m) => m.tier === tier.name);
    return h('section', { class: 'tier', id: `tier-${tier.name.toLowerCase()}`, 'aria-labelledby': `tier-${tier.name}-title` },
      h('div', { class: 'tier-head' },
        h('h3', { id: `tier-${tier.name}-title` }, tier.name, h('span', { class: 'tier-range' }, ` ${pad2(tier.range[0])}${tier.range[1] !== tier.range[0] ? `–${pad2(tier.range[1])}` : ''}`)),
        h('p', {}, tier.blurb)),
      h('ol', { class: 'module-cards' }, mods.map((m) => {
        // The badge is the student's exercise; the lab's own result is a quieter chip apart.
        const s = m.exercise ? exerciseStatus(m.number) : { status: 'no-exercise', label: 'no exercise yet', detail: 'No exercise to write in this module yet.' };
        const lab = labStatus(m, suites);
        if (m.exercise) counts.exercises += 1;
        if (s.status.startsWith('passing')) counts.pass += 1;
        if (s.status === 'failing') counts.fail += 1;
        return h('li', { class: `module-card status-${s.status}${m.built ? '' : ' unbuilt'}`, dataset: { module: m.number, status: s.status, lab: lab.status } },
          h('a', { href: `www/${m.file}` },
            h('span', { class: 'module-num', 'aria-hidden': 'true' }, pad2(m.number)),
            h('span', { class: 'module-text' },
              h('span', { class: 'module-title' }, h('span', { class: 'visually-hidden' }, `Module ${m.number}: `), m.title),
              h('span', { class: 'module-objective' }, m.objective),
              m.built ? h('span', { class: 'module-lab', title: lab.detail }, lab.label) : null),
            h('span', { class: 'module-badge', title: s.detail }, badge(s.status, s.label))));
      })));
  }));
  $('progress-summary').textContent = counts.pass || counts.fail
    ? `Your exercises: ${counts.pass} of ${counts.exercises} passing${counts.fail ? `, ${counts.fail} failing` : ''}.`
    : `${counts.exercises} modules have an exercise: open one and write its functions; your results show here.`;
}

// ---- milestones -------------------------------------------------------------------------------

function renderMilestones() {
  setChildren($('milestone-list'), h('ol', { class: 'milestone-cards' }, MILESTONES.map((ms) =>
    h('li', { class: 'milestone-card', dataset: { milestone: ms.slug } },
      h('a', { href: `www/${ms.file}` },
        h('span', { class: 'milestone-year' }, String(ms.year)),
        h('span', { class: 'milestone-text' },
          h('span', { class: 'milestone-num' }, `Milestone ${pad2(ms.number)} · modules ${pad2(ms.modules[0])}–${pad2(ms.modules[1])}`),
          h('span', { class: 'milestone-title' }, ms.title),
          h('span', { class: 'milestone-short' }, ms.short),
          h('span', { class: 'milestone-target' }, `Target: ${ms.target}`)))))));
}
renderMilestones();

// ---- run all suites --------------------------------------------------------------------------

const progress = progressView();
$('run-all-progress').append(progress.el);

/** Runs every suite (quick: each case's cheap form, the smoke tests). */
async function runAll(quick = false) {
  const buttons = [$('run-all'), $('quick-check')];
  buttons.forEach((b) => { b.disabled = true; });
  $('suites').dataset.state = 'running';
  $('suites').dataset.quick = String(quick);
  try {
    const suites = await listSuites();
    await runSuites(suites, { resultsEl: $('suite-results'), progress, collapsible: true, quick });
    $('suites').dataset.state = 'done';
  } catch {
    $('suites').dataset.state = 'error';
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    pollCapabilities();
  }
}

$('run-all').addEventListener('click', () => runAll(false));
$('quick-check').addEventListener('click', () => runAll(true));
$('reset-progress').addEventListener('click', () => {
  resetProgress();
  announce('The lab\'s recorded suite results were cleared. Your exercises are untouched.');
});

// ---- export and import of the student's progress ------------------------------------------------

$('export-progress').addEventListener('click', () => {
  const blob = new Blob([exportProgress()], { type: 'application/json' });
  const a = h('a', { href: URL.createObjectURL(blob), download: `tinytorch-lab-progress-${new Date().toISOString().slice(0, 10)}.json` });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  showImport('Exported: your code, statuses and settings are in the downloaded file.', 'ok');
});

function showImport(message, tone) {
  const box = $('import-status');
  box.textContent = message;
  box.className = tone === 'ok' ? 'import-ok' : 'error-box';
  box.hidden = false;
  announce(message);
}

$('import-progress').addEventListener('change', async (event) => {
  const file = event.target.files?.[0];
  event.target.value = '';
  if (!file) return;
  if (file.size > 8 * 1024 * 1024) {
    showImport(`Not imported: ${file.name} is ${(file.size / 1048576).toFixed(1)} MiB, far more than a progress file. Nothing was changed.`, 'error');
    return;
  }
  try {
    // The Rust schema checks every field (in the worker); nothing is kept unless it passes,
    // and imported code only runs when you press Run checks on its page.
    const checked = await checksWorker.run('parseProgress', { text: await file.text() });
    if (!window.confirm(`Replace your progress with ${file.name} (${Object.keys(checked.exercises).length} exercises)? Your current code and statuses will be overwritten.`)) return;
    importProgress(checked);
    showImport(`Imported ${Object.keys(checked.exercises).length} exercises from ${file.name}.`, 'ok');
  } catch (err) {
    showImport(`Not imported: ${err.message}. Nothing was changed.`, 'error');
  }
});
window.addEventListener('tinytorch-progress', renderModules);
window.addEventListener('storage', renderModules); // another tab recorded progress

renderModules();
pollCapabilities();
setInterval(pollCapabilities, 2000);
