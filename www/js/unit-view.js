// TinyTorch Lab: renders an exercise's unit-check results (the JSON of runUnitChecks): one
// group per function with its status, and per check what it does and, when it failed, the
// expected and the received tensors side by side with the differing values highlighted and the
// first difference in words. Everything is text content: nothing a student's code returned is
// ever inserted as HTML.

import { h, badge } from './dom.js';

const STATUS_WORDS = { pass: 'pass', fail: 'fail', todo: 'to do', missing: 'missing' };
const BADGE = { pass: 'pass', fail: 'fail', todo: 'not-run', missing: 'missing' };

/** A number in a grid cell: short, and NaN/Infinity spelled as JavaScript does. */
export function cell(v) {
  if (typeof v === 'string') return v; // "NaN", "Infinity", "-Infinity" (JSON has no such numbers)
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return String(+v.toFixed(4));
}

function indexOf(offset, shape) {
  const idx = new Array(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = offset % shape[i];
    offset = Math.floor(offset / shape[i]);
  }
  return idx;
}

/**
 * A tensor `{ shape, data, truncated }` as grids: rows × columns of its last two axes, one grid
 * per index of the leading axes (at most 6). `marked` holds flat indices to highlight.
 */
export function tensorGrid(t, { marked = new Set(), label = '' } = {}) {
  const shape = t.shape.length ? t.shape : [1];
  const cols = shape[shape.length - 1] || 1;
  const rows = shape.length >= 2 ? shape[shape.length - 2] : 1;
  const block = rows * cols;
  const blocks = Math.max(1, Math.ceil(t.data.length / block));
  const grids = [];
  for (let b = 0; b < Math.min(blocks, 6); b++) {
    const lead = shape.length > 2 ? indexOf(b, shape.slice(0, -2)) : null;
    const body = [];
    for (let r = 0; r < rows; r++) {
      const tds = [];
      for (let c = 0; c < cols; c++) {
        const i = b * block + r * cols + c;
        if (i >= t.data.length) break;
        const bad = marked.has(i);
        tds.push(h('td', { class: bad ? 'diff' : null, title: `[${indexOf(i, shape).join(', ')}]${bad ? ' differs' : ''}` }, cell(t.data[i])));
      }
      if (tds.length) body.push(h('tr', {}, tds));
    }
    grids.push(h('table', { class: 'tgrid' },
      lead ? h('caption', {}, `[${lead.join(', ')}, :, :]`) : null,
      h('tbody', {}, body)));
  }
  const more = blocks > 6 || t.truncated ? h('p', { class: 'muted small' }, `… ${t.shape.join(' × ')} values in all; the first are shown.`) : null;
  return h('figure', { class: 'tensor' },
    label ? h('figcaption', {}, label, ' ', h('span', { class: 'muted' }, `shape [${t.shape.join(', ')}]`)) : null,
    h('div', { class: 'tgrids' }, grids), more);
}

/** A check's message in words: a stub's "threw: NotImplemented: not written yet: X" → "X". */
export function friendly(c) {
  if (c.status === 'todo') return c.message.replace(/^threw: NotImplemented: not written yet: /, '');
  return c.message;
}

/** One check's card: status, what it checks, the message, and expected vs yours. */
export function checkCard(c) {
  const marked = new Set(c.differs ?? []);
  const card = h('article', { class: `unit unit-${c.status}`, dataset: { function: c.function, check: c.name, status: c.status } },
    h('header', { class: 'unit-head' }, badge(BADGE[c.status] ?? c.status, STATUS_WORDS[c.status]), ' ', h('code', {}, c.name.replaceAll('_', ' '))),
    h('p', { class: 'unit-desc' }, c.description));
  if (c.status !== 'pass') card.append(h('p', { class: 'unit-message' }, h('strong', {}, c.status === 'todo' ? 'To do: ' : 'Why: '), friendly(c)));
  if (c.first) {
    card.append(h('p', { class: 'unit-first' },
      `First difference at index [${c.first.index.join(', ')}]: expected `, h('code', {}, cell(c.first.expected)),
      ', yours ', h('code', { class: 'yours' }, cell(c.first.got)), '.'));
  }
  if (c.expected || c.got) {
    card.append(h('div', { class: 'side-by-side' },
      c.expected ? tensorGrid(c.expected, { marked, label: 'Expected' }) : null,
      c.got ? tensorGrid(c.got, { marked, label: 'Yours' }) : null));
  }
  if (c.inputs?.length && c.status !== 'pass') {
    card.append(h('details', { class: 'unit-inputs' }, h('summary', {}, 'Inputs'),
      h('div', { class: 'side-by-side' }, c.inputs.map(([name, t]) => tensorGrid(t, { label: name })))));
  }
  return card;
}

/**
 * The unit-check section: a group per function, filled as results arrive
 * (`add(result)`), summarised at the end (`finish(report)`).
 */
export function unitSection(functions) {
  const groups = new Map();
  const el = h('section', { class: 'units', 'aria-label': 'Unit checks' });
  for (const name of functions) {
    const status = h('span', { class: 'fn-status' }, badge('running'));
    const list = h('div', { class: 'unit-list' });
    const group = h('details', { class: 'fn-group', dataset: { function: name }, open: true },
      h('summary', {}, h('code', { class: 'fn-name' }, `${name}()`), ' ', status), list);
    groups.set(name, { group, status, list, results: [] });
    el.append(group);
  }
  return {
    el,
    add(result) {
      const g = groups.get(result.function);
      if (!g) return;
      g.results.push(result);
      g.list.append(checkCard(result));
    },
    finish(report) {
      for (const f of report.functions) {
        const g = groups.get(f.name);
        if (!g) continue;
        g.group.dataset.status = f.status;
        g.status.replaceChildren(badge(BADGE[f.status] ?? f.status, f.status === 'pass' ? `${f.passed}/${f.total} checks` : `${STATUS_WORDS[f.status]} · ${f.passed}/${f.total}`));
        // A stub's checks all say the same: show it once on the closed group.
        const todo = g.results.find((r) => r.status === 'todo');
        if (f.status === 'todo' && todo) g.status.append(' ', h('span', { class: 'fn-todo' }, friendly(todo)));
        if (f.status === 'missing') g.status.append(' ', h('span', { class: 'fn-todo' }, `your module does not export ${f.name}()`));
        g.group.open = f.status === 'fail';
      }
    },
  };
}
