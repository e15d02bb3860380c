// TinyTorch Lab: renders a module page (www/NN-slug.html) from its registry entry (js/modules.js):
// header, objective, the exercise (on modules with one: the editor and its checks), the
// module's interactive tool (its own file, named by the entry; heavy work runs in a worker),
// the live example and the Checks panel for built modules, a link to the milestone the module
// unlocks, an honest "not built yet" notice with the plan for the others, and links to its
// neighbours. Nothing here is specific to one module: that is all in the entry.

import { h, setChildren, badge, pad2 } from './dom.js';
import { MODULES, moduleByNumber, milestoneFrom } from './modules.js';
import { mountExample } from './example.js';
import { mountChecks } from './checks.js';
import { listSuites } from './suites-run.js';
import { exerciseStatus, labStatus, passedExercises } from './progress.js';
import { siteHeader, siteFooter } from './chrome.js';

const number = Number(document.body.dataset.module);
const mod = moduleByNumber(number);
const app = document.getElementById('app');

function list(items, cls) {
  return h('ul', { class: cls }, items.map((t) => h('li', {}, t)));
}

function exerciseSection() {
  return h('section', { class: 'panel exercise', 'aria-labelledby': 'exercise-title' },
    h('h2', { id: 'exercise-title' }, mod.built ? 'The exercise' : 'What this module will cover'),
    h('h3', {}, 'You implement'), list(mod.build),
    h('h3', {}, 'The contract'), list(mod.contract, 'formulas'),
    mod.fixes.length ? [h('h3', {}, 'Where we fix the reference'), list(mod.fixes)] : null,
    h('h3', {}, 'What the checks verify'), h('p', {}, mod.checks));
}

function milestoneCallout() {
  const ms = milestoneFrom(mod.number);
  if (!ms || !mod.built) return null;
  return h('aside', { class: 'milestone-callout', 'aria-labelledby': 'milestone-callout-title' },
    h('span', { class: 'milestone-year', 'aria-hidden': 'true' }, String(ms.year)),
    h('div', {},
      h('p', { class: 'eyebrow' }, `Milestone ${pad2(ms.number)} unlocked`),
      h('h2', { id: 'milestone-callout-title' }, h('a', { href: ms.file }, ms.title)),
      h('p', {}, ms.short, ' Target: ', ms.target, '.')),
    h('a', { class: 'btn btn-primary', href: ms.file }, 'Open the milestone →'));
}

function pager() {
  const prev = MODULES.find((m) => m.number === number - 1);
  const next = MODULES.find((m) => m.number === number + 1);
  return h('nav', { class: 'pager', 'aria-label': 'Previous and next module' },
    prev ? h('a', { href: prev.file, rel: 'prev' }, h('span', { class: 'pager-dir' }, '← Previous'), `${pad2(prev.number)} ${prev.title}`) : h('span'),
    next ? h('a', { href: next.file, rel: 'next', class: 'pager-next' }, h('span', { class: 'pager-dir' }, 'Next →'), `${pad2(next.number)} ${next.title}`) : h('span'));
}

/** The hero's badges: the student's exercise status, and apart, the lab's own. */
function statusBadges(suites = []) {
  const mine = mod.exercise ? exerciseStatus(mod.number) : { status: 'no-exercise', label: 'no exercise yet', detail: 'This module has no exercise to write yet.' };
  const lab = labStatus(mod, suites);
  return [
    h('span', { class: 'status-mine', title: mine.detail, dataset: { status: mine.status } }, badge(mine.status, mine.label)),
    mod.built ? h('span', { class: 'status-lab', title: lab.detail, dataset: { status: lab.status } }, badge(lab.status === 'pass' ? 'ok' : lab.status, lab.label)) : null,
  ];
}

