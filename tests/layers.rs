//! Layer-level tests: activations, Linear, Dropout, Sequential, losses, optimizers, the cosine
//! schedule, gradient clipping, and the data pipeline (TensorDataset, DataLoader).

use std::rc::Rc;
use tinytorch::data::{DataLoader, Dataset, TensorDataset};
use tinytorch::loss::{cross_entropy, mse_loss};
use tinytorch::nn::{Dropout, Linear, Module, ReLU, Sequential, Sigmoid, Softmax, Tanh, GELU};
use tinytorch::optim::{Adam, Optimizer, Sgd};
use tinytorch::train::{clip_grad_norm, CosineSchedule};
use tinytorch::{manual_seed, Tensor};

fn t(v: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape).unwrap()
}

/// A scalar parameter with value `v` and gradient `g`.
fn param(v: f32, g: f32) -> Tensor {
    let p = Tensor::scalar(v).requires_grad_(true);
    p.set_grad(Some(ndarray::arr0(g).into_dyn()));
    p
}

fn val(p: &Tensor) -> f32 {
    p.item().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------------------------

#[test]
fn sigmoid_is_stable_and_exact_at_plus_minus_500() {
    let y = Sigmoid::new()
        .forward(&t(&[-500.0, 0.0, 500.0], &[3]))
        .unwrap()
        .to_vec();
    assert!(y.iter().all(|v| v.is_finite()), "{y:?}");
    // e^−500 ≈ 7e−218 is below f32's range, so 0 is the correctly rounded value.
    assert!(y[0] >= 0.0 && y[0] < 1e-30, "{}", y[0]);
    assert_eq!(y[1], 0.5);
    assert_eq!(y[2], 1.0);
}

#[test]
fn sigmoid_is_symmetric() {
    // σ(−x) = 1 − σ(x); f32 rounding of 1 − σ(x) is at most one ulp of 1 (6e−8).
    let xs: Vec<f32> = (-40..=40).map(|i| i as f32 * 0.5).collect();
    let n = xs.len();
    let pos = Sigmoid::new().forward(&t(&xs, &[n])).unwrap().to_vec();
    let neg: Vec<f32> = xs.iter().map(|x| -x).collect();
    let neg = Sigmoid::new().forward(&t(&neg, &[n])).unwrap().to_vec();
    for i in 0..n {
        assert!(
            (neg[i] - (1.0 - pos[i])).abs() <= 1e-7,
            "x = {}: σ(−x) = {}, 1 − σ(x) = {}",
            xs[i],
            neg[i],
            1.0 - pos[i]
        );
        let want = 1.0 / (1.0 + (-(xs[i] as f64)).exp());
        assert!(
            (pos[i] as f64 - want).abs() <= 1e-7,
            "σ({}) = {}",
            xs[i],
            pos[i]
        );
    }
}

#[test]
fn relu_is_exact() {
    let y = ReLU::new()
        .forward(&t(&[-2.0, -1e-30, 0.0, 1e-30, 3.5], &[5]))
        .unwrap();
    assert_eq!(y.to_vec(), vec![0.0, 0.0, 0.0, 1e-30, 3.5]);
}

#[test]
fn tanh_matches_f64_reference_and_saturates() {
    let xs: Vec<f32> = (-24..=24).map(|i| i as f32 * 0.25).collect();
    let y = Tanh::new().forward(&t(&xs, &[xs.len()])).unwrap().to_vec();
    for (x, y) in xs.iter().zip(&y) {
        assert!(
            ((*y as f64) - (*x as f64).tanh()).abs() <= 1e-6,
            "tanh({x}) = {y}"
        );
    }
    let sat = Tanh::new().forward(&t(&[-50.0, 50.0], &[2])).unwrap();
    assert_eq!(sat.to_vec(), vec![-1.0, 1.0]);
}

#[test]
fn gelu_matches_f64_tanh_formula() {
    // Reference: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) evaluated in f64.
    let c = (2.0 / std::f64::consts::PI).sqrt();
    let xs: Vec<f32> = (-48..=48).map(|i| i as f32 * 0.125).collect();
    let y = GELU::new().forward(&t(&xs, &[xs.len()])).unwrap().to_vec();
    for (x, y) in xs.iter().zip(&y) {
        let x = *x as f64;
        let want = 0.5 * x * (1.0 + (c * (x + 0.044715 * x.powi(3))).tanh());
        assert!(
            (*y as f64 - want).abs() <= 1e-6 * want.abs().max(1.0),
            "gelu({x}) = {y}, want {want}"
        );
    }
    // Anchors: GELU(0) = 0 and GELU(x) → x for large x, → 0 for very negative x.
    let a = GELU::new()
        .forward(&t(&[0.0, 10.0, -10.0], &[3]))
        .unwrap()
        .to_vec();
    assert_eq!(a[0], 0.0);
    assert_eq!(a[1], 10.0);
    assert!(a[2].abs() < 1e-6);
}

#[test]
fn softmax_rows_sum_to_one() {
    manual_seed(1);
    let x = Tensor::randn(&[8, 10]).mul_scalar(5.0);
    let p = Softmax::new(-1).forward(&x).unwrap();
    for row in p.to_vec().chunks(10) {
        assert!(row.iter().all(|&v| (0.0..=1.0).contains(&v)));
        let s: f32 = row.iter().sum();
        assert!((s - 1.0).abs() <= 1e-6, "row sums to {s}");
    }
    // Along axis 0 the columns sum to 1.
    let p0 = Softmax::new(0).forward(&x).unwrap();
    let cols = p0.try_sum_axes(&[0], false).unwrap().to_vec();
    assert!(cols.iter().all(|s| (s - 1.0).abs() <= 1e-6), "{cols:?}");
}

#[test]
fn softmax_is_shift_invariant() {
    // Inputs on a 1/16 grid so x + 50 is exact in f32: after the max is subtracted the two
    // computations see identical numbers.
    manual_seed(2);
    let v: Vec<f32> = Tensor::randn(&[4, 6])
        .to_vec()
        .iter()
        .map(|x| (x * 16.0).round() / 16.0)
        .collect();
    let x = t(&v, &[4, 6]);
    let a = Softmax::new(-1).forward(&x).unwrap().to_vec();
    let b = Softmax::new(-1)
        .forward(&x.add_scalar(50.0))
        .unwrap()
        .to_vec();
    for (a, b) in a.iter().zip(&b) {
        assert!((a - b).abs() <= 1e-7, "{a} vs {b}");
    }
    // And any random shift agrees to f32 rounding of the shifted inputs.
    let c = Softmax::new(-1)
        .forward(&x.add_scalar(-3.3))
        .unwrap()
        .to_vec();
    for (a, c) in a.iter().zip(&c) {
        assert!((a - c).abs() <= 1e-6, "{a} vs {c}");
    }
}

#[test]
fn softmax_of_logits_of_1000_is_finite() {
    let p = Softmax::new(-1)
        .forward(&t(&[1000.0, 999.0, 0.0, 1000.0, 1000.0, 1000.0], &[2, 3]))
        .unwrap()
        .to_vec();
    assert!(p.iter().all(|v| v.is_finite()), "{p:?}");
    let e = (-1.0f64).exp();
    let want = [
        1.0 / (1.0 + e),
        e / (1.0 + e),
        0.0,
        1.0 / 3.0,
        1.0 / 3.0,
        1.0 / 3.0,
    ];
    for (p, w) in p.iter().zip(want) {
        assert!((*p as f64 - w).abs() <= 1e-6, "{p} vs {w}");
    }
}

#[test]
fn log_softmax_equals_log_of_softmax_where_safe() {
    manual_seed(3);
    let x = Tensor::randn(&[5, 7]).mul_scalar(2.0);
    let ls = x.try_log_softmax(-1).unwrap().to_vec();
    let l = x.try_softmax(-1).unwrap().log().to_vec();
    for (a, b) in ls.iter().zip(&l) {
        assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
    }
}

#[test]
fn log_softmax_is_finite_where_softmax_underflows() {
    // e^−200 underflows f32, so softmax gives exactly 0 and log(softmax) gives −inf, while
    // log_softmax = x − logsumexp(x) = [0, −200] exactly.
    let x = t(&[0.0, -200.0], &[1, 2]);
    let p = x.try_softmax(-1).unwrap().to_vec();
    assert_eq!(p, vec![1.0, 0.0]);
    assert_eq!(
        x.try_softmax(-1).unwrap().log().to_vec()[1],
        f32::NEG_INFINITY
    );
    let ls = x.try_log_softmax(-1).unwrap().to_vec();
    assert!(ls.iter().all(|v| v.is_finite()), "{ls:?}");
    assert_eq!(ls, vec![0.0, -200.0]);
}

// ---------------------------------------------------------------------------------------------
// Linear
// ---------------------------------------------------------------------------------------------

#[test]
fn linear_weight_is_in_by_out_and_bias_is_zero() {
    manual_seed(4);
    let lin = Linear::new(3, 5, true);
    assert_eq!(lin.weight().shape(), vec![3, 5]);
    let b = lin.bias().unwrap();
    assert_eq!(b.shape(), vec![5]);
    assert_eq!(b.to_vec(), vec![0.0; 5]);
    assert!(lin.weight().requires_grad() && b.requires_grad());
    assert_eq!(lin.parameters().len(), 2);
    assert_eq!(Linear::new(3, 5, false).parameters().len(), 1);
    // forward is x·W + b with no transpose.
    let x = t(&[1.0, 0.0, 0.0], &[1, 3]);
    let y = lin.forward(&x).unwrap();
    assert_eq!(y.to_vec(), lin.weight().to_vec()[..5].to_vec());
}

#[test]
fn linear_784_to_256_weight_std_is_close_to_sqrt_one_over_784() {
    manual_seed(5);
    let lin = Linear::new(784, 256, true);
    let w = lin.weight().to_vec();
    let n = w.len() as f64;
    let mean = w.iter().map(|&v| v as f64).sum::<f64>() / n;
    let std = (w.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n).sqrt();
    let want = (1.0f64 / 784.0).sqrt();
    assert!(
        ((std - want) / want).abs() < 0.1,
        "std {std}, want {want} within 10%"
    );
    assert!(mean.abs() < 0.1 * want, "mean {mean}");
}

#[test]
fn linear_maps_an_empty_batch_to_an_empty_batch() {
    let lin = Linear::new(10, 5, true);
    let x = Tensor::zeros(&[0, 10]).requires_grad_(true);
    let y = lin.forward(&x).unwrap();
    assert_eq!(y.shape(), vec![0, 5]);
    // An empty sum is 0 and its gradients are zeros of the right shapes.
    y.sum().backward().unwrap();
    assert_eq!(lin.weight().grad().unwrap().to_vec(), vec![0.0; 50]);
    assert_eq!(lin.bias().unwrap().grad().unwrap().to_vec(), vec![0.0; 5]);
    assert_eq!(x.grad().unwrap().shape(), vec![0, 10]);
}

#[test]
fn linear_rejects_a_wrong_last_dimension_naming_itself_and_the_shapes() {
    let lin = Linear::new(4, 3, true);
    let err = lin.forward(&Tensor::zeros(&[2, 5])).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("Linear"), "{msg}");
    assert!(msg.contains("[2, 5]") && msg.contains('4'), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------------------------

#[test]
fn dropout_rejects_p_outside_zero_one() {
    for p in [-0.1, 1.5, f32::NAN] {
        let err = Dropout::new(p).err().expect("p outside [0, 1] must fail");
        assert!(err.to_string().starts_with("Dropout"), "{err}");
    }
    assert!(Dropout::new(0.0).is_ok() && Dropout::new(1.0).is_ok());
}

#[test]
fn dropout_in_eval_mode_is_the_identity() {
    manual_seed(6);
    let d = Dropout::new(0.5).unwrap();
    d.eval();
    let x = Tensor::randn(&[4, 8]);
    assert_eq!(d.forward(&x).unwrap().to_vec(), x.to_vec());
    // p = 0 in training mode is the identity too.
    let d0 = Dropout::new(0.0).unwrap();
    assert_eq!(d0.forward(&x).unwrap().to_vec(), x.to_vec());
}

#[test]
fn dropout_in_training_zeroes_about_p_and_scales_survivors() {
    manual_seed(7);
    let p = 0.3f32;
    let d = Dropout::new(p).unwrap();
    let n = 20_000;
    let x = Tensor::ones(&[n]).requires_grad_(true);
    let y = d.forward(&x).unwrap();
    let v = y.to_vec();
    let zeros = v.iter().filter(|&&e| e == 0.0).count();
    let frac = zeros as f32 / n as f32;
    // Binomial std is √(0.3·0.7/20000) ≈ 0.0032; 0.02 is over 6 σ.
    assert!((frac - p).abs() < 0.02, "dropped fraction {frac}");
    let scale = 1.0 / (1.0 - p);
    assert!(
        v.iter().all(|&e| e == 0.0 || e == scale),
        "survivors are 1/(1−p)"
    );
    // The mask is a tensor multiply, so the gradient is the same mask.
    y.sum().backward().unwrap();
    assert_eq!(x.grad().unwrap().to_vec(), v);
}

#[test]
fn dropout_with_p_one_gives_zeros() {
    let d = Dropout::new(1.0).unwrap();
    let y = d.forward(&Tensor::ones(&[3, 4])).unwrap();
    assert_eq!(y.to_vec(), vec![0.0; 12]);
}

#[test]
fn dropout_mask_repeats_under_the_same_seed() {
    let d = Dropout::new(0.5).unwrap();
    let x = Tensor::ones(&[64]);
    manual_seed(8);
    let a = d.forward(&x).unwrap().to_vec();
    let b = d.forward(&x).unwrap().to_vec();
    manual_seed(8);
    let c = d.forward(&x).unwrap().to_vec();
    assert_eq!(a, c);
    assert_ne!(a, b, "consecutive calls draw new masks");
}

// ---------------------------------------------------------------------------------------------
// Sequential
// ---------------------------------------------------------------------------------------------

fn mlp() -> (Sequential, Tensor, Tensor) {
    let l0 = Linear::new(4, 3, true);
    let l3 = Linear::new(3, 2, true);
    let (w0, w3) = (l0.weight().clone(), l3.weight().clone());
    let m = Sequential::new(vec![
        l0.into_layer(),
        ReLU::new().into_layer(),
        Dropout::new(0.5).unwrap().into_layer(),
        l3.into_layer(),
    ]);
    (m, w0, w3)
}

#[test]
fn sequential_collects_parameters_in_order() {
    manual_seed(9);
    let (m, w0, w3) = mlp();
    let ps = m.parameters();
    assert_eq!(ps.len(), 4);
    assert!(ps[0].same(&w0) && ps[2].same(&w3));
    assert_eq!(m.num_parameters(), 4 * 3 + 3 + 3 * 2 + 2);
    let names: Vec<String> = m.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["0.weight", "0.bias", "3.weight", "3.bias"]);
    assert_eq!(
        m.forward(&Tensor::zeros(&[5, 4])).unwrap().shape(),
        vec![5, 2]
    );
}

#[test]
fn sequential_train_and_eval_propagate_to_children() {
    manual_seed(10);
    let (m, _, _) = mlp();
    let x = Tensor::randn(&[16, 4]);
    m.eval();
    assert!(m.layers().iter().all(|l| !l.site().training()));
    assert!(!m.site().training());
    // Dropout off: the output is deterministic.
    assert_eq!(
        m.forward(&x).unwrap().to_vec(),
        m.forward(&x).unwrap().to_vec()
    );
    m.train();
    assert!(m.layers().iter().all(|l| l.site().training()));
}

// ---------------------------------------------------------------------------------------------
// Losses
// ---------------------------------------------------------------------------------------------

#[test]
fn cross_entropy_of_uniform_logits_is_ln_of_class_count() {
    let loss = cross_entropy(&Tensor::zeros(&[4, 3]), &t(&[0.0, 1.0, 2.0, 1.0], &[4]))
        .unwrap()
        .item()
        .unwrap();
    assert!((loss - 3f32.ln()).abs() <= 1e-6, "{loss}");
}

#[test]
fn cross_entropy_of_confident_correct_predictions_is_near_zero() {
    let logits = t(&[100.0, 0.0, 0.0, 0.0, 100.0, 0.0], &[2, 3]);
    let loss = cross_entropy(&logits, &t(&[0.0, 1.0], &[2]))
        .unwrap()
        .item()
        .unwrap();
    assert!((0.0..1e-6).contains(&loss), "{loss}");
}

#[test]
fn cross_entropy_with_logits_of_100_stays_finite() {
    // Wrong class with a margin of 100 ⇒ loss = 100 − 0 + ln(1 + 2e^−100) ≈ 100.
    let logits = t(&[100.0, 0.0, 0.0], &[1, 3]).requires_grad_(true);
    let loss = cross_entropy(&logits, &t(&[1.0], &[1])).unwrap();
    assert!((loss.item().unwrap() - 100.0).abs() < 1e-3);
    loss.backward().unwrap();
    let g = logits.grad().unwrap().to_vec();
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
    assert!((g[0] - 1.0).abs() < 1e-6 && (g[1] + 1.0).abs() < 1e-6 && g[2].abs() < 1e-6);
}

#[test]
fn cross_entropy_target_out_of_range_is_an_error_naming_cross_entropy() {
    let err = Tensor::zeros(&[2, 3])
        .try_cross_entropy(&[0, 3])
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("cross_entropy"), "{msg}");
    assert!(msg.contains('3'), "{msg}");
}

