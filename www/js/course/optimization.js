// TinyTorch Lab: the course's Optimization tier (modules 14–19), one registry entry per module: its
// text and what its page runs (exercise, tool, live example). js/modules.js lists the fields.

export const TIER = {
  name: 'Optimization',
  blurb: 'Measure, shrink and speed up: profiling, quantization, pruning, caching, SIMD and benchmarks.',
};

export const MODULES = [
  {
    number: 14, slug: 'profiling', title: 'Profiling', hours: '5–6', built: true,
    objective: 'Measure before optimising: parameters, FLOPs, memory and the measured time of every layer in a real training step.',
    build: [
      'profileStep(model, x, y, { loss, optimizer, lr }): one training step with each layer\'s parameters, FLOPs, output shape, activation bytes and measured forward and backward time',
      'countFlops(model, x): the FLOPs of each layer in a forward pass, without timing',
      'The memory of a step from the real tensors: parameters, gradients, optimizer state, and the activations the graph keeps for backward',
      'Timing hooks in the forward pass and in the autograd graph that change no result',
    ],
    contract: [
      'Linear: 2·N·in·out + N·out FLOPs (a multiply-add counts 2, the bias 1 per output, N = every row of the batch)',
      'Conv2d: 2·N·C_out·H_out·W_out·C_in·k² + N·C_out·H_out·W_out, with H_out = ⌊(H + 2p − k)/s⌋ + 1; every kernel position over the padded input counts, padding zeros included',
      'Activations and element-wise ops 1 per element; pooling k² per output; LayerNorm and BatchNorm 5 per element; attention scores and mixing 4·B·S²·D + 2·B·H·S²',
      'Memory: 4 B per parameter, the same for gradients, Adam 2·4 B per parameter + 4 B, activations = every intermediate tensor the graph holds',
    ],
    fixes: [
      'Backward time is measured layer by layer, not estimated as 2× forward',
      'FLOPs count the batch, the kernel, the stride and the padding (the reference ignored batch and padding and used the kernel-size tuple as a number)',
      'Activation memory is read from the tensors the graph holds, not guessed as 2× the input',
      'Profiling changes nothing: the loss, every gradient and every updated weight are bit-identical to an unprofiled step',
    ],
    checks: 'profiling_integration: a profiled Adam step of a CNN equals an unprofiled one bit for bit; FLOPs and parameters of an MLP, a CNN and a transformer block equal hand counts; parameter, gradient, Adam and activation bytes follow from the tensors, and every layer has a measured forward and backward time.',
    tool: { id: 'profiler', title: 'Per-layer cost table', src: 'tool-profiler.js' },
    example: `// Profile one training step: FLOPs by hand vs the profiler, measured times, memory.
manualSeed(0);
const data = digitsDataset({ seed: 0 });
const x = data.trainImages.narrow(0, 0, 64), y = data.trainLabels.narrow(0, 0, 64);
const model = new Sequential([new Conv2d(1, 8, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(128, 10)]);
profileStep(model, x, y, { loss: 'cross_entropy', optimizer: 'adam', lr: 0.001 });  // warm-up: the first step pays for allocations
const p = profileStep(model, x, y, { loss: 'cross_entropy', optimizer: 'adam', lr: 0.001 });
print('layer'.padEnd(30), 'output'.padEnd(16), 'params'.padStart(7), 'FLOPs'.padStart(10), 'fwd ms'.padStart(7), 'bwd ms'.padStart(7));
for (const l of p.layers) {
  print(\`\${l.index} \${l.describe}\`.padEnd(30), JSON.stringify(l.output_shape).padEnd(16), String(l.params).padStart(7),
    String(l.flops).padStart(10), l.forward_ms.toFixed(1).padStart(7), l.backward_ms.toFixed(1).padStart(7));
}
// The convention, by hand: conv = 2·N·C_out·H_out·W_out·C_in·k² + N·C_out·H_out·W_out (padding counted).
const conv = 2 * 64 * 8 * 8 * 8 * 1 * 9 + 64 * 8 * 8 * 8, lin = 2 * 64 * 128 * 10 + 64 * 10;
print('by hand: conv', conv, '= profiler', p.layers[0].flops, '· linear', lin, '= profiler', p.layers[4].flops);
print('total', p.total_params, 'parameters,', p.total_flops, 'FLOPs; step forward', p.forward_ms.toFixed(1), 'ms, backward', p.backward_ms.toFixed(1), 'ms (measured)');
print('bytes: weights', p.param_bytes, '· grads', p.grad_bytes, '· Adam state', p.optimizer_bytes, '= 2·weights + 4 · graph activations', p.activation_bytes);
print('countFlops agrees:', countFlops(model, x).every((l, i) => l.flops === p.layers[i].flops));`,
  },
  {
    number: 15, slug: 'quantization', title: 'Quantization', hours: '5–6', built: true,
    objective: 'Shrink a model to 8-bit integers that are really stored as bytes and multiplied as integers, calibrated on real data.',
    build: [
      'quantizeTensor(t, { perChannel, axis }): affine int8 with a scale and zero point per tensor or per channel, returned as an Int8Array',
      'QuantizedLinear and QuantizedConv2d: int8 weights, an input scale calibrated on sample data and used in forward, an int8 × int8 → i32 SIMD matrix multiply, the output dequantized',
      'quantizeModel(sequential, calibration) → { model, report } with the true bytes of every layer',
    ],
    contract: [
      'scale = (max − min)/255 over a range widened to include 0; zero_point = round(−128 − min/scale), clipped to [−128, 127]',
      'q = clip(round(x/scale) + zero_point, −128, 127); x̂ = (q − zero_point)·scale; inside the range |x − x̂| ≤ scale/2',
      'Bytes: 1 per value + 8 per (scale, zero point) pair, against 4 per float32 value: close to 4× smaller',
      'Linear in int8: y ≈ s_x·s_w·Σ (q_x − z_x)(q_w − z_w) + b, accumulated in i32',
    ],
    fixes: [
      'The int8 values are stored as bytes (the reference\'s Tensor forced float32, so its 4× was on paper only)',
      'The calibrated input scale is used by forward (the reference computed it and never used it)',
      'The matrix multiply runs on integers (the reference dequantized the weights and multiplied in float32)',
      'Scales per output channel as well as per tensor',
    ],
    checks: 'quantization_integration: per-tensor and per-channel round trips within half a step with one byte per value; the int8 GEMM equals an integer triple loop exactly; a wrong calibration changes the outputs (so it is used); a quantized digits CNN stays within 1 point of the float model and is at least 3.5× smaller.',
    tool: { id: 'quantize', title: 'Quantize a trained digits model', src: 'tool-quantize.js' },
    example: `// int8 by hand and through the API: scale, zero point, round trip within half a step.
manualSeed(0);
const w = Tensor.randn([4, 6]).mul(0.5);
const q = quantizeTensor(w, {});
const { scale, zero_point } = q.params[0];
print('per tensor: scale', scale.toFixed(5), ' zero point', zero_point, ' bytes', q.bytes, '(24 values + 8) instead of', 24 * 4);
print('int8 values:', Array.from(q.values).join(' '));
const data = w.toArray(), back = q.dequantized.toArray();
const mine = data.map((v) => Math.max(-128, Math.min(127, Math.round(v / scale) + zero_point)));
print('by hand, q = clip(round(w/scale) + zp):', mine.every((m, i) => m === q.values[i]) ? 'same values' : 'different!');
print('max |w − ŵ| =', q.maxError.toExponential(3), ' half a step =', (scale / 2).toExponential(3), q.maxError <= scale / 2 + 1e-7 ? '✓' : '✗');
const pc = quantizeTensor(w, { perChannel: true, axis: 1 });
print('per channel (6 columns):', pc.params.length, 'scales; max error', pc.maxError.toExponential(3), ' bytes', pc.bytes);
// A trained digits MLP, quantized with calibration on 128 images: bytes and measured accuracy.
const d = digitsDataset({ seed: 0 });
const mlp = new Sequential([new Flatten(), new Linear(64, 64), new ReLU(), new Linear(64, 10)]);
fit(mlp, d.trainImages, d.trainLabels, { epochs: 15, lr: 0.005, optimizer: 'adam', loss: 'cross_entropy' });
const { model, report } = quantizeModel(mlp, d.trainImages.narrow(0, 0, 128));
print('float', report.float_bytes, 'B → int8', report.quant_bytes, 'B:', report.ratio.toFixed(2) + '× smaller');
for (const r of compareModels([{ name: 'fp32', model: mlp }, { name: 'int8', model }], d.testImages, d.testLabels, { runs: 5 })) {
  print(r.name.padEnd(5), 'accuracy', (100 * r.accuracy).toFixed(2) + ' %', ' bytes', r.bytes, ' latency', (1000 * r.latency_ms.median).toFixed(1), 'µs');
}`,
  },
  {
    number: 16, slug: 'compression', title: 'Compression', hours: '5–6', built: true,
    objective: 'Remove what the model does not need: prune weights or whole neurons, factorise layers, and distil a big model into a small one.',
    build: [
      'magnitudePrune(model, sparsity, { global }) → masks, and optimizer.attachMasks(masks) so pruned weights stay exactly 0 while training continues',
      'sparsity(model): the fraction of weights that are exactly 0',
      'pruneNeurons(sequential, layerIndex, keep): structured pruning that really shrinks two Linear layers',
      'lowRankLinear(linear, rank): replace W by Linear(in, r) → Linear(r, out) from a truncated SVD',
      'distillationLoss(student, teacher, labels, T, α), differentiable',
    ],
    contract: [
      'Magnitude pruning zeroes the round(s·n) weights of smallest |w|: one threshold over all weight matrices (global) or each matrix on its own; biases are never pruned',
      'Neuron importance = ‖incoming column‖·‖outgoing row‖; the `keep` largest stay',
      'Rank r: r·(in + out) + out parameters instead of in·out + out, and ‖W − W_r‖²_F = the sum of the dropped σ²',
      'Distillation: L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y); the T² keeps the soft gradients at the scale of the hard ones',
    ],
    fixes: [
      'One definition of each function (the reference had two magnitude_prune, measure_sparsity and compress_model with different meanings)',
      'The mask stays applied while the model keeps training (pruning once lets the next steps grow the weights back)',
      'Low-rank factors replace the layer (the reference returned them and left the model unchanged)',
      'The KL term has the T² factor, the teacher as the target and real gradients (the reference summed p_s·log(p_s/p_t) in NumPy)',
    ],
    checks: 'compression_integration: a 50 %-pruned digits MLP keeps training with its pruned weights exactly 0 and stays within 2 points of the dense model (90 % is reported); per-layer pruning and structured pruning do what they say; a rank-8 factorisation matches Eckart–Young; a distilled student under half the teacher\'s size reaches ≥ 90 %.',
    tool: { id: 'prune', title: 'Prune a trained digits model', src: 'tool-prune.js' },
    example: `// Prune a trained MLP: accuracy against sparsity, then fine-tune with the mask attached.
manualSeed(0);
const d = digitsDataset({ seed: 0 });
const model = new Sequential([new Flatten(), new Linear(64, 128), new ReLU(), new Linear(128, 10)]);
fit(model, d.trainImages, d.trainLabels, { epochs: 15, lr: 0.005, optimizer: 'adam', loss: 'cross_entropy' });
const acc = (m) => compareModels([{ name: 'm', model: m }], d.testImages, d.testLabels, { runs: 1 })[0].accuracy;
print('dense:', (100 * acc(model)).toFixed(2) + ' %');
const copy = pruneNeurons(model, 1, 128);           // keeping every neuron = an independent copy
for (const s of [0.5, 0.8, 0.9, 0.95]) {             // global magnitude masks are nested
  magnitudePrune(copy, s, { global: true });
  print('sparsity', (100 * sparsity(copy)).toFixed(1) + ' %', ' accuracy', (100 * acc(copy)).toFixed(2) + ' %');
}
const masks = magnitudePrune(model, 0.9, { global: true });
const opt = Adam(model, { lr: 0.002 });
opt.attachMasks(masks);                               // every step re-zeroes the pruned weights
const n = d.trainLabels.shape[0];
for (let epoch = 0; epoch < 3; epoch++) {
  for (let b = 0; b < n; b += 32) {
    tidy(() => {
      const size = Math.min(32, n - b);
      const loss = crossEntropyLoss(model.forward(d.trainImages.narrow(0, b, size)), d.trainLabels.narrow(0, b, size));
      opt.zeroGrad(); loss.backward(); opt.step();
    });
  }
}
print('90 % pruned + 3 epochs with the mask:', (100 * acc(model)).toFixed(2) + ' %, sparsity still', (100 * sparsity(model)).toFixed(1) + ' %');
const small = pruneNeurons(model, 1, 32);
print('structured: keep 32 neurons →', small.numParameters(), 'parameters (was', model.numParameters() + ')');
const t = tensor([[2, 1, 0]]), s = tensor([[0, 0, 0]]);
print('distillationLoss(uniform student, teacher, T = 2, α = 1):', distillationLoss(s, t, tensor([0]), 2, 1).item().toFixed(4));`,
  },
  {
    number: 17, slug: 'memoization', title: 'Memoization (KV cache)', hours: '4–5', built: true,
    objective: 'Generate faster by remembering: a KV cache so each new token attends to stored keys and values instead of re-running the whole sequence.',
    build: [
      'A cache of keys and values per layer, shaped (B, H, T, head_dim)',
      'Prefill: run the prompt once and store its keys and values',
      'Decode: one token per step, adding one position to every layer\'s cache',
      'kvCacheTiming(gpt, { lengths }): generation time with and without the cache, and whether the outputs are identical',
    ],
    contract: [
      'Without a cache, step t re-runs all t tokens: about n²/2 token passes for n new tokens; with it, n single-token passes, each attending over the t stored positions',
      'Cached and uncached generation emit the same tokens, with logits within 1e−5 (relative to the largest) at every step',
      'Once the context is full the window slides; the cache then restarts from the last maxLen tokens',
    ],
    fixes: [
      'The prompt\'s keys and values are cached in one prefill (the reference fell back to the uncached path for the prompt and never stored it)',
      'Appending a token advances the cache in the same call (no separate advance() to forget)',
      'Cached generation is compared with uncached generation token by token (the reference only compared stored tensors)',
    ],
    checks: 'memoization_integration: greedy and sampled generation with and without the cache give the same 40 tokens, logits within 1e−5 at every step, also after the window slides; the cache holds exactly the positions it should; the speed-up at 16, 64 and 128 tokens is measured.',
    tool: { id: 'kv', title: 'Cached vs uncached generation, measured here', src: 'tool-kvcache.js' },
    example: `// The KV cache: same tokens, less work. Time generation with and without it.
manualSeed(0);
const gpt = new GPT({ vocab: 40, dim: 48, layers: 2, heads: 4, maxLen: 160 });
print(gpt.toString(), '·', gpt.numParameters(), 'parameters (random weights: timing does not need training)');
// Best of 3 runs per length: browser clocks tick in 0.1 ms and the first run warms the caches.
const runs = [0, 1, 2].map(() => kvCacheTiming(gpt, { lengths: [16, 32, 64, 128] }));
const rows = runs[0].map((r, i) => {
  const uncachedMs = Math.min(...runs.map((x) => x[i].uncachedMs)), cachedMs = Math.min(...runs.map((x) => x[i].cachedMs));
  return { tokens: r.tokens, uncachedMs, cachedMs, speedup: uncachedMs / cachedMs, same: runs.every((x) => x[i].same) };
});
for (const r of rows) {
  print(String(r.tokens).padStart(4), 'tokens: uncached', r.uncachedMs.toFixed(1).padStart(6), 'ms  cached', r.cachedMs.toFixed(1).padStart(5), 'ms  speedup',
    r.speedup.toFixed(1) + '×', r.same ? ' outputs identical' : ' OUTPUTS DIFFER');
}
plot('uncached ms', rows.map((r) => r.uncachedMs), { xLabel: 'length (16, 32, 64, 128)', yLabel: 'ms' });
plot('cached ms', rows.map((r) => r.cachedMs));
// Why: uncached step t re-runs t tokens, so n tokens cost about n²/2 token passes; cached, n.
for (const n of [16, 128]) print('n =', n, ': uncached ≈', n * (n + 1) / 2, 'token passes, cached', n);`,
  },
  {
    number: 18, slug: 'acceleration', title: 'Acceleration', hours: '6–8', built: true,
    objective: 'Make it fast: packed, cache-blocked SIMD matrix kernels, relaxed-SIMD fused multiply-add and fused element-wise ops, measured in this browser.',
    build: [
      'Matrix kernels switched at run time: setKernels("naive" | "scalar" | "simd" | "relaxed"), getKernels(), availableKernels()',
      'A packed, cache-blocked GEMM with a register-blocked f32x4 micro-kernel, its scalar twin, and a relaxed-SIMD FMA flavour in the build loaded where the browser supports it',
      'Fused bias + GELU: one pass instead of an add and then a GELU',
      'benchMatmulStats(n, runs), benchPeakStats(kernels, runs) (the f32x4 arithmetic peak the kernels are a share of), benchBiasGelu and benchMlp to measure them',
    ],
    contract: [
      'A square n × n matmul does 2n³ floating-point operations; GFLOP/s = 2n³ / seconds / 10⁹',
      'Every kernel equals the naive triple loop within 1e−5 relative, odd and tiny shapes included',
      'Fused gelu(x + b) equals (x + b).gelu() within 1e−6, gradients included',
    ],
    fixes: [
      'The speed-up is real WebAssembly SIMD on packed, blocked data (the reference\'s "tiled" matmul only called NumPy)',
      'The kernel can be changed at run time, and every choice is checked against the naive one',
    ],
    checks: 'acceleration_integration: naive, scalar, SIMD and relaxed kernels agree within 1e−5 on 60 random shapes from 1×1×1 up, transposed operands included, and on fixed shapes that reach every tile edge, written and accumulated; fused bias + GELU equals the unfused chain, gradients too; ten SGD steps give the same losses whichever kernel runs.',
    tool: { id: 'kernels', title: 'Kernel speedups, measured in this browser', src: 'tool-kernels.js' },
    example: `// Kernels: the same multiply, four implementations; results equal, speed not.
const kernels = availableKernels();
print('this build can run:', kernels.join(', '), ' (active:', getKernels() + ')');
manualSeed(0);
const a = Tensor.randn([96, 80]), b = Tensor.randn([80, 72]);
const ref = (setKernels('naive'), a.matmul(b).toArray());
for (const k of kernels) {
  setKernels(k);
  const c = a.matmul(b).toArray();
  let err = 0;
  for (let i = 0; i < c.length; i++) err = Math.max(err, Math.abs(c[i] - ref[i]) / (Math.abs(ref[i]) + 1e-6));
  const s = benchMatmulStats(128, 3);
  print(k.padEnd(8), 'n = 128:', s.median.toFixed(1).padStart(6), 'GFLOP/s   max rel. difference from naive', err.toExponential(1));
}
setKernels(kernels.at(-1));
const fused = benchBiasGelu({ rows: 256, cols: 256, fused: true, runs: 5 });
const unfused = benchBiasGelu({ rows: 256, cols: 256, fused: false, runs: 5 });
print('bias + GELU on 256 × 256: fused', fused.median.toFixed(3), 'ms, unfused', unfused.median.toFixed(3), 'ms →', (unfused.median / fused.median).toFixed(2) + '×');
print('(the acceleration suite checks that fused and unfused agree within 1e-6, gradients included)');
setKernels(kernels.at(-1));
print('active kernel again:', getKernels());`,
  },
  {
    number: 19, slug: 'benchmarking', title: 'Benchmarking', hours: '5–6', built: true,
    objective: 'Compare fairly: warm-up, repeated runs, a median and a confidence interval; latency, size and measured accuracy side by side, and the Pareto front.',
    build: [
      'Statistics of repeated timings: median, mean, sample standard deviation, min, max and a 95 % confidence interval',
      'compareModels([{ name, model }], x, y, { runs }) → parameters, bytes, batch-1 latency and held-out accuracy of each model',
      'paretoFront([[cost, value], …]): the models no other beats on both',
    ],
    contract: [
      'Warm-up calls are not timed; each timed round lasts ≥ 10 ms, because browsers round performance.now() to 0.1 ms',
      '95 % CI = mean ± 1.96·s/√n',
      'Accuracy = correct / N on the labelled data given; without labels it is null',
      'A point is on the front when no other point has cost ≤ and value ≥ with one of them strictly better',
    ],
    fixes: [
      'Accuracy is measured, never invented (the reference fabricated 0.85 + 0.05·i plus noise for a model without evaluate())',
      'Bytes are what the model stores: int8 layers count 1 byte per weight, pruned float weights still count 4',
    ],
    checks: 'benchmarking_integration: the statistics of a known sample; timing runs what it says; compareModels reports exactly the accuracy an independent evaluation gives, and none without labels; the Pareto front keeps exactly the non-dominated models.',
    tool: { id: 'pareto', title: 'Compare models, find the Pareto front', src: 'tool-pareto.js' },
    example: `// Fair comparisons: repeated timings with a median and a 95 % CI, accuracy measured.
manualSeed(0);
const d = digitsDataset({ seed: 0 });
const make = (hidden) => new Sequential([new Flatten(), new Linear(64, hidden), new ReLU(), new Linear(hidden, 10)]);
const big = make(128), small = make(16);
for (const m of [big, small]) fit(m, d.trainImages, d.trainLabels, { epochs: 15, lr: 0.005, optimizer: 'adam', loss: 'cross_entropy' });
const int8 = quantizeModel(big, d.trainImages.narrow(0, 0, 128)).model;
const rows = compareModels([{ name: 'MLP 128 fp32', model: big }, { name: 'MLP 128 int8', model: int8 }, { name: 'MLP 16 fp32', model: small }],
  d.testImages, d.testLabels, { runs: 10 });
for (const r of rows) {
  const l = r.latency_ms;
  print(r.name.padEnd(13), 'bytes', String(r.bytes).padStart(6), ' accuracy', (100 * r.accuracy).toFixed(2) + ' %',
    ' latency', (1000 * l.median).toFixed(1), 'µs (95 % CI', (1000 * l.ci95[0]).toFixed(1) + '–' + (1000 * l.ci95[1]).toFixed(1) + ')');
}
const front = paretoFront(rows.map((r) => [r.bytes, r.accuracy]));
print('Pareto front by (bytes, accuracy):', Array.from(front, (i) => rows[i].name).join(', '));
const blind = compareModels([{ name: 'no labels', model: big }], d.testImages, null, { runs: 3 })[0];
print('without labels the accuracy is', blind.accuracy, '(never invented)');`,
  },
];
