//! A fused elementwise chain (course module 18): `gelu(x + bias)` in one pass with its own
//! backward, against the unfused `(x + bias).gelu()` that writes an intermediate tensor.

use super::unary::{gelu, gelu_grad};
use crate::autograd::{GradSink, Op};
use crate::error::{shape_err, Result};
use crate::tensor::{Array, Tensor};

impl Tensor {
    /// `gelu(self + bias)` for `(…, D)` input and a `(D,)` bias, in one pass over the data.
    /// Equal to `self.try_add(bias)?.gelu()` up to rounding.
    ///
    /// # Errors
    /// If the bias is not `(D,)` for the last axis `D`.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let x = Tensor::randn(&[4, 8]);
    /// let b = Tensor::randn(&[8]);
    /// let fused = x.try_bias_gelu(&b).unwrap().to_vec();
    /// let plain = x.try_add(&b).unwrap().gelu().to_vec();
    /// assert!(fused.iter().zip(&plain).all(|(a, b)| (a - b).abs() < 1e-6));
    /// ```
    pub fn try_bias_gelu(&self, bias: &Tensor) -> Result<Tensor> {
        let s = self.shape();
        let d = *s.last().unwrap_or(&0);
        if bias.shape() != [d] {
            return Err(shape_err(
                "bias_gelu",
                &s,
                &bias.shape(),
                "the bias must be (D,) for the last axis",
            ));
        }
        let mut out = self.data().clone();
        {
            let bd = bias.data();
            let b = bd.as_slice().expect("standard");
            for row in out
                .as_slice_mut()
                .expect("standard")
                .chunks_exact_mut(d.max(1))
            {
                for (v, &bv) in row.iter_mut().zip(b) {
                    *v = gelu(*v + bv);
                }
            }
        }
        Ok(Tensor::from_op(
            out,
            Op::BiasGelu {
                x: self.clone(),
                bias: bias.clone(),
            },
        ))
    }
}

// y = gelu(x + b) ⇒ dx = g·gelu'(x + b), db = Σ_rows dx.
pub(crate) fn bias_gelu_backward(x: &Tensor, bias: &Tensor, g: Array, sink: &mut GradSink) {
    let d = bias.numel();
    let mut dx = g.as_standard_layout().into_owned();
    {
        let (xd, bd) = (x.data(), bias.data());
        let (xs, b) = (
            xd.as_slice().expect("standard"),
            bd.as_slice().expect("standard"),
        );
        for (grow, xrow) in dx
            .as_slice_mut()
            .expect("standard")
            .chunks_exact_mut(d.max(1))
            .zip(xs.chunks_exact(d.max(1)))
        {
            for ((gv, &xv), &bv) in grow.iter_mut().zip(xrow).zip(b) {
                *gv *= gelu_grad(xv + bv);
            }
        }
    }
    if bias.requires_grad() {
        let mut db = Array::zeros(ndarray::IxDyn(&[d]));
        let dbs = db.as_slice_mut().expect("standard");
        for row in dx.as_slice().expect("standard").chunks_exact(d.max(1)) {
            for (a, v) in dbs.iter_mut().zip(row) {
                *a += v;
            }
        }
        sink.add(bias, db);
    }
    sink.add(x, dx);
}
