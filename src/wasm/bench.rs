//! Kernel selection and in-browser micro-benchmarks (module 18 and `make bench`). Timing
//! happens inside wasm with `performance.now()`, so JS call overhead is not measured.

use super::args;
use super::options;
use super::{js_err, js_err_in};
use crate::kernels::{self, KernelKind, MatRef};
use crate::rng::Rng;
use serde::Deserialize;
use tsify::Tsify;
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
/// `rounds` rounds after a warm-up; each round repeats the multiply until at least 20 ms have
/// passed, because browsers coarsen `performance.now()` to ~0.1 ms.
///
/// ```js
/// benchMatmul(256, 5);   // e.g. 0.8 (ms)
/// ```
#[wasm_bindgen(js_name = benchMatmul)]
pub fn bench_matmul(n: f64, rounds: f64) -> Result<f64, JsError> {
    let n = args::positive("benchMatmul", "n", n, 4096.0)?;
    let rounds = args::positive("benchMatmul", "rounds", rounds, 1000.0)?;
    let mut rng = Rng::new(1);
    let a: Vec<f32> = (0..n * n).map(|_| rng.normal()).collect();
    let b: Vec<f32> = (0..n * n).map(|_| rng.normal()).collect();
    let mut c = vec![0.0f32; n * n];
    let stats = crate::bench::time_ms(1, rounds, 20.0, &mut || {
        kernels::gemm(
            n,
            n,
            n,
            MatRef::rows(&a, n),
            MatRef::rows(&b, n),
            &mut c,
            false,
        );
        Ok(())
    })
    .map_err(|e| js_err_in("benchMatmul", e))?;
    Ok(stats.median)
}

/// Square matmul GFLOP/s with the current kernel: `{ runs, median, mean, std, min, max, ci95 }`.
#[wasm_bindgen(js_name = benchMatmulStats, unchecked_return_type = "Stats")]
pub fn bench_matmul_stats(n: f64, runs: f64) -> Result<JsValue, JsError> {
    let n = args::positive("benchMatmulStats", "n", n, 4096.0)?;
    let runs = args::positive("benchMatmulStats", "runs", runs, 1000.0)?;
    args::to_js(&crate::bench::matmul_gflops(n, runs).map_err(js_err)?)
}

/// The f32x4 arithmetic peak of this build, GFLOP/s: `"relaxed"` (fused multiply-add, the
/// relaxed build only) or `"simd"` (`mul` + `add`) → `{ runs, median, mean, std, min, max,
/// ci95 }`. Matmul GFLOP/s over this, measured in the same run, is the kernel's share of the
/// machine.
#[wasm_bindgen(js_name = benchPeakStats, unchecked_return_type = "Stats")]
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

/// Options of `benchMlp(options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BenchMlpOptions {
    /// Layer widths, input first (default [64, 128, 64, 10]); ReLU between them.
    #[tsify(optional)]
    pub sizes: Option<Vec<f64>>,
    /// Rows per step, 1 to 65536 (default 32).
    #[tsify(optional)]
    pub batch: Option<f64>,
    /// The step's optimizer (default "sgd", lr 0.01; "adam" has lr 0.001).
    #[tsify(optional, type = "\"sgd\" | \"adam\"")]
    pub optimizer: Option<String>,
    /// Timed rounds, 1 to 1000 (default 7).
    #[tsify(optional)]
    pub runs: Option<f64>,
}

/// MLP training samples/s, statistics over rounds of whole training steps (each ≥ 25 ms).
///
/// ```js
/// benchMlp({ sizes: [784, 128, 10], optimizer: 'adam' }).median;   // samples per second
/// ```
#[wasm_bindgen(js_name = benchMlp, unchecked_return_type = "Stats")]
pub fn bench_mlp(
    #[wasm_bindgen(unchecked_optional_param_type = "BenchMlpOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "benchMlp";
    let o: BenchMlpOptions = options::parse(op, &options)?;
    let sizes = match &o.sizes {
        Some(s) => args::whole_numbers(op, "sizes", s, 1.0, 65_536.0)?,
        None => vec![64, 128, 64, 10],
    };
    let batch = args::positive(op, "batch", o.batch.unwrap_or(32.0), 65_536.0)?;
    // Every weight matrix and activation must fit the API's allocation limit.
    for w in sizes.windows(2) {
        args::check_size(op, w)?;
    }
    for &w in &sizes {
        args::check_size(op, &[batch, w])?;
    }
    let runs = args::positive(op, "runs", o.runs.unwrap_or(7.0), 1000.0)?;
    let opt = o.optimizer.as_deref().unwrap_or("sgd");
    args::to_js(
        &crate::bench::mlp_train_samples_per_sec(&sizes, batch, opt, runs)
            .map_err(|e| js_err_in(op, e))?,
    )
}

/// Options of `benchCnn(options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BenchCnnOptions {
    /// Images per step, 1 to 65536 (default 32).
    #[tsify(optional)]
    pub batch: Option<f64>,
    /// Timed rounds, 1 to 1000 (default 7).
    #[tsify(optional)]
    pub runs: Option<f64>,
}

/// Forward+backward samples/s of the reference CNN (conv 1→8 3×3 on 28×28, ReLU, max-pool 2,
/// dense 10).
///
/// ```js
/// benchCnn({ batch: 32, runs: 3 }).median;
/// ```
#[wasm_bindgen(js_name = benchCnn, unchecked_return_type = "Stats")]
pub fn bench_cnn(
    #[wasm_bindgen(unchecked_optional_param_type = "BenchCnnOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "benchCnn";
    let o: BenchCnnOptions = options::parse(op, &options)?;
    let batch = args::positive(op, "batch", o.batch.unwrap_or(32.0), 65_536.0)?;
    let runs = args::positive(op, "runs", o.runs.unwrap_or(7.0), 1000.0)?;
    args::check_size(op, &[batch, 28 * 28])?;
    args::to_js(&crate::bench::cnn_train_samples_per_sec(batch, runs).map_err(js_err)?)
}

/// Options of `benchBiasGelu(options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BenchBiasGeluOptions {
    /// Rows of x, 1 to 65536 (default 512).
    #[tsify(optional)]
    pub rows: Option<f64>,
    /// Columns of x and length of b, 1 to 65536 (default 512).
    #[tsify(optional)]
    pub cols: Option<f64>,
    /// One fused pass (default true), or add then gelu.
    #[tsify(optional)]
    pub fused: Option<bool>,
    /// Timed rounds, 1 to 1000 (default 7).
    #[tsify(optional)]
    pub runs: Option<f64>,
}

/// Milliseconds per `gelu(x + b)` over an (rows, cols) tensor, fused (one pass) or unfused
/// (add, then gelu).
///
/// ```js
/// const fused = benchBiasGelu({ rows: 256, cols: 256 }).median;
/// const unfused = benchBiasGelu({ rows: 256, cols: 256, fused: false }).median;
/// ```
#[wasm_bindgen(js_name = benchBiasGelu, unchecked_return_type = "Stats")]
pub fn bench_bias_gelu(
    #[wasm_bindgen(unchecked_optional_param_type = "BenchBiasGeluOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "benchBiasGelu";
    let o: BenchBiasGeluOptions = options::parse(op, &options)?;
    let rows = args::positive(op, "rows", o.rows.unwrap_or(512.0), 65_536.0)?;
    let cols = args::positive(op, "cols", o.cols.unwrap_or(512.0), 65_536.0)?;
    args::check_size(op, &[rows, cols])?;
    let fused = o.fused.unwrap_or(true);
    let runs = args::positive(op, "runs", o.runs.unwrap_or(7.0), 1000.0)?;
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
