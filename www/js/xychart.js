// TinyTorch Lab: a small, dependency-free x–y chart on <canvas> for measured points whose x is
// a real number (sequence lengths, matrix sizes, sparsity, bytes): lines with markers, or a
// scatter with labelled points and a highlighted subset (the Pareto front).
//
//   const chart = new XYChart(container, { xLabel: 'tokens', yLabel: 'ms', logX: true });
//   chart.set([{ name: 'uncached', points: [[8, 12], [16, 30]] }, { name: 'cached', points: [...] }]);
//
// Series options: `line` (default true), `labels` (text per point), `highlight` (indices drawn
// larger and ringed), `frontLine` (join the highlighted points in x order). Colours come from
// the stylesheet (--chart-1 … --chart-5), each series also has its own marker shape and dash,
// so series differ by more than colour. HiDPI-sharp, redrawn when its width changes.

import { CanvasChart, DASHES, line, linearTicks, niceStep } from './canvas-chart.js';

const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross'];

export class XYChart extends CanvasChart {
  constructor(container, { xLabel = 'x', yLabel = 'y', height = 260, logX = false, logY = false, xFormat = null, yFormat = null, yMin = null, yMax = null, xTicks = null, legend = 'top-left' /* top-left | top-right | bottom-left | bottom-right */ } = {}) {
    super(container, { xLabel, yLabel, height, logX, logY, xFormat, yFormat, yMin, yMax, xTicks, legend });
  }

  set(series, opts = {}) {
    Object.assign(this.opts, opts);
    this.series = series.map((s) => ({ line: true, labels: null, highlight: [], frontLine: false, ...s }));
    this.draw();
  }

  draw() {
    const { opts } = this;
    const { ctx, width, ink, grid, surface, seriesColor } = this.begin();
    const pts = this.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
    this.describe();
    if (!pts.length) return;

    const axis = (values, log, lo0, hi0) => {
      let lo = Math.min(...values), hi = Math.max(...values);
      if (lo0 !== null && lo0 !== undefined) lo = Math.min(lo, lo0);
      if (hi0 !== null && hi0 !== undefined) hi = Math.max(hi, hi0);
      if (log) {
        lo = Math.max(lo, 1e-12);
        const l = Math.log10(lo), h = Math.log10(Math.max(hi, lo * 1.0001));
        const pad = (h - l) * 0.06 || 0.3;
        return { log, lo: l - pad, hi: h + pad };
      }
      const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.1 || 1;
      return { log, lo: lo0 ?? (lo >= 0 && lo - pad < 0 ? 0 : lo - pad), hi: hi0 ?? hi + pad };
    };
    const xa = axis(pts.map((p) => p[0]), opts.logX, null, null);
    const ya = axis(pts.map((p) => p[1]), opts.logY, opts.yMin, opts.yMax);
    const box = { left: 62, right: width - 14, top: 14, bottom: opts.height - 42 };
    const tf = (a, v) => (a.log ? Math.log10(Math.max(v, 1e-12)) : v);
    const sx = (v) => box.left + ((tf(xa, v) - xa.lo) / (xa.hi - xa.lo || 1)) * (box.right - box.left);
    const sy = (v) => box.bottom - ((tf(ya, v) - ya.lo) / (ya.hi - ya.lo || 1)) * (box.bottom - box.top);

    this.frame(ctx, box, {
      ink, grid, values: ticks(ya), sy, xGap: 24,
      yText: (v) => (opts.yFormat ? opts.yFormat(v) : tickText(v)),
      // Vertical grid lines at the x ticks; a label only where it clears the previous one.
      xMarks: () => {
        let lastRight = -Infinity;
        for (const v of opts.xTicks ?? ticks(xa)) {
          const x = sx(v);
          if (x < box.left - 1 || x > box.right + 1) continue;
          const text = opts.xFormat ? opts.xFormat(v) : tickText(v);
          const w = ctx.measureText(text).width;
          line(ctx, x, box.top, x, box.bottom);
          if (x - w / 2 > lastRight + 6) { ctx.fillText(text, x, box.bottom + 6); lastRight = x + w / 2; }
        }
      },
      xLabel: opts.xLabel + (xa.log ? ' (log scale)' : ''), yLabel: opts.yLabel + (ya.log ? ' (log)' : ''),
    });

    this.series.forEach((s, k) => {
      const c = seriesColor(k);
      const order = s.points.map((p, i) => [p, i]).filter(([[x, y]]) => Number.isFinite(x) && Number.isFinite(y));
      ctx.strokeStyle = c; ctx.fillStyle = c; ctx.lineWidth = 2;
      if (s.line && order.length > 1) {
        ctx.setLineDash(DASHES[k % DASHES.length]); ctx.beginPath();
        order.forEach(([[x, y]], j) => (j ? ctx.lineTo(sx(x), sy(y)) : ctx.moveTo(sx(x), sy(y))));
        ctx.stroke(); ctx.setLineDash([]);
      }
      if (s.frontLine && s.highlight.length > 1) {
        const front = s.highlight.map((i) => s.points[i]).sort((a, b) => a[0] - b[0]);
        ctx.setLineDash([5, 4]); ctx.lineWidth = 1.5; ctx.beginPath();
        front.forEach(([x, y], j) => (j ? ctx.lineTo(sx(x), sy(y)) : ctx.moveTo(sx(x), sy(y))));
        ctx.stroke(); ctx.setLineDash([]); ctx.lineWidth = 2;
      }
      for (const [[x, y], i] of order) {
        const hi = s.highlight.includes(i);
        marker(ctx, SHAPES[k % SHAPES.length], sx(x), sy(y), hi ? 5.5 : 4, c, surface, hi || !s.highlight.length);
        if (hi) { ctx.strokeStyle = c; ctx.lineWidth = 1.5; ctx.beginPath(); ctx.arc(sx(x), sy(y), 9, 0, 2 * Math.PI); ctx.stroke(); ctx.lineWidth = 2; }
      }
      if (s.labels) {
        ctx.fillStyle = ink; ctx.textBaseline = 'middle';
        for (const [[x, y], i] of order) {
          const text = s.labels[i];
          if (!text) continue;
          const w = ctx.measureText(text).width;
          const right = sx(x) + 12 + w < box.right;
          ctx.textAlign = right ? 'left' : 'right';
          ctx.fillText(text, sx(x) + (right ? 12 : -12), sy(y) - 10);
        }
      }
    });

    if (this.series.length > 1 || this.series[0]?.name) {
      ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
      const w = Math.max(...this.series.map((s) => ctx.measureText(s.name).width)) + 36;
      const hgt = this.series.length * 17 + 4;
      const left = opts.legend.endsWith('right') ? box.right - w - 6 : box.left + 8;
      const top = opts.legend.startsWith('bottom') ? box.bottom - hgt - 6 : box.top + 2;
      ctx.globalAlpha = 0.9; ctx.fillStyle = surface; ctx.fillRect(left - 4, top, w + 4, hgt); ctx.globalAlpha = 1;
      this.series.forEach((s, k) => {
        const c = seriesColor(k);
        const y = top + 10 + k * 17;
        ctx.strokeStyle = c; ctx.lineWidth = 2;
        if (s.line) { ctx.setLineDash(DASHES[k % DASHES.length]); line(ctx, left, y, left + 22, y); ctx.setLineDash([]); }
        marker(ctx, SHAPES[k % SHAPES.length], left + 11, y, 3.5, c, surface, true);
        ctx.fillStyle = ink; ctx.fillText(s.name, left + 28, y);
      });
    }
  }

