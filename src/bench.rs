//! Benchmarking (course module 19): warm-up, repeated timed runs, median and a confidence
//! interval; and the standard workloads `make bench` compares with TF.js (matmul GFLOP/s,
//! MLP training samples/s, CNN forward+backward samples/s), shared by the native harness and
//! the browser.

use crate::error::{Error, Result};
use crate::kernels::{gemm, MatRef};
use crate::nn::loss::Loss;
use crate::nn::{call, Conv2d, Flatten, Layer, Linear, MaxPool2d, ReLU, Sequential};
use crate::optim::{Adam, Optimizer, Sgd};
use crate::rng::Rng;
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Summary statistics of repeated measurements.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Stats {
    pub runs: usize,
    pub median: f64,
    pub mean: f64,
    /// Sample standard deviation.
    pub std: f64,
    pub min: f64,
    pub max: f64,
    /// 95% confidence interval of the mean: mean ± 1.96·std/√n.
    pub ci95: (f64, f64),
}

impl Stats {
    /// Statistics of `values`.
    ///
    /// # Errors
    /// If `values` is empty or holds a non-finite number.
    ///
    /// # Example
    /// ```
    /// let s = tinytorch::bench::Stats::of(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
    /// assert_eq!(s.median, 3.0);
    /// assert!(s.ci95.0 < s.mean && s.mean < s.ci95.1);
    /// ```
    pub fn of(values: &[f64]) -> Result<Stats> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return Err(Error::Arg {
                op: "Stats",
                msg: "needs at least one finite measurement".into(),
            });
        }
        let n = values.len();
        let mut v = values.to_vec();
        v.sort_by(|a, b| a.total_cmp(b));
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        let mean = v.iter().sum::<f64>() / n as f64;
        let std = if n > 1 {
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let half = 1.96 * std / (n as f64).sqrt();
        Ok(Stats {
            runs: n,
            median,
            mean,
            std,
            min: v[0],
            max: v[n - 1],
            ci95: (mean - half, mean + half),
        })
    }

    /// Spread as a fraction of the median: (max − min) / median.
    pub fn spread(&self) -> f64 {
        (self.max - self.min) / self.median.abs().max(f64::MIN_POSITIVE)
    }
}

/// Times `f`: `warmup` untimed calls, then `runs` rounds, each repeating `f` until at least
/// `min_ms` have passed (browsers coarsen timers to ~0.1 ms). Returns ms per call per round.
/// The clock is read after batches sized to about a sixteenth of a round, so a round
/// overshoots `min_ms` by at most about one batch.
pub fn time_ms(
    warmup: usize,
    runs: usize,
    min_ms: f64,
    f: &mut dyn FnMut() -> Result<()>,
) -> Result<Stats> {
    for _ in 0..warmup {
        f()?;
    }
    let mut per_call = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let (t0, mut count, mut batch) = (crate::clock::now_ms(), 0u32, 1u32);
        loop {
            for _ in 0..batch {
                f()?;
            }
            count += batch;
            let el = crate::clock::now_ms() - t0;
            if el >= min_ms {
                per_call.push(el / count as f64);
                break;
            }
            // Read the clock about 16 times a round, not after every call: in wasm a read
            // crosses into JS, a fixed cost that a 64×64 matmul (~15 µs) would be charged for.
            batch = if el > 0.0 {
                (min_ms / 16.0 / (el / count as f64)).clamp(1.0, 1e6) as u32
            } else {
                batch.saturating_mul(2)
            };
        }
    }
    Stats::of(&per_call)
}

/// Square `n × n` matmul GFLOP/s with the current kernel (median over `runs`).
///
/// # Errors
/// If `n` is 0.
pub fn matmul_gflops(n: usize, runs: usize) -> Result<Stats> {
    if n == 0 {
        return Err(Error::Arg {
            op: "matmul_gflops",
            msg: "n must be ≥ 1".into(),
        });
    }
    let mut rng = Rng::new(1);
    let a: Vec<f32> = (0..n * n).map(|_| rng.normal()).collect();
    let b: Vec<f32> = (0..n * n).map(|_| rng.normal()).collect();
    let mut c = vec![0.0f32; n * n];
    let ms = time_ms(2, runs, 25.0, &mut || {
        gemm(
            n,
            n,
            n,
            MatRef::rows(&a, n),
            MatRef::rows(&b, n),
            &mut c,
            false,
        );
        Ok(())
    })?;
    to_rate(&ms, 2.0 * (n * n * n) as f64 / 1e6)
}

