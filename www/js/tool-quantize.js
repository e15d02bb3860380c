// TinyTorch Lab, module 15: int8 quantization of a trained digits MLP, in the tools worker.
// Shows the float and int8 models side by side (bytes, held-out accuracy, latency), each
// layer's storage and the input calibration it uses, and for the first weight matrix the
// histogram of its real int8 values with the dequantization error against half a step.

import { h, setChildren, stat, int, pct, bytes, times, statusLine, runTool, done } from './systems-kit.js';

function cssColor(el, name, fallback) {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** Draws the 256 int8 bins (−128 … 127) as bars, with the zero point marked. */
function drawHistogram(canvas, counts, zeroPoint, perChannel) {
  const width = canvas.clientWidth || 600, height = 180;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const font = getComputedStyle(canvas).fontFamily;
  const ink = cssColor(canvas, '--chart-ink', '#333'), grid = cssColor(canvas, '--chart-grid', '#ddd');
  const fill = cssColor(canvas, '--chart-1', '#0072b2'), mark = cssColor(canvas, '--chart-2', '#d55e00');
  const box = { left: 46, right: width - 10, top: 10, bottom: height - 34 };
  const max = Math.max(...counts, 1);
  const bw = (box.right - box.left) / 256;
  ctx.font = `12px ${font}`;
  ctx.strokeStyle = grid; ctx.fillStyle = ink; ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (const f of [0, 0.5, 1]) {
    const y = box.bottom - f * (box.bottom - box.top);
    ctx.beginPath(); ctx.moveTo(box.left, y); ctx.lineTo(box.right, y); ctx.stroke();
    ctx.fillText(String(Math.round(f * max)), box.left - 6, y);
  }
  ctx.fillStyle = fill;
  counts.forEach((c, i) => {
    if (!c) return;
    const hgt = Math.max(1, (c / max) * (box.bottom - box.top));
    ctx.fillRect(box.left + i * bw, box.bottom - hgt, Math.max(1, bw - 0.3), hgt);
  });
  ctx.fillStyle = ink; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  for (const v of [-128, -64, 0, 64, 127]) ctx.fillText(String(v), box.left + (v + 128 + 0.5) * bw, box.bottom + 5);
  ctx.fillText('int8 value q', (box.left + box.right) / 2, box.bottom + 19);
  if (!perChannel) {
    const x = box.left + (zeroPoint + 128 + 0.5) * bw;
    ctx.strokeStyle = mark; ctx.setLineDash([4, 3]); ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(x, box.top); ctx.lineTo(x, box.bottom); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = mark; ctx.textAlign = x > width - 120 ? 'right' : 'left';
    ctx.fillText(`zero point ${zeroPoint} (w = 0)`, x + (x > width - 120 ? -4 : 4), box.top);
  }
  canvas.setAttribute('aria-label', `Histogram of the ${counts.reduce((a, b) => a + b, 0)} int8 values of the weight matrix, from −128 to 127${perChannel ? '' : `, zero point ${zeroPoint}`}.`);
}

export function mount(root) {
  const mode = h('select', { id: 'q-mode' },
    h('option', { value: 'tensor' }, 'one scale for the whole tensor'),
    h('option', { value: 'channel' }, 'one scale per output channel (128)'));
  const status = statusLine('q-status');
  const stats = h('div', { class: 'stats', id: 'q-stats' });
  const layers = h('div', { class: 'table-scroll', id: 'q-layers', tabindex: 0, role: 'region', 'aria-label': 'per-layer storage' });
  const canvas = h('canvas', { class: 'chart', id: 'q-hist', role: 'img' });
  const histFacts = h('ul', { class: 'tool-facts', id: 'q-facts' });
  const samples = h('div', { class: 'table-scroll', id: 'q-samples', tabindex: 0, role: 'region', 'aria-label': 'quantized sample values' });
  let last = null;

  setChildren(root,
    h('h2', { id: 'quantize-title' }, 'Quantize a trained digits model'),
    h('p', {}, 'A digits MLP 64-128-10 is trained in a background worker (20 epochs of Adam, seed 0), then every Linear is replaced by a QuantizedLinear: int8 weights stored as ',
      h('code', {}, 'i8'), ' (one byte each, plus a scale and a zero point per tensor or channel), an input scale calibrated on 128 training images, and an int8 × int8 → i32 SIMD matrix multiply. ',
      'Both models are then measured on the 359 held-out digits.'),
    status, stats,
    h('h3', {}, 'Each layer'), layers,
    h('h3', {}, 'The int8 values of one weight matrix'),
    h('div', { class: 'fields' }, h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Scales'), mode)),
    h('figure', { class: 'chart-box' }, canvas, h('figcaption', { id: 'q-caption' }, 'The 8,192 weights of layer 1 (Linear 64 → 128) as stored.')),
    histFacts, samples);

  function render(r) {
    last = r;
    const [f, q] = r.rows;
    const t = r.tensor;
    const delta = 100 * (q.accuracy - f.accuracy);
    const kib = (n) => (n / 1024).toFixed(1), us = (x) => (1000 * x).toFixed(1), p1 = (x) => (100 * x).toFixed(1);
    setChildren(stats,
      stat('bytes: float32 → int8', `${kib(f.bytes)} → ${kib(q.bytes)} KiB`, { note: `${times(f.bytes / q.bytes, 2)} smaller (${int(f.bytes)} → ${int(q.bytes)} B)`, id: 'q-bytes', tone: f.bytes / q.bytes >= 3.5 ? 'pass' : '' }),
      stat('held-out accuracy', `${p1(f.accuracy)} → ${p1(q.accuracy)} %`, { note: `${delta >= 0 ? '+' : '−'}${Math.abs(delta).toFixed(2)} points, measured on 359 digits`, id: 'q-accuracy', tone: Math.abs(delta) <= 1 ? 'pass' : 'warn' }),
      stat('latency per image', `${us(f.latency_ms.median)} → ${us(q.latency_ms.median)} µs`, { note: `median of 15 runs, batch of 1: ${times(f.latency_ms.median / q.latency_ms.median, 2)}` }),
      stat('int8 layers', `${r.layers.filter((l) => l.startsWith('Quantized')).length} of ${r.layers.length}`, { note: 'each Linear became a QuantizedLinear (int8 × int8 → i32); Flatten and ReLU are unchanged' }));
    setChildren(layers, h('table', { class: 'runs' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Layer'),
        h('th', { scope: 'col', class: 'num' }, 'float32 bytes'), h('th', { scope: 'col', class: 'num' }, 'int8 bytes'),
        h('th', { scope: 'col', class: 'num' }, 'Input scale'), h('th', { scope: 'col', class: 'num' }, 'Input zero point'))),
      h('tbody', {}, r.report.layers.map((l) => h('tr', {},
        h('td', { class: 'num' }, String(l.index)), h('th', { scope: 'row' }, l.kind),
        h('td', { class: 'num' }, int(l.float_bytes)), h('td', { class: 'num' }, int(l.quant_bytes)),
        h('td', { class: 'num' }, l.input_scale === null ? '—' : l.input_scale.toPrecision(4)),
        h('td', { class: 'num' }, l.input_zero_point === null ? '—' : String(l.input_zero_point))))),
      h('tfoot', {}, h('tr', {}, h('td', {}), h('th', { scope: 'row' }, 'Total'), h('td', { class: 'num' }, int(r.report.float_bytes)),
        h('td', { class: 'num' }, int(r.report.quant_bytes)), h('td', { colspan: 2, class: 'num' }, `ratio ${times(r.report.ratio, 2)}`)))));
    drawHistogram(canvas, t.counts, t.zeroPoint, t.perChannel);
    const ok = t.worstRatio <= 1 + 1e-4;
    setChildren(histFacts,
      h('li', {}, h('strong', {}, 'Storage: '), `${int(t.count)} values in ${int(t.bytes)} bytes of int8 (${int(t.floatBytes)} as float32), `,
        t.perChannel ? `with ${t.params} scales from ${t.scaleMin.toPrecision(3)} to ${t.scaleMax.toPrecision(3)}.` : `scale ${t.scale.toPrecision(4)}, zero point ${t.zeroPoint}; values from ${t.qMin} to ${t.qMax}.`),
      h('li', { id: 'q-error', dataset: { ok: String(ok), ratio: String(t.worstRatio) } }, h('strong', {}, 'Round trip: '),
        `the largest |w − ŵ| is ${t.maxError.toPrecision(3)}; half a step is ${t.perChannel ? 'at most ' : ''}${t.halfStep.toPrecision(3)}. `,
        ok ? `Every value comes back within half of its own step ✓ (the worst uses ${(100 * t.worstRatio).toFixed(1)} % of it: rounding to the nearest step can do no worse).`
          : `Some value is off by ${(100 * t.worstRatio).toFixed(1)} % of half its step ✗`),
      h('li', {}, h('strong', {}, 'Why per channel helps: '), 'one scale must cover the widest column; a scale per output channel fits each column\'s own range, so narrow columns get finer steps.'));
    setChildren(samples, h('table', { class: 'runs' },
      h('caption', {}, 'The first weights: q = clip(round(w/scale) + zp, −128, 127), ŵ = (q − zp)·scale'),
      h('thead', {}, h('tr', {}, ['w (float32)', 'q (int8)', 'ŵ (dequantized)', '|w − ŵ|'].map((c) => h('th', { scope: 'col', class: 'num' }, c)))),
      h('tbody', {}, t.samples.map((s) => h('tr', {},
        h('td', { class: 'num' }, s.w.toFixed(5)), h('td', { class: 'num' }, String(s.q)),
        h('td', { class: 'num' }, s.back.toFixed(5)), h('td', { class: 'num' }, Math.abs(s.w - s.back).toExponential(2)))))));
  }

  async function update() {
    const r = await runTool(root, status, 'quantizeDigits', { perChannel: mode.value === 'channel' }, { working: 'Training and quantizing in the background worker…' });
    if (!r) return;
    render(r);
    const [f, q] = r.rows;
    done(root, status, `Quantized: ${bytes(f.bytes)} → ${bytes(q.bytes)} (${times(f.bytes / q.bytes, 2)}), accuracy ${pct(f.accuracy, 2)} → ${pct(q.accuracy, 2)}.`);
  }
  mode.addEventListener('change', update);
  let width = 0;
  new ResizeObserver(() => {
    if (last && canvas.clientWidth !== width) { width = canvas.clientWidth; drawHistogram(canvas, last.tensor.counts, last.tensor.zeroPoint, last.tensor.perChannel); }
  }).observe(canvas);
  update();
}
