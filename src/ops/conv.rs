//! 2-D convolution (cross-correlation, NCHW input, OIHW weights) as im2col plus one matrix
//! multiply, and its backward for input, weight and bias.
//!
//! All `N·P` output positions (P = Hout·Wout) become rows of one `(N·P) × K` patch matrix
//! (K = C·kh·kw), so the whole batch is a single GEMM `cols · Wᵀ` through the SIMD kernel.

use crate::autograd::{GradSink, Op};
use crate::error::{Error, Result};
use crate::kernels::{gemm, MatRef};
use crate::tensor::{Array, Tensor};
use ndarray::IxDyn;

/// Geometry of one convolution (or pooling) window sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv2dGeom {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub kh: usize,
    pub kw: usize,
    pub stride: usize,
    pub padding: usize,
    pub oh: usize,
    pub ow: usize,
}

impl Conv2dGeom {
    /// Checks an NCHW shape against a kernel and computes the output size
    /// `(H + 2p − k) / s + 1`.
    ///
    /// # Errors
    /// If the input is not 4-D, the stride is 0, or the kernel is larger than the padded input.
    pub fn new(
        op: &'static str,
        shape: &[usize],
        kh: usize,
        kw: usize,
        stride: usize,
        padding: usize,
    ) -> Result<Conv2dGeom> {
        if shape.len() != 4 {
            return Err(Error::Arg {
                op,
                msg: format!("expects a 4-D (N, C, H, W) input, got shape {shape:?}"),
            });
        }
        if stride == 0 {
            return Err(Error::Arg {
                op,
                msg: "stride must be at least 1, got 0".into(),
            });
        }
        if kh == 0 || kw == 0 {
            return Err(Error::Arg {
                op,
                msg: format!("kernel size must be at least 1, got {kh}×{kw}"),
            });
        }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3]);
        if kh > h + 2 * padding || kw > w + 2 * padding {
            return Err(Error::Arg {
                op,
                msg: format!(
                    "kernel {kh}×{kw} is larger than the padded input {}×{} (input {shape:?}, padding {padding})",
                    h + 2 * padding,
                    w + 2 * padding
                ),
            });
        }
        let oh = (h + 2 * padding - kh) / stride + 1;
        let ow = (w + 2 * padding - kw) / stride + 1;
        Ok(Conv2dGeom {
            n,
            c,
            h,
            w,
            kh,
            kw,
            stride,
            padding,
            oh,
            ow,
        })
    }

    /// Output positions per sample.
    pub fn p(&self) -> usize {
        self.oh * self.ow
    }

    /// Patch length `C·kh·kw`.
    pub fn k(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// Input row/column of window tap `(ki, kj)` at output `(oy, ox)`, if inside the image.
    #[inline]
    pub fn tap(&self, oy: usize, ox: usize, ki: usize, kj: usize) -> Option<(usize, usize)> {
        let y = (oy * self.stride + ki).checked_sub(self.padding)?;
        let x = (ox * self.stride + kj).checked_sub(self.padding)?;
        (y < self.h && x < self.w).then_some((y, x))
    }
}

/// The `(N·P) × K` patch matrix of `x`.
fn im2col(g: &Conv2dGeom, x: &[f32]) -> Vec<f32> {
    let (k, p) = (g.k(), g.p());
    let mut cols = vec![0.0f32; g.n * p * k];
    for (r, row) in cols.chunks_exact_mut(k).enumerate() {
        let (n, pos) = (r / p, r % p);
        let (oy, ox) = (pos / g.ow, pos % g.ow);
        for c in 0..g.c {
            let img = &x[(n * g.c + c) * g.h * g.w..][..g.h * g.w];
            for ki in 0..g.kh {
                for kj in 0..g.kw {
                    if let Some((y, xx)) = g.tap(oy, ox, ki, kj) {
                        row[(c * g.kh + ki) * g.kw + kj] = img[y * g.w + xx];
                    }
                }
            }
        }
    }
    cols
}

/// Scatter-adds a patch-matrix gradient back onto the input (the adjoint of im2col).
fn col2im(g: &Conv2dGeom, dcols: &[f32]) -> Vec<f32> {
    let (k, p) = (g.k(), g.p());
    let mut dx = vec![0.0f32; g.n * g.c * g.h * g.w];
    for (r, row) in dcols.chunks_exact(k).enumerate() {
        let (n, pos) = (r / p, r % p);
        let (oy, ox) = (pos / g.ow, pos % g.ow);
        for c in 0..g.c {
            let img = &mut dx[(n * g.c + c) * g.h * g.w..][..g.h * g.w];
            for ki in 0..g.kh {
                for kj in 0..g.kw {
                    if let Some((y, xx)) = g.tap(oy, ox, ki, kj) {
                        img[y * g.w + xx] += row[(c * g.kh + ki) * g.kw + kj];
                    }
                }
            }
        }
    }
    dx
}

