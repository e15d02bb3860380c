//! Activations (Sigmoid, ReLU, Tanh, GELU, Softmax, log-softmax): exact values against f64
//! references, symmetry and shift invariance, and finite results at extreme inputs.

use super::*;

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