  /** A text description for screen readers (and tests). */
  describe() {
    const parts = this.series.map((s) => `${s.name || 'series'}: ${s.points.map(([x, y]) => `(${tickText(x)}, ${tickText(y)})`).join(' ')}`);
    this.canvas.setAttribute('aria-label', `Chart of ${this.opts.yLabel} against ${this.opts.xLabel}. ${parts.join('; ')}`);
    this.canvas.dataset.points = String(this.series.reduce((n, s) => n + s.points.length, 0));
    this.canvas.dataset.series = String(this.series.length);
  }
}

function marker(ctx, shape, x, y, r, c, surface, filled) {
  ctx.beginPath();
  if (shape === 'square') ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else if (shape === 'triangle') { ctx.moveTo(x, y - r * 1.2); ctx.lineTo(x + r * 1.1, y + r * 0.8); ctx.lineTo(x - r * 1.1, y + r * 0.8); ctx.closePath(); }
  else if (shape === 'diamond') { ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r * 1.1, y); ctx.lineTo(x, y + r * 1.3); ctx.lineTo(x - r * 1.1, y); ctx.closePath(); }
  else if (shape === 'cross') { ctx.rect(x - r, y - r / 3, 2 * r, 2 * r / 3); ctx.rect(x - r / 3, y - r, 2 * r / 3, 2 * r); }
  else ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = filled ? c : surface;
  ctx.fill();
  ctx.strokeStyle = c; ctx.lineWidth = 1.5; ctx.stroke();
}

/** Tick values inside the (transformed) axis range, in data units. */
function ticks(a) {
  if (a.log) {
    const out = [];
    const decades = a.hi - a.lo;
    const marks = decades < 1.2 ? [1, 2, 3, 5] : decades < 3 ? [1, 2, 5] : [1];
    for (let e = Math.floor(a.lo); e <= Math.ceil(a.hi); e++) {
      for (const m of marks) {
        const v = m * 10 ** e;
        const t = Math.log10(v);
        if (t >= a.lo && t <= a.hi) out.push(+v.toPrecision(3));
      }
    }
    return out;
  }
  return linearTicks(a.lo, a.hi, niceStep((a.hi - a.lo) / 5));
}

export function tickText(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a < 1e-3) return v.toExponential(0).replace('e-', 'e−');
  return String(+v.toPrecision(3));
}
