//! Registries that let a JS value be resolved back to the Rust tensor or layer it wraps,
//! without taking ownership of the JS object (so `new Sequential([lin, relu])` leaves `lin`
//! usable). Entries are weak: the JS wrapper owns the object; freeing it removes the entry.

use super::args::kind;
use super::js_err;
use crate::nn::{Layer, Module};
use crate::tensor::Tensor;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

thread_local! {
    static NEXT: Cell<u32> = const { Cell::new(1) };
    static LAYERS: RefCell<HashMap<u32, Weak<dyn Module>>> = RefCell::new(HashMap::new());
    static TENSORS: RefCell<HashMap<u32, Weak<crate::tensor::Inner>>> = RefCell::new(HashMap::new());
    static OPTIMIZERS: RefCell<HashMap<u32, Weak<SharedOptimizer>>> = RefCell::new(HashMap::new());
}

/// An optimizer shared between its JS wrapper and a running `fit` (which borrows it mutably;
/// the wrapper's methods then answer "in use" instead of panicking).
pub type SharedOptimizer = RefCell<Box<dyn crate::optim::Optimizer>>;

fn next() -> u32 {
    NEXT.with(|n| {
        let v = n.get();
        n.set(v.wrapping_add(1).max(1));
        v
    })
}

/// A registration that is removed when the JS wrapper holding it is freed.
pub struct LayerHandle(u32);

impl LayerHandle {
    pub fn new(layer: &Layer) -> LayerHandle {
        let id = next();
        LAYERS.with(|m| m.borrow_mut().insert(id, Rc::downgrade(layer)));
        LayerHandle(id)
    }
    pub fn id(&self) -> u32 {
        self.0
    }
}

impl Drop for LayerHandle {
    fn drop(&mut self) {
        LAYERS.with(|m| m.borrow_mut().remove(&self.0));
    }
}

/// A tensor registration, removed when the JS `Tensor` is freed.
pub struct TensorHandle(u32);

impl TensorHandle {
    pub fn new(t: &Tensor) -> TensorHandle {
        let id = next();
        TENSORS.with(|m| m.borrow_mut().insert(id, Rc::downgrade(&t.0)));
        TensorHandle(id)
    }
    pub fn id(&self) -> u32 {
        self.0
    }
}

impl Drop for TensorHandle {
    fn drop(&mut self) {
        TENSORS.with(|m| m.borrow_mut().remove(&self.0));
    }
}

/// An optimizer registration, removed when the JS `Optimizer` is freed.
pub struct OptimizerHandle(u32);

impl OptimizerHandle {
    pub fn new(o: &Rc<SharedOptimizer>) -> OptimizerHandle {
        let id = next();
        OPTIMIZERS.with(|m| m.borrow_mut().insert(id, Rc::downgrade(o)));
        OptimizerHandle(id)
    }
    pub fn id(&self) -> u32 {
        self.0
    }
}

impl Drop for OptimizerHandle {
    fn drop(&mut self) {
        OPTIMIZERS.with(|m| m.borrow_mut().remove(&self.0));
    }
}

/// The optimizer a JS value wraps, `None` if the value is not an `Optimizer` at all.
pub fn optimizer_from_js(
    op: &str,
    what: &str,
    v: &JsValue,
) -> Result<Option<Rc<SharedOptimizer>>, JsError> {
    let freed = || js_err(format!("{op}: {what} was freed (free() was called on it)"));
    match id_of(v, "__optimizerId") {
        Some(id) => OPTIMIZERS
            .with(|m| m.borrow().get(&id).and_then(|w| w.upgrade()))
            .map(Some)
            .ok_or_else(freed),
        None if v.is_object()
            && js_sys::Reflect::has(v, &"__optimizerId".into()).unwrap_or(false) =>
        {
            Err(freed())
        }
        None => Ok(None),
    }
}

fn id_of(v: &JsValue, key: &str) -> Option<u32> {
    if !v.is_object() {
        return None;
    }
    // Reading the getter throws if the wrapper was freed; that is reported as "freed" below.
    js_sys::Reflect::get(v, &key.into())
        .ok()?
        .as_f64()
        .map(|x| x as u32)
}

/// The layer a JS value wraps (any layer class: Linear, ReLU, Sequential, …).
pub fn layer_from_js(op: &str, what: &str, v: &JsValue) -> Result<Layer, JsError> {
    let freed = || js_err(format!("{op}: {what} was freed (free() was called on it)"));
    let Some(id) = id_of(v, "__layerId") else {
        if v.is_object() && js_sys::Reflect::has(v, &"__layerId".into()).unwrap_or(false) {
            return Err(freed());
        }
        return Err(js_err(format!(
            "{op}: {what} must be a layer (Linear, ReLU, Sequential, …), got {}",
            kind(v)
        )));
    };
    LAYERS
        .with(|m| m.borrow().get(&id).and_then(|w| w.upgrade()))
        .ok_or_else(freed)
}

/// The `model` argument of `op` as a layer, or an Error unless it is a `Sequential` (the
/// pruning, quantization and profiling calls walk its layer list).
pub fn sequential_of(op: &str, v: &JsValue) -> Result<Layer, JsError> {
    let layer = layer_from_js(op, "model", v)?;
    if layer
        .as_any()
        .downcast_ref::<crate::nn::Sequential>()
        .is_none()
    {
        return Err(js_err(format!(
            "{op}: model must be a Sequential, got {}",
            layer.kind()
        )));
    }
    Ok(layer)
}

/// The tensor a JS value wraps.
pub fn tensor_from_js(op: &str, what: &str, v: &JsValue) -> Result<Tensor, JsError> {
    let freed = || js_err(format!("{op}: {what} was freed (by free() or tidy())"));
    let Some(id) = id_of(v, "__tensorId") else {
        if v.is_object() && js_sys::Reflect::has(v, &"__tensorId".into()).unwrap_or(false) {
            return Err(freed());
        }
        return Err(js_err(format!(
            "{op}: {what} must be a Tensor, got {}",
            kind(v)
        )));
    };
    TENSORS
        .with(|m| m.borrow().get(&id).and_then(|w| w.upgrade()))
        .map(Tensor)
        .ok_or_else(freed)
}

/// Tensors from a layer (its parameters) or an array of tensors.
pub fn params_from_js(op: &str, v: &JsValue) -> Result<Vec<Tensor>, JsError> {
    if js_sys::Array::is_array(v) {
        let arr = js_sys::Array::from(v);
        return arr
            .iter()
            .enumerate()
            .map(|(i, t)| tensor_from_js(op, &format!("params[{i}]"), &t))
            .collect();
    }
    Ok(layer_from_js(op, "params", v)?.parameters())
}
