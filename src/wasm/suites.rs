//! Suites and gradient checks for JavaScript: `listSuites`, `runSuite`, `runSuites` (the
//! choice of suites and the loop over them, for the pages' worker) and `gradcheck`.

use super::args;
use super::handles::{layer_from_js, tensor_from_js};
use super::options::{self, callback};
use super::{js_err, js_err_in};
use crate::gradcheck::{self as gc, gradcheck as core_gradcheck};
use crate::nn::loss::Loss;
use crate::nn::FaultKind;
use crate::suites::{self, CaseReport, SuiteOptions, SuiteReport};
use js_sys::Function;
use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// A fault to plant: `{ layer: 3, kind: "flip_sign" }`.
#[derive(Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultOption {
    /// The layer's index in check order (`model.layers()`).
    pub layer: f64,
    pub kind: FaultKind,
}

/// Options of `runSuite(name, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RunSuiteOptions {
    /// Seed of every random draw in the suite: a whole number from 0 to 2^53 − 1 (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// Plants this fault in every model the suite builds, so the report shows what that
    /// failure looks like. If no model has the layer, a failing case `fault_planted` says so.
    #[serde(default, deserialize_with = "options::object")]
    #[tsify(optional)]
    pub fault: Option<FaultOption>,
    /// Runs every case's cheap form: smaller models, fewer steps (the smoke tests; default false).
    #[tsify(optional)]
    pub quick: Option<bool>,
    /// Called after each case; a throw is ignored (the report is what counts).
    #[serde(default, deserialize_with = "callback")]
    #[tsify(
        optional,
        type = "(done: number, total: number, caseReport: unknown) => void"
    )]
    pub on_case: Option<Function>,
}

/// Options of `runSuites(options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RunSuitesOptions {
    /// The suites to run (run in catalogue order); default every suite, or those of `module`.
    #[tsify(optional)]
    pub names: Option<Vec<String>>,
    /// Runs the suites whose modules include this course module (not with `names`).
    #[tsify(optional)]
    pub module: Option<f64>,
    /// As in `runSuite`.
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// As in `runSuite`.
    #[serde(default, deserialize_with = "options::object")]
    #[tsify(optional)]
    pub fault: Option<FaultOption>,
    /// As in `runSuite`.
    #[tsify(optional)]
    pub quick: Option<bool>,
    /// Called as each suite starts and when it is done; a throw is ignored.
    #[serde(default, deserialize_with = "callback")]
    #[tsify(optional, type = "(event: SuiteEvent) => void")]
    pub on_suite: Option<Function>,
    /// Called after each case of each suite; a throw is ignored.
    #[serde(default, deserialize_with = "callback")]
    #[tsify(
        optional,
        type = "(done: number, total: number, caseReport: unknown, suite: string) => void"
    )]
    pub on_case: Option<Function>,
}

/// What `runSuites` tells `onSuite`: a suite starts (`passed` absent) or is done.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SuiteEvent {
    pub kind: SuiteEventKind,
    pub suite: String,
    /// Position among the suites of this run, from 0.
    pub index: usize,
    pub total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub passed: Option<bool>,
}

/// Whether a [`SuiteEvent`] opens or closes a suite.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "snake_case")]
pub enum SuiteEventKind {
    Start,
    Done,
}

/// Every integration suite: `[{ name, category, modules, description, cases, fast }]`.
#[wasm_bindgen(js_name = listSuites)]
pub fn list_suites() -> Result<JsValue, JsError> {
    args::to_js(&suites::list_suites())
}

/// The seed, fault and quick flag of a run, checked.
fn suite_options(
    op: &str,
    seed: Option<f64>,
    fault: Option<FaultOption>,
    quick: Option<bool>,
) -> Result<SuiteOptions, JsError> {
    let fault = match fault {
        Some(f) => Some(suites::FaultSpec {
            layer: args::count(op, "fault.layer", f.layer, 1e6)?,
            kind: f.kind,
        }),
        None => None,
    };
    Ok(SuiteOptions {
        quick: quick.unwrap_or(false),
        ..SuiteOptions::new(args::seed_value(op, seed)?, fault)
    })
}

/// Runs suite `name`, calling `on_case(done, total, case)` after each case (a throw is ignored).
fn run_one(
    op: &str,
    name: &str,
    opts: &SuiteOptions,
    on_case: &dyn Fn(usize, usize, &CaseReport),
) -> Result<SuiteReport, JsError> {
    let total = suites::list_suites()
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.cases)
        .unwrap_or(0);
    suites::run_suite_with(name, opts, &mut |done, case| on_case(done, total, case))
        .map_err(|e| js_err_in(op, e))
}

/// Calls `f` with `args`, ignoring a throw: progress callbacks must not abort a run.
fn notify(f: &Option<Function>, args: &[JsValue]) {
    if let Some(f) = f {
        let _ = f.apply(&JsValue::NULL, &args.iter().collect());
    }
}

/// Runs one suite and returns its report (the same JSON a native run prints).
///
/// ```js
/// runSuite('xor', { seed: 1 }).passed;                                   // true
/// runSuite('xor', { fault: { layer: 0, kind: 'flip_sign' } }).cases;     // a case names layer 0
/// ```
#[wasm_bindgen(js_name = runSuite)]
pub fn run_suite(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunSuiteOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "runSuite";
    let name = args::string(op, "name", &name)?;
    let o: RunSuiteOptions = options::parse(op, &options)?;
    let opts = suite_options(op, o.seed, o.fault, o.quick)?;
    let report = run_one(op, &name, &opts, &|done, total, case| {
        let case = args::to_js(case).unwrap_or(JsValue::UNDEFINED);
        notify(
            &o.on_case,
            &[(done as f64).into(), (total as f64).into(), case],
        );
    })?;
    args::to_js(&report)
}

