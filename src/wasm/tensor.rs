//! `Tensor` for JavaScript: typed arrays in and out, camelCase methods, errors as `Error`s.

use super::args::{self, kind};
use super::handles::TensorHandle;
use super::js_err;
use crate::tensor::Tensor;
use js_sys::{Array, Float32Array};
use wasm_bindgen::prelude::*;

/// An n-dimensional float32 tensor that records operations for autograd.
///
/// ```js
/// const x = Tensor.fromArray([1, 2, 3, 4], [2, 2]);
/// x.requiresGrad = true;
/// const y = x.mul(x).sum();   // Σ x²
/// y.backward();
/// x.grad.toArray();           // Float32Array [2, 4, 6, 8]
/// ```
/// Tensors live in WebAssembly memory: call `free()` when done, or build them inside
/// `tidy(() => …)` from `www/js/tinytorch.js`, which frees everything it did not return.
#[wasm_bindgen(js_name = Tensor)]
pub struct JsTensor {
    t: Tensor,
    handle: TensorHandle,
}

impl JsTensor {
    pub(crate) fn new(t: Tensor) -> JsTensor {
        let handle = TensorHandle::new(&t);
        JsTensor { t, handle }
    }
    pub(crate) fn inner(&self) -> &Tensor {
        &self.t
    }
}

fn values(op: &str, data: &JsValue) -> Result<(Vec<f32>, Vec<usize>), JsError> {
    if let Some(f) = data.dyn_ref::<Float32Array>() {
        return Ok((f.to_vec(), vec![f.length() as usize]));
    }
    if !Array::is_array(data) {
        if data.is_instance_of::<js_sys::Object>()
            && js_sys::Reflect::has(data, &"length".into()).unwrap_or(false)
        {
            let arr = Array::from(data);
            return values(op, &arr.into());
        }
        return Err(js_err(format!(
            "{op}: data must be a Float32Array or an array of numbers, got {}",
            kind(data)
        )));
    }
    // Nested arrays give the shape: [[1, 2], [3, 4]] is (2, 2).
    let mut shape = Vec::new();
    let mut probe = data.clone();
    while Array::is_array(&probe) {
        let a = Array::from(&probe);
        shape.push(a.length() as usize);
        probe = a.get(0);
    }
    args::check_size(op, &shape)?;
    let mut out = Vec::with_capacity(shape.iter().product());
    flatten(op, data, &shape, 0, &mut out)?;
    Ok((out, shape))
}

fn flatten(
    op: &str,
    v: &JsValue,
    shape: &[usize],
    depth: usize,
    out: &mut Vec<f32>,
) -> Result<(), JsError> {
    if depth == shape.len() {
        let x = v.as_f64().ok_or_else(|| {
            js_err(format!(
                "{op}: every value must be a number, got {}",
                kind(v)
            ))
        })?;
        if x.is_nan() {
            return Err(js_err(format!("{op}: value {} is NaN", out.len())));
        }
        out.push(x as f32);
        return Ok(());
    }
    if !Array::is_array(v) || Array::from(v).length() as usize != shape[depth] {
        return Err(js_err(format!(
            "{op}: nested arrays are ragged (expected length {} at depth {depth})",
            shape[depth]
        )));
    }
    for x in Array::from(v).iter() {
        flatten(op, &x, shape, depth + 1, out)?;
    }
    Ok(())
}

/// A tensor of `data` (Float32Array or nested number arrays) and an optional `shape`, with
/// errors naming `op` (`new Tensor` or `Tensor.fromArray`).
fn build(op: &str, data: JsValue, shape: JsValue) -> Result<JsTensor, JsError> {
    let (vals, inferred) = values(op, &data)?;
    if let Some(i) = vals.iter().position(|v| v.is_nan()) {
        return Err(js_err(format!("{op}: value {i} is NaN")));
    }
    let shape = if shape.is_undefined() || shape.is_null() {
        inferred
    } else {
        args::shape(op, &shape)?
    };
    let want: usize = shape.iter().product();
    if want != vals.len() {
        return Err(js_err(format!(
            "{op}: {} values cannot fill shape {shape:?}, which holds {want}",
            vals.len()
        )));
    }
    Tensor::from_vec(vals, &shape)
        .map(JsTensor::new)
        .map_err(js_err)
}

#[wasm_bindgen(js_class = Tensor)]
impl JsTensor {
    /// `new Tensor(data, shape?)`: the same as [`Tensor.fromArray`](JsTensor::from_array).
    ///
    /// ```js
    /// const x = new Tensor([[1, 2], [3, 4]]);   // shape [2, 2]
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new_js(data: JsValue, shape: JsValue) -> Result<JsTensor, JsError> {
        build("new Tensor", data, shape)
    }

    /// Builds a tensor from a Float32Array or (nested) number array. `shape` is optional for
    /// nested arrays; for flat data it must multiply to the data's length.
    ///
    /// @param data - Float32Array | number[] | nested number arrays
    /// @param shape - e.g. [2, 3]
    #[wasm_bindgen(js_name = fromArray)]
    pub fn from_array(data: JsValue, shape: JsValue) -> Result<JsTensor, JsError> {
        build("Tensor.fromArray", data, shape)
    }

    /// All zeros of the given shape.
    pub fn zeros(shape: JsValue) -> Result<JsTensor, JsError> {
        Ok(JsTensor::new(Tensor::zeros(&args::shape(
            "Tensor.zeros",
            &shape,
        )?)))
    }

