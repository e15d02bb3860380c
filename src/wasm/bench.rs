//! Kernel selection and in-browser micro-benchmarks (module 18 and `make bench`). Timing
//! happens inside wasm with `performance.now()`, so JS call overhead is not measured.

use super::args;
use super::js_err;
use crate::kernels::{self, KernelKind, MatRef};
use crate::rng::Rng;
use wasm_bindgen::prelude::*;

/// Chooses the matrix-multiply kernel: "naive", "scalar", "simd" or "relaxed" (relaxed only
/// in the relaxed-SIMD build). Every choice gives the same results within 1e-5 relative.
#[wasm_bindgen(js_name = setKernels)]
pub fn set_kernels(name: &str) -> Result<(), JsError> {
    kernels::set_kernels(KernelKind::parse(name).map_err(js_err)?);
    Ok(())
}

/// The kernel in use.
#[wasm_bindgen(js_name = getKernels)]
pub fn get_kernels() -> String {
    kernels::kernels().name().to_string()
}

/// Kernels this build can run, fastest last.
#[wasm_bindgen(js_name = availableKernels)]
pub fn available_kernels() -> Vec<String> {
    KernelKind::available()
        .into_iter()
        .map(|k| k.name().to_string())
        .collect()
}

/// Median milliseconds per square `n × n` matrix multiply with the current kernel, over
/// `rounds` rounds; each round repeats the multiply until at least 20 ms have passed, because
/// browsers coarsen `performance.now()` to ~0.1 ms.
#[wasm_bindgen(js_name = benchMatmul)]
pub fn bench_matmul(n: f64, rounds: f64) -> Result<f64, JsError> {
    let n = args::positive("benchMatmul", "n", n, 4096.0)?;
    let rounds = args::positive("benchMatmul", "rounds", rounds, 1000.0)?;
    let mut rng = Rng::new(1);
    let a: Vec<f32> = (0..n * n).map(|_| rng.normal()).collect();
    let b: Vec<f32> = (0..n * n).map(|_| rng.normal()).collect();
    let mut c = vec![0.0f32; n * n];
    let mut run = || {
        kernels::gemm(
            n,
            n,
            n,
            MatRef::rows(&a, n),
            MatRef::rows(&b, n),
            &mut c,
            false,
        )
    };
    Ok(median_ms(rounds, &mut run))
}

/// Median over `rounds` of the mean time of `f`, each round lasting at least 20 ms.
pub(crate) fn median_ms(rounds: usize, f: &mut dyn FnMut()) -> f64 {
    f(); // warm-up: caches, packing buffers
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let (t0, mut count) = (crate::clock::now_ms(), 0u32);
        let mut elapsed = 0.0;
        while elapsed < 20.0 {
            f();
            count += 1;
            elapsed = crate::clock::now_ms() - t0;
        }
        times.push(elapsed / count as f64);
    }
    times.sort_by(|x, y| x.total_cmp(y));
    times[times.len() / 2]
}
