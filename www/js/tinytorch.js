// TinyTorch Lab: the ES-module facade pages import instead of ../pkg directly.
//
// It does four things over the generated bindings:
//   1. `ready()` initialises the WebAssembly module once (from ../../pkg/, no network).
//   2. `tidy(fn)` frees every Tensor created inside `fn` except what `fn` returns, so a
//      training loop driven from JS keeps WebAssembly memory bounded.
//   3. `a.add(2)`, `a.mul(0.5)` … accept numbers as well as tensors.
//   4. A freed tensor used again throws a clear Error instead of "null pointer passed to rust".
//
//   import { ready, Tensor, Linear, ReLU, Sequential, mseLoss, SGD, tidy } from './js/tinytorch.js';
//   await ready();
//   const model = new Sequential([new Linear(4, 8), new ReLU(), new Linear(8, 1)]);
//   const opt = SGD(model, { lr: 0.1 });
//   for (let step = 0; step < 1000; step++) {
//     tidy(() => {                       // everything made here is freed at the end
//       const loss = mseLoss(model.forward(x), y);
//       opt.zeroGrad(); loss.backward(); opt.step();
//     });
//   }

import init, * as bindings from '../../pkg/tinytorch.js';

export * from '../../pkg/tinytorch.js';

let loading = null;

// The smallest module using a relaxed-SIMD instruction (f32x4.relaxed_madd): a function
// () -> v128 returning relaxed_madd of three zero vectors. Validating it tells whether this
// browser has relaxed SIMD, without running anything.
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,       // type: () -> v128
  0x03, 0x02, 0x01, 0x00,                         // one function of type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00,                   // code: one body, 59 bytes, no locals
  0xfd, 0x0c, ...new Array(16).fill(0),           // v128.const 0
  0xfd, 0x0c, ...new Array(16).fill(0),           // v128.const 0
  0xfd, 0x0c, ...new Array(16).fill(0),           // v128.const 0
  0xfd, 0x85, 0x02,                               // f32x4.relaxed_madd
  0x0b,                                           // end
]);

/** Whether this browser runs relaxed SIMD (decides which .wasm ready() loads). */
export function relaxedSimdSupported() {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/**
 * Which build ready() loads: "relaxed" (SIMD128 + relaxed SIMD) where the browser supports it,
 * else "simd". A page can force one with ?build=simd or ?build=relaxed (tests use this).
 */
export function chooseBuild() {
  const forced = globalThis.location ? new URLSearchParams(globalThis.location.search).get('build') : null;
  if (forced === 'simd' || (forced === 'relaxed' && relaxedSimdSupported())) return forced;
  return relaxedSimdSupported() ? 'relaxed' : 'simd';
}

/** Initialises the module once (the best build for this browser); resolves to capabilities. */
export function ready(wasmUrl) {
  if (!loading) {
    const build = chooseBuild();
    const dir = build === 'relaxed' ? '../../pkg-relaxed/' : '../../pkg/';
    const url = wasmUrl ?? new URL(dir + 'tinytorch_bg.wasm', import.meta.url);
    loading = init({ module_or_path: url }).then(() => ({ ...bindings.capabilities(), build }));
  }
  return loading;
}

// ---- tidy: scope-based freeing -------------------------------------------------------------

const scopes = [];
const { Tensor } = bindings;
const wrap = Tensor.__wrap;
// Every Tensor that reaches JS from Rust is created through Tensor.__wrap (pinned wasm-bindgen
// 0.2.130); recording it in the innermost open scope is what lets tidy() free it.
Tensor.__wrap = function (ptr) {
  const t = wrap.call(this, ptr);
  if (scopes.length) scopes[scopes.length - 1].push(t);
  return t;
};

// `new Tensor(data, shape?)` runs wasm-bindgen's constructor, which does not go through
// __wrap: the Tensor this facade exports is the same class behind a Proxy that records those
// tensors too. Statics, the prototype and `instanceof` pass through to the class.
const TrackedTensor = new Proxy(Tensor, {
  construct(target, args) {
    const t = Reflect.construct(target, args);
    if (scopes.length) scopes[scopes.length - 1].push(t);
    return t;
  },
});
// A local export takes precedence over the same name from `export *` above.
export { TrackedTensor as Tensor };

function collect(value, out, seen = new Set()) {
  if (value instanceof Tensor) out.add(value);
  else if (value && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Object.values(value)) collect(v, out, seen);
  }
}

/**
 * Runs `fn` and frees every Tensor created during it, except tensors reachable from its
 * return value (a tensor, an array or an object of them). Nested tidy() calls are fine.
 */
export function tidy(fn) {
  scopes.push([]);
  let result;
  try {
    result = fn();
  } finally {
    const made = scopes.pop();
    const kept = new Set();
    collect(result, kept);
    for (const t of made) {
      if (kept.has(t)) {
        if (scopes.length) scopes[scopes.length - 1].push(t);
      } else if (t.__wbg_ptr !== 0) {
        t.free();
      }
    }
  }
  return result;
}

/** Keeps `t` alive past the enclosing tidy() (it must then be freed by hand). */
export function keep(t) {
  for (const s of scopes) {
    const i = s.indexOf(t);
    if (i >= 0) s.splice(i, 1);
  }
  return t;
}

// ---- numbers where tensors are expected, and clear errors on freed tensors ------------------

const scalarForms = { add: (t, c) => t.addScalar(c), sub: (t, c) => t.addScalar(-c),
  mul: (t, c) => t.mulScalar(c), div: (t, c) => t.mulScalar(1 / c) };
for (const [name, viaScalar] of Object.entries(scalarForms)) {
  const method = Tensor.prototype[name];
  Tensor.prototype[name] = function (other) {
    return typeof other === 'number' ? viaScalar(this, other) : method.call(this, other);
  };
}

function freedCheck(target, name) {
  if (target.__wbg_ptr === 0) {
    throw new Error(`Tensor.${name}: this tensor was freed (by free() or tidy()); return it from tidy() or keep() it to use it later`);
  }
}

for (const name of Object.getOwnPropertyNames(Tensor.prototype)) {
  if (name === 'constructor' || name === 'free' || name.startsWith('__')) continue;
  const desc = Object.getOwnPropertyDescriptor(Tensor.prototype, name);
  if (typeof desc.value === 'function') {
    const f = desc.value;
    desc.value = function (...args) {
      freedCheck(this, name);
      for (const a of args) if (a instanceof Tensor) freedCheck(a, `${name} argument`);
      return f.apply(this, args);
    };
  } else {
    if (desc.get) { const g = desc.get; desc.get = function () { freedCheck(this, name); return g.call(this); }; }
    if (desc.set) { const s = desc.set; desc.set = function (v) { freedCheck(this, name); return s.call(this, v); }; }
  }
  Object.defineProperty(Tensor.prototype, name, desc);
}
// free() twice is harmless.
const free = Tensor.prototype.free;
Tensor.prototype.free = function () { if (this.__wbg_ptr !== 0) free.call(this); };

/** `tensor([[1, 2], [3, 4]])`: a Tensor from nested arrays (shape inferred) or data + shape. */
export function tensor(data, shape) {
  return Tensor.fromArray(data, shape);
}
