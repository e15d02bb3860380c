//! `Tensor`'s operations for JavaScript: arithmetic with broadcasting, activations,
//! reductions, matmul and shape movement. Each returns a new tensor in the graph, or an `Error`
//! that names the operation and the shapes.

use super::args;
use super::handles::tensor_from_js;
use super::js_err;
use super::tensor::JsTensor;
use crate::tensor::Tensor;
use js_sys::Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Tensor)]
impl JsTensor {
    /// Element-wise sum with broadcasting.
    pub fn add(&self, other: &JsTensor) -> Result<JsTensor, JsError> {
        self.inner()
            .try_add(other.inner())
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Element-wise difference with broadcasting.
    pub fn sub(&self, other: &JsTensor) -> Result<JsTensor, JsError> {
        self.inner()
            .try_sub(other.inner())
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Element-wise product with broadcasting.
    pub fn mul(&self, other: &JsTensor) -> Result<JsTensor, JsError> {
        self.inner()
            .try_mul(other.inner())
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Element-wise quotient with broadcasting.
    pub fn div(&self, other: &JsTensor) -> Result<JsTensor, JsError> {
        self.inner()
            .try_div(other.inner())
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Adds a number.
    #[wasm_bindgen(js_name = addScalar)]
    pub fn add_scalar(&self, c: f64) -> Result<JsTensor, JsError> {
        Ok(JsTensor::new(self.inner().add_scalar(args::finite(
            "Tensor.addScalar",
            "c",
            c,
        )?)))
    }
    /// Multiplies by a number.
    #[wasm_bindgen(js_name = mulScalar)]
    pub fn mul_scalar(&self, c: f64) -> Result<JsTensor, JsError> {
        Ok(JsTensor::new(self.inner().mul_scalar(args::finite(
            "Tensor.mulScalar",
            "c",
            c,
        )?)))
    }
    /// Raises every element to the power p.
    pub fn pow(&self, p: f64) -> Result<JsTensor, JsError> {
        Ok(JsTensor::new(self.inner().pow(args::finite(
            "Tensor.pow",
            "p",
            p,
        )?)))
    }
    /// Negation.
    pub fn neg(&self) -> JsTensor {
        JsTensor::new(self.inner().neg())
    }
    /// Matrix product (batched over leading axes, which broadcast).
    pub fn matmul(&self, other: &JsTensor) -> Result<JsTensor, JsError> {
        self.inner()
            .try_matmul(other.inner())
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// max(0, x).
    pub fn relu(&self) -> JsTensor {
        JsTensor::new(self.inner().relu())
    }
    /// Logistic sigmoid.
    pub fn sigmoid(&self) -> JsTensor {
        JsTensor::new(self.inner().sigmoid())
    }
    /// Hyperbolic tangent.
    pub fn tanh(&self) -> JsTensor {
        JsTensor::new(self.inner().tanh())
    }
    /// GELU (tanh approximation).
    pub fn gelu(&self) -> JsTensor {
        JsTensor::new(self.inner().gelu())
    }
    /// e^x.
    pub fn exp(&self) -> JsTensor {
        JsTensor::new(self.inner().exp())
    }
    /// Natural logarithm.
    pub fn log(&self) -> JsTensor {
        JsTensor::new(self.inner().log())
    }
    /// Square root.
    pub fn sqrt(&self) -> JsTensor {
        JsTensor::new(self.inner().sqrt())
    }
    /// Sum over `axis` (all axes when omitted).
    pub fn sum(&self, axis: Option<i32>, keepdim: Option<bool>) -> Result<JsTensor, JsError> {
        let axes: Vec<isize> = axis.map(|a| vec![a as isize]).unwrap_or_default();
        self.inner()
            .try_sum_axes(&axes, keepdim.unwrap_or(false))
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Mean over `axis` (all axes when omitted).
    pub fn mean(&self, axis: Option<i32>, keepdim: Option<bool>) -> Result<JsTensor, JsError> {
        let axes: Vec<isize> = axis.map(|a| vec![a as isize]).unwrap_or_default();
        self.inner()
            .try_mean_axes(&axes, keepdim.unwrap_or(false))
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Maximum over `axis` (all elements when omitted).
    pub fn max(&self, axis: Option<i32>, keepdim: Option<bool>) -> Result<JsTensor, JsError> {
        self.inner()
            .try_max(axis.map(|a| a as isize), keepdim.unwrap_or(false))
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Softmax along `axis` (default -1).
    pub fn softmax(&self, axis: Option<i32>) -> Result<JsTensor, JsError> {
        self.inner()
            .try_softmax(axis.unwrap_or(-1) as isize)
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Log-softmax along `axis` (default -1).
    #[wasm_bindgen(js_name = logSoftmax)]
    pub fn log_softmax(&self, axis: Option<i32>) -> Result<JsTensor, JsError> {
        self.inner()
            .try_log_softmax(axis.unwrap_or(-1) as isize)
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// A new shape with the same elements; one entry may be -1.
    pub fn reshape(&self, shape: JsValue) -> Result<JsTensor, JsError> {
        let s = args::shape_with_infer("Tensor.reshape", &shape)?;
        self.inner()
            .try_reshape(&s)
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Swaps two axes (the last two when omitted).
    pub fn transpose(&self, dim0: Option<i32>, dim1: Option<i32>) -> Result<JsTensor, JsError> {
        match (dim0, dim1) {
            (None, None) => self.inner().try_t(),
            (Some(a), Some(b)) => self.inner().try_transpose(a as isize, b as isize),
            _ => return Err(js_err("Tensor.transpose: give both axes or neither")),
        }
        .map(JsTensor::new)
        .map_err(js_err)
    }
    /// `size` elements starting at `start` along `axis`.
    pub fn narrow(&self, axis: i32, start: f64, size: f64) -> Result<JsTensor, JsError> {
        let start = args::count("Tensor.narrow", "start", start, u32::MAX as f64)?;
        let size = args::count("Tensor.narrow", "size", size, u32::MAX as f64)?;
        self.inner()
            .try_narrow(axis as isize, start, size)
            .map(JsTensor::new)
            .map_err(js_err)
    }
    /// Joins tensors along an axis.
    pub fn cat(tensors: Array, axis: i32) -> Result<JsTensor, JsError> {
        let ts: Result<Vec<Tensor>, JsError> = tensors
            .iter()
            .enumerate()
            .map(|(i, v)| tensor_from_js("Tensor.cat", &format!("tensors[{i}]"), &v))
            .collect();
        Tensor::try_cat(&ts?, axis as isize)
            .map(JsTensor::new)
            .map_err(js_err)
    }
}
