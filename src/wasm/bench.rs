//! Kernel selection and in-browser micro-benchmarks (module 18 and `make bench`). Timing
//! happens inside wasm with `performance.now()`, so JS call overhead is not measured.

use super::args;
use super::args::opt_str;
use super::{js_err, js_err_in};
use crate::kernels::{self, KernelKind, MatRef};
use crate::rng::Rng;
use wasm_bindgen::prelude::*;

/// Chooses the matrix-multiply kernel: "naive", "scalar", "simd" or "relaxed" (relaxed only
/// in the relaxed-SIMD build). Every choice gives the same results within 1e-5 relative.
#[wasm_bindgen(js_name = setKernels)]
pub fn set_kernels(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Result<(), JsError> {
    let name = args::string("setKernels", "name", &name)?;
    kernels::set_kernels(KernelKind::parse(&name).map_err(|e| js_err_in("setKernels", e))?);
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

/// Square matmul GFLOP/s with the current kernel: `{ runs, median, mean, std, min, max, ci95 }`.
#[wasm_bindgen(js_name = benchMatmulStats)]
pub fn bench_matmul_stats(n: f64, runs: f64) -> Result<JsValue, JsError> {
    let n = args::positive("benchMatmulStats", "n", n, 4096.0)?;
    let runs = args::positive("benchMatmulStats", "runs", runs, 1000.0)?;
    args::to_js(&crate::bench::matmul_gflops(n, runs).map_err(js_err)?)
}

/// The f32x4 arithmetic peak of this build, GFLOP/s: `"relaxed"` (fused multiply-add, the
/// relaxed build only) or `"simd"` (`mul` + `add`) → `{ runs, median, mean, std, min, max,
/// ci95 }`. Matmul GFLOP/s over this, measured in the same run, is the kernel's share of the
/// machine.
#[wasm_bindgen(js_name = benchPeakStats)]
pub fn bench_peak_stats(
    #[wasm_bindgen(unchecked_param_type = "string")] kernels: JsValue,
    runs: f64,
) -> Result<JsValue, JsError> {
    let kernels = args::string("benchPeakStats", "kernels", &kernels)?;
    let runs = args::positive("benchPeakStats", "runs", runs, 1000.0)?;
    let fused = match kernels.as_str() {
        "relaxed" => true,
        "simd" => false,
        _ => {
            return Err(JsError::new(&format!(
                "benchPeakStats: unknown kernels '{kernels}' (simd, relaxed)"
            )))
        }
    };
    args::to_js(
        &crate::bench::peak_gflops(fused, runs)
            .map_err(|e| super::js_err_in("benchPeakStats", e))?,
    )
}

/// MLP training samples/s: `{ sizes = [64, 128, 64, 10], batch = 32, optimizer = "sgd" |
/// "adam", runs = 7 }` → statistics over runs (each ≥ 25 ms of whole training steps).
#[wasm_bindgen(js_name = benchMlp)]
pub fn bench_mlp(options: JsValue) -> Result<JsValue, JsError> {
    let op = "benchMlp";
    args::options(op, &options)?;
    let sizes_v = args::get(&options, "sizes");
    let sizes = if sizes_v.is_undefined() {
        vec![64, 128, 64, 10]
    } else {
        args::shape(op, &sizes_v)?
    };
    let batch = args::opt_positive(&options, op, "batch", 32.0, 65_536.0)?;
    let runs = args::opt_positive(&options, op, "runs", 7.0, 1000.0)?;
    let opt = opt_str(&options, op, "optimizer")?.unwrap_or_else(|| "sgd".into());
    args::to_js(
        &crate::bench::mlp_train_samples_per_sec(&sizes, batch, &opt, runs).map_err(js_err)?,
    )
}

/// Forward+backward samples/s of the reference CNN (conv 1→8 3×3 on 28×28, ReLU, max-pool 2,
/// dense 10): `{ batch = 32, runs = 7 }`.
#[wasm_bindgen(js_name = benchCnn)]
pub fn bench_cnn(options: JsValue) -> Result<JsValue, JsError> {
    let op = "benchCnn";
    args::options(op, &options)?;
    let batch = args::opt_positive(&options, op, "batch", 32.0, 65_536.0)?;
    let runs = args::opt_positive(&options, op, "runs", 7.0, 1000.0)?;
    args::to_js(&crate::bench::cnn_train_samples_per_sec(batch, runs).map_err(js_err)?)
}

/// Milliseconds per `gelu(x + b)` over an (rows, cols) tensor, fused (one pass) or unfused
/// (add, then gelu): `{ rows = 512, cols = 512, fused = true, runs = 7 }`.
#[wasm_bindgen(js_name = benchBiasGelu)]
pub fn bench_bias_gelu(options: JsValue) -> Result<JsValue, JsError> {
    let op = "benchBiasGelu";
    args::options(op, &options)?;
    let rows = args::opt_positive(&options, op, "rows", 512.0, 65_536.0)?;
    let cols = args::opt_positive(&options, op, "cols", 512.0, 65_536.0)?;
    args::check_size(op, &[rows, cols])?;
    let fused = super::args::opt_bool(&options, op, "fused")?.unwrap_or(true);
    let runs = args::opt_positive(&options, op, "runs", 7.0, 1000.0)?;
    let x = crate::Tensor::randn(&[rows, cols]);
    let b = crate::Tensor::randn(&[cols]);
    let stats = crate::bench::time_ms(2, runs, 20.0, &mut || {
        crate::no_grad(|| {
            if fused {
                x.try_bias_gelu(&b).map(|_| ())
            } else {
                x.try_add(&b).map(|t| drop(t.gelu()))
            }
        })
    })
    .map_err(js_err)?;
    args::to_js(&stats)
}
