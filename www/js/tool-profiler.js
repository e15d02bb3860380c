// TinyTorch Lab, module 14: the per-layer cost table. profileStep runs training steps of a
// fresh digits CNN or MLP in the tools worker (20 profiled Adam steps after a warm-up, times
// averaged); the page shows each layer's parameters, FLOPs (with the hand formula for Linear
// and Conv2d), measured forward and backward time, activation bytes and output shape, the
// totals, the step's memory, and a bar of each layer's share of the measured time.

import { h, setChildren, stat, int, fmtCount, ms, bytes, bar, statusLine, runTool, done } from './systems-kit.js';

/** Evaluates "2·64·8·8·8·1·3² + 64·8·8·8". */
function handCount(formula) {
  return formula.split(' + ').reduce((sum, term) => sum + term.split('·').reduce((p, f) => p * (f.endsWith('²') ? Number(f.slice(0, -1)) ** 2 : Number(f)), 1), 0);
}

export function mount(root) {
  const modelSel = h('select', { id: 'prof-model' },
    h('option', { value: 'cnn' }, 'CNN: 2 conv blocks + Linear (digits)'),
    h('option', { value: 'mlp' }, 'MLP 64-128-10 (digits)'));
  const batchSel = h('select', { id: 'prof-batch' }, [16, 64, 256].map((b) => h('option', { value: b }, `${b} images`)));
  batchSel.value = '256';
  const again = h('button', { type: 'button', class: 'btn', id: 'prof-run' }, 'Profile again');
  const status = statusLine('prof-status');
  const stats = h('div', { class: 'stats', id: 'prof-stats' });
  const table = h('div', { class: 'table-scroll', id: 'prof-table', tabindex: 0, role: 'region', 'aria-label': 'per-layer cost table' });
  const notes = h('div', { class: 'tool-notes' });

  setChildren(root,
    h('h2', { id: 'profiler-title' }, 'Per-layer cost table'),
    h('p', {}, 'A fresh digits model runs Adam training steps under the profiler in a background worker. Every figure below is measured or counted from the real tensors: ',
      'times with ', h('code', {}, 'performance.now()'), ' around each layer\'s forward and backward (browsers round it to 0.1 ms, so each time is the mean of 20 profiled steps), ',
      'bytes from the tensors the step created, FLOPs from each layer\'s shapes.'),
    h('div', { class: 'fields' },
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Model'), modelSel),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Batch'), batchSel),
      h('div', { class: 'field field-button' }, again)),
    status, stats, table, notes);

  function render(r) {
    const rows = r.layers.filter((l) => l.depth === 0);
    const timeOf = (l) => l.forward_ms + l.backward_ms;
    const totalTime = rows.reduce((s, l) => s + timeOf(l), 0) || 1;
    const sum = (f) => rows.reduce((s, l) => s + f(l), 0);
    setChildren(stats,
      stat('parameters', int(r.total_params), { note: `${bytes(r.param_bytes)} as float32` }),
      stat('FLOPs per forward pass', fmtCount(r.total_flops), { note: `batch of ${r.batch}; ${fmtCount(r.total_flops / r.batch)} per image` }),
      stat('forward / backward', `${ms(r.forward_ms).replace(' ms', '')} / ${ms(r.backward_ms)}`, { note: `measured, whole step (loss included), ×${(r.backward_ms / r.forward_ms).toFixed(2)} backward/forward` }),
      stat('memory of a step', bytes(r.param_bytes + r.grad_bytes + r.optimizer_bytes + r.activation_bytes),
        { note: `weights ${bytes(r.param_bytes)} · grads ${bytes(r.grad_bytes)} · Adam ${bytes(r.optimizer_bytes)} · graph ${bytes(r.activation_bytes)}` }));
    setChildren(table, h('table', { class: 'runs cost-table', id: 'cost-table', dataset: { model: r.model, batch: r.batch } },
      h('caption', {}, `${r.describe}: one training step on ${r.batch} images (times: mean of ${r.repeats} steps)`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Layer'), h('th', { scope: 'col' }, 'Output shape'),
        h('th', { scope: 'col', class: 'num' }, 'Params'), h('th', { scope: 'col', class: 'num' }, 'FLOPs'),
        h('th', { scope: 'col', class: 'num' }, 'Forward'), h('th', { scope: 'col', class: 'num' }, 'Backward'),
        h('th', { scope: 'col', class: 'num' }, 'Activation'), h('th', { scope: 'col', class: 'col-share' }, 'Share of time'))),
      h('tbody', {}, rows.map((l) => h('tr', { class: 'cost-row', dataset: { index: l.index, kind: l.kind, flops: l.flops, params: l.params } },
        h('td', { class: 'num' }, String(l.index)),
        h('th', { scope: 'row' }, h('span', { class: 'layer-kind' }, l.kind), l.describe !== l.kind ? h('span', { class: 'layer-describe' }, l.describe.slice(l.kind.length)) : null),
        h('td', { class: 'mono' }, `(${l.output_shape.join(', ')})`),
        h('td', { class: 'num' }, l.params ? int(l.params) : '0'),
        h('td', { class: 'num' }, l.flops ? int(l.flops) : '0'),
        h('td', { class: 'num' }, ms(l.forward_ms)),
        h('td', { class: 'num' }, ms(l.backward_ms)),
        h('td', { class: 'num' }, bytes(l.activation_bytes)),
        h('td', { class: 'col-share' }, bar(timeOf(l) / totalTime, `${((100 * timeOf(l)) / totalTime).toFixed(0)} %`))))),
      h('tfoot', {}, h('tr', {},
        h('td', {}), h('th', { scope: 'row' }, 'Total'), h('td', {}),
        h('td', { class: 'num' }, int(sum((l) => l.params))),
        h('td', { class: 'num' }, int(sum((l) => l.flops))),
        h('td', { class: 'num' }, ms(sum((l) => l.forward_ms))),
        h('td', { class: 'num' }, ms(sum((l) => l.backward_ms))),
        h('td', { class: 'num' }, bytes(sum((l) => l.activation_bytes))),
        h('td', { class: 'col-share' }, '100 %')))));
    const agree = r.countFlops.length === r.layers.length && r.countFlops.every((f, i) => f === r.layers[i].flops);
    const heavy = rows.reduce((a, b) => (timeOf(b) > timeOf(a) ? b : a));
    setChildren(notes,
      h('ul', { class: 'tool-facts' },
        h('li', {}, h('strong', {}, 'FLOP convention: '), 'a multiply-add counts 2; adding a bias or an element-wise op counts 1 per element; pooling k² per output; the batch counts (the reference counted one sample). ',
          'A convolution counts every kernel position of its padded input (the zeros of the padding are multiplied too, as im2col does), so Conv2d = 2·N·C_out·H_out·W_out·C_in·k² + N·C_out·H_out·W_out.'),
        h('li', { id: 'prof-hand' }, h('strong', {}, 'By hand: '), rows.filter((l) => l.formula).map((l, i) => [i ? '; ' : '',
          `layer ${l.index} (${l.kind}) `, h('code', {}, l.formula), ` = ${int(handCount(l.formula))}`, handCount(l.formula) === l.flops ? ' ✓' : ' ✗ (profiler: ' + int(l.flops) + ')']), '.'),
        h('li', { id: 'prof-countflops', dataset: { agree: String(agree) } }, h('strong', {}, 'Cross-check: '),
          agree ? 'countFlops (a forward pass, no timing) gives the same FLOPs for every layer.' : 'countFlops disagrees with the profiled step!'),
        h('li', {}, h('strong', {}, 'Where the time goes: '), `layer ${heavy.index} (${heavy.describe}) takes ${((100 * timeOf(heavy)) / totalTime).toFixed(0)} % of the measured layer time. `,
          'Backward is measured per layer through hooks in the autograd graph, not guessed as 2× forward as in the reference; the hooks change no result (the suite checks every bit).'),
        h('li', {}, h('strong', {}, 'Memory: '), `Adam keeps two moments per weight, so its state is 2 × ${bytes(r.param_bytes)} (+4 B for the step count); `,
          `the graph holds every intermediate output until backward (${bytes(r.activation_bytes)} here), which is why activations, not weights, limit the batch size of big models.`)));
  }

  async function update() {
    const r = await runTool(root, status, 'profileModel', { model: modelSel.value, batch: Number(batchSel.value), repeats: 20 }, {
      working: 'Profiling 20 training steps in the background worker…',
      onProgress: (m) => { if (m.kind === 'repeat') status.textContent = `Profiled ${m.done} of ${m.total} steps…`; },
    });
    if (!r) return;
    render(r);
    done(root, status, `Profiled: ${r.layers.length} layers, ${int(r.total_params)} parameters, ${fmtCount(r.total_flops)} FLOPs per forward pass of ${r.batch} images.`);
  }
  modelSel.addEventListener('change', update);
  batchSel.addEventListener('change', update);
  again.addEventListener('click', update);
  update();
}
