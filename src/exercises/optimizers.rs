//! Unit checks of module 06 (Optimizers): sgdStep, adamStep and adamwStep, step by step against
//! the lab's optimizers fed the same gradients.

use super::check::{compare, lab, randn, rng_for, t, Check, Fail, Outcome};
use crate::optim::{Adam, Optimizer, Sgd};
use crate::slots::{self, value, Slot, Value};
use crate::tensor::{Array, Tensor};

#[derive(Clone, Copy)]
struct Hyper {
    lr: f32,
    momentum: f32,
    wd: f32,
}

/// The lab's parameter after each of `grads.len()` steps.
fn lab_steps(slot: Slot, p0: &Array, grads: &[Array], h: Hyper) -> Result<Vec<Array>, Fail> {
    lab(|| {
        let p = Tensor::from_array(p0.clone()).requires_grad_(true);
        let mut opt: Box<dyn Optimizer> = match slot {
            Slot::SgdStep => Box::new(Sgd::new(vec![p.clone()], h.lr, h.momentum, h.wd)?),
            Slot::AdamStep => Box::new(Adam::with_options(
                vec![p.clone()],
                h.lr,
                (0.9, 0.999),
                1e-8,
                h.wd,
                false,
            )?),
            _ => Box::new(Adam::with_options(
                vec![p.clone()],
                h.lr,
                (0.9, 0.999),
                1e-8,
                h.wd,
                true,
            )?),
        };
        let mut out = Vec::new();
        for g in grads {
            p.set_grad(Some(g.clone()));
            opt.step()?;
            out.push(p.data().clone());
        }
        Ok(out)
    })
}

/// Runs the student's step `grads.len()` times, feeding its state back, and compares the
/// parameter after every step with the lab's.
fn steps(slot: Slot, p0: &Array, grads: &[Array], h: Hyper) -> Outcome {
    let want = lab_steps(slot, p0, grads, h)?;
    let name = slot.js_name();
    let mut p = p0.clone();
    let zeros = Array::zeros(p0.raw_dim());
    let (mut s1, mut s2) = (zeros.clone(), zeros);
    for (k, (g, want)) in grads.iter().zip(&want).enumerate() {
        let (mut args, fields): (Vec<Value>, &[&str]) = if slot == Slot::SgdStep {
            let hyper = Value::record(vec![
                ("lr", Value::Num(h.lr as f64)),
                ("momentum", Value::Num(h.momentum as f64)),
                ("weightDecay", Value::Num(h.wd as f64)),
            ]);
            (
                vec![
                    Value::tensor(&p),
                    Value::tensor(g),
                    Value::tensor(&s1),
                    hyper,
                ],
                &["param", "velocity"],
            )
        } else {
            let hyper = Value::record(vec![
                ("lr", Value::Num(h.lr as f64)),
                ("beta1", Value::Num(0.9)),
                ("beta2", Value::Num(0.999)),
                ("eps", Value::Num(1e-8)),
                ("weightDecay", Value::Num(h.wd as f64)),
                ("step", Value::Num(k as f64 + 1.0)),
            ]);
            (
                vec![
                    Value::tensor(&p),
                    Value::tensor(g),
                    Value::tensor(&s1),
                    Value::tensor(&s2),
                    hyper,
                ],
                &["param", "m", "v"],
            )
        };
        let out = slots::call(slot, &mut args)?;
        let mut got = Vec::new();
        for f in fields {
            let v = value::expect_field(name, &out, f, "its result")?;
            match v {
                Value::Tensor(a) if a.shape() == p0.shape() => got.push(a),
                other => {
                    return Err(Fail::msg(format!(
                        "`{f}` should be a tensor of shape {:?}, got {}",
                        p0.shape(),
                        other.describe()
                    )))
                }
            }
        }
        p = got[0].clone();
        s1 = got[1].clone();
        if let Some(v) = got.get(2) {
            s2 = v.clone();
        }
        compare(
            &format!("the parameter after step {}", k + 1),
            want,
            &p,
            1e-6,
            1e-4,
        )?;
    }
    Ok(())
}

