//! `Linear`: y = x·W + b with W of shape (in, out), as TinyTorch defines it.

use super::module::{Layer, Module, Site};
use crate::autograd::CustomOp;
use crate::error::{shape_err, Error, Result};
use crate::rng::with_rng;
use crate::slots::{self, value, value::Draw, Slot, Value};
use crate::tensor::{Array, Tensor};
use ndarray::IxDyn;
use std::any::Any;
use std::rc::Rc;

/// A fully connected layer: `(…, in) → (…, out)`.
///
/// Weights are `(in, out)` (so forward is `x·W + b`, no transpose), drawn from
/// `N(0, 1/in)` (LeCun normal; TinyTorch calls it "Xavier"); the bias starts at zero.
///
/// # Example
/// ```
/// use tinytorch::{nn::{Linear, Module}, Tensor};
/// let lin = Linear::new(4, 3, true);
/// assert_eq!(lin.weight().shape(), vec![4, 3]);
/// let y = lin.forward(&Tensor::zeros(&[2, 4])).unwrap();
/// assert_eq!(y.shape(), vec![2, 3]);
/// ```
pub struct Linear {
    site: Site,
    in_features: usize,
    out_features: usize,
    weight: Tensor,
    bias: Option<Tensor>,
    /// What a student's `linearInit` did wrong when this layer was built, raised by forward.
    init_error: Option<Error>,
}

impl Linear {
    /// A layer from `in_features` to `out_features`, with or without a bias.
    pub fn new(in_features: usize, out_features: usize, bias: bool) -> Linear {
        let std = (1.0 / in_features.max(1) as f32).sqrt();
        let n = in_features * out_features;
        let draws: Vec<f32> = with_rng(|r| (0..n).map(|_| r.normal()).collect());
        let lab = Array::from_shape_vec(IxDyn(&[in_features, out_features]), draws.clone())
            .expect("length matches")
            * std;
        // A student's linearInit (module 03) gets the same draws. Construction cannot fail, so
        // its error is kept and raised by the first forward.
        let (w, init_error) = match theirs_init(in_features, out_features, draws) {
            Ok(Some(w)) => (w, None),
            Ok(None) => (lab, None),
            Err(e) => (lab, Some(e)),
        };
        let weight = Tensor::from_array(w).requires_grad_(true);
        let bias = bias.then(|| Tensor::zeros(&[out_features]).requires_grad_(true));
        Linear {
            site: Site::new(),
            in_features,
            out_features,
            weight,
            bias,
            init_error,
        }
    }

    /// A layer with given weight `(in, out)` and optional bias `(out,)`.
    ///
    /// # Errors
    /// If the weight is not 2-D or the bias length differs from the output size.
    pub fn from_parts(weight: Tensor, bias: Option<Tensor>) -> Result<Linear> {
        let ws = weight.shape();
        if ws.len() != 2 {
            return Err(Error::Arg {
                op: "Linear",
                msg: format!("weight must be (in, out), got {ws:?}"),
            });
        }
        if let Some(b) = &bias {
            if b.shape() != [ws[1]] {
                return Err(shape_err("Linear", &ws, &b.shape(), "bias must be (out,)"));
            }
        }
        Ok(Linear {
            site: Site::new(),
            in_features: ws[0],
            out_features: ws[1],
            weight,
            bias,
            init_error: None,
        })
    }

    /// The weight, shape `(in, out)`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The bias, shape `(out,)`, if the layer has one.
    pub fn bias(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }

    /// Input size.
    pub fn in_features(&self) -> usize {
        self.in_features
    }

    /// Output size.
    pub fn out_features(&self) -> usize {
        self.out_features
    }

