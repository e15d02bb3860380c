//! Masked fill: replace blocked positions with a value (attention uses −∞ before softmax).
//!
//! The one mask convention of this crate: **1 (or any non-zero) = may attend, 0 = blocked.**
//! Blocked scores are *replaced*, never offset by a large negative number added to them (the
//! reference's `(1 − mask)·(−1e9)` made real scores vanish in float32 rounding).

use crate::autograd::{GradSink, Op};
use crate::error::Result;
use crate::tensor::{broadcast_shapes, Array, Tensor};
use ndarray::{IxDyn, Zip};

impl Tensor {
    /// Where `keep` (broadcast to this tensor's shape) is 0, the result is `value`; elsewhere
    /// it is this tensor. Gradients flow only through kept positions.
    ///
    /// # Errors
    /// If `keep` does not broadcast to this tensor's shape.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let s = Tensor::from_vec(vec![1., 2., 3., 4.], &[2, 2]).unwrap();
    /// let causal = Tensor::from_vec(vec![1., 0., 1., 1.], &[2, 2]).unwrap();
    /// let m = s.try_masked_fill(&causal, f32::NEG_INFINITY).unwrap();
    /// assert_eq!(m.to_vec(), vec![1., f32::NEG_INFINITY, 3., 4.]);
    /// ```
    pub fn try_masked_fill(&self, keep: &Tensor, value: f32) -> Result<Tensor> {
        let s = self.shape();
        let b = broadcast_shapes("masked_fill", &s, &keep.shape())?;
        if b != s {
            return Err(crate::error::shape_err(
                "masked_fill",
                &s,
                &keep.shape(),
                "the mask must broadcast to the tensor's shape",
            ));
        }
        let kd = keep.data();
        let mask: Array =
            kd.broadcast(IxDyn(&s))
                .expect("checked")
                .mapv(|k| if k != 0.0 { 1.0 } else { 0.0 });
        drop(kd);
        let mut out = self.data().clone();
        Zip::from(&mut out).and(&mask).for_each(|o, &k| {
            if k == 0.0 {
                *o = value;
            }
        });
        Ok(Tensor::from_op(
            out,
            Op::MaskedFill {
                arg: self.clone(),
                mask,
            },
        ))
    }
}

// d/dx = 1 where kept, 0 where replaced.
pub(crate) fn masked_fill_backward(arg: &Tensor, mask: &Array, g: Array, sink: &mut GradSink) {
    sink.add(arg, g * mask);
}
