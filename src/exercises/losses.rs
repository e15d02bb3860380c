//! Unit checks of module 04 (Losses): mseLoss, crossEntropyLoss and bceLoss.

use super::check::{expect_number, lab, randn, rng_for, t, Check};
use crate::nn::loss::{cross_entropy, mse_loss};
use crate::slots::{Slot, Value};
use crate::tensor::{Array, Tensor};

fn lab_value(f: impl FnOnce() -> crate::error::Result<Tensor>) -> Result<f64, super::check::Fail> {
    Ok(lab(|| f()?.item())? as f64)
}

fn labels(v: &[usize]) -> Value {
    Value::Labels(v.to_vec())
}

fn as_float(v: &[usize]) -> Tensor {
    Tensor::from_vec(v.iter().map(|&x| x as f32).collect(), &[v.len()]).expect("1-D")
}

/// Every check of module 04.
pub(super) fn checks(seed: u64) -> Vec<Check> {
    let mut v = Vec::new();
    let (p, q) = (t(&[2], &[1., 2.]), t(&[2], &[1., 4.]));
    v.push(
        Check::new(
            Slot::MseLoss,
            "known_value",
            "mseLoss([1, 2], [1, 4]) = ((1−1)² + (2−4)²)/2 = 2.",
            {
                let (p, q) = (p.clone(), q.clone());
                move || {
                    expect_number(
                        Slot::MseLoss,
                        vec![Value::tensor(&p), Value::tensor(&q)],
                        2.0,
                        1e-5,
                    )
                }
            },
        )
        .show("pred", &p)
        .show("target", &q),
    );
    let mut rng = rng_for(seed, 40);
    let (a, b) = (randn(&mut rng, &[4, 3], 1.0), randn(&mut rng, &[4, 3], 1.0));
    v.push(Check::new(Slot::MseLoss, "mean_over_every_element", "Random (4, 3) predictions and targets: the mean over all 12 squared errors (not the sum, not per row).", move || {
        let want = lab_value(|| mse_loss(&Tensor::from_array(a.clone()), &Tensor::from_array(b.clone())))?;
        expect_number(Slot::MseLoss, vec![Value::tensor(&a), Value::tensor(&b)], want, 1e-4)
    }));
    let zeros = t(&[2, 3], &[0.; 6]);
    v.push(
        Check::new(
            Slot::CrossEntropyLoss,
            "uniform_is_log_c",
            "Uniform logits over 3 classes give ln 3 = 1.0986, whatever the labels.",
            {
                let z = zeros.clone();
                move || {
                    expect_number(
                        Slot::CrossEntropyLoss,
                        vec![Value::tensor(&z), labels(&[0, 2])],
                        3f64.ln(),
                        1e-5,
                    )
                }
            },
        )
        .show("logits", &zeros),
    );
    let big = t(&[2, 3], &[1000., 0., 0., 0., 0., 1000.]);
    v.push(
        Check::new(Slot::CrossEntropyLoss, "confident_and_finite", "Logits [[1000, 0, 0], [0, 0, 1000]] with labels [0, 2] give 0, finite: use the log-sum-exp trick (e^1000 overflows).", {
            let big = big.clone();
            move || expect_number(Slot::CrossEntropyLoss, vec![Value::tensor(&big), labels(&[0, 2])], 0.0, 1e-5)
        })
        .show("logits", &big),
    );
    let mut rng = rng_for(seed, 41);
    let z = randn(&mut rng, &[5, 4], 2.0);
    let ys: Vec<usize> = (0..5).map(|_| rng.below(4)).collect();
    v.push(Check::new(Slot::CrossEntropyLoss, "random_against_lab", "Random logits (5, 4) and labels: the mean over rows of −log softmax at the label, against the lab.", move || {
        let want = lab_value(|| cross_entropy(&Tensor::from_array(z.clone()), &as_float(&ys)))?;
        expect_number(Slot::CrossEntropyLoss, vec![Value::tensor(&z), labels(&ys)], want, 1e-4)
    }));
    let (p, y) = (t(&[2], &[0.5, 0.5]), t(&[2], &[1., 0.]));
    v.push(
        Check::new(
            Slot::BceLoss,
            "known_value",
            "bceLoss([0.5, 0.5], [1, 0]) = ln 2 = 0.6931.",
            {
                let (p, y) = (p.clone(), y.clone());
                move || {
                    expect_number(
                        Slot::BceLoss,
                        vec![Value::tensor(&p), Value::tensor(&y)],
                        2f64.ln(),
                        1e-5,
                    )
                }
            },
        )
        .show("probs", &p)
        .show("targets", &y),
    );
    let (p, y) = (t(&[2], &[0., 1.]), t(&[2], &[1., 0.]));
    v.push(
        Check::new(Slot::BceLoss, "clipped_at_0_and_1", "bceLoss([0, 1], [1, 0]): with p clipped to [1e-7, 1 − 1e-7] the loss is −ln(1e-7) = 16.118, finite (log 0 would be −Infinity).", {
            let (p, y) = (p.clone(), y.clone());
            // Exact in float64; the lab's float32 1 − 1e-7 rounds to 1 − 1.19e-7, giving 16.03,
            // so 1% covers either precision while a missing clip (Infinity) fails.
            move || expect_number(Slot::BceLoss, vec![Value::tensor(&p), Value::tensor(&y)], -(1e-7f64).ln(), 1e-2)
        })
        .show("probs", &p)
        .show("targets", &y),
    );
    let mut rng = rng_for(seed, 42);
    let pr: Array = randn(&mut rng, &[3, 4], 1.0).mapv(|v| 1.0 / (1.0 + (-v).exp()));
    let yt: Array = randn(&mut rng, &[3, 4], 1.0).mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
    v.push(Check::new(
        Slot::BceLoss,
        "random_against_lab",
        "Random probabilities (3, 4) and 0/1 targets, against the lab.",
        move || {
            let want = lab_value(|| {
                Tensor::from_array(pr.clone()).try_bce(&Tensor::from_array(yt.clone()))
            })?;
            expect_number(
                Slot::BceLoss,
                vec![Value::tensor(&pr), Value::tensor(&yt)],
                want,
                1e-4,
            )
        },
    ));
    v
}
