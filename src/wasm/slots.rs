//! Slot values across the JS boundary: the framework's plain data becomes JavaScript
//! (`{ data: Float32Array, shape }`, arrays, numbers, a `random()` function over pre-drawn
//! numbers, API objects for module 07), and whatever a student's function returns is read back
//! into a [`Value`] without trusting it: every malformed shape is described, never unwrapped.

use super::nn::JsSequential;
use super::optim::JsOptimizer;
use super::tensor::JsTensor;
use crate::nn::loss::Loss;
use crate::nn::Layer;
use crate::slots::value::{Draw, Value};
use crate::tensor::{Array, Tensor};
use js_sys::{Array as JsArray, Float32Array, Function, Int32Array, Object, Reflect};

use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The most values a returned tensor may hold (larger ones are refused, not allocated).
const MAX_VALUES: usize = 1 << 26;

thread_local! {
    /// `(d) => () => d[k++]`, built once: makes `random()` / `randn()` over drawn numbers.
    static DRAWS: Function = Function::new_with_args(
        "d, what",
        "let k = 0; return function () { if (k >= d.length) throw new Error(what + '() was called more than ' + d.length + ' times (one draw per value is all this call needs)'); return d[k++]; };",
    );
    // The marshalling runs in JavaScript, one call per tensor each way: every call from wasm
    // into JS costs about a microsecond, and a student's slot is called thousands of times in
    // a suite (a gradient check replays each layer), so building `{ data, shape }` key by key
    // from Rust made the boundary, not the student's code, most of a suite's time.
    /// A plain array of numbers from a typed array.
    static ARRAY: Function = Function::new_with_args("a", "return Array.from(a);");
    /// `{ data, shape }` from a Float32Array (already a copy) and the shape as a Float64Array.
    static MAKE: Function = Function::new_with_args("d, s", "return { data: d, shape: Array.from(s) };");
    /// Reads a returned `{ data, shape }`: `[Float32Array, Float64Array]` (data copied to float32),
    /// or a string saying what is wrong, or `undefined` when it is not tensor-shaped at all.
    static READ: Function = Function::new_with_args(
        "v",
        "if (v === null || typeof v !== 'object' || !('data' in v) || !('shape' in v)) return undefined;
         const s = v.shape, d = v.data;
         if (!Array.isArray(s) && !ArrayBuffer.isView(s)) return 'its shape is not an array of whole numbers';
         if (s.length > 16) return 'its shape has ' + s.length + ' axes';
         let n = 1;
         for (let i = 0; i < s.length; i++) {
           const x = s[i];
           if (typeof x !== 'number' || !(x >= 0) || x % 1 !== 0 || x > 67108864) return 'its shape ' + JSON.stringify(Array.from(s)) + ' is not an array of whole numbers';
           n *= x;
         }
         if (n > 67108864) return 'its shape is too large to hold';
         let f;
         if (d instanceof Float32Array) f = d.slice();
         else if (ArrayBuffer.isView(d) || Array.isArray(d)) {
           if (Array.isArray(d)) for (let i = 0; i < d.length; i++) if (typeof d[i] !== 'number') return 'its data holds ' + (d[i] === undefined ? 'undefined' : typeof d[i]) + ' at ' + i + ' (it should be numbers)';
           if (d.length > 67108864) return 'its data has ' + d.length + ' values';
           f = Float32Array.from(d);
         } else return 'its data is ' + (d === undefined ? 'undefined' : typeof d) + ' (it should be a Float32Array or an array of numbers)';
         if (f.length !== n) return 'it has ' + f.length + ' values for shape ' + JSON.stringify(Array.from(s)) + ', which holds ' + n;
         return [f, Float64Array.from(s)];",
    );
}

/// JS objects made for one call, freed when it returns (so the Rust objects they share, an
/// optimizer lent by a Trainer, go back to their owner).
#[derive(Default)]
pub(crate) struct Made {
    wrappers: Vec<JsValue>,
    closures: Vec<Closure<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsError>>>,
}

impl Drop for Made {
    fn drop(&mut self) {
        for w in &self.wrappers {
            if let Ok(free) = Reflect::get(w, &"free".into()) {
                if let Some(f) = free.dyn_ref::<Function>() {
                    let _ = f.call0(w);
                }
            }
        }
    }
}

/// A shape as a JavaScript array of numbers (built in JS: one call, not one per axis).
fn shape_js(s: &[usize]) -> JsValue {
    let f: Vec<f64> = s.iter().map(|&d| d as f64).collect();
    let f = js_sys::Float64Array::from(f.as_slice());
    ARRAY
        .with(|a| a.call1(&JsValue::NULL, &f))
        .unwrap_or(JsValue::UNDEFINED)
}