/// Reorders `(N, P, O)` rows into `(N, O, P)` (or back with `inverse`).
fn swap_last(data: &[f32], n: usize, a: usize, b: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; data.len()];
    for s in 0..n {
        let (src, dst) = (&data[s * a * b..][..a * b], &mut out[s * a * b..][..a * b]);
        for i in 0..a {
            for j in 0..b {
                dst[j * a + i] = src[i * b + j];
            }
        }
    }
    out
}

impl Tensor {
    /// Cross-correlation of an `(N, C, H, W)` input with `(O, C, kh, kw)` weights and an
    /// optional `(O,)` bias: output `(N, O, Hout, Wout)` with `Hout = (H + 2p − kh)/s + 1`.
    ///
    /// # Errors
    /// If the input is not 4-D, channels differ, the stride is 0, or the kernel is larger than
    /// the padded input.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let x = Tensor::ones(&[1, 1, 4, 4]);
    /// let w = Tensor::ones(&[2, 1, 3, 3]);
    /// let y = x.try_conv2d(&w, None, 1, 1).unwrap();
    /// assert_eq!(y.shape(), vec![1, 2, 4, 4]);
    /// assert_eq!(y.to_vec()[5], 9.0); // an inner pixel sees the whole 3×3 window
    /// ```
    pub fn try_conv2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: usize,
        padding: usize,
    ) -> Result<Tensor> {
        let (xs, ws) = (self.shape(), weight.shape());
        if ws.len() != 4 {
            return Err(Error::Arg {
                op: "conv2d",
                msg: format!("weight must be (O, C, kh, kw), got {ws:?}"),
            });
        }
        let g = Conv2dGeom::new("conv2d", &xs, ws[2], ws[3], stride, padding)?;
        if ws[1] != g.c {
            return Err(crate::error::shape_err(
                "conv2d",
                &xs,
                &ws,
                format!("input has {} channels, weight expects {}", g.c, ws[1]),
            ));
        }
        let o = ws[0];
        if let Some(b) = bias {
            if b.shape() != [o] {
                return Err(crate::error::shape_err(
                    "conv2d",
                    &ws,
                    &b.shape(),
                    "bias must be (out_channels,)",
                ));
            }
        }
        let cols = im2col(&g, self.data().as_slice().expect("standard"));
        let (rows, k) = (g.n * g.p(), g.k());
        let mut out_rows = vec![0.0f32; rows * o];
        if let Some(b) = bias {
            let bv = b.data();
            for r in out_rows.chunks_exact_mut(o) {
                r.copy_from_slice(bv.as_slice().expect("standard"));
            }
        }
        {
            let wd = weight.data();
            let w = wd.as_slice().expect("standard");
            gemm(
                rows,
                o,
                k,
                MatRef::rows(&cols, k),
                MatRef::transposed(w, k),
                &mut out_rows,
                bias.is_some(),
            );
        }
        let out = swap_last(&out_rows, g.n, g.p(), o);
        let data = Array::from_shape_vec(IxDyn(&[g.n, o, g.oh, g.ow]), out).expect("sizes agree");
        let op = Op::Conv2d {
            input: self.clone(),
            weight: weight.clone(),
            bias: bias.cloned(),
            geom: g,
            cols,
        };
        Ok(Tensor::from_op(data, op))
    }
}

// y_rows = cols · Wᵀ + b ⇒ dW = dyᵀ · cols, db = Σ_rows dy, dcols = dy · W, dx = col2im(dcols).
pub(crate) fn conv2d_backward(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    g: &Conv2dGeom,
    cols: &[f32],
    grad: Array,
    sink: &mut GradSink,
) {
    let o = weight.shape()[0];
    let (rows, k) = (g.n * g.p(), g.k());
    let grad = grad.as_standard_layout().into_owned();
    let dy = swap_last(grad.as_slice().expect("standard"), g.n, o, g.p()); // (N·P, O)
    if weight.requires_grad() {
        let mut dw = vec![0.0f32; o * k];
        gemm(
            o,
            k,
            rows,
            MatRef::transposed(&dy, o),
            MatRef::rows(cols, k),
            &mut dw,
            false,
        );
        sink.add(
            weight,
            Array::from_shape_vec(IxDyn(&weight.shape()), dw).expect("sizes agree"),
        );
    }
    if let Some(b) = bias.filter(|b| b.requires_grad()) {
        let mut db = vec![0.0f32; o];
        for r in dy.chunks_exact(o) {
            for (d, v) in db.iter_mut().zip(r) {
                *d += v;
            }
        }
        sink.add(
            b,
            Array::from_shape_vec(IxDyn(&[o]), db).expect("sizes agree"),
        );
    }
    if input.requires_grad() {
        let wd = weight.data();
        let mut dcols = vec![0.0f32; rows * k];
        gemm(
            rows,
            k,
            o,
            MatRef::rows(&dy, o),
            MatRef::rows(wd.as_slice().expect("standard"), k),
            &mut dcols,
            false,
        );
        let dx = col2im(g, &dcols);
        sink.add(
            input,
            Array::from_shape_vec(IxDyn(&[g.n, g.c, g.h, g.w]), dx).expect("sizes agree"),
        );
    }
}
