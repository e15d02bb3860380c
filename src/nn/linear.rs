//! `Linear`: y = x·W + b with W of shape (in, out), as TinyTorch defines it.

use super::module::{Layer, Module, Site};
use crate::error::{shape_err, Error, Result};
use crate::tensor::Tensor;
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
}

impl Linear {
    /// A layer from `in_features` to `out_features`, with or without a bias.
    pub fn new(in_features: usize, out_features: usize, bias: bool) -> Linear {
        let std = (1.0 / in_features.max(1) as f32).sqrt();
        let weight = (Tensor::randn(&[in_features, out_features]) * std).requires_grad_(true);
        let bias = bias.then(|| Tensor::zeros(&[out_features]).requires_grad_(true));
        Linear {
            site: Site::new(),
            in_features,
            out_features,
            weight,
            bias,
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
