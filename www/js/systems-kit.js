// TinyTorch Lab: pieces the tools of modules 14–20 share: number formats, a horizontal bar,
// a run helper that drives a tool section's state (working → done | error) around a task in
// the tools worker, and a Blob download link.

import { h, setChildren, announce } from './dom.js';
import { toolsWorker } from './jobs.js';

export { stat, pct, int, trainingProgress } from './milestone-kit.js';

/** 1234567 → "1.23 M", 5120 → "5.12 k", 12 → "12". */
export function fmtCount(n) {
  const a = Math.abs(n);
  if (a >= 1e9) return `${+(n / 1e9).toPrecision(3)} G`;
  if (a >= 1e6) return `${+(n / 1e6).toPrecision(3)} M`;
  if (a >= 1e4) return `${+(n / 1e3).toPrecision(3)} k`;
  return Math.round(n).toLocaleString('en');
}

/** Milliseconds with sensible precision: "0.0123 ms", "1.23 ms", "123 ms", "1.2 s". */
export function ms(x) {
  if (!Number.isFinite(x)) return '—';
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  if (x >= 100) return `${Math.round(x)} ms`;
  if (x >= 1) return `${x.toFixed(2)} ms`;
  if (x >= 0.01) return `${x.toFixed(3)} ms`;
  if (x === 0) return '0 ms';
  return `${(x * 1000).toFixed(2)} µs`;
}

/** Bytes as "38,440 B (37.5 KiB)" or just "512 B". */
export function bytes(n) {
  if (n < 1024) return `${Math.round(n).toLocaleString('en')} B`;
  const kib = n / 1024;
  return kib < 1024 ? `${kib.toFixed(1)} KiB` : `${(kib / 1024).toFixed(2)} MiB`;
}

/** "12.3×". */
export const times = (x, digits = 1) => `${x.toFixed(digits)}×`;

/** A horizontal bar for `fraction` (0…1) with a text value beside it. */
export function bar(fraction, text, { tone = '' } = {}) {
  const f = Math.max(0, Math.min(1, fraction || 0));
  return h('span', { class: 'hbar' },
    h('span', { class: 'hbar-track', 'aria-hidden': 'true' }, h('span', { class: `hbar-fill${tone ? ` hbar-${tone}` : ''}`, style: `width: ${(f * 100).toFixed(1)}%` })),
    h('span', { class: 'hbar-text' }, text));
}

/** A tool section's status line. */
export function statusLine(id) {
  return h('p', { class: 'progress-text tool-status', role: 'status', id });
}

/**
 * Runs `task` in the tools worker with the section `root` marked working, streaming progress
 * to `onProgress`; on failure shows the message in `status` and marks the section "error".
 * Resolves to the result, or null after an error. Only the latest call per `key` counts.
 */
const latest = new Map();
export async function runTool(root, status, task, args, { onProgress, key = task, working = 'Working in the background worker…' } = {}) {
  const mine = (latest.get(key) ?? 0) + 1;
  latest.set(key, mine);
  root.dataset.state = 'working';
  status.classList.remove('error-box');
  status.textContent = working;
  try {
    const value = await toolsWorker.run(task, args, {
      onProgress: (msg) => {
        if (msg.kind === 'stage') status.textContent = `${msg.text[0].toUpperCase()}${msg.text.slice(1)}…`;
        onProgress?.(msg);
      },
    });
    if (latest.get(key) !== mine) return null;
    return value;
  } catch (err) {
    if (latest.get(key) === mine) {
      status.textContent = `This tool stopped with an error: ${err.message}`;
      status.classList.add('error-box');
      root.dataset.state = 'error';
      announce(status.textContent);
    }
    return null;
  }
}

/** Marks a tool section done and announces `text`. */
export function done(root, status, text) {
  status.textContent = text;
  root.dataset.state = 'done';
  announce(text);
}

/** A link that downloads `value` as a JSON file (Blob URL, nothing leaves the browser). */
export function jsonDownload(value, filename, label, { id = null, primary = false } = {}) {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  return h('a', { class: `btn${primary ? ' btn-primary' : ''}`, href: url, download: filename, id }, label);
}

export { h, setChildren };
