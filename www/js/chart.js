// TinyTorch Lab: a small, dependency-free line chart on <canvas> (loss curves, example plots).
//
//   const chart = new LineChart(container, { xLabel: 'epoch', yLabel: 'loss' });
//   chart.set([{ name: 'train', values: [0.9, 0.5, 0.2] }, { name: 'test', values: [...] }]);
//   chart.add('train', 0.1);          // append one point (live training)
//
// Several series, axis labels and ticks, a legend, a log y-axis chosen automatically when the
// values span more than two decades, HiDPI-sharp, redrawn on resize, and colours taken from
// the stylesheet (--chart-1 … --chart-5) with a distinct dash pattern per series, so series
// differ by more than colour. The canvas, its resizing and the axis frame: canvas-chart.js.

import { CanvasChart, DASHES, line, linearTicks, niceStep } from './canvas-chart.js';

export class LineChart extends CanvasChart {
  constructor(container, { xLabel = 'x', yLabel = 'y', title = '', height = 220, logY = 'auto', x0 = 0, xStep = 1, yMin = null, yMax = null, yFormat = null, legend = 'top' } = {}) {
    super(container, { xLabel, yLabel, title, height, logY, x0, xStep, yMin, yMax, yFormat, legend });
  }

  set(series) {
    this.series = series.map((s) => ({ name: s.name, values: Array.from(s.values, Number) }));
    this.draw();
  }

  add(name, value) {
    let s = this.series.find((t) => t.name === name);
    if (!s) this.series.push((s = { name, values: [] }));
    s.values.push(Number(value));
    this.draw();
  }

  draw() {
    const { opts } = this;
    const { ctx, width, ink, grid, surface, seriesColor } = this.begin();

    const finite = this.series.flatMap((s) => s.values.filter(Number.isFinite));
    const n = Math.max(0, ...this.series.map((s) => s.values.length));
    this.describe(finite, n);
    if (!finite.length) return;
    let lo = Math.min(...finite), hi = Math.max(...finite);
    const log = opts.logY === true || (opts.logY === 'auto' && lo > 0 && hi / lo > 100);
    const tf = log ? Math.log10 : (v) => v;
    if (log) { lo /= 1.3; hi *= 1.3; } else {
      const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.1 || 1;
      lo -= pad; hi += pad;
      if (Math.min(...finite) >= 0) lo = Math.max(lo, 0);
      if (opts.yMin !== null) lo = Math.min(opts.yMin, Math.min(...finite));
      if (opts.yMax !== null) hi = Math.max(opts.yMax, Math.max(...finite));
    }
    const [ylo, yhi] = [tf(lo), tf(hi)];

    const box = { left: 58, right: width - 12, top: opts.title ? 26 : 12, bottom: opts.height - 40 };
    const sx = (i) => box.left + (n <= 1 ? 0 : (i / (n - 1)) * (box.right - box.left));
    const sy = (v) => box.bottom - ((tf(v) - ylo) / (yhi - ylo || 1)) * (box.bottom - box.top);

    // Grid, x ticks, axes and their labels.
    this.frame(ctx, box, {
      ink, grid, values: yTicks(lo, hi, log), sy, xGap: 22,
      yText: (v) => (opts.yFormat ? opts.yFormat(v) : tickText(v)),
      xMarks: () => {
        for (const i of xTicks(n, opts.x0, opts.xStep)) {
          line(ctx, sx(i), box.bottom, sx(i), box.bottom + 4);
          ctx.fillText(String(+((i + opts.x0) * opts.xStep).toPrecision(6)), sx(i), box.bottom + 6);
        }
      },
      xLabel: opts.xLabel, yLabel: opts.yLabel + (log ? ' (log)' : ''),
    });
    if (opts.title) { ctx.textAlign = 'left'; ctx.fillText(opts.title, box.left, 6); }

    // Series, then the legend (top right).
    this.series.forEach((s, k) => {
      ctx.strokeStyle = seriesColor(k);
      ctx.lineWidth = 2; ctx.setLineDash(DASHES[k % DASHES.length]); ctx.beginPath();
      let pen = false;
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v) || (log && v <= 0)) { pen = false; return; }
        pen ? ctx.lineTo(sx(i), sy(v)) : ctx.moveTo(sx(i), sy(v));
        pen = true;
      });
      if (s.values.length === 1) ctx.arc(sx(0), sy(s.values[0]), 2.5, 0, 2 * Math.PI);
      ctx.stroke();
    });
    ctx.setLineDash([]); ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
    if (this.series.length > 1 || this.series[0]?.name) {
      const legendH = this.series.length * 16 + 2;
      const top = opts.legend === 'bottom' ? box.bottom - legendH - 4 : box.top;
      let y = top + 8;
      const w = Math.max(...this.series.map((s) => ctx.measureText(s.name).width)) + 34;
      ctx.fillStyle = surface;
      ctx.globalAlpha = 0.88;
      ctx.fillRect(box.right - w - 6, top, w + 4, legendH);
      ctx.globalAlpha = 1;
      this.series.forEach((s, k) => {
        ctx.strokeStyle = seriesColor(k); ctx.lineWidth = 2;
        ctx.setLineDash(DASHES[k % DASHES.length]);
        line(ctx, box.right - w, y, box.right - w + 24, y);
        ctx.setLineDash([]); ctx.fillStyle = ink; ctx.fillText(s.name, box.right - w + 30, y);
        y += 16;
      });
    }
  }

  /** A text description for screen readers (and tests): first and last value per series. */
  describe(finite, n) {
    const parts = this.series.map((s) => {
      const v = s.values;
      return v.length ? `${s.name || 'series'}: ${tickText(v[0])} → ${tickText(v[v.length - 1])} over ${v.length} points` : `${s.name}: empty`;
    });
    this.canvas.setAttribute('aria-label', `Line chart of ${this.opts.yLabel} by ${this.opts.xLabel}. ${parts.join('; ')}`);
    this.canvas.dataset.points = String(finite.length);
    this.canvas.dataset.length = String(n);
  }
}

function yTicks(lo, hi, log) {
  if (log) { // decades, plus 2× and 5× marks when only a few decades are shown
    const out = [];
    const decades = Math.log10(hi / lo);
    const few = decades < 3;
    const every = Math.max(1, Math.ceil(decades / 6));
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      if (e % every !== 0) continue;
      for (const m of few ? [1, 2, 5] : [1]) out.push(+(m * 10 ** e).toPrecision(3));
    }
    return out;
  }
  return linearTicks(lo, hi, niceStep((hi - lo) / 4));
}

/** Indices whose x labels ((i + x0)·xStep) are round numbers, about five of them. */
function xTicks(n, x0 = 0, xStep = 1) {
  if (n <= 1) return [0];
  const first = x0 * xStep, last = (n - 1 + x0) * xStep;
  const step = Math.max(xStep, Math.round(niceStep((last - first) / 5) / xStep) * xStep);
  const out = [];
  for (let v = Math.ceil(first / step - 1e-9) * step; v <= last + step * 1e-9; v += step) {
    const i = v / xStep - x0;
    if (i >= -1e-9 && Math.abs(i - Math.round(i)) < 1e-6) out.push(Math.round(i));
  }
  return out.length ? out : [0];
}

function tickText(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e-', 'e−');
  return String(+v.toPrecision(3));
}
