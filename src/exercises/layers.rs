//! Unit checks of module 03 (Layers): linearForward, linearInit and dropoutForward.

use super::check::{
    call_tensor, compare, expect_tensor, randn, rng_for, t, Check, Fail, ATOL, RTOL,
};
use crate::slots::{self, value, value::Draw, Slot, Value};
use crate::tensor::Array;
use ndarray::{Ix2, IxDyn};

/// x·W + b by the definition (the expected value).
fn linear(x: &Array, w: &Array, b: Option<&Array>) -> Array {
    let x2 = x.view().into_dimensionality::<Ix2>().expect("2-D");
    let w2 = w.view().into_dimensionality::<Ix2>().expect("2-D");
    let mut y = x2.dot(&w2).into_dyn();
    if let Some(b) = b {
        y += b;
    }
    y
}

fn init(i: usize, o: usize, draws: &[f32]) -> Result<(Array, Array), Fail> {
    let mut args = [
        Value::Num(i as f64),
        Value::Num(o as f64),
        Value::Draws(Draw::Normal, draws.to_vec()),
    ];
    let out = slots::call(Slot::LinearInit, &mut args)?;
    let name = Slot::LinearInit.js_name();
    let w = value::expect_field(name, &out, "weight", "its result")?;
    let b = value::expect_field(name, &out, "bias", "its result")?;
    let w = match w {
        Value::Tensor(a) if a.shape() == [i, o] => a,
        other => {
            return Err(Fail::msg(format!(
                "weight should be a tensor of shape [{i}, {o}] (in, out), got {}",
                other.describe()
            )))
        }
    };
    let b = match b {
        Value::Tensor(a) if a.shape() == [o] => a,
        other => {
            return Err(Fail::msg(format!(
                "bias should be a tensor of shape [{o}], got {}",
                other.describe()
            )))
        }
    };
    Ok((w, b))
}

fn dropout(x: &Array, p: f64, training: bool, draws: &[f32]) -> Result<Array, Fail> {
    let mut args = vec![
        Value::tensor(x),
        Value::Num(p),
        Value::Bool(training),
        Value::Draws(Draw::Uniform, draws.to_vec()),
    ];
    call_tensor(Slot::DropoutForward, &mut args, x.shape())
}

/// The contract's dropout for given draws.
fn dropout_rule(x: &Array, p: f32, draws: &[f32]) -> Array {
    let keep = 1.0 - p;
    let mut y = x.clone();
    for (v, &u) in y.iter_mut().zip(draws) {
        *v = if keep > 0.0 && u < keep {
            *v / keep
        } else {
            0.0
        };
    }
    y
}

