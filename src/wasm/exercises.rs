//! The exercise engine for JavaScript: `listSlots`, `useImplementation`,
//! `clearImplementations`, `activeImplementations`, `runUnitChecks` and `listExercises`. A
//! student's function put in a slot is called by the framework wherever that piece is computed;
//! its exceptions, wrong shapes, NaNs and odd return values become errors naming the slot, and
//! the instance keeps working.

use super::args;
use super::js_err;
use super::options::{self, callback};
use super::slots::{from_js, read_back, to_js, Made};
use crate::exercises::{self, UnitResult};
use crate::slots::{self, Slot, SlotFn, Value};
use js_sys::{Array, Function, Reflect};
use serde::Deserialize;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A JavaScript function in a slot.
struct JsSlot {
    f: Function,
}

/// An exception in words: `Name: message`, plus the student's line and column when the worker
/// annotated it (`error.line`, `error.column`).
fn threw(e: &JsValue) -> String {
    let base = match e.dyn_ref::<js_sys::Error>() {
        Some(err) => {
            let name = String::from(err.name());
            let msg = String::from(err.message());
            if name.is_empty() {
                msg
            } else {
                format!("{name}: {msg}")
            }
        }
        None => e
            .as_string()
            .unwrap_or_else(|| format!("a thrown {}", super::slots::kind(e))),
    };
    let num = |k: &str| Reflect::get(e, &k.into()).ok().and_then(|v| v.as_f64());
    match (
        e.is_object().then(|| num("line")).flatten(),
        e.is_object().then(|| num("column")).flatten(),
    ) {
        (Some(l), Some(c)) => format!("{base} (line {l}:{c})"),
        (Some(l), None) => format!("{base} (line {l})"),
        _ => base,
    }
}

impl SlotFn for JsSlot {
    fn call(&self, args: &mut [Value]) -> Result<Value, String> {
        let mut made = Made::default();
        let mut readback = Vec::new();
        let js: Vec<JsValue> = args
            .iter()
            .map(|v| to_js(v, &mut made, &mut readback, false))
            .collect();
        let this = JsValue::NULL;
        // Direct calls for the usual 1–3 arguments: no arguments array to build.
        let out = match js.as_slice() {
            [a] => self.f.call1(&this, a),
            [a, b] => self.f.call2(&this, a, b),
            [a, b, c] => self.f.call3(&this, a, b, c),
            _ => self.f.apply(&this, &js.iter().collect::<Array>()),
        }
        .map_err(|e| threw(&e))?;
        read_back(args, &readback);
        Ok(from_js(&out, 0))
    }
}

/// Every slot a student can fill: `[{ name, module, signature, contract, usedBy }]`.
#[wasm_bindgen(js_name = listSlots)]
pub fn list_slots() -> Result<JsValue, JsError> {
    let list: Vec<serde_json::Value> = Slot::ALL
        .iter()
        .map(|s| {
            let i = s.info();
            serde_json::json!({
                "name": i.name, "module": i.module, "signature": i.signature,
                "contract": i.contract, "usedBy": i.used_by,
                "active": slots::installed().contains(s),
            })
        })
        .collect();
    args::to_js(&list)
}

/// The modules with exercises: `[{ module, functions: [name], suites: [suite names] }]` — the
/// suites that run with the student's code in place are those whose modules include it.
#[wasm_bindgen(js_name = listExercises)]
pub fn list_exercises() -> Result<JsValue, JsError> {
    let suites = crate::suites::list_suites();
    let list: Vec<serde_json::Value> = exercises::MODULES
        .map(|m| {
            serde_json::json!({
                "module": m,
                "functions": Slot::of_module(m).iter().map(|s| s.js_name()).collect::<Vec<_>>(),
                "suites": suites.iter().filter(|s| s.modules.contains(&m)).map(|s| s.name).collect::<Vec<_>>(),
            })
        })
        .collect();
    args::to_js(&list)
}

