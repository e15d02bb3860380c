//! Reductions: sum, mean and max over chosen axes (or all), with `keepdim`.

use crate::autograd::{GradSink, Op};
use crate::error::{Error, Result};
use crate::slots::{self, Slot, Value};
use crate::tensor::{normalize_axis, Array, Tensor};
use ndarray::{Axis, IxDyn};

/// Normalises, sorts and de-duplicates axes; an empty list means "every axis".
fn axes_of(op: &'static str, axes: &[isize], shape: &[usize]) -> Result<Vec<usize>> {
    if axes.is_empty() {
        return Ok((0..shape.len()).collect());
    }
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let a = normalize_axis(op, a, shape)?;
        if out.contains(&a) {
            return Err(Error::Arg {
                op,
                msg: format!("axis {a} listed twice in {axes:?}"),
            });
        }
        out.push(a);
    }
    out.sort_unstable();
    Ok(out)
}

/// The shape after reducing `axes`, keeping them as size 1 or dropping them.
fn reduced_shape(shape: &[usize], axes: &[usize], keepdim: bool) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .filter_map(|(i, &d)| match (axes.contains(&i), keepdim) {
            (true, true) => Some(1),
            (true, false) => None,
            (false, _) => Some(d),
        })
        .collect()
}

/// (outer, n, inner) sizes around `axis` of a row-major shape.
pub(crate) fn split_at_axis(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    (outer, shape[axis], inner)
}

/// A student's `sum` (module 01), when installed: one call with axis null for a full
/// reduction, else one call per axis from the last (so earlier axis numbers stay valid).
fn theirs_sum(
    t: &Tensor,
    shape: &[usize],
    axes: &[usize],
    keepdim: bool,
    out: &[usize],
) -> Option<Array> {
    slots::get(Slot::Sum)?;
    if axes.len() == shape.len() {
        return slots::tensor_result(
            Slot::Sum,
            || vec![Value::tensor(&t.data()), Value::Null, Value::Bool(keepdim)],
            out,
            || format!("its result for a {shape:?} with axis null, keepdim {keepdim}"),
        );
    }
    let mut cur = t.data().clone();
    for &a in axes.iter().rev() {
        let from = cur.shape().to_vec();
        let mut want = from.clone();
        if keepdim {
            want[a] = 1;
        } else {
            want.remove(a);
        }
        cur = slots::tensor_result(
            Slot::Sum,
            || {
                vec![
                    Value::Tensor(cur),
                    Value::Num(a as f64),
                    Value::Bool(keepdim),
                ]
            },
            &want,
            || format!("its result for a {from:?} with axis {a}, keepdim {keepdim}"),
        )?;
    }
    Some(cur)
}

fn sum_scaled(
    t: &Tensor,
    op: &'static str,
    axes: &[isize],
    keepdim: bool,
    mean: bool,
) -> Result<Tensor> {
    let shape = t.shape();
    let axes = axes_of(op, axes, &shape)?;
    let n: usize = axes.iter().map(|&a| shape[a]).product();
    if mean && n == 0 {
        return Err(Error::Arg {
            op,
            msg: format!("mean over an empty axis of shape {shape:?}"),
        });
    }
    let scale = if mean { 1.0 / n as f32 } else { 1.0 };
    let out = reduced_shape(&shape, &axes, keepdim);
    slots::note_if_installed(if mean {
        Slot::MeanBackward
    } else {
        Slot::SumBackward
    });
    let mut data = match theirs_sum(t, &shape, &axes, keepdim, &out) {
        Some(d) => d,
        None => {
            let mut data = {
                let src = t.data();
                match axes.last() {
                    // The first reduction reads the tensor in place (no copy of the input).
                    Some(&last) => src.sum_axis(Axis(last)),
                    None => src.clone(),
                }
            };
            for &a in axes.iter().rev().skip(1) {
                data = data.sum_axis(Axis(a));
            }
            data
        }
    };
    if scale != 1.0 {
        data.mapv_inplace(|v| v * scale);
    }
    let data = data
        .into_shape_with_order(IxDyn(&out))
        .expect("same element count");
    Ok(Tensor::from_op(
        data,
        Op::Sum {
            arg: t.clone(),
            axes,
            keepdim,
            scale,
        },
    ))
}

impl Tensor {
    /// Sum over `axes` (negative counts from the end; empty = all axes).
    ///
    /// # Errors
    /// If an axis is out of range or repeated.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
    /// assert_eq!(x.try_sum_axes(&[-1], false).unwrap().to_vec(), vec![6.0, 15.0]);
    /// assert_eq!(x.try_sum_axes(&[0], true).unwrap().shape(), vec![1, 3]);
    /// ```
    pub fn try_sum_axes(&self, axes: &[isize], keepdim: bool) -> Result<Tensor> {
        sum_scaled(self, "sum", axes, keepdim, false)
    }