/// Every check of module 03.
pub(super) fn checks(seed: u64) -> Vec<Check> {
    let mut v = Vec::new();
    let (x, w, b) = (
        t(&[1, 2], &[1., 2.]),
        t(&[2, 3], &[1., 2., 3., 4., 5., 6.]),
        t(&[3], &[0.1, 0.2, 0.3]),
    );
    v.push(
        Check::new(Slot::LinearForward, "known_values", "x [[1, 2]] · W [[1, 2, 3], [4, 5, 6]] (in 2, out 3) + b [0.1, 0.2, 0.3] = [[9.1, 12.2, 15.3]].", {
            let (x, w, b) = (x.clone(), w.clone(), b.clone());
            move || expect_tensor(Slot::LinearForward, vec![Value::tensor(&x), Value::tensor(&w), Value::tensor(&b)], &t(&[1, 3], &[9.1, 12.2, 15.3]))
        })
        .show("x", &x)
        .show("weight", &w)
        .show("bias", &b),
    );
    let mut rng = rng_for(seed, 30);
    let (x, w, b) = (
        randn(&mut rng, &[5, 4], 1.0),
        randn(&mut rng, &[4, 3], 1.0),
        randn(&mut rng, &[3], 1.0),
    );
    v.push(Check::new(
        Slot::LinearForward,
        "random_with_and_without_bias",
        "Random x (5, 4), W (4, 3), b (3,): x·W + b, and x·W when bias is null.",
        move || {
            expect_tensor(
                Slot::LinearForward,
                vec![Value::tensor(&x), Value::tensor(&w), Value::tensor(&b)],
                &linear(&x, &w, Some(&b)),
            )?;
            expect_tensor(
                Slot::LinearForward,
                vec![Value::tensor(&x), Value::tensor(&w), Value::Null],
                &linear(&x, &w, None),
            )
            .map_err(|f| Fail {
                message: format!("with bias null: {}", f.message),
                ..f
            })
        },
    ));
    let mut rng = rng_for(seed, 31);
    let draws: Vec<f32> = (0..12).map(|_| rng.normal()).collect();
    v.push(Check::new(Slot::LinearInit, "uses_the_draws", "linearInit(3, 4, randn): weight (3, 4) is randn()·√(1/3) in row-major order, bias (4,) is zeros.", move || {
        let (w, b) = init(3, 4, &draws)?;
        let want = Array::from_shape_vec(IxDyn(&[3, 4]), draws.iter().map(|d| d * (1.0f32 / 3.0).sqrt()).collect()).expect("12");
        compare("weight", &want, &w, 1e-6, 1e-5)?;
        compare("bias", &Array::zeros(IxDyn(&[4])), &b, 0.0, 0.0)
    }));
    let mut rng = rng_for(seed, 32);
    let draws: Vec<f32> = (0..784 * 256).map(|_| rng.normal()).collect();
    v.push(Check::new(Slot::LinearInit, "scale_of_a_784_256_layer", "linearInit(784, 256): the weights' standard deviation is within 2% of √(1/784) = 0.0357 and their mean near 0 (the reference's unit test).", move || {
        let (w, _) = init(784, 256, &draws)?;
        let n = w.len() as f64;
        let mean = w.iter().map(|&x| x as f64).sum::<f64>() / n;
        let std = (w.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n).sqrt();
        let want = (1.0f64 / 784.0).sqrt();
        if (std - want).abs() > 0.02 * want || mean.abs() > 0.002 {
            return Err(Fail::msg(format!("std {std:.5} and mean {mean:.5}; expected std {want:.5} (√(1/in)) and mean ≈ 0")));
        }
        Ok(())
    }));
    let x = t(&[4], &[1., 2., 3., 4.]);
    let draws = [0.1f32, 0.7, 0.3, 0.9];
    v.push(
        Check::new(Slot::DropoutForward, "known_draws", "dropoutForward([1, 2, 3, 4], p 0.5, training, draws 0.1, 0.7, 0.3, 0.9): keep where u < 0.5, scaled by 2 → [2, 0, 6, 0].", {
            let x = x.clone();
            move || compare("values", &t(&[4], &[2., 0., 6., 0.]), &dropout(&x, 0.5, true, &draws)?, ATOL, RTOL)
        })
        .show("x", &x),
    );
    v.push(Check::new(
        Slot::DropoutForward,
        "eval_and_p0_are_identity",
        "In evaluation mode (training false), and with p = 0, the output equals the input.",
        {
            let x = x.clone();
            move || {
                compare(
                    "evaluation mode",
                    &x,
                    &dropout(&x, 0.5, false, &[])?,
                    0.0,
                    0.0,
                )?;
                compare("p = 0", &x, &dropout(&x, 0.0, true, &draws)?, 0.0, 0.0)
            }
        },
    ));
    v.push(Check::new(
        Slot::DropoutForward,
        "p1_gives_zeros",
        "With p = 1 every value is dropped: zeros (no division by 1 − p = 0).",
        {
            let x = x.clone();
            move || {
                compare(
                    "values",
                    &Array::zeros(IxDyn(&[4])),
                    &dropout(&x, 1.0, true, &draws)?,
                    0.0,
                    0.0,
                )
            }
        },
    ));
    let mut rng = rng_for(seed, 33);
    let (x, draws): (Array, Vec<f32>) = (
        randn(&mut rng, &[6, 5], 1.0),
        (0..30).map(|_| rng.uniform()).collect(),
    );
    v.push(Check::new(Slot::DropoutForward, "random_p_0_3", "Random (6, 5) input with p = 0.3 and 30 draws: kept values are scaled by 1/0.7, the rest are 0; the mean is preserved in expectation.", move || {
        compare("values", &dropout_rule(&x, 0.3, &draws), &dropout(&x, 0.3, true, &draws)?, ATOL, RTOL)
    }));
    v
}
