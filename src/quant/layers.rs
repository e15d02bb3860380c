//! `QuantizedLinear` and `QuantizedConv2d`: int8 weights (symmetric, per output channel), int8
//! activations quantized with calibrated parameters, an int8 × int8 → i32 GEMM, and a float
//! output. Inference only: they record no graph.

use super::{QParams, QuantTensor};
use crate::error::{Error, Result};
use crate::kernels::gemm_i8;
use crate::nn::{Conv2d, Layer, Linear, Module, Site};
use crate::ops::conv::Conv2dGeom;
use crate::tensor::Tensor;
use std::any::Any;
use std::rc::Rc;

/// Weights as `(out, in)` rows of int8 with one f32 scale per output channel (symmetric: the
/// zero point is 0 and is not stored).
struct Packed {
    /// `(out, k)` int8 rows.
    rows: Vec<i8>,
    scales: Vec<f32>,
    k: usize,
    out: usize,
}

impl Packed {
    /// From a float `(out, k)` matrix given as rows.
    fn new(w_rows: &Tensor) -> Result<Packed> {
        let q = QuantTensor::per_channel_symmetric(w_rows, 0)?;
        let (out, k) = (w_rows.shape()[0], w_rows.shape()[1]);
        let rows = q.values().to_vec();
        Ok(Packed {
            rows,
            scales: q.params().iter().map(|p| p.scale).collect(),
            k,
            out,
        })
    }

    /// Stored bytes: one per weight and a 4-byte scale per output channel.
    fn bytes(&self) -> usize {
        self.rows.len() + self.out * 4
    }

    /// `y (m × out) = dequant(x_q · W_qᵀ)`: with x = (q_x − z)·s_x and w = q_w·s_w,
    /// y_ij = s_x·s_w_j·(Σ_p q_x q_w − z·Σ_p q_w).
    fn matmul(&self, xq: &[i8], m: usize, input: QParams, bias: Option<&[f32]>) -> Vec<f32> {
        let mut acc = vec![0i32; m * self.out];
        gemm_i8(m, self.out, self.k, xq, &self.rows, &mut acc);
        // Σ_p q_w for each output: recomputed (cheaper than storing it), O(out·k).
        let row_sums: Vec<i32> = self
            .rows
            .chunks(self.k)
            .map(|r| r.iter().map(|&v| v as i32).sum())
            .collect();
        let mut y = vec![0.0f32; m * self.out];
        for (yr, ar) in y.chunks_exact_mut(self.out).zip(acc.chunks_exact(self.out)) {
            for j in 0..self.out {
                let v =
                    (ar[j] - input.zero_point * row_sums[j]) as f32 * input.scale * self.scales[j];
                yr[j] = v + bias.map(|b| b[j]).unwrap_or(0.0);
            }
        }
        y
    }
}

/// A Linear with int8 weights and calibrated int8 activations.
pub struct QuantizedLinear {
    site: Site,
    w: Packed,
    bias: Option<Vec<f32>>,
    input: QParams,
}

