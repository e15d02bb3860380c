// TinyTorch Lab page tests: the JS API checks that run inside a served page (page.evaluate
// with the facade www/js/tinytorch.js). `apiChecks` must stay self-contained: Playwright
// sends its source text to the page. It returns { checks: [{ name, ok, detail }], memory,
// faults } for run.mjs to print and assert.

export async function apiChecks() {
  const tt = await import('/www/js/tinytorch.js');
  await tt.ready();
  const { Tensor, Linear, ReLU, Tanh, Sequential, Dropout, mseLoss, crossEntropyLoss, SGD } = tt;
  const checks = [];
  const ok = (name, cond, detail = '') => checks.push({ name, ok: Boolean(cond), detail: String(detail) });
  const norm = (a) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

  // 1. Five Linear(4, 4) each followed by ReLU, MSE, backward: every weight gets a real gradient.
  tt.manualSeed(0);
  const layers = [];
  for (let i = 0; i < 5; i++) layers.push(new Linear(4, 4), new ReLU());
  const model = new Sequential(layers);
  const x = Tensor.randn([8, 4]);
  const y = Tensor.randn([8, 4]);
  mseLoss(model.forward(x), y).backward();
  for (let k = 0; k < 5; k++) {
    const g = layers[2 * k].weight.grad;
    const a = g ? g.toArray() : null;
    ok(`five Linear+ReLU: Linear ${k} (layer ${2 * k}) weight.grad exists, non-empty, non-zero`,
      a && a.length === 16 && a.some((v) => v !== 0), a ? `‖grad‖ = ${norm(a).toExponential(3)}` : 'grad is undefined');
  }
  model.zeroGrad();

  // 1b. A layer's weights set from JS: TinyTorch's own conv test (the vertical-edge kernel on an
  //     image dark on the left and bright on the right gives 3.0), and a wrong shape is refused.
  const conv = new tt.Conv2d(1, 1, 3, 1, 0, false);
  conv.weight.assign(Tensor.fromArray([-1, 0, 1, -1, 0, 1, -1, 0, 1], [1, 1, 3, 3]));
  const img = Tensor.fromArray([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1], [1, 1, 4, 4]);
  const edge = Array.from(conv.forward(img).toArray());
  let refused = '';
  try { conv.weight.assign(Tensor.zeros([3, 3])); } catch (e) { refused = e.message; }
  ok('a layer\'s weight set from JS with assign(): the vertical-edge kernel gives 3.0 (TinyTorch\'s conv test); a wrong shape is refused naming both shapes',
    edge.length === 4 && edge.every((v) => v === 3) && /Tensor\.assign: .*\[1, 1, 3, 3\].*\[3, 3\]/.test(refused), `${edge.join(', ')}; "${refused}"`);

  // 1c. An option key a call does not know is an error naming the key and the keys it takes,
  //     at the top level and inside a nested options object; the instance keeps working.
  const d0 = tt.digitsDataset({ seed: 0 });
  const mlp = tt.digitsModel({ model: 'mlp', hidden: 8, seed: 0 });
  const typos = [
    ['runSuite', () => tt.runSuite('xor', { seeed: 1 }), 'seeed', ['seed', 'quick', 'fault']],
    ['runSuite', () => tt.runSuite('xor', { quik: true }), 'quik', ['quick']],
    ['runSuite', () => tt.runSuite('xor', { fault: { layer: 1, knd: 'flip_sign' } }), 'fault.knd', ['layer', 'kind']],
    ['runSuites', () => tt.runSuites({ quick: true, nmes: ['xor'] }), 'nmes', ['names', 'module']],
    ['fit', () => tt.fit(mlp, d0.trainImages, d0.trainLabels, { epoch: 1 }), 'epoch', ['epochs', 'batchSize']],
    ['digitsModel', () => tt.digitsModel({ hiden: 3 }), 'hiden', ['hidden', 'model']],
    ['Adam', () => tt.Adam(mlp, { learningRate: 0.1 }), 'learningRate', ['lr']],
    ['trainGpt', () => tt.trainGpt({ step: 1 }), 'step', ['steps']],
  ];
  const typoBad = [];
  for (const [op, call, key, accepted] of typos) {
    let msg = '';
    try { call(); } catch (e) { msg = e.message; }
    const good = msg.startsWith(`${op}: unknown option '${key}' (accepted: `) && accepted.every((a) => msg.includes(a));
    if (!good) typoBad.push(`${op} {${key}}: "${msg}"`);
  }
  const afterTypos = tt.runSuite('xor', { seed: 1, quick: true });
  ok(`an unknown option key throws, naming the call, the key and the keys it accepts (${typos.length} calls, nested fault options too), and the instance keeps working`,
    typoBad.length === 0 && afterTypos.passed, typoBad.join(' | ') || 'e.g. ' + (() => { try { tt.runSuite('xor', { seeed: 1 }); } catch (e) { return e.message; } })());
  mlp.free();

  // 2. A fault in layer k, of each kind, makes gradcheck name layer k.
  const faults = [];
  for (const kind of ['detach', 'zero_grad', 'flip_sign', 'scale_grad']) {
    for (let k = 0; k < 10; k++) {
      model.clearFaults();
      model.injectFault(k, kind);
      const r = tt.gradcheck(model, x, y, {});
      faults.push({ kind, layer: k, culprit: r.culprit, passed: r.passed });
    }
  }
  model.clearFaults();
  const bad = faults.filter((f) => f.culprit !== f.layer || f.passed);
  ok('injectFault(k, kind) → gradcheck().culprit === k for k = 0…9 and all four kinds', bad.length === 0,
    bad.length ? `wrong: ${JSON.stringify(bad)}` : `${faults.length} of ${faults.length} named the right layer`);
  const clean = tt.gradcheck(model, x, y, {});
  ok('after clearFaults() the gradient check passes again', clean.passed && clean.culprit === null, clean.summary);

  // 3. Every listed suite passes through runSuite. The two heavy scenarios (digits_cnn,
  // tinygpt) are left to the home page's "Run all suites" and the two builds' runs.
  const suites = tt.listSuites();
  ok('listSuites() lists suites with name, category, modules', suites.length > 0 && suites.every((s) => s.name && s.category && Array.isArray(s.modules)),
    suites.map((s) => s.name).join(', '));
  for (const s of suites.filter((x) => !['digits_cnn', 'tinygpt'].includes(x.name))) {
    let cases = 0;
    const r = tt.runSuite(s.name, { seed: 0, onCase: () => { cases += 1; } });
    ok(`runSuite('${s.name}') passes`, r.passed && cases === r.cases.length, `${r.cases.length} cases, ${Math.round(r.duration_ms)} ms`);
  }

  // 4. Bad inputs throw an Error (not a wasm trap), and a normal call works right after each.
  const freed = Tensor.ones([2]);
  freed.free();
  const bads = [
    ['matmul with mismatched inner sizes', () => Tensor.randn([2, 3]).matmul(Tensor.randn([2, 3]))],
    ['Linear(4, 2) on a (3, 5) input', () => new Linear(4, 2).forward(Tensor.randn([3, 5]))],
    ['add of non-broadcastable shapes', () => Tensor.randn([2, 3]).add(Tensor.randn([4]))],
    ['reshape to a different element count', () => Tensor.randn([2, 3]).reshape([4, 2])],
    ['reshape with two -1', () => Tensor.randn([2, 3]).reshape([-1, -1])],
    ['fromArray: 3 values for shape [2, 2]', () => Tensor.fromArray([1, 2, 3], [2, 2])],
    ['zeros with a negative size', () => Tensor.zeros([-1, 2])],
    ['zeros with a non-integer size', () => Tensor.zeros([2.5])],
    ['Linear with negative inFeatures', () => new Linear(-4, 2)],
    ['Linear with non-integer outFeatures', () => new Linear(4, 1.5)],
    ['NaN in data', () => Tensor.fromArray([1, NaN], [2])],
    ['crossEntropyLoss label 3 with 3 classes', () => crossEntropyLoss(Tensor.zeros([2, 3]), Tensor.fromArray([0, 3], [2]))],
    ['crossEntropyLoss label -2 (only -1, the ignore index, may be negative)', () => crossEntropyLoss(Tensor.zeros([2, 3]), Tensor.fromArray([-2, 0], [2]))],
    ['crossEntropyLoss with every label ignored (-1)', () => crossEntropyLoss(Tensor.zeros([2, 3]), Tensor.fromArray([-1, -1], [2]))],
    ['crossEntropyLoss non-integer label', () => crossEntropyLoss(Tensor.zeros([2, 3]), Tensor.fromArray([0.5, 0], [2]))],
    ['a freed tensor used again', () => freed.add(1)],
    ['a freed tensor as an argument', () => Tensor.ones([2]).mul(freed)],
    ['a number passed to Sequential', () => new Sequential([new Linear(2, 2), 7])],
    ['a plain object passed to Sequential', () => new Sequential([{ forward: (t) => t }])],
    ['a Tensor passed to Sequential', () => new Sequential([Tensor.ones([2])])],
    ['unknown suite name', () => tt.runSuite('no_such_suite', {})],
    ['runSuite seed of the wrong type', () => tt.runSuite('xor', { seed: 'zero' })],
    ['runSuite unknown fault kind', () => tt.runSuite('xor', { fault: { layer: 0, kind: 'explode' } })],
    ['SGD lr of the wrong type', () => SGD(model, { lr: 'fast' })],
    ['fit with epochs of the wrong type', () => tt.fit(model, x, y, { epochs: 'ten' })],
    ['fit with a negative batch size', () => tt.fit(model, x, y, { batchSize: -4 })],
    ['fit with x and y row counts differing', () => tt.fit(model, x, Tensor.randn([5, 4]), { epochs: 1 })],
    ['gradcheck eps of the wrong type', () => tt.gradcheck(model, x, y, { eps: 'small' })],
    ['injectFault with an unknown kind', () => model.injectFault(0, 'explode')],
    ['Dropout(p = 1.5)', () => new Dropout(1.5)],
    ['backward() on a non-scalar without a gradient', () => { const t = Tensor.randn([3]); t.requiresGrad = true; t.mul(2).backward(); }],
    ['item() of a 3-element tensor', () => Tensor.randn([3]).item()],
    ['transpose with an axis out of range', () => Tensor.randn([2, 3]).transpose(0, 5)],
    ['manualSeed(-1)', () => tt.manualSeed(-1)],
    // Modules 09–13 (issues 4 and 5: bad input gets a clear error, never a trap).
    ['Conv2d with stride 0', () => new tt.Conv2d(1, 2, 3, 0)],
    ['Conv2d on a 3-D input', () => new tt.Conv2d(1, 2, 3).forward(Tensor.randn([1, 8, 8]))],
    ['Conv2d with the wrong channel count', () => new tt.Conv2d(3, 2, 3).forward(Tensor.randn([1, 1, 8, 8]))],
    ['Conv2d kernel larger than the padded input', () => new tt.Conv2d(1, 2, 5).forward(Tensor.randn([1, 1, 3, 3]))],
    ['Flatten into a Linear of the wrong size', () => new Sequential([new tt.Flatten(), new Linear(10, 2)]).forward(Tensor.randn([2, 1, 3, 3]))],
    ['trainDigits with an unknown model', () => tt.trainDigits({ model: 'rnn' })],
    ['Embedding id outside the table', () => new tt.Embedding(10, 4).forward(Tensor.fromArray([10], [1]))],
    ['MultiHeadAttention: 3 heads for width 8', () => new tt.MultiHeadAttention(8, 3)],
    ['CharTokenizer.decode of an id outside the vocabulary', () => new tt.CharTokenizer('abc').decode([99])],
    ['BPETokenizer.train below the starting symbols', () => tt.BPETokenizer.train('ab ab', 1)],
    ['GPT.generate with a negative temperature', () => new tt.GPT({ vocab: 10, dim: 8, layers: 1, heads: 2, maxLen: 6 }).generate([1, 2], { temperature: -1 })],
    ['GPT.generate with an empty prompt', () => new tt.GPT({ vocab: 10, dim: 8, layers: 1, heads: 2, maxLen: 6 }).generate([], {})],
    ['GPT.generate with an id outside the vocabulary', () => new tt.GPT({ vocab: 10, dim: 8, layers: 1, heads: 2, maxLen: 6 }).generate([1, 12], {})],
    ['GPT.forward longer than the context', () => new tt.GPT({ vocab: 10, dim: 8, layers: 1, heads: 2, maxLen: 6 }).forward(Tensor.fromArray([[1, 2, 3, 4, 5, 6, 7, 8]], [1, 8]))],
    // A value that is not a string where the API takes one. wasm-bindgen's own string
    // conversion does not check it in release builds: an object there corrupted the allocator,
    // and the instance trapped ("memory access out of bounds") then or calls later.
    ['setKernels with a number', () => tt.setKernels(3)],
    ['setKernels with an unknown name', () => tt.setKernels('fast')],
    ['CharTokenizer of an array', () => new tt.CharTokenizer(['a', 'b'])],
    ['CharTokenizer.encode of a number', () => new tt.CharTokenizer('abc').encode(5)],
    ['BPETokenizer.train on an object', () => tt.BPETokenizer.train({}, 50)],
    ['BPETokenizer.encode of null', () => tt.BPETokenizer.train('ab ab cd', 8).encode(null)],
    ['BPETokenizer.tokenize of an object', () => tt.BPETokenizer.train('ab ab cd', 8).tokenize({ text: 'ab' })],
    ['injectFault with a tensor for the kind', () => model.injectFault(0, Tensor.ones([2]))],
    ['runSuite with a number for the name', () => tt.runSuite(42, {})],
    ['benchPeakStats with null kernels', () => tt.benchPeakStats(null, 3)],
    // Classes made by functions: `new` says which function to call (it used to make an empty
    // object whose every method failed with "null pointer passed to rust").
    ['new Optimizer()', () => new tt.Optimizer()],
    ['new PruneMasks()', () => new tt.PruneMasks()],
    ['new BPETokenizer()', () => new tt.BPETokenizer()],
    ['new Tensor() without data', () => new Tensor()],
  ];
  const normal = () => tt.tidy(() => Tensor.fromArray([1, 2, 3, 4], [2, 2]).add(1).matmul(Tensor.ones([2, 1])).sum().item());
  const errors = [];
  for (const [name, fn] of bads) {
    let err = null;
    try { tt.tidy(fn); } catch (e) { err = e; }
    const trap = err instanceof WebAssembly.RuntimeError;
    let after = NaN;
    try { after = normal(); } catch (e) { after = `threw ${e.message}`; }
    errors.push({ name, message: err?.message ?? null });
    ok(`bad input throws Error: ${name}`, err instanceof Error && !trap && err.message && after === 14,
      err ? `${err.constructor.name}: ${err.message}${after === 14 ? '' : ` · normal call after: ${after}`}` : 'no error thrown');
  }

  // The allocator came through every bad input intact: many allocations of varied sizes, a
  // tokenizer trained and round-tripped, and a matmul checked by hand, after all of them.
  const survived = tt.tidy(() => {
    let sum = 0;
    for (let i = 0; i < 300; i++) sum += Tensor.ones([(i % 17) + 1, 8]).sum().item();
    const bpe = tt.BPETokenizer.train('low lower lowest new newer newest', 30);
    const text = 'lower newest';
    const a = Tensor.fromArray(Array.from({ length: 64 * 64 }, (_, i) => (i % 7) - 3), [64, 64]);
    const c = a.matmul(a).toArray();
    let want = 0;
    for (let k = 0; k < 64; k++) want += (((5 * 64 + k) % 7) - 3) * (((k * 64 + 9) % 7) - 3);
    return { sum, roundTrip: bpe.decode(bpe.encode(text)), c59: c[5 * 64 + 9], want };
  });
  const wantSum = Array.from({ length: 300 }, (_, i) => ((i % 17) + 1) * 8).reduce((s, v) => s + v, 0);
  ok('the instance survives every bad input: 300 allocations, a BPE round trip and a 64×64 matmul after them are right',
    survived.sum === wantSum && survived.roundTrip === 'lower newest' && survived.c59 === survived.want, JSON.stringify(survived));
  const built = tt.tidy(() => { const t = new Tensor([[1, 2, 3], [4, 5, 6]]); return { shape: t.shape, v: Array.from(t.toArray()) }; });
  let inner = null;
  const kept = tt.tidy(() => { inner = new Tensor([1, 2]); return new Tensor([3, 4]); });
  const freedMsg = (() => { try { inner.sum(); return 'no error'; } catch (e) { return e.message; } })();
  ok('tidy() frees tensors made with new Tensor and keeps the one it returns',
    /was freed/.test(freedMsg) && kept.sum().item() === 7 && kept instanceof Tensor, `${freedMsg}; kept sums to ${kept.sum().item()}`);
  kept.free();
  ok('new Tensor(data, shape?) builds the same tensor as Tensor.fromArray', JSON.stringify(built) === JSON.stringify({ shape: [2, 3], v: [1, 2, 3, 4, 5, 6] }), JSON.stringify(built));

  // Messages name the JS call once, in the caller's words (camelCase, not the Rust names).
  const stutter = errors.filter((e) => { const m = e.message ?? ''; const head = m.split(':')[0]; return m.includes(`${head}:`, head.length + 1); });
  ok('no error message names its operation twice', stutter.length === 0, stutter.map((e) => e.message).join(' | ') || `${errors.length} messages`);
  // Suite names and the names of fault kinds and losses are values, snake_case on purpose.
  const values = [...tt.listSuites().map((s) => s.name), ...tt.faultKinds().map((k) => k.name), 'no_such_suite', 'cross_entropy', 'bce_with_logits'];
  const valueNames = new RegExp(values.sort((a, b) => b.length - a.length).join('|'), 'g');
  const rusty = errors.filter((e) => /\b[a-z]+_[a-z_]+\b/.test((e.message ?? '').replace(valueNames, '')));
  ok('no error message uses a Rust snake_case name for a JS argument or call', rusty.length === 0, rusty.map((e) => e.message).join(' | ') || `${errors.length} messages`);

  // -1 is the ignore index (TinyGPT masks prompt positions with it): that row adds nothing.
  const ignored = tt.tidy(() => {
    const logits = Tensor.fromArray([[2, 0, 0], [0, 3, 1]], [2, 3]);
    const both = crossEntropyLoss(logits, Tensor.fromArray([-1, 1], [2])).item();
    const one = crossEntropyLoss(logits.narrow(0, 1, 1), Tensor.fromArray([1], [1])).item();
    return { both, one };
  });
  ok('crossEntropyLoss ignores label -1 (the row adds nothing to the loss or the mean)', Math.abs(ignored.both - ignored.one) < 1e-6,
    `${ignored.both} vs ${ignored.one}`);

  // 5. 10,000 training steps driven from JS with tidy(): wasm memory stays bounded.
  tt.manualSeed(1);
  const net = new Sequential([new Linear(2, 16), new Tanh(), new Linear(16, 1)]);
  const opt = SGD(net, { lr: 0.05 });
  const xs = Tensor.randn([32, 2]);
  const ys = tt.tidy(() => xs.narrow(1, 0, 1).mul(xs.narrow(1, 1, 1)));
  const step = () => tt.tidy(() => {
    opt.zeroGrad();
    const loss = mseLoss(net.forward(xs), ys);
    loss.backward();
    opt.step();
    return loss.item();
  });
  const first = step();
  for (let i = 0; i < 99; i++) step();
  const before = tt.memoryBytes();
  const t0 = performance.now();
  let last = 0;
  for (let i = 0; i < 10000; i++) last = step();
  const ms = performance.now() - t0;
  const after = tt.memoryBytes();
  ok('10,000 JS-driven training steps with tidy(): wasm memory grows < 1 MiB', after - before < 1024 * 1024,
    `before ${before} B, after ${after} B (growth ${after - before} B), ${Math.round(ms)} ms, loss ${first.toFixed(4)} → ${last.toFixed(4)}`);
  ok('the 10,000-step loop actually trains (loss falls)', last < first, `${first.toFixed(4)} → ${last.toFixed(4)}`);

  // 6. The systems API keeps its promises: masks stay readable after attachMasks, fit trains
  // with a given Optimizer (masks still enforced), callbacks that throw are reported, measuring
  // does not flip a model's mode, and kvCacheTiming honours its prompt.
  tt.manualSeed(2);
  const pnet = new Sequential([new Linear(4, 32), new ReLU(), new Linear(32, 3)]);
  const px = Tensor.randn([64, 4]);
  const py = Tensor.fromArray(Array.from({ length: 64 }, (_, i) => i % 3), [64]);
  const masks = tt.magnitudePrune(pnet, 0.5);
  const popt = tt.Adam(pnet, { lr: 0.01 });
  popt.attachMasks(masks);
  ok('PruneMasks still answer after attachMasks (sparsity 0.5, holds)', masks.sparsity === 0.5 && masks.holds(), `sparsity ${masks.sparsity}`);
  const pfit = tt.fit(pnet, px, py, { epochs: 20, batchSize: 16, optimizer: popt, loss: 'cross_entropy' });
  ok('fit({ optimizer: Adam with masks }) trains and the pruned weights stay exactly 0',
    pfit.loss[pfit.loss.length - 1] < pfit.loss[0] && masks.holds() && tt.sparsity(pnet) >= 0.5,
    `loss ${pfit.loss[0].toFixed(4)} → ${pfit.loss[pfit.loss.length - 1].toFixed(4)}, holds ${masks.holds()}, model sparsity ${tt.sparsity(pnet).toFixed(3)}`);
  const throwsWith = (fn, re) => { try { fn(); return 'no error'; } catch (e) { return re.test(e.message) ? true : e.message; } };
  const conflict = throwsWith(() => tt.fit(pnet, px, py, { optimizer: popt, lr: 0.1, loss: 'cross_entropy' }), /options\.lr conflicts/);
  ok('fit with an Optimizer object and lr is an error naming the conflict', conflict === true, conflict);
  const inUse = throwsWith(() => tt.fit(pnet, px, py, { epochs: 2, optimizer: popt, loss: 'cross_entropy', onEpoch: () => { popt.step(); } }), /Optimizer\.step: the optimizer is in use by fit\(\)/);
  ok('stepping the optimizer inside fit\'s onEpoch is an error, not a panic', inUse === true && popt.kind === 'adam', inUse);
  const epochThrow = throwsWith(() => tt.fit(pnet, px, py, { epochs: 3, loss: 'cross_entropy', onEpoch: () => { throw new Error('boom'); } }), /fit: onEpoch threw: boom/);
  ok('an onEpoch callback that throws is reported as "fit: onEpoch threw: boom"', epochThrow === true, epochThrow);
  const gpt = new tt.GPT({ vocab: 8, dim: 16, layers: 1, heads: 2, maxLen: 16 });
  const tokThrow = throwsWith(() => gpt.generate([1, 2], { maxNewTokens: 5, onToken: () => { throw new Error('stop here'); } }), /GPT\.generate: onToken threw: stop here/);
  ok('a generate onToken callback that throws is reported, not swallowed', tokThrow === true, tokThrow);
  pnet.eval();
  tt.compareModels([{ name: 'pruned', model: pnet }], px, py, { runs: 2 });
  const stillEval = pnet.training === false;
  pnet.train();
  tt.compareModels([{ name: 'pruned', model: pnet }], px, py, { runs: 2 });
  ok('compareModels leaves each model in the mode it found it', stillEval && pnet.training === true, `eval kept: ${stillEval}, train kept: ${pnet.training}`);
  const kv = tt.kvCacheTiming(gpt, { lengths: [4, 8], prompt: [3, 4, 5] });
  const badPrompt = throwsWith(() => tt.kvCacheTiming(gpt, { lengths: [4], prompt: [99] }), /kvCacheTiming/);
  ok('kvCacheTiming uses its prompt (an out-of-vocabulary prompt is an error) and cached = uncached', kv.length === 2 && kv.every((r) => r.same) && badPrompt === true,
    `${JSON.stringify(kv.map((r) => [r.tokens, r.same]))}; bad prompt: ${badPrompt}`);
  gpt.free(); pnet.free(); px.free(); py.free();
  return { checks, memory: { before, after, ms, first, last }, faults, errors };
}
