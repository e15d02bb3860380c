//! Unit checks of module 05 (Autograd): the backward rules, each against the lab's autograd on
//! the same inputs, and unbroadcast.

use super::check::{
    call_tensor, compare, expect_tensor, lab, randn, rng_for, t, Check, Fail, Outcome, ATOL, RTOL,
};
use crate::slots::{self, Slot, Value};
use crate::tensor::{sum_to_shape, Array, Tensor};

/// The lab's gradients of `Σ g ⊙ f(inputs)` for each input.
fn lab_grads(
    inputs: &[Array],
    g: &Array,
    f: impl Fn(&[Tensor]) -> crate::error::Result<Tensor>,
) -> Result<Vec<Array>, Fail> {
    lab(|| {
        let ts: Vec<Tensor> = inputs
            .iter()
            .map(|a| Tensor::from_array(a.clone()).requires_grad_(true))
            .collect();
        let y = f(&ts)?;
        y.backward_with(&Tensor::from_array(g.clone()))?;
        let grads = ts
            .iter()
            .map(|t| {
                t.grad_array()
                    .clone()
                    .unwrap_or_else(|| Array::zeros(t.data().raw_dim()))
            })
            .collect();
        Ok(grads)
    })
}

/// Calls a two-gradient backward slot; each gradient may have its input's shape or `wide[i]`
/// (the broadcast shape), which is summed down with the lab's rule before comparing.
fn pair(
    slot: Slot,
    args: Vec<Value>,
    inputs: &[&Array],
    wide: [&[usize]; 2],
    want: &[Array],
) -> Outcome {
    let mut args = args;
    let out = slots::call(slot, &mut args)?;
    let Value::List(items) = out else {
        return Err(Fail::msg(format!(
            "expected an array [gradient of a, gradient of b], but it returned {}",
            out.describe()
        )));
    };
    if items.len() != 2 {
        return Err(Fail::msg(format!(
            "expected an array of 2 gradients, got {} items",
            items.len()
        )));
    }
    for (i, item) in items.into_iter().enumerate() {
        let name = ["a", "b"][i];
        let own = inputs[i].shape();
        let got = match item {
            Value::Tensor(x) if x.shape() == own => x,
            Value::Tensor(x) if x.shape() == wide[i] => sum_to_shape(x, own),
            other => {
                return Err(Fail::msg(format!(
                    "the gradient of {name} should have shape {own:?} (or the broadcast {:?}), but it is {}",
                    wide[i],
                    other.describe()
                )))
            }
        };
        compare(
            &format!("the gradient of {name}"),
            &want[i],
            &got,
            ATOL,
            RTOL,
        )?;
    }
    Ok(())
}

fn unary_rule(slot: Slot, x: Array, g: Array, f: fn(&Tensor) -> Tensor) -> Outcome {
    let y = lab(|| Ok(f(&Tensor::from_array(x.clone()))))?
        .data()
        .clone();
    let want = lab_grads(std::slice::from_ref(&x), &g, |ts| Ok(f(&ts[0])))?;
    expect_tensor(
        slot,
        vec![Value::tensor(&g), Value::tensor(&x), Value::tensor(&y)],
        &want[0],
    )
}

