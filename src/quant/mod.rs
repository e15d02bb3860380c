//! Quantization (course module 15): int8 affine quantization with real `i8` storage, per
//! tensor or per output channel; quantized Linear and Conv2d layers that multiply int8 by int8
//! into i32 and dequantize the output; calibration of activation ranges that the quantized
//! layers actually use; and `quantize_model` with the true byte sizes.

mod layers;
mod model;

pub use layers::{QuantizedConv2d, QuantizedLinear};
pub use model::{quantize_model, QuantReport};

use crate::error::{Error, Result};
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// Affine int8 parameters: `q = clamp(round(x / scale) + zero_point, −128, 127)` and
/// `x ≈ (q − zero_point) · scale`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct QParams {
    pub scale: f32,
    pub zero_point: i32,
}

impl QParams {
    /// Parameters covering `[min, max]` (widened to include 0, so 0 is exactly representable).
    /// A zero-width range gets scale 1.
    pub fn from_range(min: f32, max: f32) -> QParams {
        let (lo, hi) = (min.min(0.0), max.max(0.0));
        if !(hi - lo > 1e-12) || !lo.is_finite() || !hi.is_finite() {
            return QParams {
                scale: 1.0,
                zero_point: 0,
            };
        }
        let scale = (hi - lo) / 255.0;
        let zero_point = (-128.0 - lo / scale).round().clamp(-128.0, 127.0) as i32;
        QParams { scale, zero_point }
    }

    /// Symmetric parameters (zero point 0) covering `[−a, a]` with `a = max |x|`.
    pub fn symmetric(max_abs: f32) -> QParams {
        if !(max_abs > 1e-12) || !max_abs.is_finite() {
            return QParams {
                scale: 1.0,
                zero_point: 0,
            };
        }
        QParams {
            scale: max_abs / 127.0,
            zero_point: 0,
        }
    }

    /// Quantizes one value.
    #[inline]
    pub fn quantize(&self, x: f32) -> i8 {
        ((x / self.scale).round() as i32 + self.zero_point).clamp(-128, 127) as i8
    }

    /// Dequantizes one value.
    #[inline]
    pub fn dequantize(&self, q: i8) -> f32 {
        (q as i32 - self.zero_point) as f32 * self.scale
    }
}

/// An int8 tensor: `i8` values plus one set of parameters per tensor or per channel.
///
/// # Example
/// ```
/// use tinytorch::{quant::QuantTensor, Tensor};
/// let w = Tensor::randn(&[64, 32]);
/// let q = QuantTensor::per_channel(&w, 1).unwrap();
/// assert_eq!(q.bytes(), 64 * 32 + 32 * 8); // one byte per value + scale and zero point per column
/// let back = q.dequantize();
/// let worst = w.to_vec().iter().zip(back.to_vec()).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
/// assert!(worst <= q.params().iter().map(|p| p.scale).fold(0.0, f32::max) / 2.0 + 1e-6);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct QuantTensor {
    values: Vec<i8>,
    shape: Vec<usize>,
    params: Vec<QParams>,
    /// `None`: one set of parameters; `Some(axis)`: one per index along `axis`.
    axis: Option<usize>,
}

impl QuantTensor {
    /// Per-tensor affine quantization with min/max calibration.
    pub fn per_tensor(t: &Tensor) -> QuantTensor {
        let d = t.to_vec();
        let (lo, hi) = d
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        let p = QParams::from_range(lo, hi);
        QuantTensor {
            values: d.iter().map(|&v| p.quantize(v)).collect(),
            shape: t.shape(),
            params: vec![p],
            axis: None,
        }
    }

    /// Per-channel affine quantization along `axis` (the output channel of a weight).
    ///
    /// # Errors
    /// If `axis` is not an axis of `t`.
    pub fn per_channel(t: &Tensor, axis: usize) -> Result<QuantTensor> {
        QuantTensor::channels(t, axis, QParams::from_range)
    }

    /// Per-channel symmetric quantization (zero point 0), as quantized layers store weights.
    ///
    /// # Errors
    /// If `axis` is not an axis of `t`.
    pub fn per_channel_symmetric(t: &Tensor, axis: usize) -> Result<QuantTensor> {
        QuantTensor::channels(t, axis, |lo, hi| QParams::symmetric(lo.abs().max(hi.abs())))
    }

    fn channels(
        t: &Tensor,
        axis: usize,
        make: impl Fn(f32, f32) -> QParams,
    ) -> Result<QuantTensor> {
        let shape = t.shape();
        if axis >= shape.len() {
            return Err(Error::Axis {
                op: "quantize_per_channel",
                axis: axis as isize,
                shape,
            });
        }
        let d = t.to_vec();
        let (outer, c, inner) = crate::ops::reduce::split_at_axis(&shape, axis);
        let channel = |i: usize| (i / inner) % c;
        let mut ranges = vec![(f32::INFINITY, f32::NEG_INFINITY); c];
        for (i, &v) in d.iter().enumerate() {
            let r = &mut ranges[channel(i)];
            *r = (r.0.min(v), r.1.max(v));
        }
        let _ = outer;
        let params: Vec<QParams> = ranges.iter().map(|&(l, h)| make(l, h)).collect();
        let values = d
            .iter()
            .enumerate()
            .map(|(i, &v)| params[channel(i)].quantize(v))
            .collect();
        Ok(QuantTensor {
            values,
            shape,
            params,
            axis: Some(axis),
        })
    }

    /// The float values these int8 values stand for.
    pub fn dequantize(&self) -> Tensor {
        let inner: usize = self
            .axis
            .map(|a| self.shape[a + 1..].iter().product())
            .unwrap_or(1);
        let c = self.params.len();
        let v: Vec<f32> = self
            .values
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                self.params[if self.axis.is_some() {
                    (i / inner) % c
                } else {
                    0
                }]
                .dequantize(q)
            })
            .collect();
        Tensor::from_vec(v, &self.shape).expect("sizes agree")
    }

    /// The int8 values.
    pub fn values(&self) -> &[i8] {
        &self.values
    }
    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
    /// The parameters (one, or one per channel).
    pub fn params(&self) -> &[QParams] {
        &self.params
    }
    /// True storage: one byte per value plus 8 bytes (scale, zero point) per parameter set.
    pub fn bytes(&self) -> usize {
        self.values.len() + self.params.len() * 8
    }
}