    /// Wraps the layer in a shared handle for containers.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

/// Checks what a student's `linearInit` returned: `{ weight (in, out), bias (out,) }`, the bias
/// all zeros. `Ok(None)` when no `linearInit` is installed.
fn theirs_init(i: usize, o: usize, draws: Vec<f32>) -> Result<Option<Array>> {
    let Some(f) = slots::get(Slot::LinearInit) else {
        return Ok(None);
    };
    let slot = Slot::LinearInit;
    let mut args = [
        Value::Num(i as f64),
        Value::Num(o as f64),
        Value::Draws(Draw::Normal, draws),
    ];
    let out = slots::invoke(slot, &f, &mut args)?;
    let what = format!("its result for Linear({i}, {o})");
    let w = value::expect_field(slot.js_name(), &out, "weight", &what)?;
    let w = value::expect_tensor(
        slot.js_name(),
        w,
        &[i, o],
        &format!("the weight of Linear({i}, {o})"),
    )?;
    let b = value::expect_field(slot.js_name(), &out, "bias", &what)?;
    let b = value::expect_tensor(
        slot.js_name(),
        b,
        &[o],
        &format!("the bias of Linear({i}, {o})"),
    )?;
    if let Some(v) = b.iter().find(|v| **v != 0.0) {
        return Err(value::bad_result(
            slot.js_name(),
            format!("the bias of Linear({i}, {o}) should start at zeros, it holds {v}"),
        ));
    }
    Ok(Some(w))
}

impl Linear {
    /// Forward through a student's `linearForward` (module 03): it sees `x` as (N, in); the
    /// lab records the layer's backward (dx = g·Wᵀ, dW = xᵀ·g, db = Σ g).
    fn theirs_forward(&self, f: &Rc<dyn slots::SlotFn>, x: &Tensor) -> Result<Tensor> {
        let s = x.shape();
        let rows: usize = s[..s.len() - 1].iter().product();
        let x2 = x
            .data()
            .to_shape((rows, self.in_features))
            .expect("last axis checked")
            .to_owned()
            .into_dyn();
        let bias = match &self.bias {
            Some(b) => Value::tensor(&b.data()),
            None => Value::Null,
        };
        let mut args = [Value::Tensor(x2), Value::tensor(&self.weight.data()), bias];
        let out = slots::invoke(Slot::LinearForward, f, &mut args)?;
        let y = value::expect_tensor(
            Slot::LinearForward.js_name(),
            out,
            &[rows, self.out_features],
            &format!(
                "its result for an input of shape [{rows}, {}]",
                self.in_features
            ),
        )?;
        let mut shape = s[..s.len() - 1].to_vec();
        shape.push(self.out_features);
        let y = y.into_shape_with_order(IxDyn(&shape)).expect("same count");
        let mut inputs = vec![x.clone(), self.weight.clone()];
        inputs.extend(self.bias.iter().cloned());
        Ok(Tensor::custom(&inputs, y, Rc::new(LinearGrad { rows })))
    }
}

/// The lab's backward of a Linear layer whose forward a student wrote.
struct LinearGrad {
    rows: usize,
}

impl CustomOp for LinearGrad {
    fn name(&self) -> &str {
        "linear"
    }
    fn backward(&self, inputs: &[Tensor], _: &Array, g: &Array) -> Result<Vec<Option<Array>>> {
        let (x, w) = (inputs[0].data(), inputs[1].data());
        let (i, o) = (w.shape()[0], w.shape()[1]);
        let g2 = g.to_shape((self.rows, o)).expect("rows × out").to_owned();
        let x2 = x.to_shape((self.rows, i)).expect("rows × in").to_owned();
        let w2 = w.to_shape((i, o)).expect("in × out").to_owned();
        // `dot` with a transposed operand may return a column-major array: make it row-major
        // before reshaping it to x's shape.
        let dx = g2.dot(&w2.t()).as_standard_layout().into_owned().into_dyn();
        let dx = dx.into_shape_with_order(x.raw_dim()).expect("x's count");
        let dw = x2.t().dot(&g2).as_standard_layout().into_owned().into_dyn();
        let mut grads = vec![Some(dx), Some(dw)];
        if inputs.len() > 2 {
            grads.push(Some(g2.sum_axis(ndarray::Axis(0)).into_dyn()));
        }
        Ok(grads)
    }
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let s = x.shape();
        if s.last() != Some(&self.in_features) {
            return Err(Error::Arg {
                op: "Linear",
                msg: format!(
                    "{} expects input whose last dimension is {}, got shape {s:?}",
                    self.describe(),
                    self.in_features
                ),
            });
        }
        if let Some(e) = &self.init_error {
            return Err(e.clone().in_layer("Linear", &self.describe()));
        }
        if let Some(f) = slots::get(Slot::LinearForward) {
            return self.theirs_forward(&f, x);
        }
        let y = x.try_matmul(&self.weight)?;
        match &self.bias {
            Some(b) => y.try_add(b),
            None => Ok(y),
        }
    }
    fn flops(&self, input: &[usize], _output: &[usize]) -> u64 {
        let rows: u64 = input[..input.len().saturating_sub(1)]
            .iter()
            .product::<usize>() as u64;
        let (i, o) = (self.in_features as u64, self.out_features as u64);
        2 * rows * i * o + if self.bias.is_some() { rows * o } else { 0 }
    }
    fn kind(&self) -> &'static str {
        "Linear"
    }
    fn describe(&self) -> String {
        let b = if self.bias.is_some() { "" } else { ", no bias" };
        format!("Linear({} → {}{b})", self.in_features, self.out_features)
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn own_parameters(&self) -> Vec<(&'static str, Tensor)> {
        let mut v = vec![("weight", self.weight.clone())];
        if let Some(b) = &self.bias {
            v.push(("bias", b.clone()));
        }
        v
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
