//! Reading JS arguments safely: numbers that must be counts, shapes, strings, and serde values
//! handed back as plain JS objects. Option objects are read in `options.rs`.

use super::js_err;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

/// Largest tensor the JS API will allocate (2^27 values = 512 MiB of f32): above this an
/// allocation would abort the instance instead of failing politely.
pub const MAX_ELEMENTS: usize = 1 << 27;

/// A whole number in `[0, max]`.
pub fn count(op: &str, what: &str, v: f64, max: f64) -> Result<usize, JsError> {
    if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= max) {
        return Err(js_err(format!(
            "{op}: {what} must be a whole number in [0, {max}], got {v}"
        )));
    }
    Ok(v as usize)
}

/// A whole number in `[1, max]`.
pub fn positive(op: &str, what: &str, v: f64, max: f64) -> Result<usize, JsError> {
    let n = count(op, what, v, max)?;
    if n == 0 {
        return Err(js_err(format!("{op}: {what} must be at least 1, got 0")));
    }
    Ok(n)
}

/// Largest seed: 2^53 - 1, the largest whole number a JS number holds exactly (above it two
/// different seeds typed by a user could name the same f64).
const MAX_SEED: f64 = 9_007_199_254_740_991.0;

/// A seed given as a number (absent means 0): a whole number in `[0, 2^53 - 1]`.
pub fn seed_value(op: &str, v: Option<f64>) -> Result<u64, JsError> {
    Ok(count(op, "seed", v.unwrap_or(0.0), MAX_SEED)? as u64)
}

/// A finite number.
pub fn finite(op: &str, what: &str, v: f64) -> Result<f32, JsError> {
    if !v.is_finite() {
        return Err(js_err(format!(
            "{op}: {what} must be a finite number, got {v}"
        )));
    }
    Ok(v as f32)
}

/// Fails if a shape would hold more than [`MAX_ELEMENTS`] values.
pub fn check_size(op: &str, shape: &[usize]) -> Result<(), JsError> {
    let mut n: usize = 1;
    for &d in shape {
        n = n
            .checked_mul(d)
            .filter(|&n| n <= MAX_ELEMENTS)
            .ok_or_else(|| {
                js_err(format!(
                    "{op}: shape {shape:?} is too large (more than {MAX_ELEMENTS} values)"
                ))
            })?;
    }
    Ok(())
}

/// A shape: an array (or typed array) of whole numbers ≥ 0.
pub fn shape(op: &str, v: &JsValue) -> Result<Vec<usize>, JsError> {
    if !Array::is_array(v) && !v.is_instance_of::<js_sys::Object>() {
        return Err(js_err(format!(
            "{op}: shape must be an array of whole numbers, got {}",
            kind(v)
        )));
    }
    let arr = Array::from(v);
    let mut out = Vec::with_capacity(arr.length() as usize);
    for (i, d) in arr.iter().enumerate() {
        let Some(x) = d.as_f64() else {
            return Err(js_err(format!(
                "{op}: shape[{i}] must be a number, got {}",
                kind(&d)
            )));
        };
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
            return Err(js_err(format!(
                "{op}: shape[{i}] must be a whole number ≥ 0, got {x}"
            )));
        }
        out.push(x as usize);
    }
    check_size(op, &out)?;
    Ok(out)
}

/// Like [`shape`] but one entry may be -1 (for reshape).
pub fn shape_with_infer(op: &str, v: &JsValue) -> Result<Vec<isize>, JsError> {
    let arr = Array::from(v);
    if !Array::is_array(v) && !v.is_instance_of::<js_sys::Object>() {
        return Err(js_err(format!(
            "{op}: shape must be an array, got {}",
            kind(v)
        )));
    }
    arr.iter()
        .enumerate()
        .map(|(i, d)| match d.as_f64() {
            Some(x)
                if x.is_finite()
                    && x.fract() == 0.0
                    && x >= -1.0
                    && x <= super::args::MAX_ELEMENTS as f64 =>
            {
                Ok(x as isize)
            }
            _ => Err(js_err(format!(
                "{op}: shape[{i}] must be a whole number ≥ -1, got {}",
                show(&d)
            ))),
        })
        .collect()
}

/// `v` as a string, or an error naming `op` and `name`. Every string the API takes comes through
/// here as a `JsValue`: wasm-bindgen's own `&str` conversion does not check its argument in
/// release builds, and a number or an object passed where it expects a string corrupts the
/// allocator (the first call traps with "memory access out of bounds", later ones at random).
///
/// ```text
/// setKernels(3)  →  Error: setKernels: name must be a string, got number
/// ```
pub fn string(op: &str, name: &str, v: &JsValue) -> Result<String, JsError> {
    v.as_string()
        .ok_or_else(|| js_err(format!("{op}: {name} must be a string, got {}", kind(v))))
}

/// A short description of a JS value's type for error messages.
pub fn kind(v: &JsValue) -> String {
    if v.is_undefined() {
        "undefined".into()
    } else if v.is_null() {
        "null".into()
    } else if Array::is_array(v) {
        "an array".into()
    } else if let Some(s) = v.js_typeof().as_string() {
        if s == "object" {
            let ctor = Reflect::get(v, &"constructor".into()).ok();
            let name = ctor
                .and_then(|c| Reflect::get(&c, &"name".into()).ok())
                .and_then(|n| n.as_string());
            format!("an object ({})", name.unwrap_or_else(|| "Object".into()))
        } else {
            s
        }
    } else {
        "a value".into()
    }
}

fn show(v: &JsValue) -> String {
    v.as_f64().map(|x| x.to_string()).unwrap_or_else(|| kind(v))
}

/// A list of whole numbers, each in `[min, max]` (`min` is 0 or 1), or an error naming the
/// entry: `kvCacheTiming: lengths[1] must be a whole number in [0, 100000], got 2.5`.
pub fn whole_numbers(
    op: &str,
    what: &str,
    v: &[f64],
    min: f64,
    max: f64,
) -> Result<Vec<usize>, JsError> {
    v.iter()
        .enumerate()
        .map(|(i, &x)| {
            let name = format!("{what}[{i}]");
            if min >= 1.0 {
                positive(op, &name, x, max)
            } else {
                count(op, &name, x, max)
            }
        })
        .collect()
}

/// Serialises a value to a plain JS object (through JSON, the same text native runs print).
pub fn to_js<T: serde::Serialize>(v: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(v).map_err(js_err)?;
    js_sys::JSON::parse(&text).map_err(|_| js_err("internal: could not parse a report"))
}

/// Sets `key` on a result object an export built (a plain object, so this does not fail in
/// practice; if it ever does, the error says it is the lab's fault, not the caller's).
pub fn set_field(obj: &JsValue, key: &str, v: JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(obj, &key.into(), &v)
        .map(|_| ())
        .map_err(|_| JsError::new("internal: could not build a result object"))
}
