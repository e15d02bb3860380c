//! Spatial layers (course module 09): `Conv2d` and `Flatten`.

use super::module::{Layer, Module, Site};
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::any::Any;
use std::rc::Rc;

/// 2-D convolution (cross-correlation): `(N, C_in, H, W) → (N, C_out, Hout, Wout)` with
/// `Hout = (H + 2·padding − k)/stride + 1`. Weights are `(C_out, C_in, k, k)` with He-normal
/// init `std = √(2/(C_in·k·k))`; the bias starts at zero. Computed as im2col + one GEMM.
///
/// # Example
/// ```
/// use tinytorch::{nn::{Conv2d, Module}, Tensor};
/// let conv = Conv2d::new(3, 16, 3, 1, 0, true).unwrap();
/// assert_eq!(conv.forward(&Tensor::zeros(&[1, 3, 8, 8])).unwrap().shape(), vec![1, 16, 6, 6]);
/// assert_eq!(conv.num_parameters(), 448); // 16·3·3·3 + 16
/// ```
pub struct Conv2d {
    site: Site,
    in_channels: usize,
    out_channels: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Conv2d {
    /// A convolution with a square `kernel`.
    ///
    /// # Errors
    /// If a channel count, the kernel size or the stride is 0.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        bias: bool,
    ) -> Result<Conv2d> {
        if in_channels == 0 || out_channels == 0 || kernel == 0 || stride == 0 {
            return Err(Error::Arg {
                op: "Conv2d",
                msg: format!("channels, kernel size and stride must be ≥ 1, got in {in_channels}, out {out_channels}, kernel {kernel}, stride {stride}"),
            });
        }
        let std = (2.0 / (in_channels * kernel * kernel) as f32).sqrt();
        let weight = (Tensor::randn(&[out_channels, in_channels, kernel, kernel]) * std)
            .requires_grad_(true);
        let bias = bias.then(|| Tensor::zeros(&[out_channels]).requires_grad_(true));
        Ok(Conv2d {
            site: Site::new(),
            in_channels,
            out_channels,
            kernel,
            stride,
            padding,
            weight,
            bias,
        })
    }

    /// The weight `(C_out, C_in, k, k)`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The bias `(C_out,)`, if any.
    pub fn bias(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }

    /// Kernel size, stride and padding.
    pub fn geometry(&self) -> (usize, usize, usize) {
        (self.kernel, self.stride, self.padding)
    }

    /// `(Hout, Wout)` for an input of `h × w`.
    pub fn output_size(&self, h: usize, w: usize) -> (usize, usize) {
        let f = |d: usize| (d + 2 * self.padding).saturating_sub(self.kernel) / self.stride + 1;
        (f(h), f(w))
    }

    /// Wraps the layer in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for Conv2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let s = x.shape();
        if s.len() != 4 || s[1] != self.in_channels {
            return Err(Error::Arg {
                op: "Conv2d",
                msg: format!(
                    "{} expects (N, {}, H, W) input, got shape {s:?}",
                    self.describe(),
                    self.in_channels
                ),
            });
        }
        x.try_conv2d(&self.weight, self.bias.as_ref(), self.stride, self.padding)
            .map_err(|e| e.in_layer("Conv2d", &self.describe()))
    }
    fn flops(&self, _input: &[usize], output: &[usize]) -> u64 {
        let outputs: u64 = output.iter().product::<usize>() as u64; // N·O·Hout·Wout
        let per = (self.in_channels * self.kernel * self.kernel) as u64;
        2 * outputs * per + if self.bias.is_some() { outputs } else { 0 }
    }
    fn kind(&self) -> &'static str {
        "Conv2d"
    }
    fn describe(&self) -> String {
        format!(
            "Conv2d({} → {}, k={}, s={}, p={})",
            self.in_channels, self.out_channels, self.kernel, self.stride, self.padding
        )
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

/// Flattens every axis after the first: `(N, C, H, W) → (N, C·H·W)`, keeping the graph (the
/// reference rebuilt a tensor from raw data here, which cut its conv layers off from training).
///
/// # Example
/// ```
/// use tinytorch::{nn::{Flatten, Module}, Tensor};
/// assert_eq!(Flatten::new().forward(&Tensor::zeros(&[2, 3, 4, 4])).unwrap().shape(), vec![2, 48]);
/// ```
#[derive(Default)]
pub struct Flatten {
    site: Site,
}

impl Flatten {
    /// A new flatten layer.
    pub fn new() -> Flatten {
        Flatten { site: Site::new() }
    }
    /// Wraps the layer in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for Flatten {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if x.ndim() < 2 {
            return Err(Error::Arg {
                op: "Flatten",
                msg: format!(
                    "needs a batch axis and at least one more, got shape {:?}",
                    x.shape()
                ),
            });
        }
        x.try_flatten(1)
    }
    fn kind(&self) -> &'static str {
        "Flatten"
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
