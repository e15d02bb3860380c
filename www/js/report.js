// TinyTorch Lab: renders suite reports (the same JSON natively and in the browser) as HTML:
// a section per suite, a card per case (status, description, message, metrics, loss curve),
// for gradient checks the per-layer table with the culprit layer highlighted, and for a
// failing case its long form (the report's `detail`, the seed's --tb=long) behind a fold.

import { h, badge, fmt, fmtMs, pad2 } from './dom.js';
import { LineChart } from './chart.js';

/** "1–8" for [1, …, 8]; "3, 5–7" for [3, 5, 6, 7]. */
export function moduleRange(mods) {
  const out = [];
  for (let i = 0; i < mods.length; i++) {
    let j = i;
    while (j + 1 < mods.length && mods[j + 1] === mods[j] + 1) j++;
    out.push(j > i ? `${pad2(mods[i])}–${pad2(mods[j])}` : pad2(mods[i]));
    i = j;
  }
  return out.join(', ');
}

/**
 * A section for one suite that fills in as cases arrive:
 * `const s = suiteSection(meta); s.addCase(caseReport); s.finish(suiteReport)`.
 */
export function suiteSection(meta, { fault = null, headingLevel = 3, collapsible = false, yourCode = false } = {}) {
  const status = h('span', { class: 'suite-status' }, badge('running'));
  const stats = h('span', { class: 'suite-stats' }, 'running…');
  const cases = h('div', { class: 'cases' });
  const fold = collapsible ? h('details', { class: 'suite-cases' }, h('summary', {}, 'Cases'), cases) : null;
  const el = h('section', { class: 'suite', dataset: { suite: meta.name, state: 'running' } },
    h('header', { class: 'suite-head' },
      h(`h${headingLevel}`, { class: 'suite-name' }, h('code', {}, meta.name)),
      h('span', { class: `chip chip-${meta.category}` }, meta.category),
      h('span', { class: 'chip chip-modules', title: 'modules this suite covers' }, `modules ${moduleRange(meta.modules)}`),
      status, stats),
    meta.description ? h('p', { class: 'suite-desc' }, meta.description) : null,
    fault ? h('p', { class: 'fault-note' }, `⚠ Broken on purpose: “${fault.label ?? fault.kind}” planted in layer ${fault.layer} of every model this suite builds.`) : null,
    yourCode ? h('p', { class: 'your-code-note' }, 'Runs with your functions in place of the lab\'s; layers that ran your code are marked.') : null,
    fold ?? cases);
  let done = 0;
  return {
    el,
    addCase(report) {
      done += 1;
      cases.append(caseCard(report));
      stats.textContent = `${done} case${done === 1 ? '' : 's'} done…`;
    },
    finish(report) {
      const passed = report.cases.filter((c) => c.passed).length;
      if (report.quick) status.after(' ', h('span', { class: 'chip', title: 'quick mode: every case in its cheap form' }, 'quick'));
      el.dataset.state = report.passed ? 'pass' : 'fail';
      status.replaceChildren(badge(report.passed ? 'pass' : 'fail'));
      stats.textContent = `${passed}/${report.cases.length} cases passed · ${fmtMs(report.duration_ms)} · seed ${report.seed}`;
      if (fold) {
        fold.firstChild.textContent = report.cases.length === 1 ? 'Show the case' : `Show the ${report.cases.length} cases`;
        fold.open = !report.passed;
      }
    },
  };
}