/// Runs several suites, one after another, and returns their reports: the named ones, those
/// of one course module, or all. `onSuite` hears each start and end, `onCase` each case.
///
/// ```js
/// const reports = runSuites({ module: 5, quick: true, onSuite: (e) => console.log(e.kind, e.suite) });
/// reports.every((r) => r.passed);
/// ```
#[wasm_bindgen(js_name = runSuites)]
pub fn run_suites(
    #[wasm_bindgen(unchecked_optional_param_type = "RunSuitesOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "runSuites";
    let o: RunSuitesOptions = options::parse(op, &options)?;
    let opts = suite_options(op, o.seed, o.fault, o.quick)?;
    let all = suites::list_suites();
    let chosen: Vec<&str> = match (&o.names, o.module) {
        (Some(_), Some(_)) => return Err(js_err(format!("{op}: give names or module, not both"))),
        (Some(names), None) => {
            if let Some(bad) = names
                .iter()
                .find(|n| !all.iter().any(|s| s.name == n.as_str()))
            {
                let known: Vec<&str> = all.iter().map(|s| s.name).collect();
                return Err(js_err(format!(
                    "{op}: no suite named '{bad}' (available: {})",
                    known.join(", ")
                )));
            }
            let names = names.as_slice();
            all.iter()
                .filter(|s| names.iter().any(|n| n == s.name))
                .map(|s| s.name)
                .collect()
        }
        (None, Some(m)) => {
            let m = args::count(op, "module", m, 1e6)? as u32;
            all.iter()
                .filter(|s| s.modules.contains(&m))
                .map(|s| s.name)
                .collect()
        }
        (None, None) => all.iter().map(|s| s.name).collect(),
    };
    let total = chosen.len();
    let event = |kind, suite: &str, index, passed| {
        let e = SuiteEvent {
            kind,
            suite: suite.to_string(),
            index,
            total,
            passed,
        };
        notify(
            &o.on_suite,
            &[args::to_js(&e).unwrap_or(JsValue::UNDEFINED)],
        );
    };
    let mut reports = Vec::with_capacity(total);
    for (index, name) in chosen.into_iter().enumerate() {
        event(SuiteEventKind::Start, name, index, None);
        let report = run_one(op, name, &opts, &|done, of, case| {
            let case = args::to_js(case).unwrap_or(JsValue::UNDEFINED);
            let args = [(done as f64).into(), (of as f64).into(), case, name.into()];
            notify(&o.on_case, &args);
        })?;
        event(SuiteEventKind::Done, name, index, Some(report.passed));
        reports.push(report);
    }
    args::to_js(&reports)
}

/// Options of `gradcheck(model, x, target, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GradcheckOptions {
    /// The loss between the model's output and `target` (default "mse").
    #[tsify(optional)]
    pub loss: Option<Loss>,
    /// Central-difference step (default 3e-4, > 0).
    #[tsify(optional)]
    pub eps: Option<f64>,
    /// Largest relative error that passes (default 0.05, > 0).
    #[tsify(optional)]
    pub tolerance: Option<f64>,
    /// Elements sampled per tensor (default 24, 1 to 10^6).
    #[tsify(optional)]
    pub max_elements: Option<f64>,
    /// Seed of the sampling (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// Whether each layer's input gradient is checked too (default true).
    #[tsify(optional)]
    pub input_grad: Option<bool>,
}

/// Checks every layer's gradients against central differences and names the layer where
/// the chain goes wrong. Returns `{ passed, culprit, summary, layers: [...], rows: [...] }`.
///
/// ```js
/// model.injectFault(1, 'flip_sign');
/// gradcheck(model, x, y, { loss: 'mse' }).culprit;   // 1
/// ```
#[wasm_bindgen]
pub fn gradcheck(
    model: JsValue,
    x: JsValue,
    target: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "GradcheckOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "gradcheck";
    let o: GradcheckOptions = options::parse(op, &options)?;
    let layer = layer_from_js(op, "model", &model)?;
    let x = tensor_from_js(op, "x", &x)?;
    let target = tensor_from_js(op, "target", &target)?;
    let d = gc::GradcheckOptions::default();
    let eps = args::finite(op, "eps", o.eps.unwrap_or(d.eps as f64))?;
    let tolerance = args::finite(op, "tolerance", o.tolerance.unwrap_or(d.tolerance as f64))?;
    if !(eps > 0.0 && tolerance > 0.0) {
        return Err(js_err("gradcheck: eps and tolerance must be > 0"));
    }
    let opts = gc::GradcheckOptions {
        eps,
        tolerance,
        max_elements: args::positive(op, "maxElements", o.max_elements.unwrap_or(24.0), 1e6)?,
        seed: args::seed_value(op, o.seed)?,
        input_grad: o.input_grad.unwrap_or(true),
    };
    let loss = o.loss.unwrap_or(Loss::Mse);
    let report = core_gradcheck(&*layer, &x, &target, loss, &opts).map_err(|e| js_err_in(op, e))?;
    args::to_js(&report)
}