    /// Mean over `axes` (empty = all axes).
    ///
    /// # Errors
    /// If an axis is out of range or repeated, or the reduced axes are empty.
    pub fn try_mean_axes(&self, axes: &[isize], keepdim: bool) -> Result<Tensor> {
        sum_scaled(self, "mean", axes, keepdim, true)
    }

    /// Sum of every element, as a 0-d tensor.
    pub fn sum(&self) -> Tensor {
        sum_scaled(self, "sum", &[], false, false).expect("reducing all axes cannot fail")
    }

    /// Mean of every element, as a 0-d tensor (NaN-free error for empty tensors is the
    /// `try_` form's job; this one panics on an empty tensor).
    #[track_caller]
    pub fn mean(&self) -> Tensor {
        super::or_panic(sum_scaled(self, "mean", &[], false, true))
    }

    /// Maximum over one axis (`Some(axis)`) or over all elements (`None`). The gradient goes to
    /// the first maximum of each reduced lane.
    ///
    /// # Errors
    /// If the axis is out of range or the reduced extent is empty.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let x = Tensor::from_vec(vec![1.0, 5.0, 3.0, 4.0], &[2, 2]).unwrap();
    /// assert_eq!(x.try_max(Some(1), false).unwrap().to_vec(), vec![5.0, 4.0]);
    /// assert_eq!(x.try_max(None, false).unwrap().item().unwrap(), 5.0);
    /// ```
    pub fn try_max(&self, axis: Option<isize>, keepdim: bool) -> Result<Tensor> {
        let shape = self.shape();
        if self.numel() == 0 {
            return Err(Error::Arg {
                op: "max",
                msg: format!("max of an empty tensor {shape:?}"),
            });
        }
        let data = self.data();
        let flat = data.as_slice().expect("standard layout");
        let (axes, outer, n, inner) = match axis {
            Some(a) => {
                let a = normalize_axis("max", a, &shape)?;
                let (o, n, i) = split_at_axis(&shape, a);
                (vec![a], o, n, i)
            }
            None => ((0..shape.len()).collect(), 1, flat.len(), 1),
        };
        let mut values = Vec::with_capacity(outer * inner);
        let mut argmax = Vec::with_capacity(outer * inner);
        for o in 0..outer {
            for i in 0..inner {
                let base = o * n * inner + i;
                let mut best = base;
                for j in 1..n {
                    let idx = base + j * inner;
                    // Strictly greater keeps the first maximum; a NaN wins so it propagates.
                    if flat[idx] > flat[best] || flat[idx].is_nan() && !flat[best].is_nan() {
                        best = idx;
                    }
                }
                values.push(flat[best]);
                argmax.push(best);
            }
        }
        let out = reduced_shape(&shape, &axes, keepdim);
        let arr = Array::from_shape_vec(IxDyn(&out), values).expect("sizes agree");
        drop(data);
        Ok(Tensor::from_op(
            arr,
            Op::Max {
                arg: self.clone(),
                argmax,
            },
        ))
    }
}

// d(scale·Σx)/dx = scale, spread back over the reduced axes.
pub(crate) fn sum_backward(
    a: &Tensor,
    axes: &[usize],
    keepdim: bool,
    scale: f32,
    g: Array,
    sink: &mut GradSink,
) {
    let shape = a.shape();
    // A student's sumBackward / meanBackward (module 05), when installed.
    let slot = if scale == 1.0 {
        Slot::SumBackward
    } else {
        Slot::MeanBackward
    };
    if slots::active(slot) {
        let theirs = slots::tensor_result(
            slot,
            || {
                vec![
                    Value::tensor(&g),
                    Value::Shape(shape.clone()),
                    Value::Shape(axes.to_vec()),
                    Value::Bool(keepdim),
                ]
            },
            &shape,
            || {
                format!("the gradient it returned for an input of shape {shape:?} reduced over {axes:?}")
            },
        );
        if let Some(ga) = theirs {
            sink.add(a, ga);
        }
        return;
    }
    let kept = reduced_shape(&shape, axes, true);
    let g = g
        .into_shape_with_order(IxDyn(&kept))
        .expect("same element count");
    let mut full = g
        .broadcast(IxDyn(&shape))
        .expect("broadcastable")
        .to_owned();
    if scale != 1.0 {
        full.mapv_inplace(|v| v * scale);
    }
    sink.add(a, full);
}

// d max/dx = 1 at the chosen maximum, 0 elsewhere.
pub(crate) fn max_backward(a: &Tensor, argmax: &[usize], g: Array, sink: &mut GradSink) {
    let mut full = Array::zeros(IxDyn(&a.shape()));
    let dst = full.as_slice_mut().expect("standard layout");
    for (gv, &idx) in g.iter().zip(argmax) {
        dst[idx] += gv;
    }
    sink.add(a, full);
}
