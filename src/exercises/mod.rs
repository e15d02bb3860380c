//! The exercises' unit checks (course modules 01–09): each slot's function is called with known
//! inputs and with random ones, and compared with a known answer or with the lab's own
//! implementation. A failing check carries both tensors, the differing elements and the first
//! difference in words, so a page can show "expected vs yours" side by side.
//!
//! The checks call the installed implementations directly ([`crate::slots::call`]); the
//! expected values are computed with every slot suspended, so they are always the lab's.
//!
//! ```
//! use tinytorch::exercises::{run_unit_checks, CheckStatus};
//! use tinytorch::slots::{self, Slot, Value};
//! // A relu that returns its input unchanged fails the known-answer check.
//! slots::install(Slot::Relu, std::rc::Rc::new(|a: &mut [Value]| Ok(a[0].clone())));
//! let r = run_unit_checks(2, 0);
//! let relu = r.checks.iter().find(|c| c.function == "relu").unwrap();
//! assert_eq!(relu.status, CheckStatus::Fail);
//! assert!(relu.first.is_some());
//! slots::clear();
//! ```

mod activations;
mod autograd;
mod check;
mod dataloader;
mod layers;
mod losses;
mod optimizers;
pub mod progress;
mod spatial;
mod tensor;
mod training;

pub use check::{CheckStatus, FirstDiff, Shown, UnitResult};

use crate::slots::{self, Slot};
use check::Check;
use serde::Serialize;

/// One function's checks, summarised.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionSummary {
    /// The function (slot) name, e.g. `"softmax"`.
    pub name: &'static str,
    /// `pass` when every check passed; `todo` when the function is still a stub; `missing`
    /// when the module does not export it; `fail` otherwise.
    pub status: CheckStatus,
    pub passed: usize,
    pub total: usize,
}

/// The unit checks of one module.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitReport {
    pub module: u32,
    pub seed: u64,
    pub passed: bool,
    pub functions: Vec<FunctionSummary>,
    pub checks: Vec<UnitResult>,
    /// Wall time in milliseconds.
    pub duration_ms: f64,
}

fn checks_of(module: u32, seed: u64) -> Vec<Check> {
    match module {
        1 => tensor::checks(seed),
        2 => activations::checks(seed),
        3 => layers::checks(seed),
        4 => losses::checks(seed),
        5 => autograd::checks(seed),
        6 => optimizers::checks(seed),
        7 => training::checks(seed),
        8 => dataloader::checks(seed),
        9 => spatial::checks(seed),
        _ => Vec::new(),
    }
}

/// The modules that have exercises.
pub const MODULES: std::ops::RangeInclusive<u32> = 1..=9;

/// Runs every unit check of course module `module` on the installed implementations (a
/// function with nothing installed fails as `missing`). `seed` draws the random inputs.
pub fn run_unit_checks(module: u32, seed: u64) -> UnitReport {
    run_unit_checks_with(module, seed, &mut |_| {})
}

/// [`run_unit_checks`], calling `progress` after each check.
pub fn run_unit_checks_with(
    module: u32,
    seed: u64,
    progress: &mut dyn FnMut(&UnitResult),
) -> UnitReport {
    let started = crate::clock::now_ms();
    let saved = crate::rng::snapshot();
    let installed = slots::installed();
    let mut results = Vec::new();
    for c in checks_of(module, seed) {
        let r = if installed.contains(&c.slot) {
            c.run()
        } else {
            UnitResult::missing(&c)
        };
        progress(&r);
        results.push(r);
    }
    crate::rng::restore(saved);
    let functions = summarise(module, &results);
    UnitReport {
        module,
        seed,
        passed: !results.is_empty() && results.iter().all(|r| r.status == CheckStatus::Pass),
        functions,
        checks: results,
        duration_ms: crate::clock::now_ms() - started,
    }
}

fn summarise(module: u32, results: &[UnitResult]) -> Vec<FunctionSummary> {
    Slot::of_module(module)
        .into_iter()
        .map(|slot| {
            let mine: Vec<&UnitResult> = results
                .iter()
                .filter(|r| r.function == slot.js_name())
                .collect();
            let passed = mine
                .iter()
                .filter(|r| r.status == CheckStatus::Pass)
                .count();
            let status = if mine.is_empty() {
                CheckStatus::Missing
            } else if passed == mine.len() {
                CheckStatus::Pass
            } else if mine.iter().all(|r| r.status == CheckStatus::Missing) {
                CheckStatus::Missing
            } else if mine.iter().any(|r| r.status == CheckStatus::Todo) {
                CheckStatus::Todo
            } else {
                CheckStatus::Fail
            };
            FunctionSummary {
                name: slot.js_name(),
                status,
                passed,
                total: mine.len(),
            }
        })
        .collect()
}