/// The f32x4 arithmetic peak of this build in GFLOP/s (median over `runs`): independent
/// multiply-add chains with no memory traffic ([`crate::kernels::peak_chains`]), fused
/// (`f32x4_relaxed_madd`) or `mul` + `add`. `make bench` measures it beside the matmuls, so a
/// kernel's share of the peak is read within one run of a noisy machine.
///
/// # Errors
/// If `fused` is asked of a build without relaxed SIMD.
///
/// # Example
/// ```
/// let s = tinytorch::bench::peak_gflops(false, 1).unwrap();
/// assert!(s.median > 0.0);
/// ```
pub fn peak_gflops(fused: bool, runs: usize) -> Result<Stats> {
    if fused && !cfg!(target_feature = "relaxed-simd") {
        return Err(Error::Arg {
            op: "peak_gflops",
            msg: "the fused peak needs the relaxed-SIMD build (pkg-relaxed/)".into(),
        });
    }
    // 100,000 steps are 8 MFLOP: about 0.2 ms, so a 25 ms round holds a hundred calls.
    const STEPS: usize = 100_000;
    let mut sink = 0.0f32;
    let ms = time_ms(2, runs, 25.0, &mut || {
        sink += crate::kernels::peak_chains(fused, STEPS, 1e-3, 0.999);
        Ok(())
    })?;
    std::hint::black_box(sink);
    to_rate(&ms, (STEPS * crate::kernels::FLOPS_PER_STEP) as f64 / 1e6)
}

/// Converts ms-per-call stats into `work / ms` rates (work per call in the rate's units·ms).
fn to_rate(ms: &Stats, work: f64) -> Result<Stats> {
    let rates: Vec<f64> = [ms.min, ms.median, ms.max]
        .iter()
        .map(|t| work / t)
        .collect();
    // Rates of the extreme and middle runs keep median/min/max meaningful; mean/std/ci are
    // recomputed from them only roughly, so report the median and spread.
    let mut s = Stats::of(&rates)?;
    s.runs = ms.runs;
    Ok(s)
}

/// Training samples/s of an MLP with `sizes` (ReLU between layers), batch `batch`, one
/// optimizer step per batch (`"sgd"` lr 0.01 or `"adam"` lr 0.001), cross-entropy on random
/// labels — the workload TF.js is measured on.
///
/// # Errors
/// If the sizes are fewer than two or the optimizer is unknown.
pub fn mlp_train_samples_per_sec(
    sizes: &[usize],
    batch: usize,
    optimizer: &str,
    runs: usize,
) -> Result<Stats> {
    if sizes.len() < 2 || batch == 0 {
        return Err(Error::Arg {
            op: "mlp_bench",
            msg: format!("needs ≥ 2 sizes and a batch ≥ 1, got {sizes:?}, {batch}"),
        });
    }
    crate::manual_seed(7);
    let mut layers: Vec<Layer> = Vec::new();
    for (i, w) in sizes.windows(2).enumerate() {
        layers.push(Linear::new(w[0], w[1], true).into_layer());
        if i + 2 < sizes.len() {
            layers.push(ReLU::new().into_layer());
        }
    }
    let model: Layer = Rc::new(Sequential::new(layers));
    let classes = *sizes.last().expect("two sizes");
    let x = Tensor::randn(&[batch, sizes[0]]);
    let y = Tensor::from_vec((0..batch).map(|i| (i % classes) as f32).collect(), &[batch])?;
    step_rate(model, &x, &y, Loss::CrossEntropy, optimizer, batch, runs)
}

