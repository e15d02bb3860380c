//! Unit checks of module 01 (Tensor): broadcastShape, add, mul, matmul and sum.

use super::check::{expect_tensor, expect_throw, lab, randn, rng_for, t, Check, Fail};
use crate::slots::{self, value, Slot, Value};
use crate::tensor::{Array, Tensor};

fn shape_check(a: &[usize], b: &[usize], want: &[usize]) -> super::check::Outcome {
    let mut args = [Value::Shape(a.to_vec()), Value::Shape(b.to_vec())];
    let v = slots::call(Slot::BroadcastShape, &mut args)?;
    let got = value::expect_shape("broadcastShape", &v, "its result").map_err(Fail::from)?;
    if got == want {
        Ok(())
    } else {
        Err(Fail::msg(format!(
            "broadcastShape({a:?}, {b:?}) returned {got:?}, expected {want:?}"
        )))
    }
}

/// Every check of module 01.
pub(super) fn checks(seed: u64) -> Vec<Check> {
    let mut v = vec![
        Check::new(Slot::BroadcastShape, "known_shapes", "[2, 3] with [3] → [2, 3]; [4, 1] with [3] → [4, 3]; [2, 1, 4] with [3, 1] → [2, 3, 4]; [] with [2, 2] → [2, 2]; [5] with [1] → [5].", || {
            for (a, b, want) in [
                (vec![2, 3], vec![3], vec![2, 3]),
                (vec![4, 1], vec![3], vec![4, 3]),
                (vec![2, 1, 4], vec![3, 1], vec![2, 3, 4]),
                (vec![], vec![2, 2], vec![2, 2]),
                (vec![5], vec![1], vec![5]),
                (vec![1, 6], vec![7, 1], vec![7, 6]),
            ] {
                shape_check(&a, &b, &want)?;
            }
            Ok(())
        }),
        Check::new(Slot::BroadcastShape, "incompatible_shapes_throw", "[2, 3] with [4, 3, 5] cannot broadcast (3 against 5): it throws an Error naming both shapes.", || {
            expect_throw(Slot::BroadcastShape, vec![Value::Shape(vec![2, 3]), Value::Shape(vec![4, 3, 5])], &["2,3", "4,3,5"])
        }),
    ];
    let a23 = t(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    let row = t(&[3], &[10., 20., 30.]);
    let col = t(&[4, 1], &[1., 2., 3., 4.]);
    for (slot, name, sym) in [(Slot::Add, "add", "+"), (Slot::Mul, "mul", "·")] {
        let f = move |a: &Tensor, b: &Tensor| {
            if name == "add" {
                a.try_add(b)
            } else {
                a.try_mul(b)
            }
        };
        let known = [
            (
                "row_broadcast",
                format!("a (2, 3) {sym} b (3,): b is repeated for every row."),
                &a23,
            ),
            (
                "both_broadcast",
                format!("a (4, 1) {sym} b (3,) → (4, 3): both sides stretch."),
                &col,
            ),
        ];
        for (check, desc, a) in known {
            let (x, y) = (a.clone(), row.clone());
            v.push(
                Check::new(slot, check, desc, move || {
                    let want = lab(|| {
                        f(
                            &Tensor::from_array(x.clone()),
                            &Tensor::from_array(y.clone()),
                        )
                    })?
                    .data()
                    .clone();
                    expect_tensor(slot, vec![Value::tensor(&x), Value::tensor(&y)], &want)
                })
                .show("a", a)
                .show("b", &row),
            );
        }
        let mut rng = rng_for(seed, if name == "add" { 1 } else { 2 });
        let (x, y) = (
            randn(&mut rng, &[2, 3, 4], 1.0),
            randn(&mut rng, &[3, 1], 1.0),
        );
        let s = t(&[], &[2.5]);
        v.push(Check::new(slot, "random_against_lab", format!("Random a (2, 3, 4) {sym} b (3, 1), and a (2, 3, 4) {sym} a scalar of shape [], against the lab's {name}."), move || {
            for b in [&y, &s] {
                let want = lab(|| f(&Tensor::from_array(x.clone()), &Tensor::from_array(b.clone())))?.data().clone();
                expect_tensor(slot, vec![Value::tensor(&x), Value::tensor(b)], &want)?;
            }
            Ok(())
        }));
    }
    let (a, b) = (t(&[2, 2], &[1., 2., 3., 4.]), t(&[2, 2], &[5., 6., 7., 8.]));
    v.push(
        Check::new(
            Slot::Matmul,
            "known_2d",
            "[[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]].",
            {
                let (a, b) = (a.clone(), b.clone());
                move || {
                    expect_tensor(
                        Slot::Matmul,
                        vec![Value::tensor(&a), Value::tensor(&b)],
                        &t(&[2, 2], &[19., 22., 43., 50.]),
                    )
                }
            },
        )
        .show("a", &a)
        .show("b", &b),
    );
    let mut rng = rng_for(seed, 3);
    let cases: Vec<(Array, Array)> = vec![
        (randn(&mut rng, &[3, 4], 1.0), randn(&mut rng, &[4, 5], 1.0)),
        (
            randn(&mut rng, &[2, 3, 4], 1.0),
            randn(&mut rng, &[2, 4, 5], 1.0),
        ),
        (
            randn(&mut rng, &[2, 3, 4], 1.0),
            randn(&mut rng, &[4, 5], 1.0),
        ),
        (
            randn(&mut rng, &[1, 3, 2], 1.0),
            randn(&mut rng, &[4, 2, 3], 1.0),
        ),
    ];
    v.push(Check::new(Slot::Matmul, "random_and_batched", "Random (3, 4)·(4, 5), batched (2, 3, 4)·(2, 4, 5), broadcast (2, 3, 4)·(4, 5) and (1, 3, 2)·(4, 2, 3), against the lab's matmul.", move || {
        for (a, b) in &cases {
            let want = lab(|| Tensor::from_array(a.clone()).try_matmul(&Tensor::from_array(b.clone())))?.data().clone();
            expect_tensor(Slot::Matmul, vec![Value::tensor(a), Value::tensor(b)], &want)
                .map_err(|f| Fail { message: format!("{:?}·{:?}: {}", a.shape(), b.shape(), f.message), ..f })?;
        }
        Ok(())
    }));
    v.push(Check::new(
        Slot::Matmul,
        "inner_mismatch_throws",
        "(2, 3)·(4, 5): the inner sizes 3 and 4 differ, so it throws an Error naming both shapes.",
        || {
            expect_throw(
                Slot::Matmul,
                vec![
                    Value::tensor(&t(&[2, 3], &[0.; 6])),
                    Value::tensor(&t(&[4, 5], &[0.; 20])),
                ],
                &["2,3", "4,5"],
            )
        },
    ));
    let x = t(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    let sum_case =
        |name: &'static str, desc: &str, axis: Option<usize>, keepdim: bool, want: Array| {
            let x = x.clone();
            Check::new(Slot::Sum, name, desc.to_string(), move || {
                let ax = axis.map_or(Value::Null, |a| Value::Num(a as f64));
                expect_tensor(
                    Slot::Sum,
                    vec![Value::tensor(&x), ax, Value::Bool(keepdim)],
                    &want,
                )
            })
            .show("x", &t(&[2, 3], &[1., 2., 3., 4., 5., 6.]))
        };
    v.push(sum_case(
        "all",
        "sum(x, null, false) of [[1, 2, 3], [4, 5, 6]] is 21, of shape [].",
        None,
        false,
        t(&[], &[21.]),
    ));
    v.push(sum_case(
        "all_keepdim",
        "sum(x, null, true) is [[21]], of shape [1, 1].",
        None,
        true,
        t(&[1, 1], &[21.]),
    ));
    v.push(sum_case(
        "axis_0",
        "sum(x, 0, false) = [5, 7, 9].",
        Some(0),
        false,
        t(&[3], &[5., 7., 9.]),
    ));
    v.push(sum_case(
        "axis_1_keepdim",
        "sum(x, 1, true) = [[6], [15]], of shape [2, 1].",
        Some(1),
        true,
        t(&[2, 1], &[6., 15.]),
    ));
    let mut rng = rng_for(seed, 4);
    let r = randn(&mut rng, &[2, 3, 4], 1.0);
    v.push(Check::new(
        Slot::Sum,
        "random_middle_axis",
        "Random (2, 3, 4) summed over axis 1, with and without keepdim, against the lab.",
        move || {
            for keep in [false, true] {
                let want = lab(|| Tensor::from_array(r.clone()).try_sum_axes(&[1], keep))?
                    .data()
                    .clone();
                expect_tensor(
                    Slot::Sum,
                    vec![Value::tensor(&r), Value::Num(1.0), Value::Bool(keep)],
                    &want,
                )?;
            }
            Ok(())
        },
    ));
    v
}