/// `{ data: Float32Array, shape }` for a tensor (a copy; the student cannot reach wasm memory).
pub(crate) fn tensor_js(a: &Array) -> (JsValue, Float32Array) {
    let data = match a.as_slice() {
        Some(s) => Float32Array::from(s),
        None => Float32Array::from(a.iter().copied().collect::<Vec<f32>>().as_slice()),
    };
    let shape: Vec<f64> = a.shape().iter().map(|&d| d as f64).collect();
    let shape = js_sys::Float64Array::from(shape.as_slice());
    let o = MAKE
        .with(|f| f.call2(&JsValue::NULL, &data, &shape))
        .unwrap_or(JsValue::UNDEFINED);
    (o, data)
}

/// A value for JavaScript. `readback` collects the Float32Arrays of the tensors directly inside
/// an argument that is an array (`in_list`), whose in-place changes are read back after the call
/// (clipGradNorm scales gradients in place).
pub(crate) fn to_js(
    v: &Value,
    made: &mut Made,
    readback: &mut Vec<Float32Array>,
    in_list: bool,
) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from(*b),
        Value::Num(n) => JsValue::from(*n),
        Value::Shape(s) => shape_js(s),
        Value::Labels(l) => {
            Int32Array::from(l.iter().map(|&x| x as i32).collect::<Vec<i32>>().as_slice()).into()
        }
        Value::Numbers(n) => js_sys::Float64Array::from(n.as_slice()).into(),
        Value::Tensor(a) => {
            let (o, data) = tensor_js(a);
            if in_list {
                readback.push(data);
            }
            o
        }
        Value::List(items) => {
            // Only an argument's own items are read back (to_js is called with in_list false
            // for arguments; nested lists pass false below).
            let top = !in_list;
            items
                .iter()
                .map(|x| match x {
                    Value::Tensor(_) if top => to_js(x, made, readback, true),
                    Value::List(_) => to_js(x, made, &mut Vec::new(), true),
                    _ => to_js(x, made, readback, false),
                })
                .collect::<JsArray>()
                .into()
        }
        Value::Record(fields) => {
            let o = Object::new();
            for (k, x) in fields {
                let _ = Reflect::set(&o, &k.into(), &to_js(x, made, readback, false));
            }
            o.into()
        }
        Value::Draws(kind, d) => {
            let what = match kind {
                Draw::Normal => "randn",
                Draw::Uniform => "random",
            };
            let arr = js_sys::Float64Array::from(
                d.iter().map(|&x| x as f64).collect::<Vec<f64>>().as_slice(),
            );
            DRAWS
                .with(|f| f.call2(&JsValue::NULL, &arr, &what.into()))
                .unwrap_or(JsValue::UNDEFINED)
        }
        Value::Object(o) => object_js(o, made),
        Value::Other(s) => JsValue::from(s.as_str()),
    }
}

/// A framework object as a JS API object (module 07's trainEpoch composes these).
fn object_js(o: &Rc<dyn std::any::Any>, made: &mut Made) -> JsValue {
    let v = if let Some(t) = o.downcast_ref::<Tensor>() {
        JsValue::from(JsTensor::new(t.clone()))
    } else if let Some(l) = o.downcast_ref::<Layer>() {
        JsValue::from(JsSequential::from_layer(l.clone()))
    } else if let Some(opt) = o
        .clone()
        .downcast::<crate::wasm::handles::SharedOptimizer>()
        .ok()
    {
        JsValue::from(JsOptimizer::from_shared(opt))
    } else if let Some(loss) = o.downcast_ref::<Loss>() {
        let loss = *loss;
        let f = Closure::<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsError>>::new(
            move |p: JsValue, t: JsValue| {
                let pred = super::handles::tensor_from_js("lossFn", "pred", &p)?;
                let target = super::handles::tensor_from_js("lossFn", "target", &t)?;
                let l = loss.compute(&pred, &target).map_err(super::js_err)?;
                Ok(JsValue::from(JsTensor::new(l)))
            },
        );
        let js = f.as_ref().clone();
        made.closures.push(f);
        return js;
    } else {
        return JsValue::UNDEFINED;
    };
    made.wrappers.push(v.clone());
    v
}

/// What a JavaScript value is, for messages: "a string", "a function", "undefined".
pub(crate) fn kind(v: &JsValue) -> String {
    if v.is_undefined() {
        "undefined".into()
    } else if v.is_string() {
        "a string".into()
    } else if v.is_function() {
        "a function".into()
    } else if v.is_symbol() {
        "a symbol".into()
    } else if v.is_bigint() {
        "a BigInt".into()
    } else {
        "a value of another kind".into()
    }
}

