// TinyTorch Lab: tiny DOM helpers shared by every page (element builder, number formats,
// status badges). No framework: `h('p', { class: 'note' }, 'text', child)` builds an element.

/**
 * Builds an element. `props` keys: `class`, `text`, `html` (trusted strings only), `on*`
 * handlers (`onclick`), `dataset`, boolean attributes (`hidden: true`), anything else as an
 * attribute. Children may be strings, numbers, nodes, arrays or null (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'html') el.innerHTML = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces every child of `el`. */
export function setChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** "05" for 5. */
export const pad2 = (n) => String(n).padStart(2, '0');

/** A short, readable number: 0.000123 → "1.23e-4", 0.5 → "0.5000", 1234.5 → "1234.5". */
export function fmt(x, digits = 4) {
  if (x === null || x === undefined) return '—';
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(2).replace('e-', 'e−');
  if (Number.isInteger(x)) return String(x);
  return a >= 100 ? x.toFixed(1) : x.toFixed(digits);
}

/** Bytes as "1.25 MiB". */
export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(2)} MiB`;
}

/** Milliseconds as "12 ms" or "1.4 s". */
export const fmtMs = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/**
 * Status words → icon + text, so status never relies on colour alone.
 * Used for checks (pass/fail), modules (not run, not built) and gradcheck rows.
 */
const STATUS = {
  pass: ['✓', 'pass'],
  fail: ['✗', 'fail'],
  ok: ['✓', 'ok'],
  mismatch: ['≠', 'mismatch'],
  missing: ['∅', 'missing'],
  zero: ['0', 'zero'],
  'not-run': ['○', 'not run'],
  partial: ['◐', 'partly run'],
  'not-built': ['·', 'not built'],
  none: ['○', 'no checks yet'],
  running: ['…', 'running'],
  // The student's exercise status (js/progress.js).
  'not-started': ['○', 'not started'],
  failing: ['✗', 'failing'],
  passing: ['✓', 'passing'],
  'passing-solution': ['✓', 'passing (solution viewed)'],
  'no-exercise': ['·', 'no exercise yet'],
};

/** A status badge: `<span class="badge badge-fail"><span aria-hidden>✗</span> fail</span>`. */
export function badge(status, label) {
  const [icon, word] = STATUS[status] ?? ['?', status];
  return h('span', { class: `badge badge-${status}` },
    h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, icon), ' ', label ?? word);
}

/** Announces a short message to screen readers through the page's live region. */
export function announce(text) {
  let region = document.getElementById('live-region');
  if (!region) {
    region = h('div', { id: 'live-region', class: 'visually-hidden', 'aria-live': 'polite' });
    document.body.append(region);
  }
  region.textContent = text;
}
