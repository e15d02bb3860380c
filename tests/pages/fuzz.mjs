// TinyTorch Lab page tests: every export of the JS API called with odd arguments (undefined,
// null, NaN, negative, huge, strings, objects, arrays, tensors of the wrong shape, …), every
// class constructed with them and every method and setter of one instance called with them
// (instances of classes made by functions, or whose constructors no odd set satisfies, come
// from `factories`).
// No call may trap the wasm instance, throw a non-Error or a message-less Error, or reach Rust
// through a dead handle ("null pointer passed to rust"), and the instance must work after all
// of them. `fuzzApi` must stay self-contained: Playwright sends its source text to the page.

export async function fuzzApi() {
  const tt = await import('/www/js/tinytorch.js');
  await tt.ready();
  // Long runs on valid input (whole suites, training, the capstone) are covered elsewhere.
  const skip = new Set(['default', 'initSync', 'ready', 'start', 'tidy', 'runSuite', 'runAllSuites', 'trainGpt', 'runCapstone', 'trainDigits']);
  const T = () => tt.Tensor.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
  const argsets = () => [
    [], [undefined], [null], [NaN], [-1], [0], [1e12], [2.5], ['x'], [{}], [[]], [[1, 2], [3]],
    [T()], [T(), T()], [T(), {}], [T(), 'x'], [T(), -5], [{}, {}], [[-1, 2]], [[0]], [Infinity], [true],
    [T(), T(), {}], [T(), T(), { loss: 'nope' }], [[T(), T()]], [T(), NaN, NaN], [new Float32Array(3), [5]],
    [{ lengths: [1e9] }], [{ epochs: -1 }], [[[1, 2], [3]]], [-1, -1], [3, 0], [0, 3], [1e6, 1e6],
  ];
  // Classes whose instances come from a function rather than `new`.
  const factories = {
    BPETokenizer: () => tt.BPETokenizer.train('ab ab cd cd abcd', 10),
    Optimizer: () => tt.SGD(new tt.Sequential([new tt.Linear(2, 2)]), { lr: 0.1 }),
    PruneMasks: () => tt.magnitudePrune(new tt.Sequential([new tt.Linear(4, 4)]), 0.5, {}),
    // Constructors whose arguments none of the odd sets satisfies.
    Linear: () => new tt.Linear(3, 2),
    Conv2d: () => new tt.Conv2d(1, 2, 3),
    Embedding: () => new tt.Embedding(10, 4),
    MultiHeadAttention: () => new tt.MultiHeadAttention(8, 2),
    TransformerBlock: () => new tt.TransformerBlock(8, 2),
    GPT: () => new tt.GPT({ vocab: 10, dim: 8, layers: 1, heads: 2, maxLen: 6 }),
  };
  const show = (args) => args.map((a) => (a instanceof tt.Tensor ? 'Tensor' : Array.isArray(a) ? JSON.stringify(a) : typeof a === 'object' && a ? JSON.stringify(a) : String(a))).join(', ');
  const bad = [];
  let calls = 0;
  const alive = () => { try { return tt.tidy(() => tt.Tensor.ones([2]).sum().item()) === 2; } catch { return false; } };
  const wrong = (e) => !(e instanceof Error) || e instanceof WebAssembly.RuntimeError || !e.message
    || /unreachable|null pointer passed|recursive use|already borrowed|memory access out of bounds/i.test(e.message);
  const call = (label, fn) => {
    calls += 1;
    try {
      tt.tidy(() => { fn(); });
    } catch (e) {
      if (wrong(e)) bad.push(`${label} → ${e?.constructor?.name}: ${String(e?.message ?? e).slice(0, 120)}${alive() ? '' : ' (instance dead)'}`);
    }
  };
  for (const name of Object.keys(tt).filter((n) => !skip.has(n))) {
    const v = tt[name];
    if (typeof v !== 'function') continue;
    const isClass = /^[A-Z]/.test(name) && v.prototype && Object.getOwnPropertyNames(v.prototype).length > 1;
    if (!isClass) {
      for (const a of argsets()) call(`${name}(${show(a)})`, () => v(...a));
      continue;
    }
    for (const s of Object.getOwnPropertyNames(v)) {
      if (['length', 'name', 'prototype'].includes(s) || s.startsWith('__') || typeof v[s] !== 'function') continue;
      for (const a of argsets()) call(`${name}.${s}(${show(a)})`, () => v[s](...a));
    }
    // Every constructor argument set; methods on the first instance that builds (the others
    // are dropped: tidy() frees a tensor, a layer owns no tensor the page keeps).
    let inst = null;
    for (const a of argsets()) call(`new ${name}(${show(a)})`, () => { const o = new v(...a); inst ??= tt.keep(o); });
    if (!inst && factories[name]) inst = factories[name]();
    if (!inst) {
      bad.push(`${name}: no instance to call methods on (add a factory)`);
      continue;
    }
    for (const m of Object.getOwnPropertyNames(v.prototype)) {
      // `free` and wasm-bindgen's `__destroy_into_raw` end the instance on purpose.
      if (m === 'constructor' || m === 'free' || m.startsWith('__')) continue;
      const d = Object.getOwnPropertyDescriptor(v.prototype, m);
      if (d.get) call(`${name}#${m}`, () => inst[m]);
      if (d.set) for (const a of argsets()) call(`${name}#${m} = ${show(a.slice(0, 1))}`, () => { inst[m] = a[0]; });
      if (typeof d.value === 'function') for (const a of argsets()) call(`${name}#${m}(${show(a)})`, () => inst[m](...a));
    }
  }
  return { calls, bad, alive: alive() };
}
