// TinyTorch Lab: the function list of an exercise with its staged help: the contract, then the
// idea, then a targeted hint, and only behind an explicit confirmation the reference solution
// of that function (the progress records that it was viewed). Hint text is plain text; `code`
// in backticks renders as code. Nothing is inserted as HTML.

import { h, setChildren } from './dom.js';
import { parse } from '../vendor/codemirror.js';
import { exerciseState, markHint, markSolutionViewed, exerciseStatus } from './progress.js';

/** Plain text with `backticks` as <code>. */
export function richText(s) {
  return String(s).split('`').map((part, i) => (i % 2 ? h('code', {}, part) : part));
}

/** The source of each exported function of `source`, by name (acorn). */
export function functionSources(source) {
  const out = {};
  try {
    const ast = parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
    for (const node of ast.body) {
      const d = node.type === 'ExportNamedDeclaration' ? node.declaration : null;
      if (d?.type === 'FunctionDeclaration' && d.id) out[d.id.name] = source.slice(node.start, node.end);
    }
  } catch { /* the reference parses; a broken one shows no per-function solution */ }
  return out;
}

/** Mounts the function list into `root`. */
export function mountHelp(root, { mod, slots, content, onStatus }) {
  const solutions = functionSources(content.solution);
  const items = slots.map((s) => {
    const hints = content.hints[s.name] ?? [];
    const shown = () => exerciseState(mod.number)?.hints?.[s.name] ?? 0;
    const hintBox = h('div', { class: 'hints', 'aria-live': 'polite' });
    const hintBtn = h('button', { class: 'btn btn-small', type: 'button', dataset: { hint: s.name } });
    const solBtn = h('button', { class: 'btn btn-small btn-quiet', type: 'button', dataset: { solution: s.name } }, 'Show the solution…');
    const solBox = h('div', { class: 'solution', hidden: true });
    const render = () => {
      const n = Math.min(shown(), hints.length);
      setChildren(hintBox, hints.slice(0, n).map((text, i) =>
        h('p', { class: 'hint' }, h('strong', {}, i === 0 ? 'The idea: ' : 'Hint: '), richText(text))));
      hintBtn.textContent = n === 0 ? 'Show a hint' : n < hints.length ? 'Show the next hint' : 'All hints shown';
      hintBtn.disabled = n >= hints.length;
      solBtn.hidden = n < hints.length; // the solution comes after the hints
    };
    hintBtn.addEventListener('click', () => {
      markHint(mod.number, s.name, Math.min(shown() + 1, hints.length));
      render();
    });
    solBtn.addEventListener('click', () => {
      const msg = `Show the reference solution of ${s.name}()? Your progress will record that you viewed it, and a pass after this shows as "passing (solution viewed)".`;
      if (!window.confirm(msg)) return;
      markSolutionViewed(mod.number);
      setChildren(solBox, h('p', { class: 'muted small' }, 'The reference solution (read it, then write your own version in the editor):'),
        h('pre', { class: 'solution-code', tabindex: 0 }, solutions[s.name] ?? content.solution));
      solBox.hidden = false;
      solBtn.hidden = true;
      onStatus(exerciseStatus(mod.number));
    });
    render();
    return h('li', { class: 'fn-item', dataset: { function: s.name } },
      h('div', { class: 'fn-sig' }, h('code', {}, s.signature)),
      h('p', { class: 'fn-contract' }, s.contract),
      h('p', { class: 'fn-used muted small' }, 'The framework calls it for: ', s.usedBy, '.'),
      hintBox, h('div', { class: 'fn-actions' }, hintBtn, solBtn), solBox);
  });
  setChildren(root, h('ol', { class: 'fn-list' }, items));
}
