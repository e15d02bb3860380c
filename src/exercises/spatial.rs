//! Unit checks of module 09 (Spatial): im2col, conv2d forward and backward, max-pool forward
//! and backward, against hand results and the lab's autograd.

use super::check::{
    call_tensor, compare, expect_tensor, lab, randn, rng_for, t, Check, Fail, ATOL, RTOL,
};
use crate::ops::conv::{im2col, Conv2dGeom};
use crate::slots::{self, value, Slot, Value};
use crate::tensor::{Array, Tensor};
use ndarray::IxDyn;

fn lab_im2col(x: &Array, k: usize, s: usize, p: usize) -> Result<Array, Fail> {
    let g = Conv2dGeom::new("im2col", x.shape(), k, k, s, p).map_err(Fail::from)?;
    let cols = im2col(&g, x.as_slice().expect("standard"));
    Ok(Array::from_shape_vec(IxDyn(&[g.n, g.k(), g.p()]), cols).expect("sizes"))
}

fn im2col_check(x: &Array, k: usize, s: usize, p: usize) -> super::check::Outcome {
    let want = lab_im2col(x, k, s, p)?;
    let args = vec![
        Value::tensor(x),
        Value::Num(k as f64),
        Value::Num(k as f64),
        Value::Num(s as f64),
        Value::Num(p as f64),
    ];
    expect_tensor(Slot::Im2col, args, &want).map_err(|f| Fail {
        message: format!("kernel {k}, stride {s}, padding {p}: {}", f.message),
        ..f
    })
}

fn conv_check(
    x: &Array,
    w: &Array,
    b: Option<&Array>,
    s: usize,
    p: usize,
) -> super::check::Outcome {
    let want = lab(|| {
        Tensor::from_array(x.clone()).try_conv2d(
            &Tensor::from_array(w.clone()),
            b.map(|b| Tensor::from_array(b.clone())).as_ref(),
            s,
            p,
        )
    })?
    .data()
    .clone();
    let args = vec![
        Value::tensor(x),
        Value::tensor(w),
        b.map_or(Value::Null, Value::tensor),
        Value::Num(s as f64),
        Value::Num(p as f64),
    ];
    expect_tensor(Slot::Conv2dForward, args, &want).map_err(|f| Fail {
        message: format!("stride {s}, padding {p}: {}", f.message),
        ..f
    })
}

fn pool_check(x: &Array, k: usize, s: usize) -> super::check::Outcome {
    let want = lab(|| Tensor::from_array(x.clone()).try_max_pool2d(k, s, 0))?
        .data()
        .clone();
    expect_tensor(
        Slot::MaxPool2dForward,
        vec![Value::tensor(x), Value::Num(k as f64), Value::Num(s as f64)],
        &want,
    )
}

fn pool_backward_check(x: &Array, g: &Array, k: usize, s: usize) -> super::check::Outcome {
    let want = lab(|| {
        let xt = Tensor::from_array(x.clone()).requires_grad_(true);
        xt.try_max_pool2d(k, s, 0)?
            .backward_with(&Tensor::from_array(g.clone()))?;
        let d = xt.grad_array().clone().expect("grad");
        Ok(d)
    })?;
    expect_tensor(
        Slot::MaxPool2dBackward,
        vec![
            Value::tensor(g),
            Value::tensor(x),
            Value::Num(k as f64),
            Value::Num(s as f64),
        ],
        &want,
    )
}

