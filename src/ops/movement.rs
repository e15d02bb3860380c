//! Shape movement: reshape (one `-1` allowed), permute/transpose, slicing, concatenation.

use crate::autograd::{GradSink, Op};
use crate::error::{shape_err, Error, Result};
use crate::tensor::{normalize_axis, Array, Tensor};
use ndarray::{Axis, IxDyn, Slice};

impl Tensor {
    /// A new shape with the same elements; one entry may be `-1` (inferred).
    ///
    /// # Errors
    /// If more than one `-1` is given, a size is negative, or the element counts differ.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let x = Tensor::zeros(&[2, 3, 4]);
    /// assert_eq!(x.try_reshape(&[-1, 4]).unwrap().shape(), vec![6, 4]);
    /// assert!(x.try_reshape(&[5, -1]).is_err());
    /// ```
    pub fn try_reshape(&self, shape: &[isize]) -> Result<Tensor> {
        let old = self.shape();
        let n: usize = old.iter().product();
        let unknown = shape.iter().filter(|&&d| d == -1).count();
        if unknown > 1 || shape.iter().any(|&d| d < -1) {
            return Err(Error::Arg {
                op: "reshape",
                msg: format!("{shape:?} is not a valid shape (sizes ≥ 0, at most one -1)"),
            });
        }
        let known: usize = shape
            .iter()
            .filter(|&&d| d >= 0)
            .map(|&d| d as usize)
            .product();
        let mut new: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
        if unknown == 1 {
            if known == 0 || !n.is_multiple_of(known) {
                return Err(Error::Arg {
                    op: "reshape",
                    msg: format!("cannot infer -1 in {shape:?} for {n} elements (shape {old:?})"),
                });
            }
            let pos = shape.iter().position(|&d| d == -1).expect("one -1");
            new[pos] = n / known;
        } else if known != n {
            return Err(Error::Arg {
                op: "reshape",
                msg: format!(
                    "cannot reshape {old:?} ({n} elements) into {shape:?} ({known} elements)"
                ),
            });
        }
        let data = self
            .data()
            .clone()
            .into_shape_with_order(IxDyn(&new))
            .expect("counts agree");
        Ok(Tensor::from_op(data, Op::Reshape(self.clone())))
    }

    /// Reshape with unsigned sizes.
    ///
    /// # Errors
    /// If the element counts differ.
    pub fn try_view(&self, shape: &[usize]) -> Result<Tensor> {
        let s: Vec<isize> = shape.iter().map(|&d| d as isize).collect();
        self.try_reshape(&s)
    }

    /// Reorders the axes: output axis `i` is input axis `perm[i]`.
    ///
    /// # Errors
    /// If `perm` is not a permutation of `0..rank`.
    pub fn try_permute(&self, perm: &[usize]) -> Result<Tensor> {
        let shape = self.shape();
        let mut seen = vec![false; shape.len()];
        let valid = perm.len() == shape.len()
            && perm
                .iter()
                .all(|&p| p < shape.len() && !std::mem::replace(&mut seen[p], true));
        if !valid {
            return Err(Error::Arg {
                op: "permute",
                msg: format!("{perm:?} is not a permutation of the axes of shape {shape:?}"),
            });
        }
        let data = self.data().clone().permuted_axes(IxDyn(perm));
        let data = data.as_standard_layout().into_owned();
        Ok(Tensor::from_op(
            data,
            Op::Permute(self.clone(), perm.to_vec()),
        ))
    }

    /// Swaps two axes (negative axes count from the end).
    ///
    /// # Errors
    /// If an axis is out of range.
    pub fn try_transpose(&self, d0: isize, d1: isize) -> Result<Tensor> {
        let shape = self.shape();
        let a = normalize_axis("transpose", d0, &shape)?;
        let b = normalize_axis("transpose", d1, &shape)?;
        let mut perm: Vec<usize> = (0..shape.len()).collect();
        perm.swap(a, b);
        self.try_permute(&perm)
    }

    /// Swaps the last two axes (a matrix transpose, batched).
    ///
    /// # Errors
    /// If the tensor has fewer than two axes.
    pub fn try_t(&self) -> Result<Tensor> {
        if self.ndim() < 2 {
            return Err(Error::Arg {
                op: "transpose",
                msg: format!("needs at least 2 axes, got shape {:?}", self.shape()),
            });
        }
        self.try_transpose(-2, -1)
    }