    /// All ones of the given shape.
    pub fn ones(shape: JsValue) -> Result<JsTensor, JsError> {
        Ok(JsTensor::new(Tensor::ones(&args::shape(
            "Tensor.ones",
            &shape,
        )?)))
    }

    /// Every element equal to `value`.
    pub fn full(shape: JsValue, value: f64) -> Result<JsTensor, JsError> {
        let v = args::finite("Tensor.full", "value", value)?;
        Ok(JsTensor::new(Tensor::full(
            &args::shape("Tensor.full", &shape)?,
            v,
        )))
    }

    /// Standard normal values from the seeded generator (see `manualSeed`).
    pub fn randn(shape: JsValue) -> Result<JsTensor, JsError> {
        Ok(JsTensor::new(Tensor::randn(&args::shape(
            "Tensor.randn",
            &shape,
        )?)))
    }

    /// Uniform values in [0, 1) from the seeded generator.
    pub fn rand(shape: JsValue) -> Result<JsTensor, JsError> {
        Ok(JsTensor::new(Tensor::rand(&args::shape(
            "Tensor.rand",
            &shape,
        )?)))
    }

    /// [0, 1, …, n-1].
    pub fn arange(n: f64) -> Result<JsTensor, JsError> {
        let n = args::count("Tensor.arange", "n", n, args::MAX_ELEMENTS as f64)?;
        Ok(JsTensor::new(Tensor::arange(n)))
    }

    /// Internal: resolves JS arguments back to this tensor.
    #[wasm_bindgen(getter, js_name = __tensorId)]
    pub fn tensor_id(&self) -> u32 {
        self.handle.id()
    }

    /// The shape as an array of numbers, e.g. [2, 3].
    #[wasm_bindgen(getter)]
    pub fn shape(&self) -> Array {
        self.t
            .shape()
            .into_iter()
            .map(|d| JsValue::from(d as f64))
            .collect()
    }

    /// Number of dimensions.
    #[wasm_bindgen(getter)]
    pub fn ndim(&self) -> usize {
        self.t.ndim()
    }

    /// Number of elements.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.t.numel()
    }

    /// A copy of the data, row-major.
    #[wasm_bindgen(js_name = toArray)]
    pub fn to_array(&self) -> Float32Array {
        let d = self.t.data();
        Float32Array::from(d.as_slice().expect("tensors are kept contiguous"))
    }

    /// The value of a one-element tensor.
    pub fn item(&self) -> Result<f32, JsError> {
        self.t.item().map_err(js_err)
    }

    /// Whether gradients flow to this tensor.
    #[wasm_bindgen(getter, js_name = requiresGrad)]
    pub fn requires_grad(&self) -> bool {
        self.t.requires_grad()
    }

    /// Marks this tensor as needing a gradient (leaves only: parameters, inputs).
    #[wasm_bindgen(setter, js_name = requiresGrad)]
    pub fn set_requires_grad(&self, on: bool) -> Result<(), JsError> {
        if !self.t.is_leaf() && !on {
            return Err(js_err("Tensor.requiresGrad: cannot turn gradients off for the result of an operation; use detach()"));
        }
        self.t.set_requires_grad(on);
        Ok(())
    }

    /// The accumulated gradient, or undefined before any backward reached this tensor.
    #[wasm_bindgen(getter)]
    pub fn grad(&self) -> Option<JsTensor> {
        self.t.grad().map(JsTensor::new)
    }

    /// Back-propagates from this one-element tensor (or with an explicit gradient tensor).
    pub fn backward(&self, gradient: Option<JsTensor>) -> Result<(), JsError> {
        match gradient {
            Some(g) => self.t.backward_with(&g.t),
            None => self.t.backward(),
        }
        .map_err(|e| {
            js_err(
                e.to_string()
                    .replace("use backward_with", "pass a gradient: backward(gradient)"),
            )
        })
    }

    /// Clears this tensor's gradient.
    #[wasm_bindgen(js_name = zeroGrad)]
    pub fn zero_grad(&self) {
        self.t.zero_grad();
    }

    /// Copies `source`'s values into this tensor in place, without recording anything in the
    /// graph: how a layer's weights are set from JS (every model holding this parameter sees
    /// the new values). The shapes must be equal.
    ///
    /// ```js
    /// const conv = new Conv2d(1, 1, 3, 1, 0, false);
    /// conv.weight.assign(Tensor.fromArray([-1, 0, 1, -1, 0, 1, -1, 0, 1], [1, 1, 3, 3]));
    /// ```
    pub fn assign(&self, source: &JsTensor) -> Result<(), JsError> {
        let data = source.t.data().clone();
        self.t.set_data(data).map_err(|_| {
            js_err(format!(
                "Tensor.assign: a tensor of shape {:?} cannot take the values of one of shape {:?} (the shapes must be equal)",
                self.t.shape(),
                source.t.shape()
            ))
        })
    }

    /// A copy without history.
    pub fn detach(&self) -> JsTensor {
        JsTensor::new(self.t.detach())
    }

    /// Keeps this intermediate tensor's gradient after backward.
    #[wasm_bindgen(js_name = retainGrad)]
    pub fn retain_grad(&self) {
        self.t.retain_grad();
    }

    /// The name of the operation that made this tensor ("matmul", …), or undefined for leaves.
    #[wasm_bindgen(getter, js_name = gradFn)]
    pub fn grad_fn(&self) -> Option<String> {
        self.t.op_name().map(str::to_string)
    }

    /// A readable summary: shape, operation and values.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!(
            "Tensor(shape=[{}], gradFn={}) {}",
            self.t
                .shape()
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            self.t.op_name().unwrap_or("none"),
            self.t
        )
    }
}