/** One case: status, what it checks, what happened, metrics, loss curve, gradient table. */
export function caseCard(c) {
  const metrics = Object.entries(c.metrics ?? {});
  const card = h('article', {
    class: `case ${c.passed ? 'case-pass' : 'case-fail'}`,
    dataset: { case: c.name, passed: String(c.passed), layer: c.layer ?? '' },
  },
  h('header', { class: 'case-head' }, badge(c.passed ? 'pass' : 'fail'), h('h4', { class: 'case-name' }, h('code', {}, c.name))),
  h('p', { class: 'case-desc' }, c.description),
  c.message && c.message !== 'ok' ? h('p', { class: 'case-message' }, c.passed ? '' : h('strong', {}, 'Why: '), c.message) : null,
  !c.passed && c.detail ? detailView(c.detail, { culprit: c.layer, yours: yourLayers(c.gradcheck) }) : null,
  c.your_code?.length ? h('p', { class: 'case-yours' }, h('span', { class: 'chip chip-yours' }, 'your code'), ' ',
    c.your_code.map((n, i) => [i ? ', ' : '', h('code', {}, n)])) : null,
  metrics.length ? h('dl', { class: 'metrics' }, metrics.map(([k, v]) => h('div', {}, h('dt', {}, k.replaceAll('_', ' ')), h('dd', {}, fmt(v))))) : null);
  if (c.curve?.length > 1) {
    const box = h('figure', { class: 'case-chart' });
    card.append(box);
    const chart = new LineChart(box, { xLabel: 'epoch', yLabel: 'loss', height: 180 });
    chart.set([{ name: '', values: c.curve }]);
    box.append(h('figcaption', {}, `Loss per epoch: ${fmt(c.curve[0])} → ${fmt(c.curve[c.curve.length - 1])} over ${c.curve.length} epochs`));
  }
  if (c.gradcheck) card.append(gradcheckView(c.gradcheck, { open: !c.gradcheck.passed, message: c.message }));
  return card;
}

/** What `describe` adds to the kind: "(4 → 4)" for "Linear(4 → 4)"; nothing for "ReLU". */
function describeRest({ name, describe }) {
  if (!describe || describe === name) return '';
  return describe.startsWith(name) ? describe.slice(name.length) : describe;
}

const LAYER_WORDS = { ok: 'ok', missing: 'no gradient', zero: 'all zeros', mismatch: 'wrong values' };

/** The per-layer gradient table, in a <details> (open when the check failed). */
export function gradcheckView(gc, { open = false, message = '' } = {}) {
  const table = h('table', { class: 'gradtable', dataset: { culprit: gc.culprit ?? '' } },
    h('caption', {}, `Each layer's gradients against central differences (ε = ${fmt(gc.eps)}, tolerance ${fmt(gc.tolerance)}, loss ${fmt(gc.loss)})`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Parameter'), h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col', class: 'num col-abs' }, 'Max abs error'), h('th', { scope: 'col', class: 'num' }, 'Max rel error'),
      h('th', { scope: 'col', class: 'num col-checked' }, 'Checked / skipped'))));
  for (const layer of gc.layers) {
    const rows = gc.rows.filter((r) => r.layer === layer.index);
    const group = h('tbody', {
      class: `layer-group status-${layer.status}${layer.culprit ? ' culprit' : ''}${layer.your_code?.length ? ' yours' : ''}`,
      dataset: { layer: layer.index, status: layer.status, yours: (layer.your_code ?? []).join(' ') },
      style: `--depth: ${layer.depth}`,
    },
    h('tr', { class: 'layer-head' }, h('th', { colspan: 5, scope: 'rowgroup' },
      h('span', { class: 'layer-index' }, layer.loss ? 'the loss' : `layer ${layer.index}`), ' ',
      h('span', { class: 'layer-kind' }, layer.name),
      describeRest(layer) ? h('span', { class: 'layer-describe' }, describeRest(layer)) : null,
      layer.your_code?.length ? [' ', h('span', { class: 'chip chip-yours', title: `your ${layer.your_code.join(', ')}` }, 'your code')] : null,
      ' ', badge(layer.status, LAYER_WORDS[layer.status]),
      layer.culprit ? h('span', { class: 'culprit-flag' }, '◆ first goes wrong here') : null)),
    layer.reason ? h('tr', { class: 'layer-reason' }, h('td', { colspan: 5 }, layer.reason)) : null,
    rows.map((r) => h('tr', { class: `param-row status-${r.status}`, dataset: { param: r.param } },
      h('td', {}, h('code', {}, r.param)),
      h('td', {}, badge(r.status)),
      h('td', { class: 'num col-abs' }, r.checked ? fmt(r.max_abs_error, 6) : '—'),
      h('td', { class: 'num' }, r.checked ? fmt(r.max_rel_error, 6) : '—'),
      h('td', { class: 'num col-checked' }, `${r.checked} / ${r.skipped}`))));
    table.append(group);
  }
  const culprit = gc.layers.find((l) => l.culprit);
  const nLayers = gc.layers.filter((l) => !l.loss).length;
  return h('details', { class: `gradcheck ${gc.passed ? 'gc-pass' : 'gc-fail'}`, open },
    h('summary', {}, h('span', { class: 'gc-title' }, 'Gradient check'), ' ', badge(gc.passed ? 'pass' : 'fail'),
      h('span', { class: 'gc-count' }, ` ${nLayers} layer${nLayers === 1 ? '' : 's'}${gc.layers.some((l) => l.loss) ? ' and the loss' : ''}`)),
    gc.summary !== message ? h('p', { class: 'gc-summary' }, gc.summary) : null,
    culprit && !culprit.loss && nLayers > 1 ? h('p', { class: 'gc-howto' },
      `How to read this: the highlighted layer (${culprit.index}, ${culprit.name}) is where the gradient first goes wrong; `
      + 'layers before it inherit the error (their rows may be wrong or empty too), layers after it are fine.') : null,
    h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'per-layer gradient table' }, table));
}