/// Every check of module 05.
pub(super) fn checks(seed: u64) -> Vec<Check> {
    let mut v = Vec::new();
    let g23 = t(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    v.push(
        Check::new(Slot::Unbroadcast, "known_shapes", "unbroadcast of [[1, 2, 3], [4, 5, 6]] to [3] is [5, 7, 9]; to [2, 1] is [[6], [15]]; to [2, 3] it is unchanged.", {
            let g = g23.clone();
            move || {
                for shape in [vec![3], vec![2, 1], vec![2, 3], vec![1, 1]] {
                    let mut args = vec![Value::tensor(&g), Value::Shape(shape.clone())];
                    let got = call_tensor(Slot::Unbroadcast, &mut args, &shape)?;
                    compare(&format!("to {shape:?}"), &sum_to_shape(g.clone(), &shape), &got, ATOL, RTOL)?;
                }
                Ok(())
            }
        })
        .show("grad", &g23),
    );
    let mut rng = rng_for(seed, 50);
    let g = randn(&mut rng, &[4, 2, 3], 1.0);
    v.push(Check::new(Slot::Unbroadcast, "leading_axes", "A random (4, 2, 3) gradient to [2, 1] and to [3]: extra leading axes are summed away, size-1 axes summed and kept.", move || {
        for shape in [vec![2, 1], vec![3], vec![1, 2, 1]] {
            let mut args = vec![Value::tensor(&g), Value::Shape(shape.clone())];
            let got = call_tensor(Slot::Unbroadcast, &mut args, &shape)?;
            compare(&format!("to {shape:?}"), &sum_to_shape(g.clone(), &shape), &got, ATOL, RTOL)?;
        }
        Ok(())
    }));
    for (k, (slot, name)) in [(Slot::AddBackward, "add"), (Slot::MulBackward, "mul")]
        .into_iter()
        .enumerate()
    {
        let mut rng = rng_for(seed, 51 + k as u64);
        let (a, b, g) = (
            randn(&mut rng, &[2, 3], 1.0),
            randn(&mut rng, &[3], 1.0),
            randn(&mut rng, &[2, 3], 1.0),
        );
        let desc = format!("Random a (2, 3), b (3,) and grad (2, 3): the gradients of {name}(a, b) for a and for b (b's is summed over the rows it was broadcast to), against the lab's autograd.");
        v.push(Check::new(slot, "broadcast_against_lab", desc, move || {
            let want = lab_grads(&[a.clone(), b.clone()], &g, |ts| {
                if name == "add" {
                    ts[0].try_add(&ts[1])
                } else {
                    ts[0].try_mul(&ts[1])
                }
            })?;
            pair(
                slot,
                vec![Value::tensor(&g), Value::tensor(&a), Value::tensor(&b)],
                &[&a, &b],
                [&[2, 3], &[2, 3]],
                &want,
            )
        }));
    }
    let (a, b) = (t(&[1, 2], &[1., 2.]), t(&[2, 1], &[3., 4.]));
    v.push(
        Check::new(Slot::MatmulBackward, "known_values", "a [[1, 2]] · b [[3], [4]] with grad [[1]]: the gradient of a is grad·bᵀ = [[3, 4]], of b is aᵀ·grad = [[1], [2]].", {
            let (a, b) = (a.clone(), b.clone());
            move || {
                let g = t(&[1, 1], &[1.]);
                pair(Slot::MatmulBackward, vec![Value::tensor(&g), Value::tensor(&a), Value::tensor(&b)], &[&a, &b], [&[1, 2], &[2, 1]], &[t(&[1, 2], &[3., 4.]), t(&[2, 1], &[1., 2.])])
            }
        })
        .show("a", &a)
        .show("b", &b),
    );
    let mut rng = rng_for(seed, 53);
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
    ];
    let grads: Vec<Array> = cases
        .iter()
        .map(|(a, b)| {
            let mut s = a.shape()[..a.ndim() - 1].to_vec();
            s.push(b.shape()[b.ndim() - 1]);
            randn(&mut rng, &s, 1.0)
        })
        .collect();
    v.push(Check::new(Slot::MatmulBackward, "random_and_batched", "Random (3, 4)·(4, 5), batched (2, 3, 4)·(2, 4, 5), and (2, 3, 4)·(4, 5) where b is shared by the batch (its gradient sums over it), against the lab.", move || {
        for ((a, b), g) in cases.iter().zip(&grads) {
            let want = lab_grads(&[a.clone(), b.clone()], g, |ts| ts[0].try_matmul(&ts[1]))?;
            let batch = &g.shape()[..g.ndim() - 2];
            let wa: Vec<usize> = batch.iter().chain(&a.shape()[a.ndim() - 2..]).copied().collect();
            let wb: Vec<usize> = batch.iter().chain(&b.shape()[b.ndim() - 2..]).copied().collect();
            pair(Slot::MatmulBackward, vec![Value::tensor(g), Value::tensor(a), Value::tensor(b)], &[a, b], [&wa, &wb], &want)
                .map_err(|f| Fail { message: format!("{:?}·{:?}: {}", a.shape(), b.shape(), f.message), ..f })?;
        }
        Ok(())
    }));
    let x = t(&[5], &[-2., -0.5, 0., 0.5, 2.]);
    type U = fn(&Tensor) -> Tensor;
    for (k, (slot, f, desc)) in [
        (
            Slot::ReluBackward,
            (|x| x.relu()) as U,
            "reluBackward: grad where x > 0, else 0 (also 0 at exactly 0).",
        ),
        (
            Slot::SigmoidBackward,
            |x| x.sigmoid(),
            "sigmoidBackward: grad·y·(1 − y) with y = sigmoid(x).",
        ),
        (
            Slot::TanhBackward,
            |x| x.tanh(),
            "tanhBackward: grad·(1 − y²) with y = tanh(x).",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let x0 = x.clone();
        v.push(
            Check::new(
                slot,
                "known_values",
                format!("{desc} At x = [−2, −0.5, 0, 0.5, 2] with grad [1, 2, 3, 4, 5]."),
                move || unary_rule(slot, x0.clone(), t(&[5], &[1., 2., 3., 4., 5.]), f),
            )
            .show("x", &x),
        );
        let mut rng = rng_for(seed, 60 + k as u64);
        let (xr, gr) = (randn(&mut rng, &[3, 4], 2.0), randn(&mut rng, &[3, 4], 1.0));
        v.push(Check::new(
            slot,
            "random_against_lab",
            "Random x and grad of shape (3, 4), against the lab's autograd.",
            move || unary_rule(slot, xr.clone(), gr.clone(), f),
        ));
    }
    let x = g23.clone();
    for (slot, mean) in [(Slot::SumBackward, false), (Slot::MeanBackward, true)] {
        let x = x.clone();
        let word = if mean { "mean" } else { "sum" };
        v.push(Check::new(slot, "every_case", format!("x (2, 3) reduced by {word} over axes [1], [0, 1] and [1] with keepdim: the gradient spreads grad back{} to shape [2, 3].", if mean { " divided by the count" } else { "" }), move || {
            for (axes, keep) in [(vec![1usize], false), (vec![0, 1], false), (vec![1], true), (vec![0], true)] {
                let ax: Vec<isize> = axes.iter().map(|&a| a as isize).collect();
                let mut gshape = vec![2usize, 3];
                for &a in axes.iter().rev() {
                    if keep { gshape[a] = 1 } else { gshape.remove(a); }
                }
                let n: usize = gshape.iter().product();
                let g = Array::from_shape_vec(ndarray::IxDyn(&gshape), (1..=n).map(|i| i as f32).collect()).expect("n");
                let want = lab_grads(std::slice::from_ref(&x), &g, |ts| if mean { ts[0].try_mean_axes(&ax, keep) } else { ts[0].try_sum_axes(&ax, keep) })?;
                let args = vec![Value::tensor(&g), Value::Shape(vec![2, 3]), Value::Shape(axes.clone()), Value::Bool(keep)];
                expect_tensor(slot, args, &want[0]).map_err(|f| Fail { message: format!("axes {axes:?}, keepdim {keep}: {}", f.message), ..f })?;
            }
            Ok(())
        }));
    }
    let z = t(&[2, 3], &[0.; 6]);
    v.push(
        Check::new(Slot::CrossEntropyBackward, "uniform_logits", "Zero logits (2, 3), labels [0, 2], grad 1: (softmax − onehot)/N = [[−1/3, 1/6, 1/6], [1/6, 1/6, −1/3]].", {
            let z = z.clone();
            move || expect_tensor(Slot::CrossEntropyBackward, vec![Value::Num(1.0), Value::tensor(&z), Value::Labels(vec![0, 2])], &t(&[2, 3], &[-1. / 3., 1. / 6., 1. / 6., 1. / 6., 1. / 6., -1. / 3.]))
        })
        .show("logits", &z),
    );
    let big = t(&[2, 3], &[1000., 999., 0., -1000., 0., 1000.]);
    v.push(
        Check::new(Slot::CrossEntropyBackward, "large_logits", "Logits [[1000, 999, 0], [−1000, 0, 1000]], labels [0, 2], grad 1: finite, (softmax − onehot)/2 — the softmax inside needs the max shift too.", {
            let big = big.clone();
            move || {
                let want = lab(|| {
                    let zt = Tensor::from_array(big.clone()).requires_grad_(true);
                    zt.try_cross_entropy(&[0, 2])?.backward()?;
                    let g = zt.grad_array().clone().expect("grad");
                    Ok(g)
                })?;
                expect_tensor(Slot::CrossEntropyBackward, vec![Value::Num(1.0), Value::tensor(&big), Value::Labels(vec![0, 2])], &want)
            }
        })
        .show("logits", &big),
    );
    let mut rng = rng_for(seed, 70);
    let z = randn(&mut rng, &[4, 5], 3.0);
    let ys: Vec<usize> = (0..4).map(|_| rng.below(5)).collect();
    v.push(Check::new(Slot::CrossEntropyBackward, "random_scaled", "Random logits (4, 5), labels, and an upstream grad of 2.5 (it scales the result), against the lab.", move || {
        let want = lab(|| {
            let zt = Tensor::from_array(z.clone()).requires_grad_(true);
            let l = zt.try_cross_entropy(&ys)?;
            l.backward_with(&Tensor::from_array(t(&[], &[2.5])))?;
            let g = zt.grad_array().clone().expect("grad");
            Ok(g)
        })?;
        expect_tensor(Slot::CrossEntropyBackward, vec![Value::Num(2.5), Value::tensor(&z), Value::Labels(ys.clone())], &want)
    }));
    v
}