#[test]
fn bce_clipping_keeps_the_loss_finite_at_zero_and_one() {
    // p = 0, y = 1: p is clipped to 1e−7 ⇒ L = −ln(1e−7) ≈ 16.118.
    let p = t(&[0.0], &[1]).requires_grad_(true);
    let l = p.try_bce(&t(&[1.0], &[1])).unwrap();
    assert!(
        (l.item().unwrap() as f64 - 1e7f64.ln()).abs() < 1e-3,
        "{l:?}"
    );
    l.backward().unwrap();
    assert!(p.grad().unwrap().to_vec()[0].is_finite());
    // p = 1, y = 0: 1 − 1e−7 rounds to 1 − 2⁻²³ in f32, so 1 − p = 2⁻²³ and
    // L = 23·ln 2 ≈ 15.942 (finite, not +inf).
    let p = t(&[1.0], &[1]).requires_grad_(true);
    let l = p.try_bce(&t(&[0.0], &[1])).unwrap();
    assert!(
        (l.item().unwrap() as f64 - 23.0 * 2f64.ln()).abs() < 1e-3,
        "{l:?}"
    );
    l.backward().unwrap();
    assert!(p.grad().unwrap().to_vec()[0].is_finite());
    // The correct extremes cost (almost) nothing.
    let l = t(&[1.0, 0.0], &[2]).try_bce(&t(&[1.0, 0.0], &[2])).unwrap();
    assert!(l.item().unwrap() < 1e-6);
}