/// Every check of module 09.
pub(super) fn checks(seed: u64) -> Vec<Check> {
    let mut v = Vec::new();
    let x9 = t(&[1, 1, 3, 3], &[1., 2., 3., 4., 5., 6., 7., 8., 9.]);
    v.push(
        Check::new(Slot::Im2col, "known_patches", "im2col of the 3×3 image 1..9 with a 2×2 kernel (stride 1, no padding): rows are the 4 taps, columns the 4 output positions: [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]; with padding 1 the taps off the image are 0.", {
            let x = x9.clone();
            move || {
                im2col_check(&x, 2, 1, 0)?;
                im2col_check(&x, 2, 1, 1)
            }
        })
        .show("x", &x9),
    );
    let mut rng = rng_for(seed, 110);
    let xr = randn(&mut rng, &[2, 2, 5, 5], 1.0);
    v.push(Check::new(Slot::Im2col, "random_strided_padded", "Random (2, 2, 5, 5) with a 3×3 kernel, stride 2 and padding 1 (and stride 1, no padding), against the lab's patches.", move || {
        im2col_check(&xr, 3, 2, 1)?;
        im2col_check(&xr, 3, 1, 0)
    }));
    let img = t(
        &[1, 1, 4, 4],
        &[
            0., 0., 1., 1., 0., 0., 1., 1., 0., 0., 1., 1., 0., 0., 1., 1.,
        ],
    );
    let edge = t(&[1, 1, 3, 3], &[-1., 0., 1., -1., 0., 1., -1., 0., 1.]);
    v.push(
        Check::new(Slot::Conv2dForward, "vertical_edge_is_3", "A 4×4 image dark on the left and bright on the right, through the vertical-edge kernel [−1, 0, 1] (three rows, no bias): 3.0 everywhere — cross-correlation, the kernel is not flipped (the reference's test).", {
            let (img, edge) = (img.clone(), edge.clone());
            move || expect_tensor(Slot::Conv2dForward, vec![Value::tensor(&img), Value::tensor(&edge), Value::Null, Value::Num(1.0), Value::Num(0.0)], &t(&[1, 1, 2, 2], &[3., 3., 3., 3.]))
        })
        .show("x", &img)
        .show("weight", &edge),
    );
    let mut rng = rng_for(seed, 111);
    let (x, w, b) = (
        randn(&mut rng, &[2, 2, 6, 6], 1.0),
        randn(&mut rng, &[3, 2, 3, 3], 1.0),
        randn(&mut rng, &[3], 1.0),
    );
    v.push(Check::new(Slot::Conv2dForward, "random_against_lab", "Random x (2, 2, 6, 6), weight (3, 2, 3, 3), bias (3,): stride 1 no padding, stride 2 padding 1 (output 3×3 by ⌊(6 + 2 − 3)/2⌋ + 1), and without bias, against the lab.", move || {
        conv_check(&x, &w, Some(&b), 1, 0)?;
        conv_check(&x, &w, Some(&b), 2, 1)?;
        conv_check(&x, &w, None, 1, 1)
    }));
    let mut rng = rng_for(seed, 112);
    let (x, w, b) = (
        randn(&mut rng, &[2, 2, 5, 5], 1.0),
        randn(&mut rng, &[3, 2, 3, 3], 1.0),
        randn(&mut rng, &[3], 1.0),
    );
    v.push(Check::new(Slot::Conv2dBackward, "random_against_lab", "Random x (2, 2, 5, 5), weight (3, 2, 3, 3), bias, stride 2, padding 1, and a random upstream grad: dx, dweight and dbias against the lab's autograd.", move || {
        for (s, p) in [(2usize, 1usize), (1, 0)] {
            let out = lab(|| Tensor::from_array(x.clone()).try_conv2d(&Tensor::from_array(w.clone()), None, s, p))?.shape();
            let mut r = rng_for(s as u64, 7);
            let g = randn(&mut r, &out, 1.0);
            let want = lab(|| {
                let (xt, wt, bt) = (Tensor::from_array(x.clone()).requires_grad_(true), Tensor::from_array(w.clone()).requires_grad_(true), Tensor::from_array(b.clone()).requires_grad_(true));
                xt.try_conv2d(&wt, Some(&bt), s, p)?.backward_with(&Tensor::from_array(g.clone()))?;
                let d = [&xt, &wt, &bt].map(|t| t.grad_array().clone().expect("grad"));
                Ok(d)
            })?;
            let mut args = [Value::tensor(&g), Value::tensor(&x), Value::tensor(&w), Value::Num(s as f64), Value::Num(p as f64)];
            let outv = slots::call(Slot::Conv2dBackward, &mut args)?;
            for (field, want) in ["dx", "dweight", "dbias"].into_iter().zip(&want) {
                match value::expect_field("conv2dBackward", &outv, field, "its result")? {
                    Value::Tensor(a) => compare(&format!("{field} (stride {s}, padding {p})"), want, &a, ATOL, RTOL)?,
                    other => return Err(Fail::msg(format!("`{field}` should be a tensor of shape {:?}, got {}", want.shape(), other.describe()))),
                }
            }
        }
        Ok(())
    }));
    let grid = t(
        &[1, 1, 4, 4],
        &[
            1., 3., 2., 4., 5., 2., 6., 1., 2., 8., 1., 3., 7., 1., 9., 2.,
        ],
    );
    let neg = t(
        &[1, 1, 4, 4],
        &[
            -1., -2., -5., -6., -3., -4., -1., -2., -1., -2., -3., -5., -1., -9., -1., -2.,
        ],
    );
    v.push(
        Check::new(Slot::MaxPool2dForward, "known_grid", "2×2 windows with stride 2 on [[1, 3, 2, 4], [5, 2, 6, 1], [2, 8, 1, 3], [7, 1, 9, 2]] give [[5, 6], [8, 9]]; on an all-negative grid the maxima are negative (start each window from its first value, not from 0).", {
            let (grid, neg) = (grid.clone(), neg.clone());
            move || {
                expect_tensor(Slot::MaxPool2dForward, vec![Value::tensor(&grid), Value::Num(2.0), Value::Num(2.0)], &t(&[1, 1, 2, 2], &[5., 6., 8., 9.]))?;
                pool_check(&neg, 2, 2)
            }
        })
        .show("x", &grid),
    );
    let mut rng = rng_for(seed, 113);
    let xr = randn(&mut rng, &[2, 3, 6, 6], 1.0);
    v.push(Check::new(Slot::MaxPool2dForward, "random_against_lab", "Random (2, 3, 6, 6) with kernel 2 stride 2, and overlapping kernel 3 stride 1, against the lab.", {
        let xr = xr.clone();
        move || {
            pool_check(&xr, 2, 2)?;
            pool_check(&xr, 3, 1)
        }
    }));
    v.push(
        Check::new(Slot::MaxPool2dBackward, "to_the_first_maximum", "With grad 1 per window, the known grid's gradient is 1 exactly at its maxima; a window of four 7s sends it to the first one only.", {
            let grid = grid.clone();
            move || {
                pool_backward_check(&grid, &t(&[1, 1, 2, 2], &[1., 1., 1., 1.]), 2, 2)?;
                let tie = t(&[1, 1, 2, 2], &[7., 7., 7., 7.]);
                let mut args = vec![Value::tensor(&t(&[1, 1, 1, 1], &[1.])), Value::tensor(&tie), Value::Num(2.0), Value::Num(2.0)];
                let got = call_tensor(Slot::MaxPool2dBackward, &mut args, &[1, 1, 2, 2])?;
                compare("a tie", &t(&[1, 1, 2, 2], &[1., 0., 0., 0.]), &got, 0.0, 0.0)
            }
        })
        .show("x", &grid),
    );
    let mut rng = rng_for(seed, 114);
    let g1 = randn(&mut rng, &[2, 3, 3, 3], 1.0);
    let g2 = randn(&mut rng, &[2, 3, 4, 4], 1.0);
    v.push(Check::new(Slot::MaxPool2dBackward, "random_against_lab", "Random input and upstream grad, kernel 2 stride 2 and overlapping kernel 3 stride 1 (where one input can be the maximum of several windows: the gradients add up), against the lab.", move || {
        pool_backward_check(&xr, &g1, 2, 2)?;
        pool_backward_check(&xr, &g2, 3, 1)
    }));
    v
}
