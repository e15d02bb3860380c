//! Batch normalisation over NCHW channels as one fused op with the exact backward.

use crate::autograd::{GradSink, Op};
use crate::error::{shape_err, Error, Result};
use crate::tensor::{Array, Tensor};
use ndarray::IxDyn;

/// Per-channel statistics a batch-norm forward used.
pub struct BatchStats {
    /// Mean per channel.
    pub mean: Vec<f32>,
    /// Biased variance per channel (what normalisation divides by).
    pub var: Vec<f32>,
}

impl Tensor {
    /// `y = γ·(x − μ)/√(σ² + eps) + β` per channel of an `(N, C, H, W)` input. With
    /// `stats = None` μ and σ² are the batch's (training); otherwise the given running values
    /// (evaluation). Returns the output and the batch statistics it computed (if any).
    ///
    /// # Errors
    /// If the input is not 4-D, γ/β/stats do not have C entries, or the batch is empty.
    pub fn try_batch_norm2d(
        &self,
        gamma: &Tensor,
        beta: &Tensor,
        stats: Option<(&[f32], &[f32])>,
        eps: f32,
    ) -> Result<(Tensor, Option<BatchStats>)> {
        let s = self.shape();
        if s.len() != 4 {
            return Err(Error::Arg {
                op: "batch_norm2d",
                msg: format!("expects a 4-D (N, C, H, W) input, got {s:?}"),
            });
        }
        let (n, c, hw) = (s[0], s[1], s[2] * s[3]);
        if gamma.shape() != [c] || beta.shape() != [c] {
            return Err(shape_err(
                "batch_norm2d",
                &s,
                &gamma.shape(),
                format!("gamma and beta need {c} entries, one per channel"),
            ));
        }
        let m = n * hw;
        if m == 0 {
            return Err(Error::Arg {
                op: "batch_norm2d",
                msg: format!("empty batch {s:?}"),
            });
        }
        let data = self.data();
        let x = data.as_slice().expect("standard");
        let (mean, var, batch) = match stats {
            Some((rm, rv)) => (rm.to_vec(), rv.to_vec(), false),
            None => {
                let (mut mean, mut var) = (vec![0.0f64; c], vec![0.0f64; c]);
                for i in 0..n {
                    for ch in 0..c {
                        let plane = &x[(i * c + ch) * hw..][..hw];
                        mean[ch] += plane.iter().map(|&v| v as f64).sum::<f64>();
                    }
                }
                mean.iter_mut().for_each(|v| *v /= m as f64);
                for i in 0..n {
                    for ch in 0..c {
                        let plane = &x[(i * c + ch) * hw..][..hw];
                        var[ch] += plane
                            .iter()
                            .map(|&v| (v as f64 - mean[ch]).powi(2))
                            .sum::<f64>();
                    }
                }
                var.iter_mut().for_each(|v| *v /= m as f64);
                (
                    mean.iter().map(|&v| v as f32).collect(),
                    var.iter().map(|&v| v as f32).collect(),
                    true,
                )
            }
        };
        let inv_std: Vec<f32> = var.iter().map(|&v| 1.0 / (v + eps).sqrt()).collect();
        let (gd, bd) = (gamma.data(), beta.data());
        let (gv, bv) = (
            gd.as_slice().expect("standard"),
            bd.as_slice().expect("standard"),
        );
        let mut xhat = vec![0.0f32; x.len()];
        let mut out = vec![0.0f32; x.len()];
        for i in 0..n {
            for ch in 0..c {
                let off = (i * c + ch) * hw;
                for j in off..off + hw {
                    xhat[j] = (x[j] - mean[ch]) * inv_std[ch];
                    out[j] = gv[ch] * xhat[j] + bv[ch];
                }
            }
        }
        drop((gd, bd, data));
        let y = Array::from_shape_vec(IxDyn(&s), out).expect("sizes agree");
        let xhat = Array::from_shape_vec(IxDyn(&s), xhat).expect("sizes agree");
        let op = Op::BatchNorm2d {
            input: self.clone(),
            gamma: gamma.clone(),
            beta: beta.clone(),
            xhat,
            inv_std,
            batch,
        };
        let stats = batch.then_some(BatchStats { mean, var });
        Ok((Tensor::from_op(y, op), stats))
    }
}

// x̂ = (x − μ)·r, y = γx̂ + β. dβ = Σg, dγ = Σg·x̂; with batch statistics
// dx = γr/M · (M·g − Σg − x̂·Σ(g·x̂)) (μ and σ² depend on x); with fixed ones dx = γr·g.
#[allow(clippy::too_many_arguments)]
pub(crate) fn batch_norm_backward(
    input: &Tensor,
    gamma: &Tensor,
    beta: &Tensor,
    xhat: &Array,
    inv_std: &[f32],
    batch: bool,
    grad: Array,
    sink: &mut GradSink,
) {
    let s = input.shape();
    let (n, c, hw) = (s[0], s[1], s[2] * s[3]);
    let m = (n * hw) as f32;
    let grad = grad.as_standard_layout().into_owned();
    let (g, xh) = (
        grad.as_slice().expect("standard"),
        xhat.as_slice().expect("standard"),
    );
    let (mut sum_g, mut sum_gx) = (vec![0.0f32; c], vec![0.0f32; c]);
    for i in 0..n {
        for ch in 0..c {
            let off = (i * c + ch) * hw;
            for j in off..off + hw {
                sum_g[ch] += g[j];
                sum_gx[ch] += g[j] * xh[j];
            }
        }
    }
    if beta.requires_grad() {
        sink.add(
            beta,
            Array::from_shape_vec(IxDyn(&[c]), sum_g.clone()).expect("c"),
        );
    }
    if gamma.requires_grad() {
        sink.add(
            gamma,
            Array::from_shape_vec(IxDyn(&[c]), sum_gx.clone()).expect("c"),
        );
    }
    if input.requires_grad() {
        let gd = gamma.data();
        let gv = gd.as_slice().expect("standard");
        let mut dx = vec![0.0f32; g.len()];
        for i in 0..n {
            for ch in 0..c {
                let off = (i * c + ch) * hw;
                let k = gv[ch] * inv_std[ch];
                for j in off..off + hw {
                    dx[j] = if batch {
                        k / m * (m * g[j] - sum_g[ch] - xh[j] * sum_gx[ch])
                    } else {
                        k * g[j]
                    };
                }
            }
        }
        sink.add(
            input,
            Array::from_shape_vec(IxDyn(&s), dx).expect("sizes agree"),
        );
    }
}
