//! Modules 17, 19 and 20 for JavaScript: KV-cache timing, model comparison and the Pareto
//! front, and the capstone run with its submission schema and validator.

use super::args::{self, opt_fn, opt_str};
use super::handles::{layer_from_js, tensor_from_js};
use super::tensor::JsTensor;
use super::{js_err, js_err_in};
use crate::nn::{GenerateOptions, Layer, Module};
use js_sys::Array;
use wasm_bindgen::prelude::*;

/// Generation time with and without the KV cache for each length:
/// `kvCacheTiming(gpt, { lengths = [16, 64, 128], prompt = [1] })` →
/// `[{ tokens, uncachedMs, cachedMs, speedup, same }]` (greedy; `same`: identical outputs).
#[wasm_bindgen(js_name = kvCacheTiming, unchecked_return_type = "KvCacheTimingRow[]")]
pub fn kv_cache_timing(
    gpt: &super::transformer::JsGPT,
    #[wasm_bindgen(unchecked_optional_param_type = "KvCacheTimingOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "kvCacheTiming";
    args::options(op, &options)?;
    let lengths_v = args::get(&options, "lengths");
    let lengths = if lengths_v.is_undefined() {
        vec![16, 64, 128]
    } else {
        args::shape(op, &lengths_v)?
    };
    let prompt_v = args::get(&options, "prompt");
    let prompt = if prompt_v.is_undefined() {
        vec![1]
    } else {
        super::text::ids_from_js(op, &prompt_v)?
    };
    let g = gpt.model();
    let greedy = |n| GenerateOptions {
        max_new_tokens: n,
        temperature: 0.0,
        top_k: None,
        seed: 0,
        stop: None,
    };
    // Warm-up: the first calls pay for memory growth and cold caches, which would be charged
    // to whichever path ran first and skew the ratio.
    g.generate(&prompt, &greedy(4), &mut |_| true)
        .and_then(|_| g.generate_cached(&prompt, &greedy(4), &mut |_, _| true))
        .map_err(|e| js_err_in(op, e))?;
    let mut rows = Vec::new();
    for n in lengths {
        let opts = greedy(n);
        let t0 = crate::clock::now_ms();
        let a = g
            .generate(&prompt, &opts, &mut |_| true)
            .map_err(|e| js_err_in(op, e))?;
        let t1 = crate::clock::now_ms();
        let b = g
            .generate_cached(&prompt, &opts, &mut |_, _| true)
            .map_err(|e| js_err_in(op, e))?;
        let t2 = crate::clock::now_ms();
        rows.push(serde_json::json!({ "tokens": n, "uncachedMs": t1 - t0, "cachedMs": t2 - t1, "speedup": (t1 - t0) / (t2 - t1).max(1e-3), "same": a == b }));
    }
    args::to_js(&rows)
}

/// Measures each model on labelled data: `compareModels([{ name, model }], x, y, { runs = 10 })`
/// → `[{ name, params, bytes, latency_ms: stats, accuracy }]`; accuracy is measured, never
/// invented (null without labels).
#[wasm_bindgen(js_name = compareModels)]
pub fn compare_models(
    models: JsValue,
    x: &JsTensor,
    y: JsValue,
    options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "compareModels";
    args::options(op, &options)?;
    let runs = args::opt_positive(&options, op, "runs", 10.0, 1000.0)?;
    let list: Vec<(String, Layer)> = Array::from(&models)
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let name = args::get(&e, "name")
                .as_string()
                .unwrap_or_else(|| format!("model {i}"));
            Ok((
                name,
                layer_from_js(op, &format!("models[{i}].model"), &args::get(&e, "model"))?,
            ))
        })
        .collect::<Result<_, JsError>>()?;
    let labels = if y.is_undefined() || y.is_null() {
        None
    } else {
        Some(tensor_from_js(op, "y", &y)?)
    };
    let refs: Vec<(&str, &dyn Module)> = list
        .iter()
        .map(|(n, m)| (n.as_str(), &**m as &dyn Module))
        .collect();
    let rows = crate::bench::compare_models(&refs, x.inner(), labels.as_ref(), runs)
        .map_err(|e| js_err_in(op, e))?;
    args::to_js(&rows)
}

/// Indices of the Pareto-optimal `[cost, value]` points (lower cost, higher value).
#[wasm_bindgen(js_name = paretoFront)]
pub fn pareto_front(points: JsValue) -> Result<Vec<u32>, JsError> {
    let pts: Vec<(f64, f64)> = Array::from(&points)
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let a = Array::from(&p);
            match (a.get(0).as_f64(), a.get(1).as_f64()) {
                (Some(c), Some(v)) => Ok((c, v)),
                _ => Err(js_err(format!(
                    "paretoFront: points[{i}] must be [cost, value]"
                ))),
            }
        })
        .collect::<Result<_, JsError>>()?;
    Ok(crate::bench::pareto_front(&pts)
        .into_iter()
        .map(|i| i as u32)
        .collect())
}

/// Runs the capstone (distil, prune, int8-quantize a digits model, measure both):
/// `runCapstone({ seed = 0, student, build, onStage(text) })` → the submission object.
#[wasm_bindgen(js_name = runCapstone)]
pub fn run_capstone(options: JsValue) -> Result<JsValue, JsError> {
    let op = "runCapstone";
    args::options(op, &options)?;
    let seed = args::seed(&options, op)?;
    let student = opt_str(&options, op, "student")?;
    let build = opt_str(&options, op, "build")?.unwrap_or_else(|| {
        if cfg!(target_feature = "relaxed-simd") {
            "relaxed".into()
        } else {
            "simd".into()
        }
    });
    let on_stage = opt_fn(&options, op, "onStage")?;
    let mut thrown = None;
    let report = crate::capstone::run_capstone(seed, student.as_deref(), &build, &mut |s| {
        // Stages cannot stop the run; the first throw is reported once the run ends.
        if let (Some(f), None) = (&on_stage, &thrown) {
            if let Err(e) = f.call1(&JsValue::NULL, &JsValue::from_str(s)) {
                thrown = Some(e);
            }
        }
    })
    .map_err(|e| js_err_in(op, e))?;
    if let Some(e) = thrown {
        return Err(super::callback_threw(op, "onStage", &e));
    }
    args::to_js(&report)
}

/// Every problem with a capstone submission (an empty array when it is valid).
#[wasm_bindgen(js_name = validateSubmission)]
pub fn validate_submission(submission: JsValue) -> Result<Vec<String>, JsError> {
    let text = js_sys::JSON::stringify(&submission)
        .map_err(|_| js_err("validateSubmission: not JSON-serialisable"))?;
    let v: serde_json::Value = serde_json::from_str(&String::from(text)).map_err(js_err)?;
    Ok(crate::capstone::validate(&v))
}

/// The JSON Schema of a capstone submission.
#[wasm_bindgen(js_name = capstoneSchema)]
pub fn capstone_schema() -> Result<JsValue, JsError> {
    args::to_js(&crate::capstone::schema())
}
