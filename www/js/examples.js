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
};
