//! Embedding lookup (gather rows of a table) with a scatter-add backward, so repeated ids
//! accumulate and only looked-up rows receive gradient.

use crate::autograd::{GradSink, Op};
use crate::error::{Error, Result};
use crate::tensor::{Array, Tensor};
use ndarray::IxDyn;
use std::rc::Rc;

/// Reads ids from a tensor of whole numbers in `[0, limit)`.
///
/// # Errors
/// If a value is not a whole number or is out of range.
pub fn ids_of(op: &'static str, t: &Tensor, limit: usize) -> Result<Vec<usize>> {
    let d = t.data();
    let mut out = Vec::with_capacity(d.len());
    for (i, &v) in d.iter().enumerate() {
        if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && (v as usize) < limit) {
            return Err(Error::Arg {
                op,
                msg: format!(
                    "id {v} at position {i} is outside the table of {limit} rows (ids shape {:?})",
                    d.shape()
                ),
            });
        }
        out.push(v as usize);
    }
    Ok(out)
}

impl Tensor {
    /// Rows `ids` of this `(V, D)` table: output shape `ids_shape + [D]`.
    ///
    /// # Errors
    /// If the table is not 2-D or an id is outside `[0, V)`.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let table = Tensor::from_vec(vec![0., 0., 1., 1., 2., 2.], &[3, 2]).unwrap();
    /// let out = table.try_embedding(&[2, 0, 2], &[3]).unwrap();
    /// assert_eq!(out.to_vec(), vec![2., 2., 0., 0., 2., 2.]);
    /// ```
    pub fn try_embedding(&self, ids: &[usize], ids_shape: &[usize]) -> Result<Tensor> {
        let s = self.shape();
        if s.len() != 2 {
            return Err(Error::Arg {
                op: "embedding",
                msg: format!("the table must be (V, D), got {s:?}"),
            });
        }
        let (v, d) = (s[0], s[1]);
        if let Some(&bad) = ids.iter().find(|&&i| i >= v) {
            return Err(Error::Arg {
                op: "embedding",
                msg: format!("id {bad} is outside the table of {v} rows"),
            });
        }
        let table = self.data();
        let src = table.as_slice().expect("standard");
        let mut out = Vec::with_capacity(ids.len() * d);
        for &i in ids {
            out.extend_from_slice(&src[i * d..(i + 1) * d]);
        }
        drop(table);
        let mut shape = ids_shape.to_vec();
        shape.push(d);
        let data = Array::from_shape_vec(IxDyn(&shape), out).expect("sizes agree");
        Ok(Tensor::from_op(
            data,
            Op::Embedding {
                weight: self.clone(),
                ids: Rc::from(ids),
            },
        ))
    }
}

// out[j] = W[ids[j]] ⇒ dW[r] = Σ_{j: ids[j] = r} g[j] (scatter-add; untouched rows stay 0).
pub(crate) fn embedding_backward(weight: &Tensor, ids: &[usize], g: Array, sink: &mut GradSink) {
    let s = weight.shape();
    let d = s[1];
    let mut dw = Array::zeros(IxDyn(&s));
    let dst = dw.as_slice_mut().expect("standard");
    let g = g.as_standard_layout().into_owned();
    for (row, &i) in g.as_slice().expect("standard").chunks_exact(d).zip(ids) {
        for (a, b) in dst[i * d..(i + 1) * d].iter_mut().zip(row) {
            *a += b;
        }
    }
    sink.add(weight, dw);
}
