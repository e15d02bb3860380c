// TinyTorch Lab: what the two canvas charts (LineChart in chart.js, XYChart in xychart.js)
// share: the canvas with its resize observer, HiDPI setup and stylesheet colours, the axis
// frame, and tick arithmetic. Each chart keeps its own scales, series and legend.
//
//   class MyChart extends CanvasChart {
//     draw() { const { ctx, width, ink } = this.begin(); ... }
//   }

/** Dash pattern per series index: series differ by more than colour. */
export const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3], [1, 2]];

export class CanvasChart {
  /** Appends a `<canvas class="chart" role="img">` to `container`; `opts.height` in CSS px. */
  constructor(container, opts) {
    this.opts = opts;
    this.series = [];
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'chart';
    this.canvas.setAttribute('role', 'img');
    container.append(this.canvas);
    this.lastWidth = 0;
    // Redraw only when the width really changed (drawing never changes it, so no resize loop).
    this.resize = new ResizeObserver(() => { if (this.canvas.clientWidth !== this.lastWidth) this.draw(); });
    this.resize.observe(this.canvas);
  }

  /**
   * Sizes the backing store for the device pixel ratio, clears it and reads the colours.
   * Returns `{ ctx, width, ink, grid, surface, seriesColor(k) }` (width in CSS px).
   */
  begin() {
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
    ctx.font = `12px ${css.fontFamily}`;
    ctx.clearRect(0, 0, width, opts.height);
    return {
      ctx,
      width,
      ink: color('--chart-ink', '#333'),
      grid: color('--chart-grid', '#ddd'),
      surface: color('--surface', '#fff'),
      seriesColor: (k) => color(`--chart-${(k % 5) + 1}`, '#0072b2'),
    };
  }

  /**
   * Horizontal grid lines with labels at `values` (mapped by `sy`), then `xMarks()` (called with
   * the grid colour and centred text, so x ticks sit under the axes), the two axis lines, and
   * the axis titles: `xLabel` centred `xGap` px below the box, `yLabel` rotated on the left.
   */
  frame(ctx, box, { ink, grid, values, sy, yText, xMarks, xLabel, yLabel, xGap }) {
    ctx.strokeStyle = grid; ctx.fillStyle = ink; ctx.lineWidth = 1;
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    for (const v of values) {
      const y = sy(v);
      if (y < box.top - 1 || y > box.bottom + 1) continue;
      line(ctx, box.left, y, box.right, y);
      ctx.fillText(yText(v), box.left - 6, y);
    }
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    xMarks();
    ctx.strokeStyle = ink;
    line(ctx, box.left, box.top, box.left, box.bottom);
    line(ctx, box.left, box.bottom, box.right, box.bottom);
    ctx.fillText(xLabel, (box.left + box.right) / 2, box.bottom + xGap);
    ctx.save(); ctx.translate(14, (box.top + box.bottom) / 2); ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle'; ctx.fillText(yLabel, 0, 0); ctx.restore();
  }
}

export function line(ctx, x0, y0, x1, y1) {
  ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
}

/** A 1, 2 or 5 × 10^k step at or above `raw`. */
export function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Multiples of `step` from `lo` to `hi`, rounded so 0.1 + 0.2 prints as 0.3. */
export function linearTicks(lo, hi, step) {
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}