// ---- a failing case's long form ------------------------------------------------------------

/** A value as the detail shows it: five significant digits; NaN, ±Infinity and text as they are. */
function num(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  const s = a >= 1e5 || a < 1e-4 ? v.toExponential(3) : String(+v.toPrecision(5));
  return s.replace(/^-/, '−').replace('e-', 'e−');
}

const at = (index) => `[${index.join(', ')}]`;

/** The layer indices of a gradient report that ran the student's code. */
function yourLayers(gc) {
  return new Set((gc?.layers ?? []).filter((l) => l.your_code?.length).map((l) => l.index));
}

function part(cls, title, ...body) {
  return h('section', { class: `detail-part ${cls}` }, h('h5', {}, title), ...body);
}

function table(cls, label, head, rows) {
  return h('div', { class: 'table-scroll detail-fit', tabindex: 0, role: 'region', 'aria-label': label },
    h('table', { class: `detail-table ${cls}` },
      h('thead', {}, h('tr', {}, head.map(([text, right, cls]) => h('th', { scope: 'col', class: [right ? 'num' : '', cls ?? ''].join(' ').trim() || null }, text)))),
      h('tbody', {}, rows)));
}

/** What a gradient of `tensor` is, in words ("input" is what the layer passes down). */
const gradientOf = (tensor) => (tensor === 'input' ? 'the gradient it passes to its input' : `the gradient of its ${tensor}`);

/** The blamed layer's worst element: the numerical gradient against what backward produced. */
function gradientPart(g) {
  const none = g.analytic === null || g.analytic === undefined;
  const ratio = !none && typeof g.analytic === 'number' && typeof g.numerical === 'number' && g.numerical !== 0
    ? num(g.analytic / g.numerical) : '—';
  // One element, so a row per quantity: it reads the same at phone width.
  const row = (label, value, cls = null) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: `num ${cls ?? ''}`.trim() }, value));
  return part('detail-gradient', 'The worst gradient element',
    h('p', {}, h('strong', {}, g.layer), `: ${gradientOf(g.tensor)}.`),
    h('div', { class: 'table-scroll detail-fit', tabindex: 0, role: 'region', 'aria-label': 'the worst gradient element' },
      h('table', { class: 'detail-table gradient-table' }, h('tbody', {},
        row('Element', `${g.tensor} ${at(g.index)}`),
        row('Numerical (central differences)', num(g.numerical)),
        row('Backward', none ? 'none' : num(g.analytic), 'detail-bad'),
        row('Backward ÷ numerical', ratio)))),
    h('p', { class: 'detail-hint' }, 'Backward ÷ numerical near −1 is a flipped sign, near 2 or ½ a wrong factor, '
      + 'near 0 (or no gradient) a gradient that never arrives.'));
}

