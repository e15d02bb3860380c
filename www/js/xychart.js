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

const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3], [1, 2]];
const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross'];

export class XYChart {
  constructor(container, { xLabel = 'x', yLabel = 'y', height = 260, logX = false, logY = false, xFormat = null, yFormat = null, yMin = null, yMax = null, xTicks = null, legend = 'top-left' /* top-left | top-right | bottom-left | bottom-right */ } = {}) {
    this.opts = { xLabel, yLabel, height, logX, logY, xFormat, yFormat, yMin, yMax, xTicks, legend };
    this.series = [];
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'chart';
    this.canvas.setAttribute('role', 'img');
    container.append(this.canvas);
    this.lastWidth = 0;
    this.resize = new ResizeObserver(() => { if (this.canvas.clientWidth !== this.lastWidth) this.draw(); });
    this.resize.observe(this.canvas);
  }

  set(series, opts = {}) {
    Object.assign(this.opts, opts);
    this.series = series.map((s) => ({ line: true, labels: null, highlight: [], frontLine: false, ...s }));
    this.draw();
  }

  draw() {
    const { canvas, opts } = this;
    const width = canvas.clientWidth || 480;
    this.lastWidth = canvas.clientWidth;
    const ratio = window.devicePixelRatio || 1;
    canvas.style.height = `${opts.height}px`;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(opts.height * ratio);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const css = getComputedStyle(canvas);
    const color = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
    const ink = color('--chart-ink', '#333'), grid = color('--chart-grid', '#ddd'), surface = color('--surface', '#fff');
    ctx.font = `12px ${css.fontFamily}`;
    ctx.clearRect(0, 0, width, opts.height);
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

    ctx.strokeStyle = grid; ctx.fillStyle = ink; ctx.lineWidth = 1;
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    for (const v of ticks(ya)) {
      const y = sy(v);
      if (y < box.top - 1 || y > box.bottom + 1) continue;
      line(ctx, box.left, y, box.right, y);
      ctx.fillText(opts.yFormat ? opts.yFormat(v) : tickText(v), box.left - 6, y);
    }
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    const xt = opts.xTicks ?? ticks(xa);
    let lastRight = -Infinity;
    for (const v of xt) {
      const x = sx(v);
      if (x < box.left - 1 || x > box.right + 1) continue;
      const text = opts.xFormat ? opts.xFormat(v) : tickText(v);
      const w = ctx.measureText(text).width;
      ctx.strokeStyle = grid;
      line(ctx, x, box.top, x, box.bottom);
      if (x - w / 2 > lastRight + 6) { ctx.fillText(text, x, box.bottom + 6); lastRight = x + w / 2; }
    }
    ctx.strokeStyle = ink;
    line(ctx, box.left, box.top, box.left, box.bottom);
    line(ctx, box.left, box.bottom, box.right, box.bottom);
    ctx.fillText(opts.xLabel + (xa.log ? ' (log scale)' : ''), (box.left + box.right) / 2, box.bottom + 24);
    ctx.save(); ctx.translate(14, (box.top + box.bottom) / 2); ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle'; ctx.fillText(opts.yLabel + (ya.log ? ' (log)' : ''), 0, 0); ctx.restore();

    this.series.forEach((s, k) => {
      const c = color(`--chart-${(k % 5) + 1}`, '#0072b2');
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
        const c = color(`--chart-${(k % 5) + 1}`, '#0072b2');
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

function line(ctx, x0, y0, x1, y1) {
  ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
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
  const raw = (a.hi - a.lo) / 5;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const m = raw / p;
  const step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  const out = [];
  for (let v = Math.ceil(a.lo / step) * step; v <= a.hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

export function tickText(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a < 1e-3) return v.toExponential(0).replace('e-', 'e−');
  return String(+v.toPrecision(3));
}
