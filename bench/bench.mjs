// TinyTorch Lab benchmark page (bench/bench.html). One page holds one implementation:
//   ?impl=ours&build=simd|relaxed   our wasm (the facade loads pkg/ or pkg-relaxed/; kernels set to match)
//   ?impl=tfjs&backend=wasm|cpu     TF.js 4.x from bench/node_modules, on that backend
// and exposes `window.bench = { ready: Promise<info>, run(workload, { runs }) }` for bench/run.mjs,
// which alternates between the pages. Every figure is the median of `runs` timed rounds, each
// round repeating the workload for at least 25 ms (browsers coarsen performance.now()).
//
// Our figures come from the exports `benchMatmulStats`, `benchPeakStats`, `benchMlp` and `benchCnn`, which time
// inside wasm (src/bench.rs). TF.js figures are timed here with the same scheme: warm-up calls,
// then rounds of whole ops (matMul) or whole training steps (forward, softmax cross-entropy,
// gradients via optimizer.minimize → tf.variableGrads, optimizer update), each round ended by a
// dataSync() so nothing is left queued (both TF.js backends used here run ops synchronously).

import { WORKLOADS, LR } from './workloads.mjs';

const params = new URLSearchParams(location.search);
const impl = params.get('impl') ?? 'ours';
const MIN_MS = 25;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src} (run \`make bench\` to install TF.js into bench/node_modules)`));
    document.head.append(s);
  });
}

// ---- ours -----------------------------------------------------------------------------------

async function oursSide() {
  const build = params.get('build') ?? 'relaxed';
  const tt = await import('../www/js/tinytorch.js');
  const caps = await tt.ready();
  if (caps.build !== build) throw new Error(`asked for build ${build}, the facade loaded ${caps.build}`);
  const kernels = build; // "simd" in pkg/, "relaxed" in pkg-relaxed/
  tt.setKernels(kernels);
  const info = { impl: 'ours', build, kernels: tt.getKernels(), capabilities: tt.capabilities() };
  function run(w, { runs = 5 } = {}) {
    tt.setKernels(kernels);
    let s;
    if (w.kind === 'matmul') s = tt.benchMatmulStats(w.n, runs);
    else if (w.kind === 'peak') s = tt.benchPeakStats(kernels, runs);
    else if (w.kind === 'mlp') s = tt.benchMlp({ sizes: w.sizes, batch: w.batch, optimizer: w.optimizer, runs });
    else if (w.kind === 'cnn') s = tt.benchCnn({ batch: w.batch, runs });
    else throw new Error(`unknown workload kind ${w.kind}`);
    return { value: s.median, stats: s };
  }
  return { info, run };
}

// ---- TF.js ----------------------------------------------------------------------------------

