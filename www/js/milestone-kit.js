// TinyTorch Lab: pieces the milestone pages share: the page chrome, a training progress bar
// that stays at 100 % when done, stat cards, number formats and 8×8 digit drawing.

import { h, setChildren, pad2 } from './dom.js';
import { siteHeader, siteFooter } from './chrome.js';
import { MILESTONES } from './modules.js';

/** Puts the shared header and footer around the page's <main>. */
export function chrome() {
  document.getElementById('main').before(siteHeader({ current: 'milestone', base: '../' }));
  document.body.append(siteFooter());
}

/** "Milestone 04 · 1998" links to the other milestones, for the foot of a page. */
export function otherMilestones(slug) {
  const others = MILESTONES.filter((m) => m.slug !== slug);
  return h('nav', { class: 'pager', 'aria-label': 'Other milestones' }, others.map((m) =>
    h('a', { href: m.file }, h('span', { class: 'pager-dir' }, `Milestone ${pad2(m.number)} · ${m.year}`), m.title)));
}

/** A determinate progress bar (0–100 %) with a status line; it stays visible when done. */
export function trainingProgress(id) {
  const bar = h('progress', { id, class: 'progress progress-wide', max: 100, value: 0 });
  const pct = h('span', { class: 'progress-pct', 'aria-hidden': 'true' }, '0 %');
  const text = h('span', { class: 'progress-text', role: 'status', id: `${id}-text` });
  const el = h('div', { class: 'train-progress' }, h('div', { class: 'progress-line' }, bar, pct), text);
  return {
    el,
    set(fraction, message) {
      const v = Math.max(0, Math.min(100, Math.round(fraction * 1000) / 10));
      bar.value = v;
      pct.textContent = `${Math.round(v)} %`;
      el.dataset.percent = String(v);
      if (message !== undefined) text.textContent = message;
    },
    message(m) { text.textContent = m; },
  };
}

/** A stat card: a big number, its label and a note. */
export function stat(label, value, { note = '', id = null, tone = '' } = {}) {
  return h('div', { class: `stat${tone ? ` stat-${tone}` : ''}`, id },
    h('div', { class: 'stat-value' }, value),
    h('div', { class: 'stat-label' }, label),
    note ? h('div', { class: 'stat-note' }, note) : null);
}

export const pct = (x, digits = 1) => `${(100 * x).toFixed(digits)} %`;
export const int = (n) => Math.round(n).toLocaleString('en');

/** Draws 64 pixel values in [0, 1] (row-major 8×8) as a dark-on-light digit. */
export function drawDigit(canvas, pixels, size = 64) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * ratio);
  canvas.height = Math.round(size * ratio);
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const cell = size / 8;
  for (let i = 0; i < 64; i++) {
    const v = Math.max(0, Math.min(1, pixels[i]));
    const shade = Math.round(250 - 235 * v);
    ctx.fillStyle = `rgb(${shade} ${shade} ${Math.min(255, shade + 8)})`;
    ctx.fillRect((i % 8) * cell, Math.floor(i / 8) * cell, Math.ceil(cell), Math.ceil(cell));
  }
}

export { h, setChildren };
