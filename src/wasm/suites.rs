//! Suites and gradient checks for JavaScript: `listSuites`, `runSuite`, `gradcheck`.

use super::args::{self, opt_bool, opt_fn, opt_num, opt_str};
use super::handles::{layer_from_js, tensor_from_js};
use super::{js_err, js_err_in};
use crate::gradcheck::{gradcheck as core_gradcheck, GradcheckOptions};
use crate::nn::loss::Loss;
use crate::nn::FaultKind;
use crate::suites::{self, FaultSpec, SuiteOptions};
use wasm_bindgen::prelude::*;

/// Every integration suite: `[{ name, category, modules, description }]`.
#[wasm_bindgen(js_name = listSuites)]
pub fn list_suites() -> Result<JsValue, JsError> {
    args::to_js(&suites::list_suites())
}

/// Runs one suite and returns its report (the same JSON a native run prints).
///
/// Options: `{ seed = 0, fault: { layer, kind }, quick = false, onCase(done, total, caseReport) }`;
/// `quick` runs every case's cheap form (smaller models, fewer steps; the smoke tests); `fault`
/// plants "detach" | "zero_grad" | "flip_sign" | "scale_grad" in layer `layer` of every model
/// the suite builds, so the report shows what that failure looks like. If no model of the
/// suite has that layer, the report gets a failing case `fault_planted` saying so.
#[wasm_bindgen(js_name = runSuite)]
pub fn run_suite(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunSuiteOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "runSuite";
    let name = args::string(op, "name", &name)?;
    let name = name.as_str();
    args::options(op, &options)?;
    let seed = args::seed(&options, op)?;
    let fault_v = args::get(&options, "fault");
    let fault = if fault_v.is_undefined() || fault_v.is_null() {
        None
    } else {
        let layer = args::count(
            op,
            "fault.layer",
            opt_num(&fault_v, op, "layer")?.unwrap_or(f64::NAN),
            1e6,
        )?;
        let kind = opt_str(&fault_v, op, "kind")?
            .ok_or_else(|| js_err("runSuite: fault.kind is required"))?;
        Some(FaultSpec {
            layer,
            kind: FaultKind::parse(&kind).map_err(|e| js_err_in(op, e))?,
        })
    };
    let quick = opt_bool(&options, op, "quick")?.unwrap_or(false);
    let on_case = opt_fn(&options, op, "onCase")?;
    let total = suites::list_suites()
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.cases)
        .unwrap_or(0);
    let mut progress = |done: usize, case: &suites::CaseReport| {
        if let Some(f) = &on_case {
            let c = args::to_js(case).unwrap_or(JsValue::UNDEFINED);
            // A throwing callback must not abort the suite; the report is what matters.
            let _ = f.call3(
                &JsValue::NULL,
                &JsValue::from(done as f64),
                &JsValue::from(total as f64),
                &c,
            );
        }
    };
    let report = suites::run_suite_with(
        name,
        &SuiteOptions {
            quick,
            ..SuiteOptions::new(seed, fault)
        },
        &mut progress,
    )
    .map_err(|e| js_err_in(op, e))?;
    args::to_js(&report)
}

/// Checks every layer's gradients against central differences and names the layer where
/// the chain goes wrong. Returns `{ passed, culprit, summary, layers: [...], rows: [...] }`.
///
/// Options: `{ loss = "mse", eps = 3e-4, tolerance = 0.05, maxElements = 24, seed = 0,
/// inputGrad = true }`.
#[wasm_bindgen]
pub fn gradcheck(
    model: JsValue,
    x: JsValue,
    target: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "GradcheckOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "gradcheck";
    args::options(op, &options)?;
    let layer = layer_from_js(op, "model", &model)?;
    let x = tensor_from_js(op, "x", &x)?;
    let target = tensor_from_js(op, "target", &target)?;
    let loss = Loss::parse(&opt_str(&options, op, "loss")?.unwrap_or_else(|| "mse".into()))
        .map_err(js_err)?;
    let d = GradcheckOptions::default();
    let eps = args::opt_finite(&options, op, "eps", d.eps as f64)?;
    let tolerance = args::opt_finite(&options, op, "tolerance", d.tolerance as f64)?;
    if !(eps > 0.0 && tolerance > 0.0) {
        return Err(js_err("gradcheck: eps and tolerance must be > 0"));
    }
    let opts = GradcheckOptions {
        eps,
        tolerance,
        max_elements: args::opt_positive(&options, op, "maxElements", 24.0, 1e6)?,
        seed: args::seed(&options, op)?,
        input_grad: opt_bool(&options, op, "inputGrad")?.unwrap_or(true),
    };
    let report = core_gradcheck(&*layer, &x, &target, loss, &opts).map_err(|e| js_err_in(op, e))?;
    args::to_js(&report)
}
