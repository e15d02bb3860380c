//! The capstone (course module 20): optimise a digits model — distil it into a smaller
//! student, prune half its weights, quantize it to int8 — measure baseline and optimised
//! accuracy, size and latency, and write a submission report that validates against a schema.

mod schema;

pub use schema::schema;

use crate::bench::{compare_models, ModelEntry};
use crate::compress::{distill, magnitude_prune, sparsity, DistillConfig, MaskedOptimizer};
use crate::data::{digits, DataLoader, TensorDataset};
use crate::error::Result;
use crate::milestones::digits::digits_mlp;
use crate::nn::loss::Loss;
use crate::nn::{Layer, Module};
use crate::optim::Adam;
use crate::quant::quantize_model;
use crate::train::Trainer;
use serde_json::{json, Value};
use std::rc::Rc;

fn entry(e: &ModelEntry) -> Value {
    json!({
        "model": e.name, "params": e.params, "bytes": e.bytes, "accuracy": e.accuracy.unwrap_or(0.0),
        "latency_ms": { "median": e.latency_ms.median, "ci95": [e.latency_ms.ci95.0, e.latency_ms.ci95.1] },
    })
}

/// Runs the whole capstone from `seed` and returns the submission report. `progress(stage)`
/// is called as each stage starts.
///
/// # Errors
/// If a training or measurement step fails.
pub fn run_capstone(
    seed: u64,
    student: Option<&str>,
    build: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<Value> {
    run_capstone_with(&CapstonePlan::standard(), seed, student, build, progress)
}

/// How long each stage of the capstone trains, in epochs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapstonePlan {
    pub baseline_epochs: usize,
    pub distill_epochs: usize,
    pub finetune_epochs: usize,
}

impl CapstonePlan {
    /// The capstone as the course runs it: 25, 20 and 5 epochs.
    pub fn standard() -> CapstonePlan {
        CapstonePlan {
            baseline_epochs: 25,
            distill_epochs: 20,
            finetune_epochs: 5,
        }
    }

    /// The suites' quick mode: 6, 6 and 2 epochs.
    pub fn quick() -> CapstonePlan {
        CapstonePlan {
            baseline_epochs: 6,
            distill_epochs: 6,
            finetune_epochs: 2,
        }
    }
}

/// [`run_capstone`] with the stages' lengths of `plan`.
///
/// # Errors
/// If a training or measurement step fails.
pub fn run_capstone_with(
    plan: &CapstonePlan,
    seed: u64,
    student: Option<&str>,
    build: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<Value> {
    let data = digits(seed, 0.2)?;
    let train_set = TensorDataset::new(data.train_images.clone(), data.train_labels.clone())?;
    let train = DataLoader::new(Rc::new(train_set), 32)?.shuffle(seed);
    crate::manual_seed(seed);
    progress("training the baseline MLP 64-128-10");
    let baseline: Layer = Rc::new(digits_mlp(128));
    let opt = Adam::new(baseline.parameters(), 0.005)?;
    let mut t = Trainer::new(baseline.clone(), Box::new(opt), Loss::CrossEntropy);
    for _ in 0..plan.baseline_epochs {
        t.train_epoch(&train, 1)?;
    }
    baseline.eval();
    progress("distilling into a 64-32-10 student (T = 3, α = 0.7)");
    let student_net = Rc::new(digits_mlp(32));
    let mut opt = Adam::new(student_net.parameters(), 0.005)?;
    let cfg = DistillConfig {
        epochs: plan.distill_epochs,
        temperature: 3.0,
        alpha: 0.7,
    };
    distill(
        &*baseline,
        &*student_net,
        &train,
        &mut opt,
        &cfg,
        &mut |_, _| true,
    )?;
    progress("pruning 50% of the student's weights and fine-tuning with the mask");
    let weights: Vec<_> = student_net
        .named_parameters()
        .into_iter()
        .filter(|(n, _)| n.ends_with("weight"))
        .map(|(_, t)| t)
        .collect();
    let masks = magnitude_prune(&weights, 0.5, true)?;
    let masked = MaskedOptimizer::new(Box::new(Adam::new(student_net.parameters(), 0.002)?), masks);
    let layer: Layer = student_net.clone();
    let mut ft = Trainer::new(layer, Box::new(masked), Loss::CrossEntropy);
    for _ in 0..plan.finetune_epochs {
        ft.train_epoch(&train, 1)?;
    }
    let sp = sparsity(&weights);
    progress("quantizing to int8 (calibrated on 128 training images)");
    let (quantized, _) = quantize_model(&student_net, &data.train_images.try_narrow(0, 0, 128)?)?;
    progress("measuring accuracy, size and latency");
    let models: [(&str, &dyn Module); 2] = [
        ("mlp_64_128_10_fp32", &*baseline),
        ("mlp_64_32_10_distilled_pruned_int8", &quantized),
    ];
    let rows = compare_models(&models, &data.test_images, Some(&data.test_labels), 15)?;
    let (b, o) = (&rows[0], &rows[1]);
    let mut opt_entry = entry(o);
    opt_entry["techniques"] = json!(["distillation", "magnitude_pruning", "int8_quantization"]);
    opt_entry["sparsity"] = json!(sp);
    let mut report = json!({
        "schema_version": "1.0",
        "tinytorch_version": env!("CARGO_PKG_VERSION"),
        "submission_type": "capstone_benchmark",
        "system": { "build": build, "kernels": crate::kernels::kernels().name() },
        "dataset": {
            "name": "uci_digits", "seed": seed,
            "train_size": data.train_labels.numel(), "test_size": data.test_labels.numel(),
        },
        "baseline": entry(b),
        "optimized": opt_entry,
        "improvements": {
            "speedup": b.latency_ms.median / o.latency_ms.median.max(1e-12),
            "compression_ratio": b.bytes as f64 / o.bytes.max(1) as f64,
            "accuracy_delta": o.accuracy.unwrap_or(0.0) as f64 - b.accuracy.unwrap_or(0.0) as f64,
        },
    });
    if let Some(name) = student {
        report["student"] = json!(name);
    }
    Ok(report)
}

/// Every problem with a submission: schema violations, then figures that do not agree with
/// each other (the ratios must follow from the measurements they summarise). Empty = valid.
///
/// # Example
/// ```
/// let errors = tinytorch::capstone::validate(&serde_json::json!({ "schema_version": "2.0" }));
/// assert!(errors.iter().any(|e| e.contains("schema_version")));
/// ```
pub fn validate(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    schema::check(&schema(), v, "submission", &mut out);
    if !out.is_empty() {
        return out;
    }
    let f = |p: &str| v.pointer(p).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-12);
    if !close(
        f("/improvements/compression_ratio"),
        f("/baseline/bytes") / f("/optimized/bytes"),
    ) {
        out.push("improvements.compression_ratio is not baseline.bytes / optimized.bytes".into());
    }
    let speed = f("/baseline/latency_ms/median") / f("/optimized/latency_ms/median");
    if !close(f("/improvements/speedup"), speed) {
        out.push("improvements.speedup is not the ratio of the median latencies".into());
    }
    if !close(
        f("/improvements/accuracy_delta"),
        f("/optimized/accuracy") - f("/baseline/accuracy"),
    ) {
        out.push("improvements.accuracy_delta is not optimized − baseline accuracy".into());
    }
    out
}
