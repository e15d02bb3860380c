// TinyTorch Lab: the live example of each built module (JS run in the lab's worker with the
// whole API in scope, plus print(...values) and plot(name, values)). Keyed by module number;
// js/modules.js attaches them. To give a newly built module an example, add its entry here.

export const EXAMPLES = {
  1: `// Tensors: shapes, broadcasting, matmul, reshape and reductions.
manualSeed(0);
const a = tensor([[1, 2, 3], [4, 5, 6]]);     // shape [2, 3]
const b = tensor([10, 20, 30]);                // shape [3]: broadcast over the rows
print('a + b =', a.add(b));
print('a * 2 - 1 =', a.mul(2).sub(1));
const w = Tensor.randn([3, 2]);
print('(a @ w).shape =', a.matmul(w).shape, '  (2, 3)·(3, 2) → (2, 2)');
print('sum over axis 0:', a.sum(0).toArray(), '  mean of all:', a.mean().item());
print('reshape([3, -1]).shape =', a.reshape([3, -1]).shape, '  transpose().shape =', a.transpose().shape);
try {
  a.matmul(a);                                 // (2, 3)·(2, 3): inner sizes differ
} catch (e) {
  print('error, as expected:', e.message);
}`,

  2: `// Activations, including the numerically careful ones.
const x = tensor([-500, -2, -0.5, 0, 0.5, 2, 500]);
print('x       ', x.toArray());
print('relu    ', new ReLU().forward(x).toArray());
print('sigmoid ', new Sigmoid().forward(x).toArray(), ' (finite at ±500)');
print('tanh    ', new Tanh().forward(x).toArray());
print('gelu    ', new GELU().forward(x.narrow(0, 1, 5)).toArray(), ' (on -2 … 2)');
const logits = tensor([[1, 2, 3], [1001, 1002, 1003]]);
const p = new Softmax().forward(logits);      // subtracts the row max first
print('softmax rows:', p.toArray());
print('row sums:', p.sum(1).toArray());
print('shift invariance, |row0 - row1|² =', p.narrow(0, 0, 1).sub(p.narrow(0, 1, 1)).pow(2).sum().item());`,

  3: `// Layers: Linear's initialisation, composing with Sequential, inverted dropout.
manualSeed(0);
const lin = new Linear(784, 256);
const w = lin.weight.toArray();
const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
print('Linear(784, 256): weight', lin.weight.shape, 'std', std.toFixed(4), ' target sqrt(1/784) =', Math.sqrt(1 / 784).toFixed(4));
print('bias is all zeros:', lin.bias.toArray().every((v) => v === 0));
const model = new Sequential([new Linear(4, 8), new ReLU(), new Dropout(0.5), new Linear(8, 2)]);
for (const l of model.layers()) print('  layer', l.index + ':', l.describe);
print(model.parameters().length, 'parameter tensors,', model.numParameters(), 'values');
print('output shape for 5 samples:', model.forward(Tensor.randn([5, 4])).shape);
const drop = new Dropout(0.5), ones = Tensor.ones([10000]);
print('dropout in training: mean', drop.forward(ones).mean().item().toFixed(3), '(inverted scaling keeps ≈ 1)');
drop.eval();
print('dropout in eval: mean', drop.forward(ones).mean().item());`,

  4: `// Losses and their anchors.
const labels = tensor([0, 1, 2, 1]);
print('CE of uniform logits, 3 classes:', crossEntropyLoss(Tensor.zeros([4, 3]), labels).item(), ' log 3 =', Math.log(3));
const confident = tensor([[20, 0, 0], [0, 20, 0], [0, 0, 20], [0, 20, 0]]);
print('CE when confident and right:', crossEntropyLoss(confident, labels).item());
print('CE with a logit of 100 (stays finite):', crossEntropyLoss(tensor([[100, 0, 0]]), tensor([1])).item());
print('MSE([1,2,3], [1,2,5]) =', mseLoss(tensor([1, 2, 3]), tensor([1, 2, 5])).item(), ' = (0 + 0 + 4) / 3');
print('BCE clips p = 0 to 1e-7:', bceLoss(tensor([0, 1]), tensor([1, 1])).item());
const z = tensor([2, -1]), t = tensor([1, 0]);
print('BCE with logits:', bceWithLogitsLoss(z, t).item(), ' BCE of sigmoid:', bceLoss(z.sigmoid(), t).item());
try {
  crossEntropyLoss(Tensor.zeros([2, 3]), tensor([0, 3]));
} catch (e) {
  print('error, as expected:', e.message);
}`,

  5: `// Autograd: gradients, accumulation, and the per-layer gradient check.
manualSeed(0);
const x = tensor([2, -1, 3]);
x.requiresGrad = true;
x.mul(x).add(x.mul(3)).sum().backward();       // y = Σ x² + 3x
print('dy/dx =', x.grad.toArray(), ' expected 2x + 3 =', Array.from(x.toArray(), (v) => 2 * v + 3));
x.mul(x).sum().backward();                     // a second backward adds 2x
print('after a second backward:', x.grad.toArray());
x.zeroGrad();
print('after zeroGrad:', x.grad ? x.grad.toArray() : 'no gradient');
const model = new Sequential([new Linear(4, 8), new ReLU(), new Linear(8, 2)]);
const input = Tensor.randn([6, 4]), target = Tensor.randn([6, 2]);
print(gradcheck(model, input, target, {}).summary);
model.injectFault(1, 'flip_sign');             // break the ReLU on purpose
const report = gradcheck(model, input, target, {});
print('fault in layer 1 → culprit', report.culprit + ':', report.summary);
for (const r of report.rows) print('  layer', r.layer, r.layer_name.padEnd(7), r.param.padEnd(7), r.status.padEnd(9), 'rel err', r.max_rel_error.toExponential(2));`,

  6: `// Minimise f(w) = Σ (w − 3)² from w = 0 with each optimizer; plot the loss.
for (const [name, make, options] of [
  ['SGD', SGD, { lr: 0.1 }],
  ['SGD momentum', SGD, { lr: 0.05, momentum: 0.9 }],
  ['Adam', Adam, { lr: 0.3 }],
  ['AdamW', AdamW, { lr: 0.3, weightDecay: 0.01 }],
]) {
  const w = Tensor.zeros([2]);
  w.requiresGrad = true;
  const opt = make([w], options);
  const losses = [];
  for (let step = 0; step < 60; step++) {
    tidy(() => {                                // frees this step's tensors
      opt.zeroGrad();
      const loss = w.sub(3).pow(2).sum();
      losses.push(loss.item());
      loss.backward();
      opt.step();
    });
  }
  print(name.padEnd(13), 'w =', w.toArray()[0].toFixed(4), '  loss', losses[0].toFixed(2), '→', losses.at(-1).toExponential(2));
  plot(name, losses, { xLabel: 'step', yLabel: 'loss' });
}
print('Adam moves about lr per step whatever the gradient, so it circles the minimum; plain SGD shrinks its steps with the gradient.');`,

  7: `// Training: the whole loop runs in Rust; onEpoch reports progress to JS.
manualSeed(0);
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);
const model = new Sequential([new Linear(2, 8), new Tanh(), new Linear(8, 1), new Sigmoid()]);
const history = fit(model, x, y, {
  epochs: 300, batchSize: 4, lr: 0.5, optimizer: 'sgd', momentum: 0.9, loss: 'bce',
  onEpoch: ({ epoch, loss, accuracy }) => {
    if (epoch % 60 === 0) print('epoch', String(epoch).padStart(3), ' loss', loss.toFixed(4), ' accuracy', accuracy);
  },
});
plot('train loss', history.loss, { xLabel: 'epoch', yLabel: 'loss' });
model.eval();
print('XOR predictions:', model.forward(x).toArray());
print('final loss', history.loss.at(-1).toFixed(5), ' accuracy', history.accuracy.at(-1));`,

  8: `// A DataLoader in a few lines: seeded shuffle, batches, the partial last batch kept.
manualSeed(0);
const N = 103, D = 2;
const X = Tensor.randn([N, D]), data = X.toArray();
function* batches(batchSize, shuffle) {
  const order = Array.from({ length: N }, (_, i) => i);
  if (shuffle) {                               // a permutation from the seeded generator
    const keys = Tensor.rand([N]).toArray();
    order.sort((a, b) => keys[a] - keys[b]);
  }
  for (let start = 0; start < N; start += batchSize) {
    const idx = order.slice(start, start + batchSize);
    const rows = new Float32Array(idx.length * D);
    idx.forEach((r, k) => rows.set(data.subarray(r * D, r * D + D), k * D));
    yield { idx, x: Tensor.fromArray(rows, [idx.length, D]) };
  }
}
const epoch1 = [...batches(10, true)], epoch2 = [...batches(10, true)];
const seen = new Set(epoch1.flatMap((b) => b.idx));
print('epoch 1:', epoch1.length, 'batches; last has', epoch1.at(-1).x.shape[0], 'rows;', seen.size, 'distinct rows of', N);
print('first batch, epoch 1:', epoch1[0].idx.join(' '), '\\nfirst batch, epoch 2:', epoch2[0].idx.join(' '));
// Labels: which quadrant pair the point is in (x0·x1 > 0); then train through the crate's DataLoader.
const y = tensor(Array.from({ length: N }, (_, i) => (data[2 * i] * data[2 * i + 1] > 0 ? 1 : 0)));
const model = new Sequential([new Linear(2, 16), new ReLU(), new Linear(16, 2)]);
const h = fit(model, X, y, { epochs: 40, batchSize: 10, shuffle: true, lr: 0.02, optimizer: 'adam', loss: 'cross_entropy' });
plot('loss (batches of 10, shuffled)', h.loss, { xLabel: 'epoch', yLabel: 'loss' });
print('loss', h.loss[0].toFixed(3), '→', h.loss.at(-1).toFixed(3), '  accuracy', h.accuracy.at(-1).toFixed(3));`,

  9: `// A small CNN on the bundled 8×8 digits: the shape after every layer, one backward pass,
// and a per-layer gradient check that names a conv we break on purpose.
manualSeed(0);
const data = digitsDataset({ seed: 0 });
print('digits: train', data.trainImages.shape, ' held out', data.testImages.shape, ' pixels in [0, 1]');
const layers = [
  new Conv2d(1, 8, 3, 1, 1), new ReLU(), new MaxPool2d(2),   // 8×8 → 8×8 → 4×4
  new Conv2d(8, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2),  // 4×4 → 4×4 → 2×2
  new Flatten(), new Linear(16 * 2 * 2, 10),
];
const model = new Sequential(layers);
const x = data.trainImages.narrow(0, 0, 32), y = data.trainLabels.narrow(0, 0, 32);
let h = x;
print('input'.padEnd(34), h.shape);
for (const [i, l] of layers.entries()) {
  h = l.forward(h);
  print(\`\${i} \${l.toString()}\`.padEnd(34), h.shape, l.numParameters() ? \`· \${l.numParameters()} parameters\` : '');
}
print('output size (H + 2p − k) // s + 1 = (8 + 2 − 3) // 1 + 1 =', Math.floor((8 + 2 - 3) / 1) + 1);
const loss = crossEntropyLoss(model.forward(x), y);
loss.backward();
print('loss', loss.item().toFixed(4), ' (a uniform guess over 10 classes gives log 10 =', Math.log(10).toFixed(4) + ')');
for (const i of [0, 3]) {
  const g = layers[i].weight.grad.toArray();
  print(\`conv \${i} weight.grad\`, layers[i].weight.grad.shape, '‖g‖ =', Math.hypot(...g).toExponential(3));
}
// Gradient check on 4 images, cross-entropy loss: every layer against central differences.
const xs = x.narrow(0, 0, 4), ys = y.narrow(0, 0, 4);
print(gradcheck(model, xs, ys, { loss: 'cross_entropy' }).summary);
model.injectFault(3, 'scale_grad');          // the second conv passes back 2× its gradient
const report = gradcheck(model, xs, ys, { loss: 'cross_entropy' });
print('fault in layer 3 → culprit', report.culprit + ':', report.summary);
model.clearFaults();`,

  10: `// Tokenizers: characters and byte-pair encoding, both trained on the course corpus.
const corpus = textCorpus(0);                       // { train, val, test } of { task, prompt, answer }
const text = corpus.train.map((e) => e.prompt + e.answer + '\\n').join('');
print('corpus:', corpus.train.length, 'training lines,', text.length, 'characters, e.g.', JSON.stringify(corpus.train[2].prompt + corpus.train[2].answer));
const chars = new CharTokenizer(text);
print('CharTokenizer: vocabulary', chars.vocabSize, '(id 0 = <UNK>, then', JSON.stringify(chars.chars.slice(0, 12)) + ' …)');
const ids = chars.encode('rev:abcd=dcba');
print('encode("rev:abcd=dcba") =', ids.join(' '));
print('decode(...) =', JSON.stringify(chars.decode(ids)), ' round trip:', chars.decode(ids) === 'rev:abcd=dcba');
print('unknown characters map to 0: encode("Zoë") =', chars.encode('Zoë').join(' '), '→', JSON.stringify(chars.decode(chars.encode('Zoë'))));
const bpe = BPETokenizer.train(text, 120);           // 70 start symbols (+ <UNK>), then 49 merges
print('BPE: vocabulary', bpe.vocabSize, 'after', bpe.merges.length, 'merges; the first five:', bpe.merges.slice(0, 5).map(([a, b]) => a + '+' + b).join(', '));
for (const s of ['q: what is a tensor?', 'rev:abcd=dcba']) {
  const t = bpe.tokenize(s);
  print(JSON.stringify(s), '→', t.length, 'BPE tokens', JSON.stringify(t), 'vs', chars.encode(s).length, 'characters');
}
const back = bpe.decode(bpe.encode('q: what is a tensor?'));
print('BPE round trip:', JSON.stringify(back), back === 'q: what is a tensor?');`,

  11: `// Embeddings: a lookup table whose backward scatter-adds, so only looked-up rows learn and a
// repeated id accumulates; and the fixed sinusoidal position table.
manualSeed(0);
const emb = new Embedding(10, 4);                    // 10 ids, 4 numbers each
const w = emb.parameters()[0];
const limit = Math.sqrt(6 / (10 + 4));
print('weight', w.shape, ' every |w| ≤ √(6/(V + D)) =', limit.toFixed(4) + ':', w.toArray().every((v) => Math.abs(v) <= limit));
const ids = tensor([[5, 2, 5, 7]]);                  // id 5 appears twice
const out = emb.forward(ids);
print('forward(ids of shape', ids.shape, ') →', out.shape, ' row 0 equals weight row 5:',
  out.narrow(1, 0, 1).reshape([4]).sub(w.narrow(0, 5, 1).reshape([4])).pow(2).sum().item() === 0);
out.sum().backward();                                // d(sum)/d(row) = 1 per lookup
const g = w.grad.toArray();
for (let r = 0; r < 10; r++) {
  const row = Array.from(g.subarray(r * 4, r * 4 + 4));
  if (row.some((v) => v !== 0) || r < 3) print(\`  grad row \${r}:\`, row.join(' '), r === 5 ? '← looked up twice, so 2 per entry' : '');
}
print('rows with a non-zero gradient:', [...Array(10).keys()].filter((r) => g.subarray(r * 4, r * 4 + 4).some((v) => v !== 0)).join(', '), '(only the looked-up ids 2, 5, 7)');
try { emb.forward(tensor([[3, 10]])); } catch (e) { print('id 10 of 10: error, as expected:', e.message); }
const pe = sinusoidalPositions(50, 8);               // PE(p, 2i) = sin(p / 10000^(2i/D)), PE(p, 2i+1) = cos(…)
const t = pe.toArray();
const row = (p) => Array.from(t.subarray(p * 8, p * 8 + 8), (v) => v.toFixed(3)).join(' ');
print('sinusoidal table', pe.shape);
for (const p of [0, 1, 2, 49]) print(\`  position \${String(p).padStart(2)}:\`, row(p));
print('check: PE(1, 0) = sin(1) =', Math.sin(1).toFixed(3), '  PE(1, 2) = sin(1/10000^(2/8)) =', Math.sin(1 / 10000 ** (2 / 8)).toFixed(3));
print('it has no parameters to learn; learned positions are just a second Embedding(maxLen, D).');`,

  12: `// Attention: softmax(QKᵀ/√d + mask)·V. Rows of weights sum to 1; masked cells are exactly 0.
// Mask convention everywhere: 1 = may attend, 0 = blocked.
manualSeed(0);
const S = 5, d = 4;
const q = Tensor.randn([1, S, d]), k = Tensor.randn([1, S, d]), v = Tensor.randn([1, S, d]);
const mask = causalMask(S);                          // lower-triangular ones: position i sees 0…i
print('causal mask (1 = attend):');
const m = mask.toArray();
for (let i = 0; i < S; i++) print('  ', Array.from(m.subarray(i * S, i * S + S)).join(' '));
const { output, weights } = scaledDotProductAttention(q, k, v, mask);
print('output', output.shape, ' weights', weights.shape);
const w = weights.toArray();
for (let i = 0; i < S; i++) {
  const row = Array.from(w.subarray(i * S, i * S + S));
  print(\`  query \${i}:\`, row.map((x) => x.toFixed(3)).join('  '), '  sum', row.reduce((a, b) => a + b, 0).toFixed(6));
}
let above = 0;
for (let i = 0; i < S; i++) for (let j = i + 1; j < S; j++) above = Math.max(above, w[i * S + j]);
print('largest weight above the diagonal (a future position):', above, above === 0 ? '(exactly 0)' : '');
// By hand for query 1: scores to keys 0 and 1, softmax, compare.
const Q = q.toArray(), K = k.toArray();
const dot = (i, j) => [...Array(d).keys()].reduce((s, c) => s + Q[i * d + c] * K[j * d + c], 0) / Math.sqrt(d);
const e0 = Math.exp(dot(1, 0)), e1 = Math.exp(dot(1, 1));
print('query 1 by hand:', (e0 / (e0 + e1)).toFixed(3), (e1 / (e0 + e1)).toFixed(3), ' (matches the row above)');
// Multi-head: 4 heads of width 4 over D = 16; the key projection has no bias (softmax ignores a shift).
const mha = new MultiHeadAttention(16, 4, true);
const x = Tensor.randn([2, 6, 16]);
const y = mha.forward(x);
print('MultiHeadAttention(16, 4, causal):', y.shape, '·', mha.numParameters(), 'parameters = 4·16·16 + 3·16 (q, v, out biases)');
const a = mha.attentionWeights(x);
print('attentionWeights:', a.shape, '(batch, heads, query, key); every row sums to 1:',
  a.sum(-1).sub(1).pow(2).max().item() < 1e-10);
y.sum().backward();
print('every projection got a gradient:', mha.parameters().every((p) => p.grad && p.grad.toArray().some((g) => g !== 0)));
try { new MultiHeadAttention(10, 4); } catch (e) { print('error, as expected:', e.message); }`,

  13: `// A GPT end to end: tokens → logits → next-token loss → gradients in every layer.
manualSeed(0);
const line = 'rev:abcd=dcba\\n';
const tok = new CharTokenizer(textCorpus(0).train.map((e) => e.prompt + e.answer + '\\n').join(''));
const gpt = new GPT({ vocab: tok.vocabSize, dim: 32, layers: 2, heads: 4, maxLen: 48 });
print(gpt.toString(), '·', gpt.numParameters(), 'parameters');
for (const l of gpt.layers().filter((l) => l.depth <= 1)) print('  layer', String(l.index).padStart(2), '  '.repeat(l.depth) + l.describe);
const ids = tok.encode(line);
const x = tensor([ids.slice(0, -1)]), y = tensor(ids.slice(1));   // predict each next character
const logits = gpt.forward(x);                       // (1, S, vocab)
print('ids', x.shape, '→ logits', logits.shape);
const loss = crossEntropyLoss(logits.reshape([-1, tok.vocabSize]), y);
print('loss', loss.item().toFixed(4), ' (untrained ≈ log vocab =', Math.log(tok.vocabSize).toFixed(4) + ')');
loss.backward();
const params = gpt.parameters();
const missing = params.filter((p) => !p.grad || p.grad.toArray().every((v) => v === 0));
print(params.length, 'parameter tensors;', params.length - missing.length, 'received a non-zero gradient');
// Causality: changing the last input token must not change earlier logits.
const x2 = tensor([[...ids.slice(0, -2), tok.encode('a')[0]]]);
const diff = gpt.forward(x2).narrow(1, 0, ids.length - 2).sub(logits.narrow(1, 0, ids.length - 2)).pow(2).max().item();
print('change the last token: earlier logits move by', diff, diff === 0 ? '(not at all: causal)' : '');
// Pre-norm LayerNorm and GELU: exact backwards, checked against central differences.
const block = new Sequential([new LayerNorm(8), new Linear(8, 16), new GELU(), new Linear(16, 8)]);
print(gradcheck(block, Tensor.randn([3, 8]), Tensor.randn([3, 8]), {}).summary);
const out = gpt.generate(tok.encode('rev:abcd='), { maxNewTokens: 8, temperature: 0 });
print('untrained greedy continuation of "rev:abcd=":', JSON.stringify(tok.decode(out)), '(training it is milestone 05)');`,

  14: `// Profile one training step: FLOPs by hand vs the profiler, measured times, memory.
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

  15: `// int8 by hand and through the API: scale, zero point, round trip within half a step.
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

  16: `// Prune a trained MLP: accuracy against sparsity, then fine-tune with the mask attached.
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

  17: `// The KV cache: same tokens, less work. Time generation with and without it.
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

  18: `// Kernels: the same multiply, four implementations; results equal, speed not.
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

  19: `// Fair comparisons: repeated timings with a median and a 95 % CI, accuracy measured.
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

  20: `// The capstone end to end, then the validator at work.
const stages = [];
const report = runCapstone({ seed: 0, student: 'example', onStage: (s) => stages.push(s) });
print('stages:', stages.join(' → '));
const { baseline: b, optimized: o, improvements: i } = report;
print('baseline ', b.model.padEnd(36), b.bytes, 'B', (100 * b.accuracy).toFixed(2) + ' %', (1000 * b.latency_ms.median).toFixed(1), 'µs');
print('optimised', o.model.padEnd(36), o.bytes, 'B', (100 * o.accuracy).toFixed(2) + ' %', (1000 * o.latency_ms.median).toFixed(1), 'µs');
print('speedup', i.speedup.toFixed(2) + '×  compression', i.compression_ratio.toFixed(1) + '×  accuracy change', (100 * i.accuracy_delta).toFixed(2), 'points');
print('validateSubmission:', validateSubmission(report).length ? validateSubmission(report) : 'valid');
const tampered = { ...report, improvements: { ...i, speedup: i.speedup * 2 } };
print('claim twice the speedup →', validateSubmission(tampered));
print('schema requires:', capstoneSchema().required.join(', '));`,
};
