//! 2-D convolution (cross-correlation, NCHW input, OIHW weights) as im2col plus one matrix
//! multiply, and its backward for input, weight and bias.
//!
//! Each sample's windows become a `K × P` patch matrix `colsₙ` (K = C·kh·kw taps, P =
//! Hout·Wout positions). Each sample is then one GEMM `W · colsₙ` through the SIMD kernel,
//! which writes the `(O, P)` plane of the NCHW output in place: no transpose of the output,
//! and none of the gradient in backward (reordering `(N·P, O)` rows cost more than the GEMM).

use crate::autograd::{GradSink, Op};
use crate::error::{Error, Result};
use crate::kernels::{gemm, MatRef};
use crate::slots::{self, value, Slot, Value};
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

/// The patch matrices of `x`, one `K × P` block per sample: row `(c, ki, kj)` holds, for every
/// output position, the input value under that tap (padded taps stay 0). Tap-major rows make
/// the copies whole output rows (`ow` values) instead of `kw`-value snippets: each snippet
/// was a `memory.copy` in wasm, and they made this the slowest part of the CNN.
pub(crate) fn im2col(g: &Conv2dGeom, x: &[f32]) -> Vec<f32> {
    let (k, p, chw) = (g.k(), g.p(), g.c * g.h * g.w);
    let mut cols = vec![0.0f32; g.n * k * p];
    for (xn, cn) in x.chunks_exact(chw).zip(cols.chunks_exact_mut(k * p)) {
        for_runs(g, |kk, oy, src, ox0, len| {
            let dst = &mut cn[kk * p + oy * g.ow + ox0..][..len];
            if g.stride == 1 {
                dst.copy_from_slice(&xn[src..src + len]);
            } else {
                for (d, v) in dst.iter_mut().zip(xn[src..].iter().step_by(g.stride)) {
                    *d = *v;
                }
            }
        });
    }
    cols
}

/// Scatter-adds patch-matrix gradients back onto the input (the adjoint of im2col).
fn col2im(g: &Conv2dGeom, dcols: &[f32]) -> Vec<f32> {
    let (k, p, chw) = (g.k(), g.p(), g.c * g.h * g.w);
    let mut dx = vec![0.0f32; g.n * chw];
    for (dxn, dcn) in dx.chunks_exact_mut(chw).zip(dcols.chunks_exact(k * p)) {
        for_runs(g, |kk, oy, dst, ox0, len| {
            let src = &dcn[kk * p + oy * g.ow + ox0..][..len];
            if g.stride == 1 {
                for (d, v) in dxn[dst..dst + len].iter_mut().zip(src) {
                    *d += v;
                }
            } else {
                for (d, v) in dxn[dst..].iter_mut().step_by(g.stride).zip(src) {
                    *d += v;
                }
            }
        });
    }
    dx
}

/// Calls `f(kk, oy, start, ox0, len)` for every tap `kk = (c, ki, kj)` and output row `oy`
/// whose taps land in the image: output columns `ox0..ox0+len` read the image at `start`,
/// `start + stride`, … (indices into one sample's `(C, H, W)` block). Clipping whole runs keeps
/// the bounds test out of the per-value loop.
fn for_runs(g: &Conv2dGeom, mut f: impl FnMut(usize, usize, usize, usize, usize)) {
    let (s, pad) = (g.stride, g.padding);
    for c in 0..g.c {
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let kk = (c * g.kh + ki) * g.kw + kj;
                // Column x = ox·s + kj − pad must lie in [0, w).
                let ox0 = pad.saturating_sub(kj).div_ceil(s);
                let ox1 = (g.w + pad).saturating_sub(kj).div_ceil(s).min(g.ow);
                if ox0 >= ox1 {
                    continue;
                }
                let x0 = ox0 * s + kj - pad;
                for oy in 0..g.oh {
                    let Some(y) = (oy * s + ki).checked_sub(pad).filter(|&y| y < g.h) else {
                        continue;
                    };
                    f(kk, oy, (c * g.h + y) * g.w + x0, ox0, ox1 - ox0);
                }
            }
        }
    }
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
        // Module 09's slots: a student's im2col gives the patches (for forward and for the
        // weight gradient); a student's conv2dForward gives the output.
        slots::note_if_installed(Slot::Conv2dBackward);
        let out_shape = [g.n, o, g.oh, g.ow];
        // With a student's conv2dForward and conv2dBackward both in place nothing of the lab's
        // needs the patches: skip them (the backward rebuilds them if its slot is emptied).
        let theirs_both = slots::active(Slot::Conv2dForward) && slots::active(Slot::Conv2dBackward);
        let cols = if theirs_both {
            Vec::new()
        } else {
            theirs_im2col(self, &g)
                .unwrap_or_else(|| im2col(&g, self.data().as_slice().expect("standard")))
        };
        let theirs = slots::tensor_result(
            Slot::Conv2dForward,
            || {
                vec![
                    Value::tensor(&self.data()),
                    Value::tensor(&weight.data()),
                    bias.map_or(Value::Null, |b| Value::tensor(&b.data())),
                    Value::Num(stride as f64),
                    Value::Num(padding as f64),
                ]
            },
            &out_shape,
            || {
                format!("its result for an input {xs:?}, weight {ws:?}, stride {stride}, padding {padding}")
            },
        );
        if let Some(data) = theirs {
            let op = Op::Conv2d {
                input: self.clone(),
                weight: weight.clone(),
                bias: bias.cloned(),
                geom: g,
                cols,
            };
            return Ok(Tensor::from_op(data, op));
        }
        let (p, k) = (g.p(), g.k());
        let mut out = vec![0.0f32; g.n * o * p];
        let wd = weight.data();
        let w = wd.as_slice().expect("standard");
        for (cn, yn) in cols.chunks_exact(p * k).zip(out.chunks_exact_mut(o * p)) {
            if let Some(b) = bias {
                for (plane, &bv) in yn.chunks_exact_mut(p).zip(b.data().iter()) {
                    plane.fill(bv);
                }
            }
            // yₙ (O×P) = W (O×K) · colsₙ (K×P)
            gemm(
                o,
                p,
                k,
                MatRef::rows(w, k),
                MatRef::rows(cn, p),
                yn,
                bias.is_some(),
            );
        }
        drop(wd);
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

