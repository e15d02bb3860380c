//! `api_compatibility` (modules 01–20, the seed's `test_api_simplification_integration.py`):
//! one case per course module exercises the public Rust API the way the course teaches it and
//! fails when a documented name, signature, default or behaviour drifts.
//!
//! The documented values live in one table per file ([`Documented`]: the item, what about
//! it, the value, where it is documented); checks read them from there, so the message of a
//! failure names the item, the documented value and what the code gave, and a test can plant a
//! changed value to show the suite notices. Where our API deliberately differs from the
//! reference's (curriculum.md lists the reference's bugs), the table holds *our* documented
//! value and a `NOTE:` says so. Two cases build a model the way the course does (an MLP with
//! `Sequential`, a CNN) and run the per-layer gradient check on it, so a planted fault fails
//! the suite and names its layer.

mod docs;
mod language;
mod layers;
mod learning;
mod performance;
mod spatial;
mod systems;
mod tensors;
mod training;

use super::ctx::{CaseResult, Ctx};
use super::report::{CaseReport, SuiteReport};
use super::SuiteOptions;
use crate::error::{Error, Result};
use crate::nn::loss::Loss;
use crate::nn::Module;
use crate::tensor::Tensor;
pub use docs::{Docs, Documented, Value};

/// Every documented value the suite checks: the tables of all its files, in module order.
pub fn documented() -> Docs {
    let tables = [
        tensors::table(),
        layers::table(),
        learning::table(),
        training::table(),
        spatial::table(),
        language::table(),
        systems::table(),
        performance::table(),
    ];
    Docs::new(tables.into_iter().flatten().collect())
}

/// What a case body works with: the suite's context and the case's report.
pub(super) struct Step<'s, 'a> {
    pub ctx: &'s mut Ctx<'a>,
    pub c: &'s mut CaseReport,
}

impl Step<'_, '_> {
    /// Plants the suite's fault in `model` and runs the per-layer gradient check on it: the
    /// case fails, naming the layer, unless every layer's gradient is right.
    pub fn check_layers(
        &mut self,
        model: &dyn Module,
        x: &Tensor,
        y: &Tensor,
        loss: Loss,
    ) -> CaseResult {
        self.ctx.prepare(model);
        self.ctx.check_layers(self.c, model, x, y, loss)
    }
}

/// The GPT of `GptConfig`'s documented example (vocab 20, width 16, 2 blocks of 2 heads,
/// context 8), which the language and memoization cases hold to their documented values.
pub(super) fn example_gpt() -> Result<crate::nn::GPT> {
    crate::nn::GPT::new(crate::nn::GptConfig {
        vocab: 20,
        dim: 16,
        layers: 2,
        heads: 2,
        max_len: 8,
        mlp_ratio: 4,
    })
}

/// Runs the cases of every file against one set of documented values.
pub(super) struct ApiCase<'s, 'a> {
    ctx: &'s mut Ctx<'a>,
    docs: &'s Docs,
    count: u64,
}

impl<'a> ApiCase<'_, 'a> {
    /// One case: `body` checks the code against `docs`. A passing case says which documented
    /// values it compared.
    pub fn case(
        &mut self,
        name: &str,
        description: &str,
        body: impl FnOnce(&mut Step<'_, 'a>, &Docs) -> CaseResult,
    ) {
        self.count += 1;
        let (docs, k) = (self.docs, self.count);
        self.ctx.case(name, description, |ctx, c| {
            ctx.reseed(k);
            docs.take_consulted();
            let outcome = body(&mut Step { ctx, c }, docs);
            let read = docs.take_consulted();
            c.metrics
                .insert("documented_values".into(), read.len() as f64);
            if outcome.is_ok() {
                let items: Vec<&str> =
                    read.iter()
                        .map(|&i| docs.entries[i].item)
                        .fold(Vec::new(), |mut v, it| {
                            if !v.contains(&it) {
                                v.push(it);
                            }
                            v
                        });
                c.message = format!(
                    "{} documented values agree ({})",
                    read.len(),
                    items.join(", ")
                );
            }
            outcome
        });
    }
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    run_with(ctx, &documented())
}

/// The suite as `run_suite("api_compatibility", opts)` runs it, but holding the code to the
/// documented values of `docs` instead of [`documented`]'s: the tests plant a changed value
/// (as if the documentation had drifted) and check that exactly the case reading it fails.
///
/// # Errors
/// As [`super::run_suite`].
///
/// # Example
/// ```
/// use tinytorch::suites::{api_compatibility::{documented, run_with_docs}, SuiteOptions};
/// let r = run_with_docs(&documented(), &SuiteOptions::new(0, None)).unwrap();
/// assert!(r.passed, "{}", r.summary());
/// ```
pub fn run_with_docs(docs: &Docs, opts: &SuiteOptions) -> Result<SuiteReport> {
    let entry = super::catalogue::catalogue()
        .into_iter()
        .find(|e| e.name == "api_compatibility")
        .ok_or_else(|| Error::Arg {
            op: "run_with_docs",
            msg: "api_compatibility is not in the catalogue".into(),
        })?;
    super::run_entry(&entry, opts, &mut |_, _| {}, |ctx| run_with(ctx, docs))
}

/// The suite with the documented values of `docs`.
fn run_with(ctx: &mut Ctx, docs: &Docs) -> Result<()> {
    let mut api = ApiCase {
        ctx,
        docs,
        count: 0,
    };
    tensors::run(&mut api);
    layers::run(&mut api);
    learning::run(&mut api);
    training::run(&mut api);
    spatial::run(&mut api);
    language::run(&mut api);
    systems::run(&mut api);
    performance::run(&mut api);
    Ok(())
}