/** The first elements where the received values differ from the expected ones. */
function differencesPart(d) {
  const diff = (x) => (typeof x.received === 'number' && typeof x.expected === 'number' ? num(x.received - x.expected) : '—');
  return part('detail-diffs', `The first ${d.differences.length === 1 ? 'difference' : `${d.differences.length} differences`}`,
    table('diff-table', 'first differences', [['Element'], ['Expected', 1], ['Received', 1], ['Received − expected', 1, 'col-delta']],
      d.differences.map((x) => h('tr', {}, h('td', { class: 'num' }, at(x.index)), h('td', { class: 'num' }, num(x.expected)),
        h('td', { class: 'num detail-bad' }, num(x.received)), h('td', { class: 'num col-delta' }, diff(x))))));
}

/** Tensors in a few values: the inputs, and the expected and received values. */
function valuesPart(peeks) {
  const size = (shape) => shape.reduce((n, k) => n * k, 1);
  return part('detail-values', 'Values (the first of each tensor)',
    table('values-table', 'inputs and values', [['Tensor'], ['First values']],
      peeks.map((p) => h('tr', {}, h('td', {}, p.name, h('br'), h('code', { class: 'detail-shape' }, at(p.shape))),
        h('td', { class: 'vals' }, p.values.map(num).join(', '), size(p.shape) > p.values.length ? ` … (${size(p.shape)} in all)` : '')))));
}

/** The layers the input went through, the blamed one marked (and the student's). */
function pathPart(path, culprit, yours) {
  const indexOf = (step) => Number(/^(\d+)\s/.exec(step)?.[1] ?? NaN);
  const named = path.some((step) => indexOf(step) === culprit);
  const mine = path.some((step) => yours.has(indexOf(step)));
  return part('detail-path', 'The path of layers',
    h('p', {}, 'The input goes through these layers in order', named ? '; ◆ marks the one the check names' : '',
      mine ? '; the underlined ones ran your code' : '', '.'),
    h('ol', { class: 'layer-path', 'aria-label': 'layers in the order the input goes through them' }, path.map((step) => {
      const index = indexOf(step);
      const blamed = index === culprit;
      return h('li', { class: [blamed ? 'culprit' : '', yours.has(index) ? 'yours' : ''].join(' ').trim() || null, dataset: { layer: Number.isNaN(index) ? '' : index } },
        h('code', {}, blamed ? '◆ ' : '', step,
          blamed ? h('span', { class: 'visually-hidden' }, ' (named by the check)') : null,
          yours.has(index) ? h('span', { class: 'visually-hidden' }, ' (your code)') : null));
    })));
}

/**
 * A failing case's long form, folded (a <details>, so keyboard and screen readers open it as
 * any disclosure): the worst gradient element, the first differences, the inputs and values,
 * and the path of layers with the blamed one (`culprit`) marked. Null when the detail is empty.
 */
export function detailView(d, { culprit = null, yours = new Set() } = {}) {
  const peeks = [...(d.inputs ?? []), d.expected, d.received].filter(Boolean);
  const parts = [
    d.gradient ? ['the worst gradient element', gradientPart(d.gradient)] : null,
    d.differences?.length ? ['the first differences', differencesPart(d)] : null,
    peeks.length ? [d.expected || d.received ? 'expected and received values' : 'the inputs', valuesPart(peeks)] : null,
    d.path?.length ? ['the layers', pathPart(d.path, culprit, yours)] : null,
  ].filter(Boolean);
  if (!parts.length) return null;
  return h('details', { class: 'case-detail' },
    h('summary', {}, 'Detailed output', h('span', { class: 'detail-what' }, `: ${parts.map(([w]) => w).join(', ')}`)),
    h('div', { class: 'detail-body' }, parts.map(([, el]) => el)));
}
