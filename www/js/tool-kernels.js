// TinyTorch Lab, module 18: kernel speedups measured in this browser. In the tools worker:
// square matmul GFLOP/s for every kernel this build has (naive triple loop, blocked scalar,
// SIMD128, relaxed-SIMD FMA) at a few sizes, with the speedup over naive; a kernel selector
// that switches setKernels and times whole MLP training steps; and fused vs unfused
// bias + GELU.

import { h, setChildren, stat, int, ms, times, statusLine, runTool, done } from './systems-kit.js';
import { XYChart } from './xychart.js';
import { toolsWorker } from './jobs.js';

const SIZES = [32, 64, 128, 256];
const WORDS = {
  naive: 'triple loop, one multiply-add at a time',
  scalar: 'packed, cache-blocked, scalar micro-kernel (the SIMD kernels\' twin)',
  simd: 'the same blocking with f32x4 multiply + add (SIMD128)',
  relaxed: 'f32x4 relaxed fused multiply-add (relaxed SIMD)',
};

export function mount(root) {
  const runBtn = h('button', { type: 'button', class: 'btn', id: 'kern-run' }, 'Measure again');
  const status = statusLine('kern-status');
  const chartBox = h('figure', { class: 'chart-box', id: 'kern-chart' });
  const chart = new XYChart(chartBox, { xLabel: 'matrix size n (n × n · n × n)', yLabel: 'GFLOP/s', height: 260, logX: true, xTicks: SIZES, legend: 'top-left' });
  chartBox.append(h('figcaption', {}, 'Median GFLOP/s (2n³ floating-point operations per multiply) of 5 timed rounds, each at least 20 ms, measured in this browser\'s worker. Timings are steadiest when nothing else runs (the live example and the checks use other workers).'));
  const peakNote = h('p', { id: 'kern-peak', class: 'muted' });
  const table = h('div', { class: 'table-scroll', id: 'kern-table', tabindex: 0, role: 'region', 'aria-label': 'matmul GFLOP/s per kernel' });
  const kernelSel = h('select', { id: 'kern-select' });
  const trainBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'kern-train' }, 'Time training steps');
  const trainStatus = statusLine('kern-train-status');
  const trainBox = h('section', { class: 'subtool', id: 'kern-train-box', 'aria-labelledby': 'kern-train-title' });
  const trainRows = h('tbody', {}, h('tr', { class: 'placeholder' }, h('td', { colspan: 4, class: 'muted' }, 'Pick a kernel and press “Time training steps”.')));
  const geluBtn = h('button', { type: 'button', class: 'btn', id: 'gelu-run' }, 'Time fused vs unfused');
  const geluStatus = statusLine('gelu-status');
  const geluBox = h('section', { class: 'subtool', id: 'gelu-box', 'aria-labelledby': 'gelu-title' });
  const geluStats = h('div', { class: 'stats stats-3', id: 'gelu-stats' });

  setChildren(trainBox,
    h('h3', { id: 'kern-train-title' }, 'Switch the kernel, time a training step'),
    h('p', {}, h('code', {}, 'setKernels(name)'), ' changes the matrix multiply every Linear, Conv2d and attention layer uses, for this worker. Every kernel gives the same results within 1e-5 (the checks below verify it); only the time changes. ',
      'Each row times whole SGD steps (forward, loss, backward, update) of an MLP 64-128-64-10 on batches of 32.'),
    h('div', { class: 'fields' },
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Kernel'), kernelSel),
      h('div', { class: 'field field-button' }, trainBtn)),
    trainStatus,
    h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'training step times per kernel' },
      h('table', { class: 'runs', id: 'kern-train-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Kernel'), h('th', { scope: 'col', class: 'num' }, 'Samples/s'), h('th', { scope: 'col', class: 'num' }, 'Per step (32 samples)'), h('th', { scope: 'col', class: 'num' }, 'vs first row'))),
        trainRows)));
  setChildren(geluBox,
    h('h3', { id: 'gelu-title' }, 'Kernel fusion: bias + GELU'),
    h('p', {}, 'Unfused, ', h('code', {}, 'x.add(b).gelu()'), ' writes x + b to memory and reads it back; fused, one pass computes gelu(x + b) per element. Same numbers (within 1e-6), less memory traffic, on a 256 × 512 tensor.'),
    h('div', { class: 'actions' }, geluBtn, geluStatus), geluStats);

  setChildren(root,
    h('h2', { id: 'kernels-title' }, 'Kernel speedups, measured in this browser'),
    h('p', { id: 'kern-build' }, 'Loading the runtime…'),
    h('div', { class: 'actions' }, runBtn, status),
    chartBox, table, peakNote, trainBox, geluBox);

  function renderBench(r, cells = r.cells) {
    const kernels = r.kernels;
    const get = (k, n) => cells.find((c) => c.kernel === k && c.n === n);
    chart.set(kernels.map((k) => ({ name: k, points: SIZES.map((n) => get(k, n)).filter(Boolean).map((c) => [c.n, c.gflops]) })));
    setChildren(table, h('table', { class: 'runs', id: 'kernel-table' },
      h('caption', {}, 'Matmul GFLOP/s by kernel and size; in brackets, the speedup over the naive loop'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Kernel'), SIZES.map((n) => h('th', { scope: 'col', class: 'num' }, `n = ${n}`)))),
      h('tbody', {}, kernels.map((k) => h('tr', { class: 'kernel-row', dataset: { kernel: k } },
        h('th', { scope: 'row' }, h('code', {}, k), h('span', { class: 'kernel-words' }, WORDS[k] ?? '')),
        SIZES.map((n) => {
          const c = get(k, n), base = get('naive', n);
          return h('td', { class: 'num', dataset: c ? { n, gflops: String(c.gflops) } : { n } },
            c ? h('strong', {}, c.gflops.toFixed(1)) : '…',
            c && base && k !== 'naive' ? h('span', { class: 'speedup' }, ` (${times(c.gflops / base.gflops)})`) : null);
        }))))));
  }

  // The kernels' share of this browser's arithmetic peak: how much of the machine they use.
  function renderPeak(r) {
    const flavours = Object.keys(r.peaks ?? {});
    if (!flavours.length) { setChildren(peakNote); return; }
    const n = SIZES.at(-1);
    const words = { simd: 'f32x4 multiply + add', relaxed: 'fused f32x4 multiply-add' };
    setChildren(peakNote, 'This browser\'s arithmetic peak, measured just now with independent multiply-add chains and no memory traffic: ',
      flavours.map((k, i) => [i ? '; ' : '', h('strong', { dataset: { peak: k, gflops: String(r.peaks[k]) } }, `${r.peaks[k].toFixed(1)} GFLOP/s`), ` (${words[k]})`]),
      '. At n = ', String(n), ' the ',
      flavours.map((k, i) => {
        const c = r.cells.find((x) => x.kernel === k && x.n === n);
        return [i ? ' and the ' : '', h('code', {}, k), ' kernel reaches ', h('strong', { dataset: { share: k } }, c ? `${Math.round((100 * c.gflops) / r.peaks[k])} %` : '…')];
      }),
      ' of its peak; the rest goes to loads, packing the operands into tiles, and loop overhead. Both figures are timings, so a few percent either way (even past 100 %) is noise.');
  }

  let benchSeq = 0;
  async function bench() {
    runBtn.disabled = true;
    const caps = await toolsWorker.run('capabilities').catch(() => null);
    if (caps) {
      setChildren(root.querySelector('#kern-build'), 'This browser runs the ', h('strong', {}, caps.build === 'relaxed' ? 'SIMD128 + relaxed SIMD' : 'SIMD128'), ' build; its kernels: ',
        caps.availableKernels.map((k, i) => [i ? ', ' : '', h('code', {}, k)]), `. The active kernel is `, h('code', { id: 'kern-active' }, caps.kernels), '.',
        caps.build === 'relaxed' ? null : ' (Relaxed SIMD is not available here, so there is no relaxed kernel.)');
      if (!kernelSel.options.length) {
        setChildren(kernelSel, caps.availableKernels.map((k) => h('option', { value: k }, k)));
        kernelSel.value = caps.kernels;
      }
    }
    const cells = [];
    const mine = ++benchSeq;
    const r = await runTool(root, status, 'kernelBench', { sizes: SIZES, runs: 5 }, {
      key: 'bench', working: 'Timing matrix multiplies in the background worker…',
      onProgress: (m) => {
        if (m.kind !== 'cell' || mine !== benchSeq) return;
        cells.push(m.cell);
        renderBench({ kernels: caps?.availableKernels ?? [...new Set(cells.map((c) => c.kernel))] }, cells);
        status.textContent = `Measured ${m.done} of ${m.total}…`;
      },
    });
    runBtn.disabled = false;
    if (!r) return;
    renderBench(r);
    renderPeak(r);
    const best = r.cells.filter((c) => c.n === SIZES.at(-1)).reduce((a, b) => (b.gflops > a.gflops ? b : a));
    const naive = r.cells.find((c) => c.kernel === 'naive' && c.n === SIZES.at(-1));
    done(root, status, `Fastest at n = ${best.n}: ${best.kernel}, ${best.gflops.toFixed(1)} GFLOP/s (${times(best.gflops / naive.gflops)} the naive loop).`);
  }

  let firstRate = null;
  async function trainStep() {
    trainBtn.disabled = true;
    const r = await runTool(trainBox, trainStatus, 'kernelTrain', { kernel: kernelSel.value, runs: 5 }, { key: 'train', working: `Switching to ${kernelSel.value} and timing training steps…` });
    trainBtn.disabled = false;
    if (!r) return;
    firstRate ??= r.samplesPerSec;
    trainRows.querySelector('.placeholder')?.remove();
    trainRows.append(h('tr', { dataset: { kernel: r.kernel, rate: String(r.samplesPerSec) } },
      h('th', { scope: 'row' }, h('code', {}, r.kernel)), h('td', { class: 'num' }, int(r.samplesPerSec)),
      h('td', { class: 'num' }, ms(r.msPerStep)), h('td', { class: 'num' }, times(r.samplesPerSec / firstRate, 2))));
    const active = root.querySelector('#kern-active');
    if (active) active.textContent = r.kernel;
    done(trainBox, trainStatus, `Kernel ${r.kernel}: ${int(r.samplesPerSec)} training samples/s (${ms(r.msPerStep)} per step of 32). Try another kernel.`);
  }

  async function gelu() {
    geluBtn.disabled = true;
    const r = await runTool(geluBox, geluStatus, 'biasGelu', { rows: 256, cols: 512, runs: 7 }, { key: 'gelu', working: 'Timing…' });
    geluBtn.disabled = false;
    if (!r) return;
    setChildren(geluStats,
      stat('unfused: add, then gelu', ms(r.unfusedMs), { note: 'two passes, one temporary tensor' }),
      stat('fused: gelu(x + b)', ms(r.fusedMs), { note: 'one pass', tone: 'pass' }),
      stat('speedup', times(r.speedup, 2), { note: `best of 2 × 7 rounds, ${r.rows} × ${r.cols}` }));
    geluStats.dataset.fused = String(r.fusedMs);
    geluStats.dataset.unfused = String(r.unfusedMs);
    done(geluBox, geluStatus, `Fused ${ms(r.fusedMs)} vs unfused ${ms(r.unfusedMs)}: ${times(r.speedup, 2)}.`);
  }

  runBtn.addEventListener('click', bench);
  trainBtn.addEventListener('click', trainStep);
  geluBtn.addEventListener('click', gelu);
  bench().then(gelu).then(trainStep);
}