async function tfjsSide() {
  const backend = params.get('backend') ?? 'wasm';
  const nm = new URL('./node_modules/@tensorflow/', import.meta.url).href;
  // tfjs-core's own browser bundle registers no gradients in 4.x; the @tensorflow/tfjs bundle is
  // core + gradients + the cpu backend (and layers etc., unused here).
  await loadScript(`${nm}tfjs/dist/tf.min.js`);
  if (backend === 'wasm') {
    await loadScript(`${nm}tfjs-backend-wasm/dist/tf-backend-wasm.min.js`);
    tf.wasm.setWasmPaths(`${nm}tfjs-backend-wasm/dist/`);
  } else if (backend !== 'cpu') {
    throw new Error(`unknown backend ${backend}`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
  const info = { impl: 'tfjs', backend, activeBackend: tf.getBackend(), version: tf.version?.['tfjs-core'] ?? tf.version_core };
  if (backend === 'wasm') {
    info.wasmVersion = tf.wasm.version_wasm;
    info.flags = {
      WASM_HAS_SIMD_SUPPORT: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      WASM_HAS_MULTITHREAD_SUPPORT: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
    };
    info.binary = info.flags.WASM_HAS_SIMD_SUPPORT
      ? (info.flags.WASM_HAS_MULTITHREAD_SUPPORT ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm')
      : 'tfjs-backend-wasm.wasm';
    info.threads = typeof tf.wasm.getThreadsCount === 'function' ? tf.wasm.getThreadsCount() : null;
  }

  /** ms per call of `step`: `warmup` calls, then `runs` rounds of ≥ MIN_MS each; median. */
  function timeMs(step, sync, { warmup = 3, runs = 5 } = {}) {
    for (let i = 0; i < warmup; i++) step();
    sync();
    const per = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      let count = 0;
      let el = 0;
      do {
        step();
        count++;
        el = performance.now() - t0;
        if (el >= MIN_MS) { sync(); el = performance.now() - t0; }
      } while (el < MIN_MS);
      per.push(el / count);
    }
    per.sort((a, b) => a - b);
    return per;
  }
  const median = (v) => (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
  const rateStats = (msSorted, work) => {
    const rates = msSorted.map((ms) => work / ms).sort((a, b) => a - b);
    return { runs: rates.length, median: work / median(msSorted), min: rates[0], max: rates[rates.length - 1] };
  };

  function matmul(w, runs) {
    const n = w.n;
    const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
    const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
    let last = null;
    const step = () => { if (last) last.dispose(); last = tf.matMul(a, b); };
    const ms = timeMs(step, () => last.dataSync(), { warmup: 2, runs });
    last.dispose(); a.dispose(); b.dispose();
    return rateStats(ms, (2 * n * n * n) / 1e6);
  }

  // A training step: forward, mean softmax cross-entropy on one-hot labels, gradients of every
  // variable (optimizer.minimize → tf.variableGrads), optimizer update; inside tf.tidy.
  function train(vars, forward, x, labels, optimizer, runs, batch) {
    const opt = optimizer === 'adam' ? tf.train.adam(LR.adam) : tf.train.sgd(LR.sgd);
    const loss = () => tf.losses.softmaxCrossEntropy(labels, forward(x));
    const step = () => tf.tidy(() => { opt.minimize(loss, false, vars); });
    const ms = timeMs(step, () => vars[0].dataSync(), { warmup: 3, runs });
    opt.dispose();
    return rateStats(ms, batch * 1000);
  }

  // tidy() frees the initial tensor a variable is made from (it keeps variables).
  const heInit = (shape, fanIn, seed) => tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed)));
  const zerosVar = (shape) => tf.tidy(() => tf.variable(tf.zeros(shape)));
  const oneHot = (batch, classes) => tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32'), classes), 'float32'));

  function mlp(w, runs) {
    const { sizes, batch } = w;
    const W = [], B = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      W.push(heInit([sizes[i], sizes[i + 1]], sizes[i], 10 + i));
      B.push(zerosVar([sizes[i + 1]]));
    }
    const x = tf.randomNormal([batch, sizes[0]], 0, 1, 'float32', 3);
    const labels = oneHot(batch, sizes[sizes.length - 1]);
    const forward = (h) => {
      for (let i = 0; i < W.length; i++) {
        h = tf.add(tf.matMul(h, W[i]), B[i]);
        if (i + 1 < W.length) h = tf.relu(h);
      }
      return h;
    };
    try {
      return train([...W, ...B], forward, x, labels, w.optimizer, runs, batch);
    } finally {
      tf.dispose([...W, ...B, x, labels]);
    }
  }

  // The CNN of performance.md: conv 1→8 3×3 (valid) on 28×28, ReLU, max-pool 2, dense 1352→10.
  // variant "conv2d" (NHWC conv2d; TF.js wasm 4.x has no Conv2DBackpropFilter kernel) or
  // "conv3d" (the same math as a depth-1 conv3d, which the wasm backend can differentiate).
  function cnn(w, runs) {
    const { batch } = w;
    const variant = w.variant ?? 'conv2d';
    const f = heInit(variant === 'conv3d' ? [1, 3, 3, 1, 8] : [3, 3, 1, 8], 9, 20);
    const fb = zerosVar([8]);
    const W = heInit([8 * 13 * 13, 10], 8 * 13 * 13, 21);
    const B = zerosVar([10]);
    const x = tf.randomNormal(variant === 'conv3d' ? [batch, 1, 28, 28, 1] : [batch, 28, 28, 1], 0, 1, 'float32', 4);
    const labels = oneHot(batch, 10);
    const forward = (inp) => {
      let h;
      if (variant === 'conv3d') {
        h = tf.relu(tf.add(tf.conv3d(inp, f, 1, 'valid'), fb));
        h = tf.maxPool3d(h, [1, 2, 2], [1, 2, 2], 'valid');
      } else {
        h = tf.relu(tf.add(tf.conv2d(inp, f, 1, 'valid'), fb));
        h = tf.maxPool(h, 2, 2, 'valid');
      }
      return tf.add(tf.matMul(tf.reshape(h, [batch, 8 * 13 * 13]), W), B);
    };
    try {
      return train([f, fb, W, B], forward, x, labels, 'sgd', runs, batch);
    } finally {
      tf.dispose([f, fb, W, B, x, labels]);
    }
  }

  function run(w, { runs = 5 } = {}) {
    const before = tf.memory().numTensors;
    let s;
    try {
      if (w.kind === 'matmul') s = matmul(w, runs);
      else if (w.kind === 'mlp') s = mlp(w, runs);
      else if (w.kind === 'cnn') s = cnn(w, runs);
      else throw new Error(`unknown workload kind ${w.kind}`);
    } catch (e) {
      return { value: null, error: String(e?.message ?? e) };
    }
    return { value: s.median, stats: s, leakedTensors: tf.memory().numTensors - before };
  }
  return { info, run };
}

// ---- page -----------------------------------------------------------------------------------

const side = impl === 'tfjs' ? tfjsSide() : oursSide();
window.bench = {
  ready: side.then((s) => s.info),
  async run(workload, opts) {
    const s = await side;
    return s.run(workload, opts);
  },
};

const out = document.getElementById('out');
side.then((s) => {
  document.getElementById('impl').textContent = `This page: ${JSON.stringify(s.info)}`;
  const button = document.getElementById('run');
  button.disabled = false;
  button.onclick = async () => {
    button.disabled = true;
    out.textContent = '';
    for (const w of WORKLOADS.filter((x) => impl === 'ours' || x.kind !== 'peak')) {
      await new Promise((r) => setTimeout(r, 0)); // let the page paint between workloads
      const r = s.run(w, { runs: 3 });
      out.textContent += `${w.label.padEnd(62)} ${r.value === null ? `error: ${r.error}` : r.value.toFixed(1)}\n`;
    }
    button.disabled = false;
  };
}, (e) => {
  document.getElementById('impl').textContent = `Could not start: ${e.message}`;
  window.benchError = String(e.message ?? e);
});
