//! The integration suites (design decision 3): Rust code returning one structured report,
//! run by `cargo test`, by `wasm-pack test` in headless Chrome, and from the course pages.
//!
//! Every case that builds a model also runs the per-layer gradient check on it, and every
//! model a suite builds receives the planted fault of [`SuiteOptions::fault`], so each suite
//! can be shown to fail and to name the broken layer.

mod acceleration;
mod benchmarking;
mod capstone;
mod cnn;
mod compression;
mod ctx;
mod dataloader;
pub mod detail;
mod digits;
mod gradient_flow;
mod memoization;
mod nlp;
mod profiling;
mod quantization;
mod report;
mod tinygpt;
mod training_flow;
mod xor;

pub use ctx::Ctx;
pub use report::{CaseReport, FaultSpec, SuiteReport};

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// How to run a suite.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SuiteOptions {
    /// Seed of every random draw in the suite.
    pub seed: u64,
    /// A fault planted in every model the suite builds.
    pub fault: Option<FaultSpec>,
    /// Quick mode (the seed's `-k quick` smoke tests): each case runs its cheap form (smaller
    /// models, fewer steps), with thresholds stated for that form in its description.
    #[serde(default)]
    pub quick: bool,
}

impl SuiteOptions {
    /// A full run at `seed`, with `fault` planted if given.
    ///
    /// ```
    /// use tinytorch::suites::SuiteOptions;
    /// assert!(!SuiteOptions::new(3, None).quick);
    /// assert!(SuiteOptions::new(3, None).quick().quick);
    /// ```
    pub fn new(seed: u64, fault: Option<FaultSpec>) -> SuiteOptions {
        SuiteOptions {
            seed,
            fault,
            quick: false,
        }
    }

    /// The same options in quick mode.
    pub fn quick(mut self) -> SuiteOptions {
        self.quick = true;
        self
    }
}

/// A suite's entry in the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuiteInfo {
    pub name: &'static str,
    /// `critical`, `standard`, `scenario` or `systems`.
    pub category: &'static str,
    /// Course modules it exercises.
    pub modules: Vec<u32>,
    pub description: &'static str,
    /// Cases a run reports (without a planted fault), for progress bars.
    pub cases: usize,
    /// Runs in well under a second natively (so tests sweep it over many seeds, and exercise
    /// pages run it by default); the others train for seconds.
    pub fast: bool,
}

type Runner = fn(&mut Ctx) -> Result<()>;

