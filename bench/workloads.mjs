// The workloads `make bench` measures, shared by the page (bench/bench.mjs) and the driver
// (bench/run.mjs). Each has an id, a label for the table, the unit of its figure, and the key
// of the same workload in `cargo run --release --example bench_native -- --json`.

export const MATMUL_SIZES = [64, 128, 256, 512, 1024];

/**
 * The f32x4 arithmetic peak each of our builds reaches in this browser (fused multiply-add in
 * pkg-relaxed/, mul + add in pkg/), and what performance.md measured on the reference run.
 * The host's clock moves between runs; a matmul's share of the peak measured beside it moves
 * much less, and share × reference peak says what the kernel reaches at the reference clock.
 */
export const REFERENCE_PEAK = { relaxed: 58.4, simd: 47.5 };

export const WORKLOADS = [
  {
    id: 'peak', kind: 'peak', label: 'f32x4 peak: multiply-add chains (GFLOP/s)', unit: 'GFLOP/s', native: null,
  },
  ...MATMUL_SIZES.map((n) => ({
    id: `matmul_${n}`, kind: 'matmul', n,
    label: `matmul ${n}×${n} (GFLOP/s)`, unit: 'GFLOP/s', native: `matmul_${n}_gflops`,
  })),
  {
    id: 'mlp_64_128_64_10_sgd', kind: 'mlp', sizes: [64, 128, 64, 10], batch: 32, optimizer: 'sgd',
    label: 'MLP 64-128-64-10 b32 SGD (samples/s)', unit: 'samples/s', native: 'mlp_64_128_64_10_sgd_samples_per_sec',
  },
  {
    id: 'mlp_64_128_64_10_adam', kind: 'mlp', sizes: [64, 128, 64, 10], batch: 32, optimizer: 'adam',
    label: 'MLP 64-128-64-10 b32 Adam (samples/s)', unit: 'samples/s', native: 'mlp_64_128_64_10_adam_samples_per_sec',
  },
  {
    id: 'mlp_784_128_10_sgd', kind: 'mlp', sizes: [784, 128, 10], batch: 64, optimizer: 'sgd',
    label: 'MLP 784-128-10 b64 SGD (samples/s)', unit: 'samples/s', native: 'mlp_784_128_10_sgd_samples_per_sec',
  },
  {
    id: 'cnn', kind: 'cnn', batch: 32,
    label: 'CNN conv 1→8 3×3, pool, dense; b32 fwd+bwd+SGD (samples/s)', unit: 'samples/s', native: 'cnn_samples_per_sec',
  },
];

/** Learning rates of the Rust workloads (src/bench.rs): SGD 0.01 (no momentum), Adam 0.001. */
export const LR = { sgd: 0.01, adam: 0.001 };
