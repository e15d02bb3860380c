//! Knowledge distillation: a student learns from a teacher's softened predictions.

use crate::error::Result;
use crate::nn::loss::cross_entropy;
use crate::tensor::Tensor;

/// `α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, labels)`, averaged over the batch,
/// for `(N, C)` student logits `s` and teacher logits `t` (teacher treated as constant). The T²
/// factor keeps the soft gradients' size independent of T (Hinton et al., arXiv:1503.02531).
/// The reference summed the KL over the batch, swapped its arguments and had no gradient.
///
/// # Errors
/// If the shapes differ or a label is not a class id.
///
/// # Example
/// ```
/// use tinytorch::{compress::distillation_loss, Tensor};
/// let s = Tensor::randn(&[4, 3]).requires_grad_(true);
/// let t = Tensor::randn(&[4, 3]);
/// let y = Tensor::from_vec(vec![0., 1., 2., 0.], &[4]).unwrap();
/// let l = distillation_loss(&s, &t, &y, 3.0, 0.7).unwrap();
/// l.backward().unwrap();
/// assert!(s.grad().is_some());
/// ```
pub fn distillation_loss(
    student: &Tensor,
    teacher: &Tensor,
    labels: &Tensor,
    temperature: f32,
    alpha: f32,
) -> Result<Tensor> {
    let t = temperature;
    let p_teacher = teacher.detach().mul_scalar(1.0 / t).try_softmax(-1)?;
    let log_p_teacher = teacher.detach().mul_scalar(1.0 / t).try_log_softmax(-1)?;
    let log_p_student = student.mul_scalar(1.0 / t).try_log_softmax(-1)?;
    let n = student.shape()[0] as f32;
    // KL(p‖q) = Σ p (log p − log q), summed over classes, averaged over the batch.
    let kl = p_teacher
        .try_mul(&log_p_teacher.try_sub(&log_p_student)?)?
        .sum()
        .mul_scalar(1.0 / n);
    let hard = cross_entropy(student, labels)?;
    kl.mul_scalar(alpha * t * t)
        .try_add(&hard.mul_scalar(1.0 - alpha))
}