/// The numbers of an array-like (typed array or array of numbers), if it is one.
fn numbers(v: &JsValue, max: usize) -> Option<Result<Vec<f64>, String>> {
    if let Some(a) = v.dyn_ref::<Float32Array>() {
        return Some(Ok(a.to_vec().into_iter().map(f64::from).collect()));
    }
    if let Some(a) = v.dyn_ref::<js_sys::Float64Array>() {
        return Some(Ok(a.to_vec()));
    }
    if let Some(a) = v.dyn_ref::<Int32Array>() {
        return Some(Ok(a.to_vec().into_iter().map(f64::from).collect()));
    }
    if js_sys::ArrayBuffer::is_view(v) {
        // Other typed arrays (Uint8Array, …): read through Array.from.
        return Some(Ok(JsArray::from(v)
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN))
            .collect()));
    }
    if JsArray::is_array(v) {
        let a = JsArray::from(v);
        if a.length() as usize > max {
            return Some(Err(format!(
                "an array of {} values (more than {max})",
                a.length()
            )));
        }
        let mut out = Vec::with_capacity(a.length() as usize);
        for (i, x) in a.iter().enumerate() {
            match x.as_f64() {
                Some(n) => out.push(n),
                None => {
                    return Some(Err(format!(
                        "an array whose item {i} is {}",
                        describe(&x, 0)
                    )))
                }
            }
        }
        return Some(Ok(out));
    }
    None
}

fn describe(v: &JsValue, depth: usize) -> String {
    from_js(v, depth).describe()
}

/// Reads a returned value. Nothing here trusts it: sizes are bounded, lengths compared.
pub(crate) fn from_js(v: &JsValue, depth: usize) -> Value {
    // The common case first: a tensor-shaped object, read in one call into JS.
    if depth == 0 && v.is_object() {
        let read = READ
            .with(|f| f.call1(&JsValue::NULL, v))
            .unwrap_or(JsValue::UNDEFINED);
        if let Some(t) = read_tensor(&read) {
            return t;
        }
    }
    if v.is_null() || v.is_undefined() {
        return if v.is_null() {
            Value::Null
        } else {
            Value::Other("undefined (did you forget to return?)".into())
        };
    }
    if let Some(b) = v.as_bool() {
        return Value::Bool(b);
    }
    if let Some(n) = v.as_f64() {
        return Value::Num(n);
    }
    if !v.is_object() || depth > 6 {
        return Value::Other(kind(v));
    }
    if JsArray::is_array(v) {
        let a = JsArray::from(v);
        if a.length() as usize > MAX_VALUES {
            return Value::Other(format!("an array of {} items", a.length()));
        }
        return Value::List(a.iter().map(|x| from_js(&x, depth + 1)).collect());
    }
    if let Some(n) = numbers(v, MAX_VALUES) {
        return match n {
            Ok(n) => Value::Numbers(n),
            Err(e) => Value::Other(e),
        };
    }
    if depth > 0 {
        let read = READ
            .with(|f| f.call1(&JsValue::NULL, v))
            .unwrap_or(JsValue::UNDEFINED);
        if let Some(t) = read_tensor(&read) {
            return t;
        }
    }
    let keys = Object::keys(v.unchecked_ref::<Object>());
    if keys.length() > 64 {
        return Value::Other(format!("an object with {} keys", keys.length()));
    }
    Value::Record(
        keys.iter()
            .filter_map(|k| k.as_string())
            .map(|k| {
                let x = Reflect::get(v, &k.clone().into()).unwrap_or(JsValue::UNDEFINED);
                (k, from_js(&x, depth + 1))
            })
            .collect(),
    )
}

/// The value READ made of a tensor-shaped object: the tensor, or what is wrong with it; `None`
/// when the object was not tensor-shaped.
fn read_tensor(read: &JsValue) -> Option<Value> {
    if let Some(why) = read.as_string() {
        return Some(Value::Other(format!(
            "an object {{ data, shape }} where {why}"
        )));
    }
    if !JsArray::is_array(read) {
        return None;
    }
    let pair = JsArray::from(read);
    let data: Float32Array = pair.get(0).unchecked_into();
    let shape: Vec<usize> = pair
        .get(1)
        .unchecked_into::<js_sys::Float64Array>()
        .to_vec()
        .into_iter()
        .map(|d| d as usize)
        .collect();
    Some(
        match Array::from_shape_vec(ndarray::IxDyn(&shape), data.to_vec()) {
            Ok(a) => Value::Tensor(a),
            Err(_) => Value::Other(format!(
                "an object {{ data, shape }} that does not fit shape {shape:?}"
            )),
        },
    )
}

/// Reads back the arrays a call may have changed in place into the tensors of `args` lists.
pub(crate) fn read_back(args: &mut [Value], arrays: &[Float32Array]) {
    let mut it = arrays.iter();
    for a in args.iter_mut() {
        if let Value::List(items) = a {
            for item in items.iter_mut() {
                if let Value::Tensor(t) = item {
                    if let Some(arr) = it.next() {
                        if arr.length() as usize == t.len() {
                            let v = arr.to_vec();
                            if let Some(s) = t.as_slice_mut() {
                                s.copy_from_slice(&v);
                            }
                        }
                    }
                }
            }
        }
    }
}