    /// Elements `start..start+len` along `axis`.
    ///
    /// # Errors
    /// If the axis is out of range or the window exceeds the axis.
    pub fn try_narrow(&self, axis: isize, start: usize, len: usize) -> Result<Tensor> {
        let shape = self.shape();
        let ax = normalize_axis("narrow", axis, &shape)?;
        if start + len > shape[ax] {
            return Err(Error::Arg {
                op: "narrow",
                msg: format!(
                    "window {start}..{} is outside axis {ax} of size {} (shape {shape:?})",
                    start + len,
                    shape[ax]
                ),
            });
        }
        let slices: Vec<Slice> = (0..shape.len())
            .map(|i| {
                if i == ax {
                    Slice::from(start as isize..(start + len) as isize)
                } else {
                    Slice::from(..)
                }
            })
            .collect();
        let data = self
            .data()
            .slice_each_axis(|d| slices[d.axis.index()])
            .to_owned();
        Ok(Tensor::from_op(data, Op::Slice(self.clone(), slices)))
    }

    /// Joins tensors along `axis`; all other sizes must agree.
    ///
    /// # Errors
    /// If the list is empty, ranks differ, or a non-joined size differs.
    pub fn try_cat(tensors: &[Tensor], axis: isize) -> Result<Tensor> {
        let first = tensors.first().ok_or(Error::Arg {
            op: "cat",
            msg: "no tensors given".into(),
        })?;
        let shape0 = first.shape();
        let ax = normalize_axis("cat", axis, &shape0)?;
        for t in &tensors[1..] {
            let s = t.shape();
            let ok = s.len() == shape0.len()
                && s.iter()
                    .zip(&shape0)
                    .enumerate()
                    .all(|(i, (a, b))| i == ax || a == b);
            if !ok {
                return Err(shape_err(
                    "cat",
                    &shape0,
                    &s,
                    format!("sizes must agree except on axis {ax}"),
                ));
            }
        }
        let datas: Vec<_> = tensors.iter().map(|t| t.data()).collect();
        let views: Vec<_> = datas.iter().map(|d| d.view()).collect();
        let data = ndarray::concatenate(Axis(ax), &views).expect("shapes checked");
        drop(views);
        drop(datas);
        Ok(Tensor::from_op(data, Op::Cat(tensors.to_vec(), ax)))
    }

    /// Stacks equal-shaped tensors along a new axis.
    ///
    /// # Errors
    /// If the shapes differ or the list is empty.
    pub fn try_stack(tensors: &[Tensor], axis: usize) -> Result<Tensor> {
        let expanded: Result<Vec<Tensor>> = tensors.iter().map(|t| t.try_unsqueeze(axis)).collect();
        Tensor::try_cat(&expanded?, axis as isize)
    }

    /// Inserts an axis of size 1 at `axis` (0..=rank).
    ///
    /// # Errors
    /// If `axis > rank`.
    pub fn try_unsqueeze(&self, axis: usize) -> Result<Tensor> {
        let mut s = self.shape();
        if axis > s.len() {
            return Err(Error::Axis {
                op: "unsqueeze",
                axis: axis as isize,
                shape: s,
            });
        }
        s.insert(axis, 1);
        self.try_view(&s)
    }

    /// Flattens every axis from `start` on into one: `(N, C, H, W)` with start 1 gives `(N, C·H·W)`.
    ///
    /// # Errors
    /// If `start` is not an axis.
    pub fn try_flatten(&self, start: usize) -> Result<Tensor> {
        let s = self.shape();
        if start >= s.len().max(1) {
            return Err(Error::Axis {
                op: "flatten",
                axis: start as isize,
                shape: s,
            });
        }
        let mut new: Vec<usize> = s[..start].to_vec();
        new.push(s[start..].iter().product());
        self.try_view(&new)
    }
}

pub(crate) fn reshape_backward(a: &Tensor, g: Array, sink: &mut GradSink) {
    let g = g
        .into_shape_with_order(IxDyn(&a.shape()))
        .expect("same element count");
    sink.add(a, g);
}

// The inverse permutation puts gradient axes back where they came from.
pub(crate) fn permute_backward(a: &Tensor, perm: &[usize], g: Array, sink: &mut GradSink) {
    let mut inv = vec![0; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    let g = g
        .permuted_axes(IxDyn(&inv))
        .as_standard_layout()
        .into_owned();
    sink.add(a, g);
}

// A slice's gradient is scattered into zeros at the same window.
pub(crate) fn slice_backward(a: &Tensor, slices: &[Slice], g: Array, sink: &mut GradSink) {
    let mut full = Array::zeros(IxDyn(&a.shape()));
    full.slice_each_axis_mut(|d| slices[d.axis.index()])
        .assign(&g);
    sink.add(a, full);
}

pub(crate) fn cat_backward(ts: &[Tensor], axis: usize, g: Array, sink: &mut GradSink) {
    let mut start = 0;
    for t in ts {
        let len = t.shape()[axis];
        if t.requires_grad() {
            let part = g
                .slice_axis(Axis(axis), Slice::from(start..start + len))
                .to_owned();
            sink.add(t, part);
        }
        start += len;
    }
}
