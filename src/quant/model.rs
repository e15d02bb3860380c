//! `quantize_model`: calibrate every Linear/Conv2d input range on sample data, replace those
//! layers by their int8 versions, and report the true byte sizes.

use super::layers::{QuantizedConv2d, QuantizedLinear};
use super::QParams;
use crate::autograd::no_grad;
use crate::error::{Error, Result};
use crate::nn::{call, Conv2d, Layer, Linear, Module, Sequential};
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// One layer of a quantized model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantLayer {
    pub index: usize,
    pub kind: String,
    pub float_bytes: usize,
    pub quant_bytes: usize,
    /// Calibrated input range as quantization parameters (quantized layers only).
    pub input_scale: Option<f32>,
    pub input_zero_point: Option<i32>,
}

/// Sizes before and after quantization, from the stored values themselves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantReport {
    pub float_bytes: usize,
    pub quant_bytes: usize,
    /// float_bytes / quant_bytes.
    pub ratio: f64,
    pub layers: Vec<QuantLayer>,
}

/// Replaces every `Linear` and `Conv2d` of `model` by an int8 version whose input parameters
/// are calibrated on `calibration` (run through the float model in evaluation mode); other
/// layers are shared unchanged.
///
/// # Errors
/// If the calibration data do not fit the model.
///
/// # Example
/// ```
/// use tinytorch::{nn::*, quant::quantize_model, Tensor};
/// let m = Sequential::new(vec![Linear::new(64, 128, true).into_layer(), ReLU::new().into_layer(), Linear::new(128, 10, true).into_layer()]);
/// let (q, report) = quantize_model(&m, &Tensor::randn(&[32, 64])).unwrap();
/// assert!(report.ratio > 3.5);
/// assert_eq!(q.forward(&Tensor::randn(&[2, 64])).unwrap().shape(), vec![2, 10]);
/// ```
pub fn quantize_model(
    model: &Sequential,
    calibration: &Tensor,
) -> Result<(Sequential, QuantReport)> {
    if calibration.numel() == 0 {
        return Err(Error::Arg {
            op: "quantize_model",
            msg: "calibration data are empty".into(),
        });
    }
    model.eval();
    let out = no_grad(|| -> Result<(Vec<Layer>, Vec<QuantLayer>)> {
        let mut h = calibration.clone();
        let (mut layers, mut rows) = (Vec::new(), Vec::new());
        for (index, layer) in model.layers().iter().enumerate() {
            let float_bytes = layer.num_parameters() * 4;
            let (lo, hi) = h
                .data()
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, u), &v| {
                    (l.min(v), u.max(v))
                });
            let qp = QParams::from_range(lo, hi);
            let (new, quant_bytes, q): (Layer, usize, bool) =
                if let Some(lin) = layer.as_any().downcast_ref::<Linear>() {
                    let ql = QuantizedLinear::new(lin, qp)?;
                    let b = ql.bytes();
                    (ql.into_layer(), b, true)
                } else if let Some(conv) = layer.as_any().downcast_ref::<Conv2d>() {
                    let (k, s, p) = conv.geometry();
                    let qc = QuantizedConv2d::new(conv, qp, k, s, p)?;
                    let b = qc.bytes();
                    (qc.into_layer(), b, true)
                } else {
                    (layer.clone(), float_bytes, false)
                };
            rows.push(QuantLayer {
                index,
                kind: new.kind().to_string(),
                float_bytes,
                quant_bytes,
                input_scale: q.then_some(qp.scale),
                input_zero_point: q.then_some(qp.zero_point),
            });
            layers.push(new);
            h = call(&**layer, &h)?;
        }
        Ok((layers, rows))
    });
    model.train();
    let (layers, rows) = out?;
    let float_bytes: usize = rows.iter().map(|r| r.float_bytes).sum();
    let quant_bytes: usize = rows.iter().map(|r| r.quant_bytes).sum();
    let q = Sequential::new(layers);
    q.eval();
    Ok((
        q,
        QuantReport {
            float_bytes,
            quant_bytes,
            ratio: float_bytes as f64 / quant_bytes.max(1) as f64,
            layers: rows,
        },
    ))
}