/// Every check of module 06.
pub(super) fn checks(seed: u64) -> Vec<Check> {
    let mut v = Vec::new();
    let (p, g) = (t(&[2], &[1., -2.]), t(&[2], &[0.5, 0.5]));
    v.push(
        Check::new(Slot::SgdStep, "one_step_by_hand", "θ [1, −2], grad [0.5, 0.5], lr 0.1, momentum 0.9, weightDecay 0.1: g = [0.6, 0.3], velocity = [0.6, 0.3], θ = [0.94, −2.03].", {
            let (p, g) = (p.clone(), g.clone());
            move || {
                let hyper = Value::record(vec![("lr", Value::Num(0.1)), ("momentum", Value::Num(0.9)), ("weightDecay", Value::Num(0.1))]);
                let mut args = [Value::tensor(&p), Value::tensor(&g), Value::tensor(&t(&[2], &[0., 0.])), hyper];
                let out = slots::call(Slot::SgdStep, &mut args)?;
                for (f, want) in [("param", t(&[2], &[0.94, -2.03])), ("velocity", t(&[2], &[0.6, 0.3]))] {
                    match value::expect_field("sgdStep", &out, f, "its result")? {
                        Value::Tensor(a) => compare(f, &want, &a, 1e-6, 1e-5)?,
                        other => return Err(Fail::msg(format!("`{f}` should be a tensor, got {}", other.describe()))),
                    }
                }
                Ok(())
            }
        })
        .show("param", &p)
        .show("grad", &g),
    );
    let mut rng = rng_for(seed, 80);
    let p0 = randn(&mut rng, &[3, 2], 1.0);
    let grads: Vec<Array> = (0..4).map(|_| randn(&mut rng, &[3, 2], 1.0)).collect();
    let (pa, ga) = (p0.clone(), grads.clone());
    v.push(Check::new(Slot::SgdStep, "momentum_builds_up", "Four steps on a random (3, 2) parameter with lr 0.05, momentum 0.9, weightDecay 0.01, feeding each returned velocity back: θ after every step equals the lab's SGD.", move || {
        steps(Slot::SgdStep, &pa, &ga, Hyper { lr: 0.05, momentum: 0.9, wd: 0.01 })
    }));
    let (pa, ga) = (p0.clone(), grads.clone());
    v.push(Check::new(
        Slot::SgdStep,
        "plain_sgd",
        "Without momentum or decay (lr 0.1): θ − lr·grad, four steps.",
        move || {
            steps(
                Slot::SgdStep,
                &pa,
                &ga,
                Hyper {
                    lr: 0.1,
                    momentum: 0.0,
                    wd: 0.0,
                },
            )
        },
    ));
    let p1 = t(&[3], &[1., 1., 1.]);
    let g1 = t(&[3], &[0.001, -5., 20.]);
    v.push(
        Check::new(Slot::AdamStep, "first_step_is_lr_sized", "θ [1, 1, 1], grads [0.001, −5, 20], lr 0.01: with bias correction the first step moves every value by ≈ lr against its gradient's sign → [0.99, 1.01, 0.99], however large or small the gradient.", {
            let (p1, g1) = (p1.clone(), g1.clone());
            move || steps(Slot::AdamStep, &p1, std::slice::from_ref(&g1), Hyper { lr: 0.01, momentum: 0.0, wd: 0.0 })
        })
        .show("param", &p1)
        .show("grad", &g1),
    );
    for (slot, name, wd) in [
        (Slot::AdamStep, "L2 decay added to the gradient", 0.05f32),
        (Slot::AdamwStep, "decoupled decay θ − lr·λ·θ", 0.05),
    ] {
        let (pa, ga) = (p0.clone(), grads.clone());
        v.push(Check::new(slot, "four_steps_against_lab", format!("Four steps on a random (3, 2) parameter with lr 0.02 and weightDecay {wd} ({name}), feeding m and v back with step = 1, 2, 3, 4: θ after every step equals the lab's."), move || {
            steps(slot, &pa, &ga, Hyper { lr: 0.02, momentum: 0.0, wd })
        }));
    }
    let (pa, ga) = (p0.clone(), grads.clone());
    v.push(Check::new(
        Slot::AdamwStep,
        "no_decay_is_adam",
        "With weightDecay 0, AdamW's four steps equal Adam's.",
        move || {
            steps(
                Slot::AdamwStep,
                &pa,
                &ga,
                Hyper {
                    lr: 0.02,
                    momentum: 0.0,
                    wd: 0.0,
                },
            )
        },
    ));
    v
}