#[test]
fn bce_with_logits_equals_bce_of_sigmoid_for_moderate_logits() {
    let zs = [-3.0, -1.0, 0.0, 0.5, 2.0, 4.0];
    let y = t(&[0.0, 1.0, 1.0, 0.0, 1.0, 0.3], &[6]);
    let z1 = t(&zs, &[6]).requires_grad_(true);
    let z2 = t(&zs, &[6]).requires_grad_(true);
    let a = z1.try_bce_with_logits(&y).unwrap();
    let b = z2.sigmoid().try_bce(&y).unwrap();
    assert!((a.item().unwrap() - b.item().unwrap()).abs() < 1e-5);
    a.backward().unwrap();
    b.backward().unwrap();
    let (ga, gb) = (z1.grad().unwrap().to_vec(), z2.grad().unwrap().to_vec());
    for (ga, gb) in ga.iter().zip(&gb) {
        assert!((ga - gb).abs() < 1e-5, "{ga} vs {gb}");
    }
}

#[test]
fn bce_with_logits_stays_finite_for_logits_of_100() {
    // Confidently wrong: z = 100, y = 0 and z = −100, y = 1 each cost 100.
    let z = t(&[100.0, -100.0], &[2]).requires_grad_(true);
    let wrong = z.try_bce_with_logits(&t(&[0.0, 1.0], &[2])).unwrap();
    assert!((wrong.item().unwrap() - 100.0).abs() < 1e-3, "{wrong:?}");
    wrong.backward().unwrap();
    // dL/dz = (σ(z) − y)/N = [½, −½].
    assert_eq!(z.grad().unwrap().to_vec(), vec![0.5, -0.5]);
    // Confidently right costs ≈ 0.
    let right = t(&[100.0, -100.0], &[2])
        .try_bce_with_logits(&t(&[1.0, 0.0], &[2]))
        .unwrap();
    assert!((0.0..1e-6).contains(&right.item().unwrap()));
}