/// A student's `im2col` (module 09), when installed: checked to be (N, C·kh·kw, OH·OW).
fn theirs_im2col(x: &Tensor, g: &Conv2dGeom) -> Option<Vec<f32>> {
    let shape = [g.n, g.k(), g.p()];
    let cols = slots::tensor_result(
        Slot::Im2col,
        || {
            vec![
                Value::tensor(&x.data()),
                Value::Num(g.kh as f64),
                Value::Num(g.kw as f64),
                Value::Num(g.stride as f64),
                Value::Num(g.padding as f64),
            ]
        },
        &shape,
        || {
            format!(
                "its result for an input {:?}, kernel {}×{}, stride {}, padding {}",
                [g.n, g.c, g.h, g.w],
                g.kh,
                g.kw,
                g.stride,
                g.padding
            )
        },
    )?;
    Some(cols.into_raw_vec_and_offset().0)
}

/// A student's `conv2dBackward` (module 09): `{ dx, dweight, dbias }`, each checked.
fn theirs_backward(
    f: &std::rc::Rc<dyn slots::SlotFn>,
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    g: &Conv2dGeom,
    grad: &Array,
    sink: &mut GradSink,
) -> Result<()> {
    let slot = Slot::Conv2dBackward;
    let mut args = [
        Value::tensor(grad),
        Value::tensor(&input.data()),
        Value::tensor(&weight.data()),
        Value::Num(g.stride as f64),
        Value::Num(g.padding as f64),
    ];
    let out = slots::invoke(slot, f, &mut args)?;
    let what = "its result ({ dx, dweight, dbias })";
    let name = slot.js_name();
    let o = weight.shape()[0];
    let dx = value::expect_field(name, &out, "dx", what)?;
    let dx = value::expect_tensor(name, dx, &input.shape(), "dx")?;
    let dw = value::expect_field(name, &out, "dweight", what)?;
    let dw = value::expect_tensor(name, dw, &weight.shape(), "dweight")?;
    if let Some(b) = bias {
        let db = value::expect_field(name, &out, "dbias", what)?;
        let db = value::expect_tensor(name, db, &[o], "dbias")?;
        sink.try_add(b, db)?;
    }
    sink.try_add(weight, dw)?;
    sink.try_add(input, dx)
}

// yₙ = W · colsₙ + b ⇒ dW = Σₙ dyₙ · colsₙᵀ, db = Σ dy over N and P, dcolsₙ = Wᵀ · dyₙ,
// dx = col2im(dcols).
pub(crate) fn conv2d_backward(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    g: &Conv2dGeom,
    cols: &[f32],
    grad: Array,
    sink: &mut GradSink,
) -> Result<()> {
    if let Some(f) = slots::get(Slot::Conv2dBackward) {
        return theirs_backward(&f, input, weight, bias, g, &grad, sink);
    }
    let rebuilt;
    let cols = if cols.is_empty() && g.n * g.k() * g.p() > 0 {
        rebuilt = im2col(g, input.data().as_slice().expect("standard"));
        &rebuilt[..]
    } else {
        cols
    };
    let o = weight.shape()[0];
    let (p, k) = (g.p(), g.k());
    let grad = grad.as_standard_layout();
    let dy = grad.as_slice().expect("standard"); // (N, O, P)
    if weight.requires_grad() {
        let mut dw = vec![0.0f32; o * k];
        for (dyn_, cn) in dy.chunks_exact(o * p).zip(cols.chunks_exact(p * k)) {
            // dW (O×K) += dyₙ (O×P) · colsₙᵀ (P×K)
            gemm(
                o,
                k,
                p,
                MatRef::rows(dyn_, p),
                MatRef::transposed(cn, p),
                &mut dw,
                true,
            );
        }
        sink.add(
            weight,
            Array::from_shape_vec(IxDyn(&weight.shape()), dw).expect("sizes agree"),
        );
    }
    if let Some(b) = bias.filter(|b| b.requires_grad()) {
        let mut db = vec![0.0f32; o];
        for (i, plane) in dy.chunks_exact(p).enumerate() {
            db[i % o] += plane.iter().sum::<f32>();
        }
        sink.add(
            b,
            Array::from_shape_vec(IxDyn(&[o]), db).expect("sizes agree"),
        );
    }
    if input.requires_grad() {
        let wd = weight.data();
        let w = wd.as_slice().expect("standard");
        let mut dcols = vec![0.0f32; g.n * p * k];
        for (dyn_, dcn) in dy.chunks_exact(o * p).zip(dcols.chunks_exact_mut(p * k)) {
            // dcolsₙ (K×P) = Wᵀ (K×O) · dyₙ (O×P)
            gemm(
                k,
                p,
                o,
                MatRef::transposed(w, k),
                MatRef::rows(dyn_, p),
                dcn,
                false,
            );
        }
        let dx = col2im(g, &dcols);
        sink.add(
            input,
            Array::from_shape_vec(IxDyn(&[g.n, g.c, g.h, g.w]), dx).expect("sizes agree"),
        );
    }
    Ok(())
}
