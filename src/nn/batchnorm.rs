//! `BatchNorm2d` (course module 09): per-channel normalisation with learned scale and shift,
//! batch statistics in training, running statistics in evaluation.

use super::module::{Layer, Module, Site};
use crate::autograd::no_grad;
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::any::Any;
use std::rc::Rc;

/// Batch normalisation over the channels of `(N, C, H, W)` inputs.
///
/// Training mode normalises with the batch's mean and (biased) variance and updates the running
/// statistics as `running = (1 − momentum)·running + momentum·batch` (with the unbiased
/// variance, as PyTorch does); evaluation mode normalises with the running statistics. γ starts
/// at 1 and β at 0. The backward is exact for input, γ and β.
///
/// # Example
/// ```
/// use tinytorch::{nn::{BatchNorm2d, Module}, Tensor};
/// let bn = BatchNorm2d::new(3, 1e-5, 0.1).unwrap();
/// let y = bn.forward(&Tensor::randn(&[4, 3, 5, 5])).unwrap();
/// let m = y.try_mean_axes(&[0, 2, 3], false).unwrap().to_vec();
/// assert!(m.iter().all(|v| v.abs() < 1e-5)); // each channel is centred
/// ```
pub struct BatchNorm2d {
    site: Site,
    channels: usize,
    eps: f32,
    momentum: f32,
    gamma: Tensor,
    beta: Tensor,
    running_mean: Tensor,
    running_var: Tensor,
}

impl BatchNorm2d {
    /// Batch norm for `channels` channels.
    ///
    /// # Errors
    /// If `channels` is 0, `eps` ≤ 0, or `momentum` is outside `[0, 1]`.
    pub fn new(channels: usize, eps: f32, momentum: f32) -> Result<BatchNorm2d> {
        if channels == 0 || !(eps > 0.0) || !(0.0..=1.0).contains(&momentum) {
            return Err(Error::Arg {
                op: "BatchNorm2d",
                msg: format!("needs channels ≥ 1, eps > 0, momentum in [0, 1]; got {channels}, {eps}, {momentum}"),
            });
        }
        Ok(BatchNorm2d {
            site: Site::new(),
            channels,
            eps,
            momentum,
            gamma: Tensor::ones(&[channels]).requires_grad_(true),
            beta: Tensor::zeros(&[channels]).requires_grad_(true),
            running_mean: Tensor::zeros(&[channels]),
            running_var: Tensor::ones(&[channels]),
        })
    }

    /// The running mean (used in evaluation mode).
    pub fn running_mean(&self) -> &Tensor {
        &self.running_mean
    }

    /// The running variance (used in evaluation mode).
    pub fn running_var(&self) -> &Tensor {
        &self.running_var
    }

    /// Wraps the layer in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for BatchNorm2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let s = x.shape();
        if s.len() != 4 || s[1] != self.channels {
            return Err(Error::Arg {
                op: "BatchNorm2d",
                msg: format!(
                    "{} expects (N, {}, H, W) input, got shape {s:?}",
                    self.describe(),
                    self.channels
                ),
            });
        }
        if self.site.training() {
            let (y, stats) = x.try_batch_norm2d(&self.gamma, &self.beta, None, self.eps)?;
            let stats = stats.expect("training computes batch statistics");
            let count = (s[0] * s[2] * s[3]) as f32;
            let unbias = if count > 1.0 {
                count / (count - 1.0)
            } else {
                1.0
            };
            let m = self.momentum;
            no_grad(|| {
                let mut rm = self.running_mean.data_mut();
                let mut rv = self.running_var.data_mut();
                for (i, (r, v)) in rm.iter_mut().zip(rv.iter_mut()).enumerate() {
                    *r = (1.0 - m) * *r + m * stats.mean[i];
                    *v = (1.0 - m) * *v + m * stats.var[i] * unbias;
                }
            });
            Ok(y)
        } else {
            let (rm, rv) = (self.running_mean.to_vec(), self.running_var.to_vec());
            Ok(
                x.try_batch_norm2d(&self.gamma, &self.beta, Some((&rm, &rv)), self.eps)?
                    .0,
            )
        }
    }
    fn flops(&self, _input: &[usize], output: &[usize]) -> u64 {
        // mean, variance, normalise, scale, shift: 5 per element.
        5 * output.iter().product::<usize>() as u64
    }
    fn kind(&self) -> &'static str {
        "BatchNorm2d"
    }
    fn describe(&self) -> String {
        format!("BatchNorm2d({})", self.channels)
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn own_parameters(&self) -> Vec<(&'static str, Tensor)> {
        vec![("gamma", self.gamma.clone()), ("beta", self.beta.clone())]
    }
    fn own_buffers(&self) -> Vec<(&'static str, Tensor)> {
        vec![
            ("running_mean", self.running_mean.clone()),
            ("running_var", self.running_var.clone()),
        ]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