#[test]
fn mse_loss_is_the_mean_over_all_elements() {
    let p = t(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let l = mse_loss(&p, &Tensor::zeros(&[2, 2])).unwrap();
    assert_eq!(l.item().unwrap(), 7.5); // (1 + 4 + 9 + 16) / 4
}

// ---------------------------------------------------------------------------------------------
// Optimizers
// ---------------------------------------------------------------------------------------------

#[test]
fn sgd_step_moves_against_the_gradient() {
    // θ = 10, g = 2, lr = 1 ⇒ θ − lr·g = 8.
    let w = param(10.0, 2.0);
    let mut opt = Sgd::new(vec![w.clone()], 1.0, 0.0, 0.0).unwrap();
    opt.step().unwrap();
    assert_eq!(val(&w), 8.0);
}

#[test]
fn sgd_momentum_accumulates_a_velocity_buffer() {
    // buf ← 0.9·buf + g; θ ← θ − 0.1·buf with g = 1 ⇒ buf = 1, 1.9, 2.71;
    // θ = −0.1, −0.29, −0.561.
    let w = param(0.0, 1.0);
    let mut opt = Sgd::new(vec![w.clone()], 0.1, 0.9, 0.0).unwrap();
    let want_buf = [1.0, 1.9, 2.71];
    let want_w = [-0.1, -0.29, -0.561];
    for i in 0..3 {
        opt.step().unwrap();
        let buf = opt.state()[0].iter().copied().next().unwrap();
        assert!((buf - want_buf[i]).abs() < 1e-6, "step {i}: buf {buf}");
        assert!(
            (val(&w) - want_w[i]).abs() < 1e-6,
            "step {i}: θ {}",
            val(&w)
        );
    }
}

#[test]
fn sgd_weight_decay_adds_wd_times_theta_to_the_gradient() {
    // g = 0, θ = 2, wd = 0.5, lr = 0.1 ⇒ θ − lr·(g + wd·θ) = 2 − 0.1 = 1.9.
    let w = param(2.0, 0.0);
    let mut opt = Sgd::new(vec![w.clone()], 0.1, 0.0, 0.5).unwrap();
    opt.step().unwrap();
    assert!((val(&w) - 1.9).abs() < 1e-6);
}

#[test]
fn adam_first_step_moves_by_about_lr_whatever_the_gradient_scale() {
    // After bias correction m̂ = g and v̂ = g², so the first update is lr·g/(|g| + eps).
    for g in [3.0, 1e-3, -50.0] {
        let w = param(1.0, g);
        let mut opt = Adam::new(vec![w.clone()], 0.1).unwrap();
        opt.step().unwrap();
        let moved = 1.0 - val(&w);
        assert!(
            (moved - 0.1 * g.signum()).abs() < 1e-5,
            "g = {g}: moved {moved}"
        );
    }
}

#[test]
fn adam_momentum_keeps_the_pace_on_a_constant_gradient() {
    // On a constant gradient the bias-corrected moments stay at g and g², so every step
    // moves by ≈ lr: steps 6-10 must cover at least 0.8× the distance of steps 1-5.
    let w = param(0.0, 1.0);
    let mut opt = Adam::new(vec![w.clone()], 0.01).unwrap();
    for _ in 0..5 {
        opt.step().unwrap();
    }
    let first = -val(&w);
    for _ in 0..5 {
        opt.step().unwrap();
    }
    let second = -val(&w) - first;
    assert!(
        first > 0.0 && second >= 0.8 * first,
        "{first} then {second}"
    );
    assert!((first - 0.05).abs() < 1e-4, "five steps of ≈ lr: {first}");
}

#[test]
fn adamw_decay_is_decoupled_from_the_adaptive_update() {
    // With a zero gradient (but one present, so the step runs), lr = 0.1, wd = 0.01, θ = 1:
    // * AdamW applies θ ← θ − lr·wd·θ directly: exactly 1 − 0.001 = 0.999; its moments see
    //   g = 0, so the adaptive update is 0.
    // * Adam's weight_decay is L2: g ← g + wd·θ = 0.01 enters the moments, and the
    //   normalised update moves θ by ≈ lr = 0.1 (to ≈ 0.9) — a hundred times the decay.
    let wa = param(1.0, 0.0);
    let mut adamw = Adam::adamw(vec![wa.clone()], 0.1, 0.01).unwrap();
    adamw.step().unwrap();
    assert!((val(&wa) - 0.999).abs() < 1e-7, "AdamW: {}", val(&wa));

    let wl = param(1.0, 0.0);
    let mut adam_l2 =
        Adam::with_options(vec![wl.clone()], 0.1, (0.9, 0.999), 1e-8, 0.01, false).unwrap();
    adam_l2.step().unwrap();
    assert!((val(&wl) - 0.9).abs() < 1e-5, "Adam L2: {}", val(&wl));

    // With a gradient, AdamW is the Adam step plus the same decay of the pre-step weight:
    // 1 − 0.1 (Adam's first step) − 0.001 = 0.899.
    let w = param(1.0, 3.0);
    let mut opt = Adam::adamw(vec![w.clone()], 0.1, 0.01).unwrap();
    opt.step().unwrap();
    assert!((val(&w) - 0.899).abs() < 1e-6, "{}", val(&w));
}

#[test]
fn optimizers_skip_params_whose_grad_is_none() {
    let with = param(1.0, 1.0);
    let without = Tensor::scalar(5.0).requires_grad_(true);
    let mut sgd = Sgd::new(vec![with.clone(), without.clone()], 0.1, 0.9, 0.1).unwrap();
    sgd.step().unwrap();
    assert!(val(&with) < 1.0);
    assert_eq!(val(&without), 5.0);

    let with = param(1.0, 1.0);
    let mut adam = Adam::adamw(vec![with.clone(), without.clone()], 0.1, 0.1).unwrap();
    adam.step().unwrap();
    assert!(val(&with) < 1.0);
    assert_eq!(
        val(&without),
        5.0,
        "no gradient: not even decoupled decay applies"
    );
}

#[test]
fn constructing_an_optimizer_with_a_param_that_does_not_require_grad_is_an_error() {
    let ok = Tensor::zeros(&[2]).requires_grad_(true);
    let frozen = Tensor::zeros(&[3]);
    let e = Sgd::new(vec![ok.clone(), frozen.clone()], 0.1, 0.0, 0.0)
        .err()
        .unwrap();
    assert!(
        e.to_string().starts_with("SGD") && e.to_string().contains("parameter 1"),
        "{e}"
    );
    let e = Adam::new(vec![frozen.clone()], 0.1).err().unwrap();
    assert!(e.to_string().contains("does not require grad"), "{e}");
    assert!(Adam::adamw(vec![frozen], 0.1, 0.01).is_err());
}

#[test]
fn zero_grad_on_the_optimizer_clears_every_parameter() {
    let a = param(1.0, 1.0);
    let b = param(2.0, 2.0);
    let opt = Sgd::new(vec![a.clone(), b.clone()], 0.1, 0.0, 0.0).unwrap();
    opt.zero_grad();
    assert!(a.grad().is_none() && b.grad().is_none());
}

// ---------------------------------------------------------------------------------------------
// Schedule and clipping
// ---------------------------------------------------------------------------------------------

#[test]
fn cosine_schedule_hits_its_anchors() {
    let s = CosineSchedule::new(0.1, 0.01, 100).unwrap();
    assert!((s.lr(0) - 0.1).abs() < 1e-7);
    assert!((s.lr(50) - 0.055).abs() < 1e-7);
    assert!((s.lr(100) - 0.01).abs() < 1e-7);
    assert!((s.lr(250) - 0.01).abs() < 1e-7);
    // Monotone decreasing in between.
    assert!((1..100).all(|e| s.lr(e) < s.lr(e - 1)));
    assert!(CosineSchedule::new(0.01, 0.1, 10).is_err());
}

#[test]
fn clip_grad_norm_scales_to_max_norm_and_returns_the_norm_before() {
    let a = Tensor::zeros(&[2]).requires_grad_(true);
    let b = Tensor::zeros(&[1]).requires_grad_(true);
    let c = Tensor::zeros(&[1]).requires_grad_(true); // no grad: ignored
    a.set_grad(Some(ndarray::arr1(&[3.0f32, 4.0]).into_dyn()));
    b.set_grad(Some(ndarray::arr1(&[12.0f32]).into_dyn()));
    let params = [a.clone(), b.clone(), c.clone()];
    // Global norm √(9 + 16 + 144) = 13.
    assert_eq!(clip_grad_norm(&params, 1.0).unwrap(), 13.0);
    let ga = a.grad().unwrap().to_vec();
    let gb = b.grad().unwrap().to_vec();
    let want = [3.0 / 13.0, 4.0 / 13.0, 12.0 / 13.0];
    for (g, w) in ga.iter().chain(&gb).zip(want) {
        assert!((g - w).abs() < 1e-6, "{g} vs {w}");
    }
    assert!(c.grad().is_none());
    // Below the limit nothing changes (and the norm, now 1, is still reported).
    let n = clip_grad_norm(&params, 5.0).unwrap();
    assert!((n - 1.0).abs() < 1e-6);
    assert_eq!(a.grad().unwrap().to_vec(), ga);
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

fn dataset(n: usize) -> Rc<TensorDataset> {
    let x: Vec<f32> = (0..n * 2).map(|v| v as f32).collect();
    Rc::new(TensorDataset::new(t(&x, &[n, 2]), Tensor::arange(n)).unwrap())
}

/// The target ids of each batch of one epoch.
fn epoch_ids(dl: &DataLoader) -> Vec<Vec<usize>> {
    dl.epoch()
        .map(|b| {
            let (x, y) = b.unwrap();
            let ids: Vec<usize> = y.to_vec().iter().map(|&v| v as usize).collect();
            // Inputs travel with their targets: row i holds [2i, 2i + 1].
            for (row, &i) in x.to_vec().chunks(2).zip(&ids) {
                assert_eq!(row, [2.0 * i as f32, 2.0 * i as f32 + 1.0]);
            }
            ids
        })
        .collect()
}

#[test]
fn dataloader_keeps_the_partial_last_batch() {
    let dl = DataLoader::new(dataset(10), 4).unwrap();
    assert_eq!(dl.len(), 3);
    let batches = epoch_ids(&dl);
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(sizes, [4, 4, 2]);
    assert_eq!(batches.concat(), (0..10).collect::<Vec<_>>());
}

#[test]
fn dataloader_drop_last_drops_the_partial_batch() {
    let dl = DataLoader::new(dataset(10), 4).unwrap().drop_last(true);
    assert_eq!(dl.len(), 2);
    let sizes: Vec<usize> = epoch_ids(&dl).iter().map(Vec::len).collect();
    assert_eq!(sizes, [4, 4]);
    // An exact multiple loses nothing.
    let dl = DataLoader::new(dataset(8), 4).unwrap().drop_last(true);
    assert_eq!(dl.len(), 2);
}

#[test]
fn dataloader_shuffle_differs_between_epochs_and_repeats_under_the_same_seed() {
    let a = DataLoader::new(dataset(20), 6).unwrap().shuffle(42);
    let (a0, a1) = (epoch_ids(&a).concat(), epoch_ids(&a).concat());
    for e in [&a0, &a1] {
        let mut s = e.clone();
        s.sort_unstable();
        assert_eq!(s, (0..20).collect::<Vec<_>>(), "each sample exactly once");
    }
    assert_ne!(a0, (0..20).collect::<Vec<_>>(), "shuffled");
    assert_ne!(a0, a1, "a new order every epoch");
    let b = DataLoader::new(dataset(20), 6).unwrap().shuffle(42);
    assert_eq!(epoch_ids(&b).concat(), a0);
    assert_eq!(epoch_ids(&b).concat(), a1);
    let c = DataLoader::new(dataset(20), 6).unwrap().shuffle(43);
    assert_ne!(epoch_ids(&c).concat(), a0);
}

#[test]
fn tensor_dataset_with_mismatched_first_dims_is_an_error() {
    let err = TensorDataset::new(Tensor::zeros(&[10, 3]), Tensor::zeros(&[9]))
        .err()
        .unwrap();
    let msg = err.to_string();
    assert!(msg.starts_with("TensorDataset"), "{msg}");
    assert!(msg.contains("[10, 3]") && msg.contains("[9]"), "{msg}");
    let ds = dataset(3);
    assert_eq!(ds.len(), 3);
    assert!(ds.get(3).is_err());
}
