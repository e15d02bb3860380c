//! Unit checks of module 02 (Activations): relu, sigmoid, tanh, gelu and softmax.

use super::check::{compare, expect_tensor, lab, randn, rng_for, t, Check, Fail, ATOL, RTOL};
use crate::slots::{Slot, Value};
use crate::tensor::{Array, Tensor};

fn against_lab(
    slot: Slot,
    x: Array,
    f: fn(&Tensor) -> crate::error::Result<Tensor>,
) -> super::check::Outcome {
    let want = lab(|| f(&Tensor::from_array(x.clone())))?.data().clone();
    expect_tensor(slot, vec![Value::tensor(&x)], &want)
}

/// Every check of module 02.
pub(super) fn checks(seed: u64) -> Vec<Check> {
    let mut v = Vec::new();
    let known = t(&[5], &[-2., -0.5, 0., 0.5, 2.]);
    type F = fn(&Tensor) -> crate::error::Result<Tensor>;
    let table: [(Slot, F, &str); 4] = [
        (Slot::Relu, |x| Ok(x.relu()), "relu([−2, −0.5, 0, 0.5, 2]) = [0, 0, 0, 0.5, 2]."),
        (Slot::Sigmoid, |x| Ok(x.sigmoid()), "sigmoid([−2, −0.5, 0, 0.5, 2]) = [0.1192, 0.3775, 0.5, 0.6225, 0.8808]: 0.5 at 0, symmetric around it."),
        (Slot::Tanh, |x| Ok(x.tanh()), "tanh([−2, −0.5, 0, 0.5, 2]) = [−0.9640, −0.4621, 0, 0.4621, 0.9640]."),
        (Slot::Gelu, |x| Ok(x.gelu()), "gelu([−2, −0.5, 0, 0.5, 2]) = [−0.0454, −0.1543, 0, 0.3457, 1.9546] (the tanh form)."),
    ];
    for (i, (slot, f, desc)) in table.into_iter().enumerate() {
        let x = known.clone();
        v.push(
            Check::new(slot, "known_values", desc, move || {
                against_lab(slot, x.clone(), f)
            })
            .show("x", &known),
        );
        let mut rng = rng_for(seed, 10 + i as u64);
        let r = randn(&mut rng, &[4, 5], 2.0);
        v.push(Check::new(
            slot,
            "random_against_lab",
            format!(
                "Random (4, 5) values, against the lab's {}.",
                slot.js_name()
            ),
            move || against_lab(slot, r.clone(), f),
        ));
    }
    let big = t(&[4], &[-1000., -500., 500., 1000.]);
    v.push(
        Check::new(Slot::Sigmoid, "stable_at_extremes", "sigmoid([−1000, −500, 500, 1000]) = [0, 0, 1, 1]: finite, never NaN (e^1000 overflows a JavaScript number).", {
            let big = big.clone();
            move || expect_tensor(Slot::Sigmoid, vec![Value::tensor(&big)], &t(&[4], &[0., 0., 1., 1.]))
        })
        .show("x", &big),
    );
    v.push(Check::new(
        Slot::Tanh,
        "saturates",
        "tanh([−1000, −500, 500, 1000]) = [−1, −1, 1, 1], finite.",
        {
            let big = big.clone();
            move || {
                expect_tensor(
                    Slot::Tanh,
                    vec![Value::tensor(&big)],
                    &t(&[4], &[-1., -1., 1., 1.]),
                )
            }
        },
    ));
    let x = t(&[2, 3], &[1., 2., 3., 1., 1., 1.]);
    v.push(
        Check::new(
            Slot::Softmax,
            "known_rows",
            "softmax([[1, 2, 3], [1, 1, 1]]) = [[0.0900, 0.2447, 0.6652], [1/3, 1/3, 1/3]].",
            {
                let x = x.clone();
                move || against_lab(Slot::Softmax, x.clone(), |x| x.try_softmax(-1))
            },
        )
        .show("x", &x),
    );
    let huge = t(&[2, 3], &[1000., 999., 0., -1000., 0., 1000.]);
    v.push(
        Check::new(Slot::Softmax, "stable_with_large_values", "softmax([[1000, 999, 0], [−1000, 0, 1000]]) is finite ([0.731, 0.269, 0] and [0, 0, 1]): subtract each row's max before exponentiating.", {
            let huge = huge.clone();
            move || against_lab(Slot::Softmax, huge.clone(), |x| x.try_softmax(-1))
        })
        .show("x", &huge),
    );
    let mut rng = rng_for(seed, 20);
    let r = randn(&mut rng, &[2, 3, 5], 3.0);
    v.push(Check::new(Slot::Softmax, "rows_sum_to_one", "Random (2, 3, 5): softmax over the last axis, every row sums to 1, adding 100 to every value changes nothing, and it equals the lab's.", move || {
        let mut args = vec![Value::tensor(&r)];
        let got = super::check::call_tensor(Slot::Softmax, &mut args, r.shape())?;
        for (i, row) in got.as_slice().expect("standard").chunks(5).enumerate() {
            let s: f32 = row.iter().sum();
            if (s - 1.0).abs() > 1e-4 {
                return Err(Fail::msg(format!("row {i} sums to {s}, not 1 (softmax over the last axis)")));
            }
        }
        let shifted = r.mapv(|x| x + 100.0);
        let mut args = vec![Value::tensor(&shifted)];
        let got2 = super::check::call_tensor(Slot::Softmax, &mut args, r.shape())?;
        compare("softmax(x + 100) against softmax(x)", &got, &got2, ATOL, RTOL)?;
        let want = lab(|| Tensor::from_array(r.clone()).try_softmax(-1))?.data().clone();
        compare("values", &want, &got, ATOL, RTOL)
    }));
    v
}
