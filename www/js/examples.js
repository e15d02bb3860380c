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
};
