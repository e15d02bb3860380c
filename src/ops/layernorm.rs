//! Layer normalisation over the last axis as one fused op with the exact backward (the
//! reference treated the mean and standard deviation as constants, so its input gradient was
//! only approximate).

use crate::autograd::{GradSink, Op};
use crate::error::{shape_err, Error, Result};
use crate::tensor::{Array, Tensor};

impl Tensor {
    /// `y = γ·(x − μ)/√(σ² + eps) + β` with μ and the biased σ² over the last axis; γ and β
    /// have the last axis's size.
    ///
    /// # Errors
    /// If the tensor is 0-d, or γ/β do not match the last axis.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let x = Tensor::from_vec(vec![1., 2., 3., 4.], &[1, 4]).unwrap();
    /// let y = x.try_layer_norm(&Tensor::ones(&[4]), &Tensor::zeros(&[4]), 1e-5).unwrap();
    /// assert!(y.to_vec().iter().sum::<f32>().abs() < 1e-5);
    /// ```
    pub fn try_layer_norm(&self, gamma: &Tensor, beta: &Tensor, eps: f32) -> Result<Tensor> {
        let s = self.shape();
        let Some(&d) = s.last() else {
            return Err(Error::Arg {
                op: "layer_norm",
                msg: "needs at least one axis".into(),
            });
        };
        if gamma.shape() != [d] || beta.shape() != [d] {
            return Err(shape_err(
                "layer_norm",
                &s,
                &gamma.shape(),
                format!("gamma and beta need {d} entries (the last axis)"),
            ));
        }
        if d == 0 {
            return Err(Error::Arg {
                op: "layer_norm",
                msg: format!("the last axis is empty in {s:?}"),
            });
        }
        let data = self.data();
        let (gd, bd) = (gamma.data(), beta.data());
        let (gv, bv) = (
            gd.as_slice().expect("standard"),
            bd.as_slice().expect("standard"),
        );
        let x = data.as_slice().expect("standard");
        let mut xhat = vec![0.0f32; x.len()];
        let mut out = vec![0.0f32; x.len()];
        let mut inv_std = Vec::with_capacity(x.len() / d);
        for ((row, xh), o) in x
            .chunks_exact(d)
            .zip(xhat.chunks_exact_mut(d))
            .zip(out.chunks_exact_mut(d))
        {
            let mean = row.iter().map(|&v| v as f64).sum::<f64>() / d as f64;
            let var = row.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / d as f64;
            let r = (1.0 / (var + eps as f64).sqrt()) as f32;
            for j in 0..d {
                xh[j] = (row[j] - mean as f32) * r;
                o[j] = gv[j] * xh[j] + bv[j];
            }
            inv_std.push(r);
        }
        drop((gd, bd, data));
        let y = Array::from_shape_vec(ndarray::IxDyn(&s), out).expect("sizes agree");
        let xhat = Array::from_shape_vec(ndarray::IxDyn(&s), xhat).expect("sizes agree");
        Ok(Tensor::from_op(
            y,
            Op::LayerNorm {
                input: self.clone(),
                gamma: gamma.clone(),
                beta: beta.clone(),
                xhat,
                inv_std,
            },
        ))
    }
}

// Per row: x̂ = (x − μ)r, y = γx̂ + β. dβ = Σ_rows g, dγ = Σ_rows g·x̂, and with h = g·γ:
// dx = r/D · (D·h − Σh − x̂·Σ(h·x̂)) (μ and σ² both depend on x).
pub(crate) fn layer_norm_backward(
    input: &Tensor,
    gamma: &Tensor,
    beta: &Tensor,
    xhat: &Array,
    inv_std: &[f32],
    g: Array,
    sink: &mut GradSink,
) {
    let d = gamma.shape()[0];
    let g = g.as_standard_layout().into_owned();
    let (gs, xh) = (
        g.as_slice().expect("standard"),
        xhat.as_slice().expect("standard"),
    );
    if gamma.requires_grad() || beta.requires_grad() {
        let (mut dg, mut db) = (vec![0.0f32; d], vec![0.0f32; d]);
        for (grow, xrow) in gs.chunks_exact(d).zip(xh.chunks_exact(d)) {
            for j in 0..d {
                dg[j] += grow[j] * xrow[j];
                db[j] += grow[j];
            }
        }
        sink.add(
            gamma,
            Array::from_shape_vec(ndarray::IxDyn(&[d]), dg).expect("d"),
        );
        sink.add(
            beta,
            Array::from_shape_vec(ndarray::IxDyn(&[d]), db).expect("d"),
        );
    }
    if input.requires_grad() {
        let gd = gamma.data();
        let gv = gd.as_slice().expect("standard");
        let mut dx = vec![0.0f32; gs.len()];
        let df = d as f32;
        for (((grow, xrow), out), &r) in gs
            .chunks_exact(d)
            .zip(xh.chunks_exact(d))
            .zip(dx.chunks_exact_mut(d))
            .zip(inv_std)
        {
            let (mut sh, mut shx) = (0.0f32, 0.0f32);
            for j in 0..d {
                let h = grow[j] * gv[j];
                sh += h;
                shx += h * xrow[j];
            }
            for j in 0..d {
                out[j] = r / df * (df * grow[j] * gv[j] - sh - xrow[j] * shx);
            }
        }
        sink.add(
            input,
            Array::from_shape_vec(ndarray::IxDyn(&input.shape()), dx).expect("sizes agree"),
        );
    }
}