/// Puts `fn` in the slot called `name` (see `listSlots`): from now on the framework computes
/// that piece with it, in every model, suite and check, until `clearImplementations()`.
///
/// ```js
/// useImplementation('relu', (x) => ({ data: x.data.map((v) => Math.max(0, v)), shape: x.shape }));
/// runSuite('gradient_flow');   // the ReLU layers now run this function
/// ```
#[wasm_bindgen(js_name = useImplementation)]
pub fn use_implementation(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Function")] f: JsValue,
) -> Result<(), JsError> {
    let op = "useImplementation";
    let name = args::string(op, "name", &name)?;
    let Some(slot) = Slot::parse(&name) else {
        let names: Vec<&str> = Slot::ALL.iter().map(|s| s.js_name()).collect();
        return Err(js_err(format!(
            "{op}: no slot named '{name}' (slots: {})",
            names.join(", ")
        )));
    };
    let Some(f) = f.dyn_ref::<Function>() else {
        return Err(js_err(format!(
            "{op}: the implementation of '{name}' must be a function, got {}",
            args::kind(&f)
        )));
    };
    slots::install(slot, Rc::new(JsSlot { f: f.clone() }));
    Ok(())
}

/// Gives one slot (or, without a name, every slot) back to the lab's own implementation.
#[wasm_bindgen(js_name = clearImplementations)]
pub fn clear_implementations(
    #[wasm_bindgen(unchecked_optional_param_type = "string")] name: JsValue,
) -> Result<(), JsError> {
    if name.is_undefined() || name.is_null() {
        slots::clear();
        return Ok(());
    }
    let name = args::string("clearImplementations", "name", &name)?;
    let slot = Slot::parse(&name)
        .ok_or_else(|| js_err(format!("clearImplementations: no slot named '{name}'")))?;
    slots::remove(slot);
    Ok(())
}

/// The names of the slots that hold an implementation now.
#[wasm_bindgen(js_name = activeImplementations)]
pub fn active_implementations() -> Array {
    slots::installed()
        .iter()
        .map(|s| JsValue::from(s.js_name()))
        .collect()
}

/// Options of `runUnitChecks(module, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RunUnitChecksOptions {
    /// Seed of the random inputs (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// Called with each check's result as it finishes; a throw is ignored.
    #[serde(default, deserialize_with = "callback")]
    #[tsify(optional, type = "(result: unknown) => void")]
    pub on_check: Option<Function>,
}

/// Runs the unit checks of course module `module` (1–9) on the installed implementations and
/// returns `{ module, seed, passed, functions: [{ name, status, passed, total }], checks: [...] }`;
/// each check has `status` (pass | fail | todo | missing), `message`, and for tensors `expected`,
/// `got`, `differs` (flat indices) and `first` ({ index, expected, got }).
///
/// ```js
/// useImplementation('relu', (x) => ({ data: x.data.map((v) => Math.max(0, v)), shape: x.shape }));
/// runUnitChecks(2, { seed: 1 }).functions;   // [{ name: 'relu', status: 'pass', … }, …]
/// ```
#[wasm_bindgen(js_name = runUnitChecks)]
pub fn run_unit_checks(
    module: f64,
    #[wasm_bindgen(unchecked_optional_param_type = "RunUnitChecksOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "runUnitChecks";
    let o: RunUnitChecksOptions = options::parse(op, &options)?;
    let m = args::count(op, "module", module, 1e6)? as u32;
    if !exercises::MODULES.contains(&m) {
        return Err(js_err(format!(
            "{op}: module {m} has no exercise (modules 1 to 9 do)"
        )));
    }
    let seed = args::seed_value(op, o.seed)?;
    let on_check = o.on_check;
    let mut progress = |r: &UnitResult| {
        if let Some(f) = &on_check {
            let v = args::to_js(r).unwrap_or(JsValue::UNDEFINED);
            let _ = f.call1(&JsValue::NULL, &v);
        }
    };
    let report = exercises::run_unit_checks_with(m, seed, &mut progress);
    args::to_js(&report)
}

/// Checks a progress file's text (as exported) and returns it normalised: every field is
/// checked against the schema, and an older version is upgraded. Throws an Error that says
/// what is wrong; nothing in the file is run or shown as HTML.
#[wasm_bindgen(js_name = parseProgress)]
pub fn parse_progress(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsValue, JsError> {
    let text = args::string("parseProgress", "text", &text)?;
    let p = crate::exercises::progress::parse_progress(&text)
        .map_err(|e| super::js_err_in("importProgress", e))?;
    args::to_js(&p)
}