impl QuantizedLinear {
    /// Quantizes `linear`; `input` are the calibrated parameters of what it will receive.
    ///
    /// # Errors
    /// Never for a valid Linear.
    pub fn new(linear: &Linear, input: QParams) -> Result<QuantizedLinear> {
        let w_rows = linear.weight().try_t()?; // (out, in)
        Ok(QuantizedLinear {
            site: Site::new(),
            w: Packed::new(&w_rows)?,
            bias: linear.bias().map(|b| b.to_vec()),
            input,
        })
    }
    /// The calibrated input parameters.
    pub fn input_params(&self) -> QParams {
        self.input
    }
    /// Bytes of storage: int8 weights, per-channel scales, the f32 bias, and the input's scale
    /// and zero point.
    pub fn bytes(&self) -> usize {
        self.w.bytes() + self.bias.as_ref().map(|b| b.len() * 4).unwrap_or(0) + 8
    }
    /// Wraps the layer in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for QuantizedLinear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let s = x.shape();
        if s.last() != Some(&self.w.k) {
            return Err(Error::Arg {
                op: "QuantizedLinear",
                msg: format!("expects a last axis of {}, got {s:?}", self.w.k),
            });
        }
        let xq: Vec<i8> = x.to_vec().iter().map(|&v| self.input.quantize(v)).collect();
        let m = xq.len() / self.w.k;
        let y = self.w.matmul(&xq, m, self.input, self.bias.as_deref());
        let mut out = s;
        *out.last_mut().expect("rank ≥ 1") = self.w.out;
        Tensor::from_vec(y, &out)
    }
    fn storage_bytes(&self) -> usize {
        self.bytes()
    }
    fn stored_parameters(&self) -> usize {
        self.w.rows.len() + self.bias.as_ref().map(|b| b.len()).unwrap_or(0)
    }
    fn kind(&self) -> &'static str {
        "QuantizedLinear"
    }
    fn describe(&self) -> String {
        format!("QuantizedLinear({} → {}, int8)", self.w.k, self.w.out)
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A Conv2d with int8 weights and calibrated int8 activations (im2col, then the int8 GEMM).
pub struct QuantizedConv2d {
    site: Site,
    w: Packed,
    bias: Option<Vec<f32>>,
    input: QParams,
    kernel: usize,
    stride: usize,
    padding: usize,
    in_channels: usize,
}

impl QuantizedConv2d {
    /// Quantizes `conv`; `input` are the calibrated parameters of what it will receive.
    ///
    /// # Errors
    /// Never for a valid Conv2d.
    pub fn new(
        conv: &Conv2d,
        input: QParams,
        kernel: usize,
        stride: usize,
        padding: usize,
    ) -> Result<QuantizedConv2d> {
        let ws = conv.weight().shape();
        let w_rows = conv.weight().try_view(&[ws[0], ws[1] * ws[2] * ws[3]])?;
        Ok(QuantizedConv2d {
            site: Site::new(),
            w: Packed::new(&w_rows)?,
            bias: conv.bias().map(|b| b.to_vec()),
            input,
            kernel,
            stride,
            padding,
            in_channels: ws[1],
        })
    }
    /// Bytes of storage.
    pub fn bytes(&self) -> usize {
        self.w.bytes() + self.bias.as_ref().map(|b| b.len() * 4).unwrap_or(0) + 8
    }
    /// Wraps the layer in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for QuantizedConv2d {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let s = x.shape();
        let g = Conv2dGeom::new(
            "QuantizedConv2d",
            &s,
            self.kernel,
            self.kernel,
            self.stride,
            self.padding,
        )?;
        if g.c != self.in_channels {
            return Err(Error::Arg {
                op: "QuantizedConv2d",
                msg: format!("expects {} channels, got shape {s:?}", self.in_channels),
            });
        }
        let xv = x.to_vec();
        // im2col straight into int8: each patch row quantized with the calibrated parameters.
        let (k, p) = (g.k(), g.p());
        let mut cols = vec![self.input.quantize(0.0); g.n * p * k];
        for (r, row) in cols.chunks_exact_mut(k).enumerate() {
            let (n, pos) = (r / p, r % p);
            let (oy, ox) = (pos / g.ow, pos % g.ow);
            for c in 0..g.c {
                for ki in 0..g.kh {
                    for kj in 0..g.kw {
                        if let Some((y, xx)) = g.tap(oy, ox, ki, kj) {
                            row[(c * g.kh + ki) * g.kw + kj] = self
                                .input
                                .quantize(xv[((n * g.c + c) * g.h + y) * g.w + xx]);
                        }
                    }
                }
            }
        }
        let rows = self
            .w
            .matmul(&cols, g.n * p, self.input, self.bias.as_deref()); // (N·P, O)
        let o = self.w.out;
        let mut out = vec![0.0f32; rows.len()];
        for n in 0..g.n {
            for pos in 0..p {
                for c in 0..o {
                    out[(n * o + c) * p + pos] = rows[(n * p + pos) * o + c];
                }
            }
        }
        Tensor::from_vec(out, &[g.n, o, g.oh, g.ow])
    }
    fn storage_bytes(&self) -> usize {
        self.bytes()
    }
    fn stored_parameters(&self) -> usize {
        self.w.rows.len() + self.bias.as_ref().map(|b| b.len()).unwrap_or(0)
    }
    fn kind(&self) -> &'static str {
        "QuantizedConv2d"
    }
    fn describe(&self) -> String {
        format!(
            "QuantizedConv2d({} → {}, k={}, int8)",
            self.in_channels, self.w.out, self.kernel
        )
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