fn catalogue() -> Vec<(SuiteInfo, Runner)> {
    vec![
        (
            SuiteInfo {
                name: "gradient_flow",
                category: "critical",
                modules: (1..=8).collect(),
                description: "Gradients exist, are non-zero, match the numerical gradient and \
                              flow through every layer; training lowers the loss.",
                cases: 7,
                fast: true,
            },
            gradient_flow::run as Runner,
        ),
        (
            SuiteInfo {
                name: "training_flow",
                category: "critical",
                modules: vec![5, 6, 7],
                description: "The loss falls; accumulation equals a big batch; zero_grad, every \
                              optimizer, the schedule, clipping and checkpoints do what they say.",
                cases: 8,
                fast: true,
            },
            training_flow::run,
        ),
        (
            SuiteInfo {
                name: "dataloader_integration",
                category: "standard",
                modules: vec![3, 4, 5, 6, 7, 8],
                description: "Every sample once per epoch, partial last batch, seeded shuffles, \
                              and training from a DataLoader converges.",
                cases: 5,
                fast: true,
            },
            dataloader::run,
        ),
        (
            SuiteInfo {
                name: "cnn_integration",
                category: "critical",
                modules: vec![9],
                description: "Gradients reach every conv, pool, norm and linear parameter through \
                              Flatten and match the numerical ones; cross-correlation, pooling, \
                              BatchNorm train/eval, shapes; training lowers the loss.",
                cases: 7,
                fast: true,
            },
            cnn::run,
        ),
        (
            SuiteInfo {
                name: "xor",
                category: "scenario",
                modules: vec![2, 3, 4, 6],
                description: "The 1986 lesson: a two-layer network learns XOR to 100% accuracy.",
                cases: 1,
                fast: true,
            },
            xor::run,
        ),
        (
            SuiteInfo {
                name: "digits_mlp",
                category: "scenario",
                modules: vec![7, 8],
                description: "Milestone 1986: an MLP learns the UCI handwritten digits to ≥ 95% \
                              held-out accuracy.",
                cases: 2,
                fast: false,
            },
            digits::run_mlp,
        ),
        (
            SuiteInfo {
                name: "digits_cnn",
                category: "scenario",
                modules: vec![9],
                description: "Milestone 1998: a small CNN learns the UCI handwritten digits to \
                              ≥ 97% held-out accuracy.",
                cases: 2,
                fast: false,
            },
            digits::run_cnn,
        ),
        (
            SuiteInfo {
                name: "nlp_pipeline_flow",
                category: "critical",
                modules: vec![10, 11, 12, 13],
                description: "Tokenize → embed → attention → transformer → loss: gradients reach \
                              every parameter; sparse embedding gradients; attention weights are \
                              probabilities; masking by hand; a per-layer check through a GPT.",
                cases: 7,
                fast: false,
            },
            nlp::run,
        ),
        (
            SuiteInfo {
                name: "tinygpt",
                category: "scenario",
                modules: vec![10, 13],
                description: "Milestone 2017: a character GPT trains on the project's corpus and \
                              answers held-out prompts (≥ 90% exact on reversal).",
                cases: 2,
                fast: false,
            },
            tinygpt::run,
        ),
        (
            SuiteInfo {
                name: "profiling_integration",
                category: "systems",
                modules: vec![14],
                description: "Profiling a training step changes no loss or gradient bit; FLOP and \
                              parameter counts equal hand counts; memory from the real tensors.",
                cases: 3,
                fast: true,
            },
            profiling::run,
        ),
        (
            SuiteInfo {
                name: "quantization_integration",
                category: "systems",
                modules: vec![15],
                description: "int8 round trips within half a step; exact int8 GEMM; calibration \
                              is used; a quantized digits CNN within 1 point and ≥ 3.5× smaller.",
                cases: 4,
                fast: false,
            },
            quantization::run,
        ),
        (
            SuiteInfo {
                name: "compression_integration",
                category: "systems",
                modules: vec![16],
                description: "50%-pruned digits model keeps training with pruned weights exactly \
                              zero, within 2 points; structured and low-rank shrink layers; a \
                              distilled student under half the size learns from its teacher.",
                cases: 5,
                fast: false,
            },
            compression::run,
        ),
        (
            SuiteInfo {
                name: "memoization_integration",
                category: "systems",
                modules: vec![17],
                description: "KV-cached generation emits the same tokens as uncached generation, \
                              logits within 1e-5 at every step; the speedup is measured.",
                cases: 4,
                fast: false,
            },
            memoization::run,
        ),
        (
            SuiteInfo {
                name: "acceleration_integration",
                category: "systems",
                modules: vec![18],
                description: "Every matmul kernel equals the naive one within 1e-5 on random, odd \
                              and tiny shapes; fused bias+GELU equals the unfused chain.",
                cases: 3,
                fast: true,
            },
            acceleration::run,
        ),
        (
            SuiteInfo {
                name: "benchmarking_integration",
                category: "systems",
                modules: vec![19],
                description: "Statistics and timing are right; model comparisons measure accuracy \
                              (never invent it); the Pareto front keeps the non-dominated models.",
                cases: 4,
                fast: true,
            },
            benchmarking::run,
        ),
        (
            SuiteInfo {
                name: "capstone",
                category: "systems",
                modules: vec![20],
                description: "Distil, prune and quantize a digits model; the measured submission \
                              validates against its schema, and bad reports are rejected.",
                cases: 3,
                fast: false,
            },
            capstone::run,
        ),
    ]
}

/// Every suite, in catalogue order.
pub fn list_suites() -> Vec<SuiteInfo> {
    catalogue().into_iter().map(|(i, _)| i).collect()
}

/// Runs the suite called `name`.
///
/// # Errors
/// If no suite has that name, or the planted fault names a layer no model has. A failing
/// check is not an error: it is a case with `passed: false` in the report.
///
/// # Example
/// ```
/// use tinytorch::suites::{run_suite, SuiteOptions};
/// let r = run_suite("xor", &SuiteOptions::new(1, None)).unwrap();
/// assert!(r.passed, "{}", r.summary());
/// ```
pub fn run_suite(name: &str, opts: &SuiteOptions) -> Result<SuiteReport> {
    run_suite_with(name, opts, &mut |_, _| {})
}

/// Like [`run_suite`], calling `progress(done, case)` after each case.
///
/// # Errors
/// As [`run_suite`].
pub fn run_suite_with(
    name: &str,
    opts: &SuiteOptions,
    progress: &mut dyn FnMut(usize, &CaseReport),
) -> Result<SuiteReport> {
    let Some((info, runner)) = catalogue().into_iter().find(|(i, _)| i.name == name) else {
        let names: Vec<&str> = list_suites().iter().map(|s| s.name).collect();
        return Err(Error::Arg {
            op: "run_suite",
            msg: format!("no suite named '{name}' (available: {})", names.join(", ")),
        });
    };
    let started = crate::clock::now_ms();
    let mut ctx = Ctx::new(*opts, progress);
    let saved = crate::rng::snapshot();
    let outcome = runner(&mut ctx);
    crate::rng::restore(saved);
    outcome?;
    let cases = ctx.finish();
    Ok(SuiteReport {
        suite: info.name.to_string(),
        category: info.category.to_string(),
        modules: info.modules,
        seed: opts.seed,
        fault: opts.fault,
        quick: opts.quick,
        passed: cases.iter().all(|c| c.passed),
        cases,
        duration_ms: crate::clock::now_ms() - started,
    })
}
