// TinyTorch Lab: the course's Foundation tier (modules 01–07), one registry entry per module: its
// text and what its page runs (exercise, tool, live example). js/modules.js lists the fields.

export const TIER = {
  name: 'Foundation',
  blurb: 'Tensors, layers, losses, autograd, optimizers and the training loop: a framework you can trust.',
};

export const MODULES = [
  {
    number: 1, slug: 'tensor', title: 'Tensor', hours: '4–6', built: true,
    objective: 'Build the n-dimensional array everything else stands on: float32 storage, broadcasting arithmetic, matrix products, reshapes and reductions.',
    build: [
      'A Tensor holding float32 data with shape, size and ndim',
      'Element-wise add, sub, mul, div with NumPy broadcasting',
      'matmul (batched over leading axes), reshape with one −1, transpose',
      'sum, mean and max over an axis, with keepdim',
    ],
    contract: [
      'Broadcasting: align shapes from the right; each pair of sizes must match or one must be 1',
      'matmul: (…, n, k)·(…, k, m) → (…, n, m); otherwise an error naming both shapes',
      'reshape keeps the element count; at most one −1',
    ],
    fixes: [
      'Numbers work as operands (t.mul(2)) and there are neg() and pow(); the reference had neither reflected operators nor negation',
      'Every mistake throws an Error that names the op and the shapes; nothing traps the WebAssembly instance',
    ],
    checks: 'The gradient suites run every op through autograd; batched (2, 3, 4)·(2, 4, 5) and broadcast (2, 3, 4)·(4, 5) matmul gradients must match central differences.',
    exercise: true,
    example: `// Tensors: shapes, broadcasting, matmul, reshape and reductions.
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
  },
  {
    number: 2, slug: 'activations', title: 'Activations', hours: '3–4', built: true,
    objective: 'Add the nonlinearities that let networks bend: ReLU, Sigmoid, Tanh, GELU and Softmax, each numerically stable.',
    build: [
      'ReLU, Sigmoid, Tanh, GELU and Softmax as parameter-free layers with forward()',
      'Their backward rules (module 05 wires them into autograd)',
    ],
    contract: [
      'sigmoid(x) = 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) for x < 0: finite at ±500',
      'softmax(x)ᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x): rows sum to 1, shifting a row changes nothing',
      'GELU(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))',
    ],
    fixes: [
      'GELU uses the tanh approximation in forward and backward; the reference computed x·σ(1.702x) forward but differentiated the tanh form, so its gradients were slightly off',
      'Tanh is tracked by autograd (it had no backward in the reference)',
    ],
    checks: 'Per-layer gradient checks through stacks of ReLU, Tanh and Sigmoid (five Linear→ReLU blocks, a 25-layer Tanh chain, the XOR network).',
    exercise: true,
    example: `// Activations, including the numerically careful ones.
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
  },
  {
    number: 3, slug: 'layers', title: 'Layers', hours: '4–5', built: true,
    objective: 'Package computation into layers with parameters: Linear with a sensible initialisation, Dropout, and composition.',
    build: [
      'Linear(in, out, bias = true): weight (in, out) from randn·√(1/in), bias zeros',
      'Dropout(p) with inverted scaling, off in eval mode',
      'parameters(), train()/eval(), and Sequential to compose layers',
    ],
    contract: [
      'y = x·W + b with W of shape (in, out)',
      'Dropout in training: y = x·m/(1 − p), m ~ Bernoulli(1 − p); p = 1 gives zeros; eval is the identity',
    ],
    fixes: [
      'Dropout is built from tracked multiplies, so the gradient flows through it (the classic bug rebuilds it from .data and breaks the chain)',
      'A Sequential exists, so the checks can name a broken layer by its index',
    ],
    checks: 'Five Linear(4, 4)→ReLU layers with MSE: every weight and bias gradient exists, is non-zero and matches the numerical gradient.',
    exercise: true,
    example: `// Layers: Linear's initialisation, composing with Sequential, inverted dropout.
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
  },
  {
    number: 4, slug: 'losses', title: 'Losses', hours: '3–4', built: true,
    objective: 'Turn predictions into a single number to minimise: mean squared error, cross-entropy and binary cross-entropy, stable at the extremes.',
    build: [
      'log_softmax with the log-sum-exp trick',
      'MSE, cross-entropy on integer labels, BCE on probabilities, BCE on logits',
    ],
    contract: [
      'MSE = mean((p − t)²) over all elements',
      'CE = −mean_b log_softmax(z)[b, y_b], log_softmax(z) = z − max − log Σ e^(z − max); uniform logits over 3 classes give log 3 ≈ 1.0986',
      'BCE = −mean[y log p + (1 − y) log(1 − p)] with p clipped to [1e−7, 1 − 1e−7]',
    ],
    fixes: [
      'Every loss is a mean, so four copies of a sample give exactly the gradient of one (checked)',
      'A label outside 0..C−1 throws an Error naming the label and its position',
      'bceWithLogitsLoss is stable without a sigmoid first',
    ],
    checks: 'The batch_is_mean case (four identical samples, same gradient) and gradient checks through MSE and BCE.',
    exercise: true,
    example: `// Losses and their anchors.
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
  },
  {
    number: 5, slug: 'autograd', title: 'Autograd', hours: '8–10', built: true,
    objective: 'Make gradients automatic: record the graph as tensors are computed, then walk it backwards applying each op\'s local rule.',
    build: [
      'A graph of ops that remembers its inputs',
      'backward() in topological order, accumulating into leaf gradients',
      'Broadcasting undone in one place; zeroGrad; a no_grad scope',
    ],
    contract: [
      'add → (g, g); sub → (g, −g); mul → (g·b, g·a); div → (g/b, −g·a/b²)',
      'matmul → (g·Bᵀ, Aᵀ·g) over the last two axes; relu → g·[x > 0]; sigmoid → g·y(1 − y)',
      'Gradient check: (f(θ + ε) − f(θ − ε)) / 2ε against the analytic gradient, layer by layer',
    ],
    fixes: [
      'A topologically sorted walk instead of path-by-path recursion (which explodes on residual networks)',
      'mean, max, tanh, exp, log and sqrt are tracked (untracked in the reference)',
      'Batched matmul backward uses matmul, not dot (a regression the reference had)',
    ],
    checks: 'Per-layer gradient checks name the first layer whose gradient is missing, zero or wrong; a layer used twice adds both contributions; gradients accumulate until zeroGrad.',
    exercise: true,
    example: `// Autograd: gradients, accumulation, and the per-layer gradient check.
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
  },
  {
    number: 6, slug: 'optimizers', title: 'Optimizers', hours: '6–8', built: true,
    objective: 'Use gradients to improve parameters: SGD with momentum and weight decay, Adam, and AdamW with decoupled decay.',
    build: [
      'SGD(params, lr, momentum, weightDecay)',
      'Adam with bias correction',
      'AdamW',
      'step() and zeroGrad()',
    ],
    contract: [
      'SGD: g ← g + λθ; b ← μb + g; θ ← θ − η·b (defaults η 0.01, μ 0)',
      'Adam: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; θ ← θ − η·m̂/(√v̂ + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)',
      'AdamW: the Adam step without decay in g, then θ ← θ(1 − ηλ) (λ 0.01)',
    ],
    fixes: [
      'Each optimizer is checked to change every parameter and to move against the gradient on its first step, so a silent no-op cannot pass',
    ],
    checks: 'SGD, SGD with momentum, Adam and AdamW each change every parameter, and the first step goes against the gradient (Δθ·g < 0).',
    exercise: true,
    example: `// Minimise f(w) = Σ (w − 3)² from w = 0 with each optimizer; plot the loss.
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
  },
  {
    number: 7, slug: 'training', title: 'Training', hours: '6–8', built: true,
    objective: 'Close the loop: batches, forward, loss, backward, step; schedules, gradient clipping, accumulation and checkpoints.',
    build: [
      'A Trainer with train_epoch and evaluate',
      'Gradient accumulation over several batches',
      'CosineSchedule and clip_grad_norm',
      'Checkpoints that resume exactly',
    ],
    contract: [
      'lr(e) = min + (max − min)(1 + cos(πe/T))/2: 0.1, 0.055 and 0.01 at epochs 0, 50 and 100',
      'clip: if ‖g‖ > max, g ← g·max/‖g‖; return the norm before clipping',
      'Accumulating 4 batches of 8 gives the update of one batch of 32',
    ],
    fixes: [
      'A checkpoint keeps the random generator and optimizer state, so a resumed run is bit-identical',
      'The whole loop can run in Rust (fit), reporting each epoch to JS',
    ],
    checks: 'The loss falls on XOR; accumulation equals a big batch; zero_grad, the schedule, clipping and checkpoint resume do what they say; XOR reaches 100 %.',
    exercise: true,
    example: `// Training: the whole loop runs in Rust; onEpoch reports progress to JS.
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
  },
];
