//! Optimizers (SGD with momentum and weight decay, Adam, AdamW), the cosine schedule and
//! gradient clipping: each update step by hand.

use super::*;

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

// Schedule and clipping.

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
