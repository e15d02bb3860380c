//! Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay).

use super::{check_common, check_grads, check_state, Optimizer};
use crate::error::{Error, Result};
use crate::slots::{self, Slot, Value};
use crate::tensor::{Array, Tensor};
use ndarray::{IxDyn, Zip};

/// Adam (Kingma & Ba, arXiv:1412.6980). With `decoupled` it is AdamW (Loshchilov & Hutter,
/// arXiv:1711.05101): the decay `θ ← θ − lr·wd·θ` uses the pre-update weights and never enters
/// the moment estimates.
///
/// # Example
/// ```
/// use tinytorch::{optim::{Adam, Optimizer}, Tensor};
/// let w = Tensor::scalar(1.0).requires_grad_(true);
/// (&w * 3.0).backward().unwrap();
/// let mut opt = Adam::new(vec![w.clone()], 0.1).unwrap();
/// opt.step().unwrap();
/// assert!((w.item().unwrap() - 0.9).abs() < 1e-6); // the first step moves by lr
/// ```
pub struct Adam {
    params: Vec<Tensor>,
    lr: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    weight_decay: f32,
    decoupled: bool,
    t: u32,
    m: Vec<Array>,
    v: Vec<Array>,
}

impl Adam {
    /// Adam with betas (0.9, 0.999), eps 1e-8 and no weight decay.
    ///
    /// # Errors
    /// As [`Adam::with_options`].
    pub fn new(params: Vec<Tensor>, lr: f32) -> Result<Adam> {
        Adam::with_options(params, lr, (0.9, 0.999), 1e-8, 0.0, false)
    }

    /// AdamW with betas (0.9, 0.999), eps 1e-8 and decoupled decay `weight_decay`.
    ///
    /// # Errors
    /// As [`Adam::with_options`].
    pub fn adamw(params: Vec<Tensor>, lr: f32, weight_decay: f32) -> Result<Adam> {
        Adam::with_options(params, lr, (0.9, 0.999), 1e-8, weight_decay, true)
    }

    /// Full control over the hyper-parameters.
    ///
    /// # Errors
    /// If lr or weight decay is negative or not finite, a beta is outside `[0, 1)`, eps ≤ 0, or
    /// a parameter does not require grad.
    pub fn with_options(
        params: Vec<Tensor>,
        lr: f32,
        betas: (f32, f32),
        eps: f32,
        weight_decay: f32,
        decoupled: bool,
    ) -> Result<Adam> {
        let op = if decoupled { "AdamW" } else { "Adam" };
        check_common(op, &params, lr, weight_decay)?;
        for b in [betas.0, betas.1] {
            if !(0.0..1.0).contains(&b) {
                return Err(Error::Arg {
                    op,
                    msg: format!("betas must be in [0, 1), got {betas:?}"),
                });
            }
        }
        if !(eps > 0.0 && eps.is_finite()) {
            return Err(Error::Arg {
                op,
                msg: format!("eps must be > 0, got {eps}"),
            });
        }
        let zeros = |p: &Tensor| Array::zeros(p.data().raw_dim());
        let m = params.iter().map(zeros).collect();
        let v = params.iter().map(zeros).collect();
        Ok(Adam {
            params,
            lr,
            beta1: betas.0,
            beta2: betas.1,
            eps,
            weight_decay,
            decoupled,
            t: 0,
            m,
            v,
        })
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u32 {
        self.t
    }
}

impl Optimizer for Adam {
    fn step(&mut self) -> Result<()> {
        check_grads(
            if self.decoupled {
                "AdamW.step"
            } else {
                "Adam.step"
            },
            &self.params,
        )?;
        self.t += 1;
        let (b1, b2, eps, lr, wd) = (self.beta1, self.beta2, self.eps, self.lr, self.weight_decay);
        let bc1 = 1.0 - libm::powf(b1, self.t as f32);
        let bc2 = 1.0 - libm::powf(b2, self.t as f32);
        let decoupled = self.decoupled;
        let slot = if decoupled {
            Slot::AdamwStep
        } else {
            Slot::AdamStep
        };
        if let Some(f) = slots::get(slot) {
            let hyper = Value::record(vec![
                ("lr", Value::Num(lr as f64)),
                ("beta1", Value::Num(b1 as f64)),
                ("beta2", Value::Num(b2 as f64)),
                ("eps", Value::Num(eps as f64)),
                ("weightDecay", Value::Num(wd as f64)),
                ("step", Value::Num(self.t as f64)),
            ]);
            for (i, ((p, m), v)) in self
                .params
                .iter()
                .zip(&mut self.m)
                .zip(&mut self.v)
                .enumerate()
            {
                let Some(g) = p.grad_array().clone() else {
                    continue;
                };
                let args = vec![
                    Value::tensor(&p.data()),
                    Value::Tensor(g),
                    Value::tensor(m),
                    Value::tensor(v),
                    hyper.clone(),
                ];
                let [w, m2, v2] =
                    super::theirs_step(&f, slot, i, &p.shape(), args, ["param", "m", "v"])?;
                *p.data_mut() = w;
                *m = m2;
                *v = v2;
            }
            return Ok(());
        }
        for ((p, m), v) in self.params.iter().zip(&mut self.m).zip(&mut self.v) {
            let grad = p.grad_array();
            let Some(g) = grad.as_ref() else { continue };
            let mut data = p.data_mut();
            Zip::from(&mut *data)
                .and(g)
                .and(m)
                .and(v)
                .for_each(|w, &g, m, v| {
                    let g = if decoupled { g } else { g + wd * *w };
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    let update = (*m / bc1) / ((*v / bc2).sqrt() + eps);
                    if decoupled {
                        *w -= lr * wd * *w;
                    }
                    *w -= lr * update;
                });
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
        let mut s = vec![Array::from_elem(IxDyn(&[]), self.t as f32)];
        s.extend(self.m.iter().cloned());
        s.extend(self.v.iter().cloned());
        s
    }
    fn load_state(&mut self, state: Vec<Array>) -> Result<()> {
        let current = self.state();
        check_state("Adam.load_state", &current, &state)?;
        let n = self.m.len();
        let mut it = state.into_iter();
        self.t = it
            .next()
            .and_then(|a| a.iter().next().copied())
            .unwrap_or(0.0) as u32;
        self.m = it.by_ref().take(n).collect();
        self.v = it.collect();
        Ok(())
    }
    fn kind(&self) -> &'static str {
        if self.decoupled {
            "adamw"
        } else {
            "adam"
        }
    }
}