function render() {
  const { tool } = mod;
  document.title = `${pad2(mod.number)} ${mod.title} · TinyTorch Lab`;
  // The exercise's stylesheet too: the thin pages are all alike.
  if (mod.exercise) document.head.append(h('link', { rel: 'stylesheet', href: 'css/exercise.css' }));
  const statusSlot = h('span', { class: 'module-status', id: 'module-status' }, statusBadges());
  const main = h('main', { id: 'main', tabindex: -1 },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: '../index.html' }, 'Course home'), ' › ', h('a', { href: `../index.html#tier-${mod.tier.toLowerCase()}` }, mod.tier),
      ' › ', h('span', { 'aria-current': 'page' }, `${pad2(mod.number)} ${mod.title}`)),
    h('header', { class: 'module-hero' },
      h('p', { class: 'eyebrow' }, `Module ${pad2(mod.number)} · ${mod.tier} · about ${mod.hours} hours`),
      h('div', { class: 'hero-title' }, h('h1', {}, mod.title), statusSlot),
      h('p', { class: 'objective' }, mod.objective)),
    mod.built ? null : h('div', { class: 'notice notice-unbuilt', role: 'note' },
      h('strong', {}, 'Not built yet. '),
      'This module\'s exercise, live example and checks are still being written, so there is nothing to run here yet. '
      + 'Below is what it will cover; ',
      h('a', { href: '../index.html#modules' }, 'the built modules'), ' are ready now.'),
    exerciseSection(),
    mod.exercise ? h('section', { class: 'panel exercise-work', id: 'exercise-work', 'aria-labelledby': 'work-title' },
      h('h2', { id: 'work-title' }, 'Write it yourself'), h('p', { class: 'muted' }, 'Loading the editor…')) : null,
    tool ? h('section', { class: 'panel tool', id: tool.id, 'aria-labelledby': `${tool.id}-title` },
      h('h2', { id: `${tool.id}-title` }, tool.title), h('p', { class: 'muted' }, 'Loading…')) : null,
    mod.built && mod.example ? h('section', { class: 'panel example', id: 'example', 'aria-labelledby': 'example-title' }) : null,
    mod.built ? h('section', { class: 'panel checks', id: 'checks', 'aria-labelledby': 'checks-title' }) : null,
    milestoneCallout(),
    pager());
  setChildren(app, siteHeader({ current: mod.number, base: '../', checks: mod.built }), main, siteFooter());

  if (!mod.built) return;
  if (tool) {
    const root = document.getElementById(tool.id);
    import(`./${tool.src}`).then((m) => m.mount(root)).catch((err) => {
      setChildren(root, h('h2', { id: `${tool.id}-title` }, tool.title), h('p', { class: 'error-box', role: 'alert' }, `This tool could not start: ${err.message}`));
    });
  }
  if (mod.exercise) {
    const root = document.getElementById('exercise-work');
    // The editor (a 600 KB bundle) loads only on pages with an exercise.
    import('./exercise.js')
      .then(async ({ mountExercise, exerciseWorker }) => {
        const [catalogue, suites] = await Promise.all([exerciseWorker.run('listExercises'), listSuites()]);
        return mountExercise(root, mod, { catalogue: { ...catalogue, suites }, onStatus: () => refresh().catch(() => {}) });
      })
      .catch((err) => setChildren(root, h('h2', { id: 'work-title' }, 'Write it yourself'),
        h('p', { class: 'error-box', role: 'alert' }, `The exercise could not start: ${err.message}`)));
  }
  if (mod.example) mountExample(document.getElementById('example'), mod);
  // Modules without an exercise run their suites on the student's passed exercises (when the
  // "use my code" setting is on); modules with one show the lab's reference here.
  mountChecks(document.getElementById('checks'), mod.number, { student: mod.exercise ? null : () => passedExercises() });
  const refresh = async () => {
    setChildren(statusSlot, statusBadges(await listSuites()));
  };
  refresh().catch(() => {});
  window.addEventListener('tinytorch-progress', () => refresh().catch(() => {}));
}

if (mod) render();
else setChildren(app, h('main', { id: 'main' }, h('p', { class: 'error-box' }, `Unknown module ${document.body.dataset.module}.`)));
