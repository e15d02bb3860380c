// TinyTorch Lab: the course's Architecture tier (modules 08–13), one registry entry per module: its
// text and what its page runs (exercise, tool, live example). js/modules.js lists the fields.

export const TIER = {
  name: 'Architecture',
  blurb: 'Data pipelines, convolution, tokens, embeddings, attention and transformers.',
};

export const MODULES = [
  {
    number: 8, slug: 'dataloader', title: 'DataLoader', hours: '4–5', built: true,
    objective: 'Feed training from a dataset: batches of a chosen size, a fresh seeded shuffle every epoch, the last partial batch kept.',
    build: [
      'Dataset and TensorDataset (rows of several tensors)',
      'DataLoader(batch, shuffle, drop_last)',
      'Augmentations: RandomHorizontalFlip, RandomCrop, Compose',
    ],
    contract: [
      'batches per epoch = ⌈N / batch⌉ (⌊N / batch⌋ with drop_last)',
      'Every sample exactly once per epoch; shuffles differ between epochs and replay with the same seed',
    ],
    fixes: [
      'Shuffling draws from the one seeded generator (the reference used Python\'s global random), so a seed replays the same epochs in every browser',
      'drop_last is offered',
    ],
    checks: 'Every row once per epoch with the partial last batch kept, seeded shuffles, labels aligned with their rows, and an MLP trained from the loader reaching ≥ 90 % held-out accuracy.',
    exercise: true,
    example: `// A DataLoader in a few lines: seeded shuffle, batches, the partial last batch kept.
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
  },
  {
    number: 9, slug: 'spatial', title: 'Spatial (CNN)', hours: '6–8', built: true,
    objective: 'See images: convolution, pooling and batch normalisation, then a small CNN that reads the 8×8 handwritten digits.',
    build: [
      'Conv2d(inC, outC, k, stride, padding, bias) on NCHW input with OIHW weights and He init, computed as im2col plus one SIMD matrix multiply',
      'MaxPool2d (the gradient goes to the first maximum of each window) and AvgPool2d',
      'BatchNorm2d: batch statistics in training, running statistics in eval, exact backward for input, γ and β',
      'Flatten as a tracked reshape, so the convs before it learn',
      'A CNN trained on the bundled UCI digits (milestone 04)',
    ],
    contract: [
      'Output size ⌊(H + 2p − k)/s⌋ + 1: an 8×8 image with k = 3, p = 1, s = 1 stays 8×8',
      'Cross-correlation, no kernel flip: y[n,o,i,j] = b[o] + Σ_c,u,v W[o,c,u,v]·x[n,c,is+u−p,js+v−p]; the vertical-edge kernel gives 3.0',
      'Backward: dW = dY·colsᵀ, dX = col2im(Wᵀ·dY), db = Σ of dY over N, H and W',
      'Conv2d(3, 16, 3) has 3·16·3·3 + 16 = 448 parameters',
      'BatchNorm2d: y = γ(x − μ_c)/√(σ²_c + ε) + β; running ← (1 − m)·running + m·batch with m = 0.1',
    ],
    fixes: [
      'AvgPool2d and BatchNorm2d have real, exact backwards (forward-only in the reference)',
      'Flatten keeps the graph: the reference\'s CNN milestone rebuilt a tensor from .data, so its conv layers never learned',
      'No seven-deep loops: im2col plus one WebAssembly SIMD matrix multiply',
    ],
    checks: 'cnn_integration: gradients reach every conv, pool, norm and linear parameter through Flatten and match central differences (stride and padding included); the cross-correlation orientation, max-pool routing, BatchNorm train/eval, shapes and parameter counts; training lowers the loss. digits_cnn: a CNN trained from a seed reaches ≥ 97 % held-out accuracy.',
    exercise: true,
    example: `// A small CNN on the bundled 8×8 digits: the shape after every layer, one backward pass,
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
  },
  {
    number: 10, slug: 'tokenization', title: 'Tokenization', hours: '4–5', built: true,
    objective: 'Turn text into integers: a character tokenizer and byte-pair encoding, both trained on the course corpus.',
    build: [
      'CharTokenizer(corpus): one id per distinct character, id 0 = <UNK>',
      'BPETokenizer.train(corpus, vocabSize): split on whitespace, mark word ends with </w>, merge the most frequent adjacent pair until the vocabulary is full',
      'encode, decode and tokenize for both',
    ],
    contract: [
      'Characters: decode(encode(text)) = text for text made of known characters; an unknown character encodes to 0 and decodes to "<UNK>"',
      'BPE starts from every character and every word-final character + </w> (70 symbols on the corpus, plus <UNK>); each merge adds one token',
      'Merges are learned by pair frequency (ties go to the smallest pair) and applied in training order; decode turns each </w> into a space',
    ],
    fixes: [
      'BPE training splits the corpus on whitespace exactly as encode does (the reference trained on whole sentences and merged across spaces)',
      'Ties between equally frequent pairs are broken deterministically, so the same corpus gives the same merges in every browser',
    ],
    checks: 'nlp_pipeline_flow: both tokenizers round-trip known text and map unknown characters to 0, then feed the pipeline. tinygpt: the character tokenizer drives a GPT trained on the corpus.',
    tool: { id: 'playground', title: 'Tokenizer playground', src: 'tokenizer-playground.js' },
    example: `// Tokenizers: characters and byte-pair encoding, both trained on the course corpus.
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
  },
  {
    number: 11, slug: 'embeddings', title: 'Embeddings', hours: '4–5', built: true,
    objective: 'Give tokens and positions vectors: an embedding table with a scatter-add backward, learned positions and the fixed sinusoidal table.',
    build: [
      'Embedding(V, D): forward gathers rows for ids of any shape; backward scatter-adds',
      'Learned positions: a second Embedding(maxLen, D) indexed by position',
      'sinusoidalPositions(maxLen, D): the fixed table',
    ],
    contract: [
      'Weight ~ U(±√(6/(V + D)))',
      'Only looked-up rows get gradient, and an id seen twice gets twice the gradient',
      'PE(p, 2i) = sin(p/10000^(2i/D)), PE(p, 2i+1) = cos(p/10000^(2i/D))',
      'An id outside 0..V−1 is an error naming the id and its position',
    ],
    fixes: [
      'The embedding gradient checks are real (skipped in the reference): ids [5, 2, 5, 3] give gradient to rows 2, 3 and 5 only, row 5 exactly twice',
    ],
    checks: 'nlp_pipeline_flow: sparse, accumulating embedding gradients; both embedding tables of a GPT receive gradient; the per-layer gradient check names each embedding.',
    example: `// Embeddings: a lookup table whose backward scatter-adds, so only looked-up rows learn and a
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
  },
  {
    number: 12, slug: 'attention', title: 'Attention', hours: '5–6', built: true,
    objective: 'Let tokens look at each other: scaled dot-product attention and multi-head attention with masks.',
    build: [
      'scaledDotProductAttention(Q, K, V, mask) returning the output and the weights',
      'MultiHeadAttention(D, H, causal) with q, k, v and out projections',
      'causalMask(S)',
    ],
    contract: [
      'weights = softmax(QKᵀ/√d_k, masked); output = weights·V; every row of weights sums to 1',
      'Mask convention, everywhere: 1 = may attend, 0 = blocked; a blocked cell gets weight exactly 0',
      'Causal: query i attends to keys 0…i (lower-triangular ones)',
      'H must divide D; each head has width D/H',
      'The key projection has no bias: it would add the same number to every score of a row, and softmax ignores a constant shift',
    ],
    fixes: [
      'One mask convention, checked numerically (the reference mixed keep-masks with additive masks, which made GPT\'s causal attention uniform)',
      'Every projection must receive a gradient (the reference\'s check looked for names that did not exist)',
    ],
    checks: 'nlp_pipeline_flow: attention weights are probabilities, a causal model gives exactly 0 to the future, masking equals a hand computation within 1e−6, and every projection gets gradient.',
    tool: { id: 'heatmap', title: 'Attention heat map', src: 'attention-map.js' },
    example: `// Attention: softmax(QKᵀ/√d + mask)·V. Rows of weights sum to 1; masked cells are exactly 0.
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
  },
  {
    number: 13, slug: 'transformers', title: 'Transformers', hours: '6–8', built: true,
    objective: 'Stack attention and MLPs into a GPT: LayerNorm, pre-norm blocks with residuals, a language-model head and sampling.',
    build: [
      'LayerNorm(D) with the exact backward for input, γ and β',
      'GELU (tanh form) with its exact derivative, and the MLP Linear → GELU → Linear',
      'TransformerBlock(D, H, mlpRatio, causal), pre-norm',
      'GPT({ vocab, dim, layers, heads, maxLen }) with generate(prompt, { maxNewTokens, temperature, topK, seed, stop, onToken })',
    ],
    contract: [
      'Pre-norm block: x ← x + MHA(LN₁(x)); x ← x + MLP(LN₂(x))',
      'LayerNorm: x̂ = (x − μ)/√(σ² + ε), y = γx̂ + β; dx = (γ·dy − mean(γ·dy) − x̂·mean(γ·dy·x̂))/√(σ² + ε)',
      'GELU(x) = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³); GELU′(x) = ½(1 + tanh u) + ½x(1 − tanh² u)·√(2/π)(1 + 3·0.044715x²)',
      'GPT: token + learned position embeddings → blocks → final LayerNorm → Linear head (no bias) → logits (B, S, vocab)',
      'generate: temperature 0 = greedy; topK keeps the k most likely; the context is cropped to the last maxLen tokens',
    ],
    fixes: [
      'LayerNorm is one fused op with the exact backward above; the reference treated the mean and standard deviation as constants, so its input gradient was only approximate',
      'GELU\'s backward differentiates the formula its forward computes (the reference differentiated another one)',
      'GPT uses the same 1 = attend mask as module 12 (the reference\'s GPT used the opposite convention and attended uniformly)',
    ],
    checks: 'nlp_pipeline_flow: a per-layer gradient check through a two-block GPT names all 28 layers; LayerNorm\'s exact backward. tinygpt: trained from a seed, the loss falls by ≥ 60 % and greedy decoding reverses ≥ 90 % of held-out strings (milestone 05).',
    example: `// A GPT end to end: tokens → logits → next-token loss → gradients in every layer.
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
  },
];