/// Forward + backward (+ SGD step) samples/s of the reference CNN of performance.md:
/// Conv2d 1→8 3×3 on 28×28, ReLU, MaxPool 2, Flatten, Linear(1352, 10), batch `batch`.
///
/// # Errors
/// If `batch` is 0.
pub fn cnn_train_samples_per_sec(batch: usize, runs: usize) -> Result<Stats> {
    crate::manual_seed(7);
    let model: Layer = Rc::new(Sequential::new(vec![
        Conv2d::new(1, 8, 3, 1, 0, true)?.into_layer(),
        ReLU::new().into_layer(),
        MaxPool2d::new(2, None, 0)?.into_layer(),
        Flatten::new().into_layer(),
        Linear::new(8 * 13 * 13, 10, true).into_layer(),
    ]));
    let x = Tensor::randn(&[batch, 1, 28, 28]);
    let y = Tensor::from_vec((0..batch).map(|i| (i % 10) as f32).collect(), &[batch])?;
    step_rate(model, &x, &y, Loss::CrossEntropy, "sgd", batch, runs)
}

fn step_rate(
    model: Layer,
    x: &Tensor,
    y: &Tensor,
    loss: Loss,
    optimizer: &str,
    batch: usize,
    runs: usize,
) -> Result<Stats> {
    let mut opt: Box<dyn Optimizer> = match optimizer {
        "sgd" => Box::new(Sgd::new(model.parameters(), 0.01, 0.0, 0.0)?),
        "adam" => Box::new(Adam::new(model.parameters(), 0.001)?),
        _ => {
            return Err(Error::Arg {
                op: "bench",
                msg: format!("unknown optimizer '{optimizer}' (sgd, adam)"),
            })
        }
    };
    let ms = time_ms(3, runs, 25.0, &mut || {
        let l = loss.compute(&call(&*model, x)?, y)?;
        opt.zero_grad();
        l.backward()?;
        opt.step()
    })?;
    to_rate(&ms, batch as f64 * 1000.0)
}

/// One model's measured figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ModelEntry {
    pub name: String,
    /// Weights and biases stored (int8 ones included).
    pub params: usize,
    /// Bytes the model stores (int8 layers count their real bytes).
    pub bytes: usize,
    /// Milliseconds per batch-1 inference.
    pub latency_ms: Stats,
    /// Measured on the given labelled data; `None` when no labels were given (never invented).
    pub accuracy: Option<f32>,
}

/// Measures latency (batch-1 inference, warm-up then `runs` rounds), storage and — only when
/// labels are given — accuracy of each model.
///
/// # Errors
/// If a model cannot run on the data.
pub fn compare_models(
    models: &[(&str, &dyn crate::nn::Module)],
    x: &Tensor,
    y: Option<&Tensor>,
    runs: usize,
) -> Result<Vec<ModelEntry>> {
    let one = x.try_narrow(0, 0, 1)?;
    models
        .iter()
        .map(|(name, m)| {
            // Restore the caller's mode afterwards: measuring must not flip a model into training.
            let was_training = m.site().training();
            m.eval();
            let latency = time_ms(3, runs, 10.0, &mut || {
                crate::no_grad(|| call(*m, &one)).map(|_| ())
            });
            let accuracy = match y {
                Some(y) => {
                    let out = crate::no_grad(|| call(*m, x))?;
                    Some(Loss::CrossEntropy.correct(&out, y)? as f32 / y.numel() as f32)
                }
                None => None,
            };
            m.set_training(was_training);
            Ok(ModelEntry {
                name: name.to_string(),
                params: m.stored_parameters(),
                bytes: m.storage_bytes(),
                latency_ms: latency?,
                accuracy,
            })
        })
        .collect()
}

/// Indices of the Pareto-optimal points among `(cost, value)`: no other point has lower-or-
/// equal cost and higher-or-equal value with one strictly better.
///
/// # Example
/// ```
/// let front = tinytorch::bench::pareto_front(&[(1.0, 0.9), (2.0, 0.95), (3.0, 0.93), (0.5, 0.5)]);
/// assert_eq!(front, vec![0, 1, 3]);
/// ```
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<usize> {
    (0..points.len())
        .filter(|&i| {
            let (c, v) = points[i];
            !points
                .iter()
                .enumerate()
                .any(|(j, &(cj, vj))| j != i && cj <= c && vj >= v && (cj < c || vj > v))
        })
        .collect()
}
