// TinyTorch Lab, module 12: the attention heat map. A fresh MultiHeadAttention(16, 4) runs in
// the tools worker on the characters of a short input (token embedding + sinusoidal positions);
// the page draws each head's weights as a heat map with the query and key labels, a head
// selector (a select and clickable thumbnails), a causal toggle, an input-scale slider, and a
// table of the exact numbers, which shows that every masked cell is exactly 0.

import { h, setChildren, announce, fmt } from './dom.js';
import { toolsWorker } from './jobs.js';

const HEADS = 4, DIM = 16, MAX_TOKENS = 16;

function visible(ch) {
  return ch === ' ' ? '␣' : ch === '\n' ? '↵' : ch;
}

function cssColor(el, name, fallback) {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

function parseColor(c) {
  const m = c.match(/^#([0-9a-f]{6})$/i);
  if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
  const r = c.match(/rgba?\(([^)]+)\)/);
  if (r) return r[1].split(/[ ,/]+/).slice(0, 3).map(Number);
  return [255, 255, 255];
}

const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

/**
 * Draws one head's S×S map on `canvas`. `cell` is the cell size in CSS pixels; labels go on the
 * left (queries) and on top (keys) when `labels` is set. Masked cells are hatched.
 */
function drawMap(canvas, map, tokens, { causal, cell, labels = true, values = false }) {
  const S = tokens.length;
  const pad = labels ? Math.max(26, cell * 0.9) : 0;
  const width = pad + S * cell, height = pad + S * cell;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const low = parseColor(cssColor(canvas, '--heat-0', '#f4f7fb'));
  const high = parseColor(cssColor(canvas, '--heat-1', '#0b3a9e'));
  const ink = cssColor(canvas, '--chart-ink', '#333');
  const line = cssColor(canvas, '--line', '#d5dbe1');
  ctx.clearRect(0, 0, width, height);
  const font = getComputedStyle(canvas).fontFamily;
  for (let i = 0; i < S; i++) {
    for (let j = 0; j < S; j++) {
      const v = map[i * S + j];
      const x = pad + j * cell, y = pad + i * cell;
      const [r, g, b] = mix(low, high, Math.sqrt(Math.min(1, Math.max(0, v))));
      ctx.fillStyle = `rgb(${r} ${g} ${b})`;
      ctx.fillRect(x, y, cell, cell);
      if (causal && j > i) { // blocked: hatch it so "masked" never looks like "small"
        ctx.save();
        ctx.beginPath(); ctx.rect(x, y, cell, cell); ctx.clip();
        ctx.strokeStyle = line; ctx.lineWidth = 1;
        for (let k = -cell; k < cell; k += 5) { ctx.beginPath(); ctx.moveTo(x + k, y + cell); ctx.lineTo(x + k + cell, y); ctx.stroke(); }
        ctx.restore();
      }
      if (values && cell >= 30 && !(causal && j > i)) {
        const light = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 > 0.55;
        ctx.fillStyle = light ? '#10151c' : '#fff';
        ctx.font = `${Math.min(11, cell * 0.32)}px ${font}`;
        ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
        ctx.fillText(v >= 0.995 ? '1' : v.toFixed(2).replace(/^0/, ''), x + cell / 2, y + cell / 2);
      }
    }
  }
  ctx.strokeStyle = line; ctx.lineWidth = 1;
  ctx.strokeRect(pad + 0.5, pad + 0.5, S * cell - 1, S * cell - 1);
  if (!labels) return;
  ctx.fillStyle = ink;
  ctx.font = `600 ${Math.min(14, Math.max(10, cell * 0.5))}px ${font}`;
  ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
  tokens.forEach((t, k) => {
    ctx.fillText(visible(t), pad + k * cell + cell / 2, pad / 2);   // keys across the top
    ctx.fillText(visible(t), pad / 2, pad + k * cell + cell / 2);   // queries down the side
  });
}

export function mount(root) {
  const textIn = h('input', { type: 'text', id: 'hm-text', value: 'attention!', maxlength: MAX_TOKENS, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'hm-text-help' });
  const headSel = h('select', { id: 'hm-head' }, Array.from({ length: HEADS }, (_, k) => h('option', { value: k }, `Head ${k + 1}`)));
  const causal = h('input', { type: 'checkbox', id: 'hm-causal', checked: true, role: 'switch' });
  const scale = h('input', { type: 'range', id: 'hm-scale', min: 0.5, max: 4, step: 0.25, value: 2 });
  const scaleOut = h('output', { for: 'hm-scale' }, '×2');
  const seed = h('input', { type: 'number', id: 'hm-seed', min: 0, max: 9999, step: 1, value: 0, inputmode: 'numeric' });
  const canvas = h('canvas', { id: 'hm-canvas', class: 'heatmap', role: 'img' });
  const figure = h('figure', { class: 'hm-figure', id: 'hm-figure' }, h('div', { class: 'hm-canvas-wrap' }, canvas));
  const legend = h('div', { class: 'hm-legend', 'aria-hidden': 'true' },
    h('span', {}, '0'), h('span', { class: 'hm-ramp' }), h('span', {}, '1'),
    h('span', { class: 'hm-hatch' }), h('span', {}, 'masked'));
  const caption = h('figcaption', { id: 'hm-caption' });
  figure.append(legend, caption);
  const thumbs = h('div', { class: 'hm-thumbs', role: 'group', 'aria-label': 'Heads' });
  const facts = h('ul', { class: 'hm-facts', id: 'hm-facts' });
  const table = h('div', { class: 'table-scroll', id: 'hm-table', tabindex: 0, role: 'region', 'aria-label': 'attention weights of the selected head' });
  const status = h('p', { class: 'progress-text', role: 'status', id: 'hm-status' });

  setChildren(root,
    h('h2', { id: 'heatmap-title' }, 'Attention heat map'),
    h('p', {}, `A fresh MultiHeadAttention(${DIM}, ${HEADS}) on the characters of a short input: each character is embedded, the sinusoidal positions are added, and the
      heads compute softmax(QKᵀ/√d) over the sequence. Row i shows where query i looks; column j is key j. The weights are untrained, so the patterns are random,
      but the rules are not: every row sums to 1, and with the causal mask every cell above the diagonal is exactly 0.`),
    h('div', { class: 'hm-controls' },
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Input (≤ 16 characters)'), textIn),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Head'), headSel),
      h('label', { class: 'field field-check' }, causal, h('span', {}, 'Causal mask')),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Input scale'), h('div', { class: 'range-row' }, scale, scaleOut)),
      h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Seed'), seed)),
    h('p', { class: 'field-help', id: 'hm-text-help' }, 'With the causal mask a query sees only itself and earlier keys. Scaling the input by s scales the scores by about s², so softmax sharpens. The same seed gives the same weights with and without the mask: toggle it and watch each row renormalise over the keys it may see.'),
    status,
    h('div', { class: 'hm-layout' }, figure, h('div', { class: 'hm-side' }, h('h3', { class: 'h-small' }, 'All heads'), thumbs, facts)),
    h('details', { class: 'hm-numbers' }, h('summary', {}, 'The numbers of the selected head'), table));

  let last = null;
  let seq = 0, shown = 0;

  function cellSize(S) {
    const avail = Math.max(200, Math.min(figure.clientWidth || 480, 560)) - 30;
    return Math.max(14, Math.min(40, Math.floor(avail / S)));
  }

  function renderHead() {
    if (!last) return;
    const k = Number(headSel.value);
    const { tokens, maps, causal: isCausal } = last;
    const S = tokens.length;
    drawMap(canvas, maps[k], tokens, { causal: isCausal, cell: cellSize(S), values: true });
    const masked = [];
    for (let i = 0; i < S; i++) for (let j = i + 1; j < S; j++) masked.push(maps[k][i * S + j]);
    const headMax = masked.length ? Math.max(...masked) : 0;
    canvas.setAttribute('aria-label', `Attention weights of head ${k + 1}: ${S} queries by ${S} keys${isCausal ? `; the ${masked.length} masked cells above the diagonal are all ${headMax}` : ''}. The numbers are in the table below.`);
    figure.dataset.head = String(k);
    figure.dataset.causal = String(isCausal);
    figure.dataset.maskedMax = String(isCausal ? headMax : '');
    caption.textContent = `Head ${k + 1}: rows are queries, columns are keys${isCausal ? '; hatched cells are blocked by the causal mask' : ''}.`;
    [...thumbs.children].forEach((b, i) => b.setAttribute('aria-pressed', String(i === k)));
    setChildren(table, h('table', { class: 'attn-table', dataset: { head: k } },
      h('caption', {}, `Head ${k + 1}: weight of key (column) for query (row)`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'query \\ key'), tokens.map((t, j) => h('th', { scope: 'col' }, `${j} ${visible(t)}`)), h('th', { scope: 'col', class: 'num' }, 'row sum'))),
      h('tbody', {}, tokens.map((t, i) => {
        const row = maps[k].slice(i * S, i * S + S);
        return h('tr', {}, h('th', { scope: 'row' }, `${i} ${visible(t)}`),
          row.map((v, j) => h('td', { class: `num${isCausal && j > i ? ' masked' : ''}`, dataset: { i, j, value: String(v) } }, v === 0 ? '0' : v.toFixed(4))),
          h('td', { class: 'num' }, row.reduce((a, b) => a + b, 0).toFixed(6)));
      }))));
  }

  function renderAll(r) {
    last = r;
    const canvases = r.maps.map(() => h('canvas', { class: 'hm-thumb', 'aria-hidden': 'true' }));
    setChildren(thumbs, canvases.map((c, k) => h('button', { type: 'button', class: 'hm-thumb-btn', 'aria-pressed': 'false', onclick: () => { headSel.value = String(k); renderHead(); } },
      c, h('span', {}, `Head ${k + 1}`))));
    // Drawn once attached, so the canvases see the page's colours (light or dark).
    canvases.forEach((c, k) => drawMap(c, r.maps[k], r.tokens, { causal: r.causal, cell: Math.max(3, Math.floor(72 / r.S)), labels: false }));
    setChildren(facts,
      h('li', {}, h('strong', {}, 'Row sums: '), `every row of every head sums to 1 (largest |Σ − 1| = ${fmt(r.rowSumError)}).`),
      r.causal
        ? h('li', { id: 'hm-masked-fact', dataset: { maskedMax: String(r.maskedMax), masked: String(r.masked) } }, h('strong', {}, 'Masked cells: '),
          `${r.masked} over ${r.heads} heads, the largest weight among them is `, h('code', {}, String(r.maskedMax)), r.maskedMax === 0 ? ' (exactly 0, not just small).' : ' (should be 0!).')
        : h('li', {}, h('strong', {}, 'No mask: '), 'every query may look at every key, the future included; a language model cannot train that way.'),
      h('li', {}, h('strong', {}, 'Layer: '), `MultiHeadAttention(${r.dim}, ${r.heads}), ${r.parameters.toLocaleString('en')} parameters (q, v and out projections with bias, k without).`));
    renderHead();
  }

  async function update() {
    const mine = ++seq;
    root.dataset.state = 'working';
    status.textContent = '';
    try {
      const r = await toolsWorker.run('attentionMap', {
        text: textIn.value || ' ', dim: DIM, heads: HEADS, causal: causal.checked, scale: Number(scale.value), seed: Math.max(0, Math.floor(Number(seed.value) || 0)),
      });
      if (mine < shown) return;
      shown = mine;
      if (!textIn.value) status.textContent = 'Empty input: showing a single space.';
      renderAll(r);
      root.dataset.state = 'done';
      announce(`Heat map of ${r.S} tokens, ${r.causal ? 'causal' : 'no mask'}.`);
    } catch (err) {
      status.textContent = `The attention layer failed: ${err.message}`;
      root.dataset.state = 'error';
    }
  }

  let timer = null;
  const soon = () => { clearTimeout(timer); timer = setTimeout(update, 120); };
  textIn.addEventListener('input', soon);
  causal.addEventListener('change', update);
  seed.addEventListener('input', soon);
  scale.addEventListener('input', () => { scaleOut.textContent = `×${scale.value}`; soon(); });
  headSel.addEventListener('change', renderHead);
  let width = 0;
  new ResizeObserver(() => { if (figure.clientWidth !== width) { width = figure.clientWidth; renderHead(); } }).observe(figure);
  update();
}
