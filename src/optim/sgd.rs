//! Stochastic gradient descent with optional momentum and L2 weight decay.

use super::{check_common, check_grads, check_state, Optimizer};
use crate::error::{Error, Result};
use crate::slots::{self, Slot, Value};
use crate::tensor::{Array, Tensor};
use ndarray::Zip;

/// SGD: `g ← g + wd·θ; buf ← μ·buf + g; θ ← θ − lr·buf` (no dampening, no Nesterov;
/// with μ = 0 it is plain `θ ← θ − lr·g`).
///
/// # Example
/// ```
/// use tinytorch::{optim::{Optimizer, Sgd}, Tensor};
/// let w = Tensor::scalar(10.0).requires_grad_(true);
/// (&w * 2.0).backward().unwrap();              // grad = 2
/// let mut opt = Sgd::new(vec![w.clone()], 1.0, 0.0, 0.0).unwrap();
/// opt.step().unwrap();
/// assert_eq!(w.item().unwrap(), 8.0);
/// ```
pub struct Sgd {
    params: Vec<Tensor>,
    lr: f32,
    momentum: f32,
    weight_decay: f32,
    buffers: Vec<Array>,
}

impl Sgd {
    /// SGD over `params`.
    ///
    /// # Errors
    /// If lr or weight decay is negative or not finite, momentum is outside `[0, 1)`, or a
    /// parameter does not require grad.
    pub fn new(params: Vec<Tensor>, lr: f32, momentum: f32, weight_decay: f32) -> Result<Sgd> {
        check_common("SGD", &params, lr, weight_decay)?;
        if !(0.0..1.0).contains(&momentum) {
            return Err(Error::Arg {
                op: "SGD",
                msg: format!("momentum must be in [0, 1), got {momentum}"),
            });
        }
        let buffers = params
            .iter()
            .map(|p| Array::zeros(p.data().raw_dim()))
            .collect();
        Ok(Sgd {
            params,
            lr,
            momentum,
            weight_decay,
            buffers,
        })
    }
}

impl Optimizer for Sgd {
    fn step(&mut self) -> Result<()> {
        check_grads("SGD.step", &self.params)?;
        let (lr, mu, wd) = (self.lr, self.momentum, self.weight_decay);
        if let Some(f) = slots::get(Slot::SgdStep) {
            let hyper = Value::record(vec![
                ("lr", Value::Num(lr as f64)),
                ("momentum", Value::Num(mu as f64)),
                ("weightDecay", Value::Num(wd as f64)),
            ]);
            for (i, (p, buf)) in self.params.iter().zip(&mut self.buffers).enumerate() {
                let Some(g) = p.grad_array().clone() else {
                    continue;
                };
                let args = vec![
                    Value::tensor(&p.data()),
                    Value::Tensor(g),
                    Value::tensor(buf),
                    hyper.clone(),
                ];
                let [w, v] = super::theirs_step(
                    &f,
                    Slot::SgdStep,
                    i,
                    &p.shape(),
                    args,
                    ["param", "velocity"],
                )?;
                *p.data_mut() = w;
                *buf = v;
            }
            return Ok(());
        }
        for (p, buf) in self.params.iter().zip(&mut self.buffers) {
            let grad = p.grad_array();
            let Some(g) = grad.as_ref() else { continue };
            let mut data = p.data_mut();
            if mu == 0.0 {
                Zip::from(&mut *data)
                    .and(g)
                    .for_each(|w, &g| *w -= lr * (g + wd * *w));
            } else {
                Zip::from(&mut *data).and(g).and(buf).for_each(|w, &g, b| {
                    *b = mu * *b + g + wd * *w;
                    *w -= lr * *b;
                });
            }
        }
        Ok(())
    }
    fn params(&self) -> &[Tensor] {
        &self.params
    }
    fn lr(&self) -> f32 {
        self.lr
    }
    fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }
    fn state(&self) -> Vec<Array> {
        self.buffers.clone()
    }
    fn load_state(&mut self, state: Vec<Array>) -> Result<()> {
        check_state("SGD.load_state", &self.buffers, &state)?;
        self.buffers = state;
        Ok(())
    }
    fn kind(&self) -> &'static str {
        "sgd"
    }
}
