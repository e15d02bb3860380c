//! Knowledge distillation: a student learns from a teacher's softened predictions — the loss,
//! and the training loop the capstone and the module 16 page run.

use crate::data::DataLoader;
use crate::error::{Error, Result};
use crate::nn::loss::cross_entropy;
use crate::nn::{call, Module};
use crate::optim::Optimizer;
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

/// How [`distill`] trains: epochs, the temperature T and the weight α of the soft loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistillConfig {
    pub epochs: usize,
    pub temperature: f32,
    pub alpha: f32,
}

/// Trains `student` on `data` against `teacher`'s logits for `config.epochs` epochs: for each
/// batch `(x, labels)`, the teacher's logits (computed without a graph, in whatever mode the
/// teacher is: put it in eval mode first) and the student's go into [`distillation_loss`],
/// and `optimizer` (over the student's parameters) steps. The student is put in training mode.
/// `on_epoch(epoch, mean batch loss)` is called after each epoch; `false` stops. Returns the
/// mean loss of every epoch run.
///
/// # Errors
/// If T ≤ 0 or α is outside [0, 1], or a forward pass, the loss or a step fails.
///
/// # Example
/// ```
/// use std::rc::Rc;
/// use tinytorch::compress::{distill, DistillConfig};
/// use tinytorch::data::{DataLoader, TensorDataset};
/// use tinytorch::nn::{Linear, Module};
/// use tinytorch::optim::Adam;
/// use tinytorch::Tensor;
/// let (teacher, student) = (Linear::new(4, 3, true), Linear::new(4, 3, true));
/// let y = Tensor::from_vec(vec![0., 1., 2., 0., 1., 2., 0., 1.], &[8]).unwrap();
/// let data = DataLoader::new(Rc::new(TensorDataset::new(Tensor::randn(&[8, 4]), y).unwrap()), 4).unwrap();
/// let mut opt = Adam::new(student.parameters(), 0.01).unwrap();
/// let cfg = DistillConfig { epochs: 3, temperature: 2.0, alpha: 0.5 };
/// let losses = distill(&teacher, &student, &data, &mut opt, &cfg, &mut |_, _| true).unwrap();
/// assert_eq!(losses.len(), 3);
/// ```
pub fn distill(
    teacher: &dyn Module,
    student: &dyn Module,
    data: &DataLoader,
    optimizer: &mut dyn Optimizer,
    config: &DistillConfig,
    on_epoch: &mut dyn FnMut(usize, f32) -> bool,
) -> Result<Vec<f32>> {
    let DistillConfig {
        epochs,
        temperature,
        alpha,
    } = *config;
    if !(temperature > 0.0 && temperature.is_finite()) || !(0.0..=1.0).contains(&alpha) {
        return Err(Error::Arg {
            op: "distill",
            msg: format!(
                "temperature must be > 0 and alpha in [0, 1], got {temperature} and {alpha}"
            ),
        });
    }
    student.train();
    let mut losses = Vec::with_capacity(epochs);
    for epoch in 0..epochs {
        let (mut sum, mut batches) = (0.0f32, 0usize);
        for batch in data.epoch() {
            let (x, labels) = batch?;
            let soft = crate::no_grad(|| call(teacher, &x))?;
            let loss = distillation_loss(&call(student, &x)?, &soft, &labels, temperature, alpha)?;
            optimizer.zero_grad();
            loss.backward()?;
            optimizer.step()?;
            sum += loss.item()?;
            batches += 1;
        }
        losses.push(sum / batches.max(1) as f32);
        if !on_epoch(epoch, losses[epoch]) {
            break;
        }
    }
    Ok(losses)
}
