//! Modules 17, 19 and 20 for JavaScript: KV-cache timing, model comparison and the Pareto
//! front, and the capstone run with its submission schema and validator.

use super::args;
use super::handles::{layer_from_js, tensor_from_js};
use super::options::{self, callback};
use super::tensor::JsTensor;
use super::{js_err, js_err_in};
use crate::bench::time_ms;
use crate::nn::{GenerateOptions, Layer, Module};
use js_sys::{Array, Function};
use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// Options of `kvCacheTiming(gpt, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KvCacheTimingOptions {
    /// New tokens to generate, one row each (default [16, 64, 128]; each 1 to 10^5).
    #[tsify(optional)]
    pub lengths: Option<Vec<f64>>,
    /// The prompt's ids (default [1]).
    #[tsify(optional)]
    pub prompt: Option<Vec<f64>>,
    /// Timed rounds per path and length, each at least 10 ms (default 3, 1 to 1000).
    #[tsify(optional)]
    pub runs: Option<f64>,
}

/// One row of `kvCacheTiming`: medians over the rounds, in milliseconds per generation.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct KvCacheTimingRow {
    pub tokens: usize,
    pub uncached_ms: f64,
    pub cached_ms: f64,
    /// `uncachedMs / cachedMs`.
    pub speedup: f64,
    /// Whether both paths generated the same tokens.
    pub same: bool,
    /// Timed rounds behind each median.
    pub runs: usize,
}

/// Greedy generation time with and without the KV cache for each length, timed by the lab's
/// one timing function (warm-up, rounds of at least 10 ms, median).
///
/// ```js
/// kvCacheTiming(gpt, { lengths: [64], runs: 5 })[0].speedup;   // > 1: the cache is faster
/// ```
#[wasm_bindgen(js_name = kvCacheTiming, unchecked_return_type = "KvCacheTimingRow[]")]
pub fn kv_cache_timing(
    gpt: &super::transformer::JsGPT,
    #[wasm_bindgen(unchecked_optional_param_type = "KvCacheTimingOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "kvCacheTiming";
    let o: KvCacheTimingOptions = options::parse(op, &options)?;
    let lengths = match &o.lengths {
        Some(l) => args::whole_numbers(op, "lengths", l, 1.0, 1e5)?,
        None => vec![16, 64, 128],
    };
    let prompt = match &o.prompt {
        Some(p) => args::whole_numbers(op, "prompt", p, 0.0, 1e7)?,
        None => vec![1],
    };
    let runs = args::positive(op, "runs", o.runs.unwrap_or(3.0), 1000.0)?;
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
        let a = g
            .generate(&prompt, &opts, &mut |_| true)
            .map_err(|e| js_err_in(op, e))?;
        let b = g
            .generate_cached(&prompt, &opts, &mut |_, _| true)
            .map_err(|e| js_err_in(op, e))?;
        let uncached = time_ms(0, runs, 10.0, &mut || {
            g.generate(&prompt, &opts, &mut |_| true).map(drop)
        })
        .map_err(|e| js_err_in(op, e))?;
        let cached = time_ms(0, runs, 10.0, &mut || {
            g.generate_cached(&prompt, &opts, &mut |_, _| true)
                .map(drop)
        })
        .map_err(|e| js_err_in(op, e))?;
        rows.push(KvCacheTimingRow {
            tokens: n,
            uncached_ms: uncached.median,
            cached_ms: cached.median,
            speedup: uncached.median / cached.median.max(1e-6),
            same: a == b,
            runs,
        });
    }
    args::to_js(&rows)
}

/// A model to compare: `{ name, model }`.
#[derive(Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ModelSpec {
    /// Its name in the result (default "model i").
    #[tsify(optional)]
    pub name: Option<String>,
    #[serde(deserialize_with = "options::js_value")]
    #[tsify(type = "Sequential")]
    pub model: JsValue,
}

/// Options of `compareModels(models, x, y, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CompareModelsOptions {
    /// Timed rounds of batch-1 latency per model (default 10, 1 to 1000).
    #[tsify(optional)]
    pub runs: Option<f64>,
}

/// Measures each model on labelled data: parameters, bytes, batch-1 latency (median and 95 %
/// CI) and accuracy, which is measured, never invented (null without labels).
///
/// ```js
/// compareModels([{ name: 'mlp', model }], testImages, testLabels, { runs: 5 })[0].accuracy;
/// ```
#[wasm_bindgen(js_name = compareModels, unchecked_return_type = "ModelEntry[]")]
pub fn compare_models(
    #[wasm_bindgen(unchecked_param_type = "ModelSpec[]")] models: JsValue,
    x: &JsTensor,
    #[wasm_bindgen(unchecked_param_type = "Tensor | undefined")] y: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CompareModelsOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "compareModels";
    let o: CompareModelsOptions = options::parse(op, &options)?;
    let runs = args::positive(op, "runs", o.runs.unwrap_or(10.0), 1000.0)?;
    if !Array::is_array(&models) {
        return Err(js_err(format!(
            "{op}: models must be an array of {{ name, model }}, got {}",
            args::kind(&models)
        )));
    }
    let list: Vec<(String, Layer)> = Array::from(&models)
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let what = format!("models[{i}]");
            let spec: ModelSpec = options::parse_arg(op, &what, &e)?;
            let name = spec.name.unwrap_or_else(|| format!("model {i}"));
            Ok((
                name,
                layer_from_js(op, &format!("{what}.model"), &spec.model)?,
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

/// Options of `runCapstone(options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RunCapstoneOptions {
    /// Seed of the data split and every model (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// The student's name, written into the submission.
    #[tsify(optional)]
    pub student: Option<String>,
    /// The build that ran it, for the submission (default this one: "simd" or "relaxed").
    #[tsify(optional)]
    pub build: Option<String>,
    /// Called with each stage's description as it starts.
    #[serde(default, deserialize_with = "callback")]
    #[tsify(optional, type = "(stage: string) => void")]
    pub on_stage: Option<Function>,
}

/// Runs the capstone (distil, prune, int8-quantize a digits model, measure both) and returns
/// the submission object.
///
/// ```js
/// const submission = runCapstone({ seed: 0, onStage: (s) => console.log(s) });
/// validateSubmission(submission);   // []
/// ```
#[wasm_bindgen(js_name = runCapstone)]
pub fn run_capstone(
    #[wasm_bindgen(unchecked_optional_param_type = "RunCapstoneOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "runCapstone";
    let o: RunCapstoneOptions = options::parse(op, &options)?;
    let seed = args::seed_value(op, o.seed)?;
    let build = o.build.unwrap_or_else(|| {
        if cfg!(target_feature = "relaxed-simd") {
            "relaxed".into()
        } else {
            "simd".into()
        }
    });
    let (student, on_stage) = (o.student, o.on_stage);
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
