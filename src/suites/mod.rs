//! The integration suites (design decision 3): Rust code returning one structured report,
//! run by `cargo test`, by `wasm-pack test` in headless Chrome, and from the course pages.
//!
//! Every case that builds a model also runs the per-layer gradient check on it, and every
//! model a suite builds receives the planted fault of [`SuiteOptions::fault`], so each suite
//! can be shown to fail and to name the broken layer.

mod acceleration;
pub mod api_compatibility;
mod benchmarking;
mod capstone;
mod catalogue;
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
use catalogue::catalogue;
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

/// A suite's entry in the catalogue, as `list_suites()` and the JS `listSuites()` give it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuiteInfo {
    pub name: &'static str,
    /// `critical`, `standard`, `scenario` or `systems`.
    pub category: &'static str,
    /// Course modules it exercises.
    pub modules: Vec<u32>,
    pub description: &'static str,
    /// Cases a run reports (without a planted fault), for progress bars: read from a listing
    /// run of the suite, the same in quick mode.
    pub cases: usize,
    /// The names of those cases, in order (a full run's; quick mode appends `_quick` to the
    /// names of cases whose thresholds change).
    pub case_names: Vec<String>,
    /// Runs in well under a second natively (so tests sweep it over many seeds, and exercise
    /// pages run it by default); the others train for seconds.
    pub fast: bool,
    /// The layers fault sweeps plant into, natively and in the browser.
    pub fault_layers: Vec<usize>,
}

/// Every suite, in catalogue order.
///
/// # Example
/// ```
/// let suites = tinytorch::suites::list_suites();
/// let xor = suites.iter().find(|s| s.name == "xor").unwrap();
/// assert_eq!(xor.case_names, vec!["xor_learns"]);
/// ```
pub fn list_suites() -> Vec<SuiteInfo> {
    thread_local! {
        static LISTED: std::cell::OnceCell<Vec<SuiteInfo>> = const { std::cell::OnceCell::new() };
    }
    LISTED.with(|l| {
        l.get_or_init(|| catalogue().into_iter().map(describe).collect())
            .clone()
    })
}

/// An entry with its case names, read from a listing run: the suite's code runs with every
/// case body skipped (what runs between cases only builds data and configurations).
fn describe(e: catalogue::Entry) -> SuiteInfo {
    let saved = crate::rng::snapshot();
    let mut none = |_: usize, _: &CaseReport| {};
    let mut ctx = Ctx::listing(SuiteOptions::default(), &mut none);
    // A listing run cannot fail on a check; were its setup to fail, the cases named so far
    // are listed and the real run reports the error.
    let _ = (e.run)(&mut ctx);
    crate::rng::restore(saved);
    let case_names: Vec<String> = ctx.finish().into_iter().map(|c| c.name).collect();
    SuiteInfo {
        name: e.name,
        category: e.category,
        modules: e.modules,
        description: e.description,
        cases: case_names.len(),
        case_names,
        fast: e.fast,
        fault_layers: e.fault_layers.to_vec(),
    }
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
    let Some(entry) = catalogue().into_iter().find(|e| e.name == name) else {
        let names: Vec<&str> = list_suites().iter().map(|s| s.name).collect();
        return Err(Error::Arg {
            op: "run_suite",
            msg: format!("no suite named '{name}' (available: {})", names.join(", ")),
        });
    };
    run_entry(&entry, opts, progress, entry.run)
}

/// Runs `entry` with `run` as its body (the catalogue's runner, or a variant of it that the
/// tests build) and gathers the report.
fn run_entry(
    entry: &catalogue::Entry,
    opts: &SuiteOptions,
    progress: &mut dyn FnMut(usize, &CaseReport),
    run: impl FnOnce(&mut Ctx) -> Result<()>,
) -> Result<SuiteReport> {
    let started = crate::clock::now_ms();
    let mut ctx = Ctx::new(*opts, progress);
    let saved = crate::rng::snapshot();
    let outcome = run(&mut ctx);
    crate::rng::restore(saved);
    outcome?;
    let cases = ctx.finish();
    Ok(SuiteReport {
        suite: entry.name.to_string(),
        category: entry.category.to_string(),
        modules: entry.modules.clone(),
        seed: opts.seed,
        fault: opts.fault,
        quick: opts.quick,
        passed: cases.iter().all(|c| c.passed),
        cases,
        duration_ms: crate::clock::now_ms() - started,
    })
}
