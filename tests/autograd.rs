//! Autograd tests: every differentiable op against a hand-computed derivative and a numeric
//! central-difference check, plus the graph bookkeeping (accumulation, `zero_grad`, `no_grad`,
//! `retain_grad`, `backward_with`) and a 100,000-node chain that must not overflow the stack.

mod common;

use tinytorch::gradcheck::numeric_gradient;
use tinytorch::rng::Rng;
use tinytorch::{manual_seed, no_grad, Error, Result, Tensor};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Finite-difference step. f32 carries ~7 digits, so a step much below 1e-2 drowns the
/// difference in rounding; the truncation error h²·f'''/6 is then ~2e-5·f''' .
const H: f32 = 1e-2;
/// An analytic gradient element `a` passes against the numeric `n` when
/// `|a − n| ≤ ATOL + RTOL·|n|`. Rounding noise of the central difference is ~1e-4 for the
/// sizes used here and truncation error below 1e-3 relative, so a wrong derivative (a wrong
/// factor, sign, or a gradient routed to the wrong element) fails by orders of magnitude.
const ATOL: f32 = 2e-3;
const RTOL: f32 = 1e-2;

fn t(v: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape).unwrap()
}

fn leaf(v: &[f32], shape: &[usize]) -> Tensor {
    t(v, shape).requires_grad_(true)
}

fn grad(x: &Tensor) -> Vec<f32> {
    x.grad().expect("a gradient reached this tensor").to_vec()
}

#[track_caller]
fn assert_close(got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len(), "lengths differ: {got:?} vs {want:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol,
            "element {i}: got {g}, want {w} (tol {tol}); got {got:?}, want {want:?}"
        );
    }
}

/// Checks `f`'s backward for every input: with all inputs requiring grad, the gradient of
/// `L = Σ w ⊙ f(inputs)` (random weights `w`, so that no part of the gradient can cancel,
/// e.g. Σ softmax = 1) must match central differences of the same `L` taken one input at a
/// time.
#[track_caller]
fn gradcheck(f: impl Fn(&[Tensor]) -> Result<Tensor>, inputs: &[Tensor]) {
    let leaves: Vec<Tensor> = inputs
        .iter()
        .map(|x| x.detach().requires_grad_(true))
        .collect();
    let y = f(&leaves).unwrap();
    let w = if y.numel() == 1 {
        Tensor::ones(&y.shape())
    } else {
        Tensor::randn(&y.shape())
    };
    (&y * &w).sum().backward().unwrap();
    for (i, x) in leaves.iter().enumerate() {
        let analytic = grad(x);
        let numeric = numeric_gradient(
            |xi| {
                let mut args: Vec<Tensor> = leaves.iter().map(|l| l.detach()).collect();
                args[i] = xi.clone();
                Ok((&f(&args)? * &w).sum())
            },
            &x.detach(),
            H,
        )
        .unwrap();
        assert_eq!(analytic.len(), numeric.len());
        for (j, (a, n)) in analytic.iter().zip(&numeric).enumerate() {
            assert!(
                (a - n).abs() <= ATOL + RTOL * n.abs(),
                "input {i} (shape {:?}) element {j}: backward {a} vs numeric {n}",
                x.shape()
            );
        }
    }
}

/// Standard normal values pushed at least 0.2 away from zero (for ops with a kink at 0).
fn away_from_zero(shape: &[usize]) -> Tensor {
    let x = Tensor::randn(shape);
    let v: Vec<f32> = x
        .to_vec()
        .iter()
        .map(|&v| if v >= 0.0 { v + 0.2 } else { v - 0.2 })
        .collect();
    t(&v, shape)
}

/// Distinct values 0.1 apart in random order (no ties within 2h, so max is differentiable).
fn distinct(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut v: Vec<f32> = (0..n).map(|i| i as f32 * 0.1 - 1.0).collect();
    Rng::new(seed).shuffle(&mut v);
    t(&v, shape)
}

// ---------------------------------------------------------------------------------------------
// Element-wise binary ops with broadcasting
// ---------------------------------------------------------------------------------------------

#[test]
fn add_grad_by_hand_with_broadcast_of_both_operands() {
    // (4,1,3) + (2,1) → (4,2,3). y = Σ (a + b) ⇒ dy/da = 1 per output it feeds: each a element
    // is broadcast over 2 rows ⇒ 2; each b element is broadcast over 4·3 = 12 outputs ⇒ 12.
    let a = leaf(&[0.5; 12], &[4, 1, 3]);
    let b = leaf(&[1.0, -1.0], &[2, 1]);
    let y = a.try_add(&b).unwrap();
    assert_eq!(y.shape(), vec![4, 2, 3]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&a), vec![2.0; 12]);
    assert_eq!(a.grad().unwrap().shape(), vec![4, 1, 3]);
    assert_eq!(grad(&b), vec![12.0, 12.0]);
    assert_eq!(b.grad().unwrap().shape(), vec![2, 1]);
}

#[test]
fn add_grad_matches_finite_differences() {
    manual_seed(1);
    let f = |x: &[Tensor]| x[0].try_add(&x[1]);
    gradcheck(f, &[Tensor::randn(&[4, 1, 3]), Tensor::randn(&[2, 1])]);
    gradcheck(f, &[Tensor::randn(&[2, 3]), Tensor::randn(&[3])]);
    gradcheck(f, &[Tensor::randn(&[3]), Tensor::randn(&[2, 3])]);
}

#[test]
fn sub_grad_by_hand_with_broadcast() {
    // y = Σ (a − b), a (2,3), b (3,) ⇒ dy/da = 1, dy/db_j = −(rows) = −2.
    let a = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let b = leaf(&[1.0, 1.0, 1.0], &[3]);
    a.try_sub(&b).unwrap().sum().backward().unwrap();
    assert_eq!(grad(&a), vec![1.0; 6]);
    assert_eq!(grad(&b), vec![-2.0; 3]);
}

#[test]
fn sub_grad_matches_finite_differences() {
    manual_seed(2);
    let f = |x: &[Tensor]| x[0].try_sub(&x[1]);
    gradcheck(f, &[Tensor::randn(&[4, 1, 3]), Tensor::randn(&[2, 1])]);
    gradcheck(f, &[Tensor::randn(&[1, 3]), Tensor::randn(&[2, 1])]);
}

#[test]
fn mul_grad_by_hand_with_broadcast() {
    // y = Σ_ij a_ij·b_j, a (2,3), b (3,) ⇒ dy/da_ij = b_j, dy/db_j = Σ_i a_ij.
    let a = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let b = leaf(&[10.0, 20.0, 30.0], &[3]);
    a.try_mul(&b).unwrap().sum().backward().unwrap();
    assert_eq!(grad(&a), vec![10.0, 20.0, 30.0, 10.0, 20.0, 30.0]);
    assert_eq!(grad(&b), vec![5.0, 7.0, 9.0]);
}

#[test]
fn mul_grad_matches_finite_differences() {
    manual_seed(3);
    let f = |x: &[Tensor]| x[0].try_mul(&x[1]);
    gradcheck(f, &[Tensor::randn(&[4, 1, 3]), Tensor::randn(&[2, 1])]);
    gradcheck(f, &[Tensor::randn(&[2, 3]), Tensor::randn(&[2, 3])]);
}

#[test]
fn div_grad_by_hand_with_broadcast() {
    // y = Σ_ij a_ij / b_j ⇒ dy/da_ij = 1/b_j, dy/db_j = −Σ_i a_ij / b_j².
    let a = leaf(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let b = leaf(&[2.0, 4.0], &[2]);
    a.try_div(&b).unwrap().sum().backward().unwrap();
    assert_eq!(grad(&a), vec![0.5, 0.25, 0.5, 0.25]);
    // b₀: −(1 + 3)/4 = −1; b₁: −(2 + 4)/16 = −0.375.
    assert_eq!(grad(&b), vec![-1.0, -0.375]);
}

#[test]
fn div_grad_matches_finite_differences() {
    manual_seed(4);
    let f = |x: &[Tensor]| x[0].try_div(&x[1]);
    // Denominators in [1, 2] keep 1/b² well conditioned.
    gradcheck(
        f,
        &[
            Tensor::randn(&[4, 1, 3]),
            Tensor::uniform(&[2, 1], 1.0, 2.0),
        ],
    );
    gradcheck(
        f,
        &[
            Tensor::randn(&[2, 1]),
            Tensor::uniform(&[4, 1, 3], -2.0, -1.0),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Scalar ops, pow, neg
// ---------------------------------------------------------------------------------------------

#[test]
fn add_scalar_grad_by_hand() {
    // y = Σ (x + 5) ⇒ dy/dx = 1.
    let x = leaf(&[1.0, -2.0], &[2]);
    let y = x.add_scalar(5.0);
    assert_eq!(y.to_vec(), vec![6.0, 3.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![1.0, 1.0]);
}

#[test]
fn add_scalar_grad_matches_finite_differences() {
    manual_seed(5);
    gradcheck(|x| Ok(x[0].add_scalar(2.5)), &[Tensor::randn(&[3, 2])]);
}

#[test]
fn mul_scalar_grad_by_hand() {
    // y = Σ 3x ⇒ dy/dx = 3.
    let x = leaf(&[1.0, -2.0], &[2]);
    x.mul_scalar(3.0).sum().backward().unwrap();
    assert_eq!(grad(&x), vec![3.0, 3.0]);
}

#[test]
fn mul_scalar_grad_matches_finite_differences() {
    manual_seed(6);
    gradcheck(|x| Ok(x[0].mul_scalar(-1.5)), &[Tensor::randn(&[3, 2])]);
}

#[test]
fn rsub_scalar_grad_by_hand() {
    // y = Σ (5 − x) ⇒ dy/dx = −1.
    let x = leaf(&[1.0, 7.0], &[2]);
    let y = x.rsub_scalar(5.0);
    assert_eq!(y.to_vec(), vec![4.0, -2.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![-1.0, -1.0]);
}

#[test]
fn rsub_scalar_grad_matches_finite_differences() {
    manual_seed(7);
    gradcheck(|x| Ok(x[0].rsub_scalar(2.0)), &[Tensor::randn(&[3, 2])]);
}

#[test]
fn rdiv_scalar_grad_by_hand() {
    // y = Σ 2/x ⇒ dy/dx = −2/x².
    let x = leaf(&[1.0, 2.0, 4.0], &[3]);
    let y = x.rdiv_scalar(2.0);
    assert_eq!(y.to_vec(), vec![2.0, 1.0, 0.5]);
    y.sum().backward().unwrap();
    assert_close(&grad(&x), &[-2.0, -0.5, -0.125], 1e-6);
}

#[test]
fn rdiv_scalar_grad_matches_finite_differences() {
    manual_seed(8);
    gradcheck(
        |x| Ok(x[0].rdiv_scalar(3.0)),
        &[Tensor::uniform(&[3, 2], 1.0, 2.0)],
    );
}

#[test]
fn pow_grad_by_hand_for_integer_fractional_and_negative_exponents() {
    // y = x³ ⇒ dy/dx = 3x² = 12 at x = 2.
    let x = leaf(&[2.0], &[1]);
    x.pow(3.0).sum().backward().unwrap();
    assert_close(&grad(&x), &[12.0], 1e-6);
    // y = x^0.5 ⇒ dy/dx = 0.5·x^(−0.5) = 0.25 at x = 4.
    let x = leaf(&[4.0], &[1]);
    x.pow(0.5).sum().backward().unwrap();
    assert_close(&grad(&x), &[0.25], 1e-6);
    // y = x^(−2) ⇒ dy/dx = −2·x^(−3) = −0.25 at x = 2.
    let x = leaf(&[2.0], &[1]);
    x.pow(-2.0).sum().backward().unwrap();
    assert_close(&grad(&x), &[-0.25], 1e-6);
}

#[test]
fn pow_grad_matches_finite_differences() {
    manual_seed(9);
    for p in [2.0, 3.0, 0.5, 1.5, -1.0, -2.5] {
        gradcheck(
            move |x| Ok(x[0].pow(p)),
            &[Tensor::uniform(&[2, 3], 0.5, 2.0)],
        );
    }
}

#[test]
fn neg_grad_by_hand() {
    // y = Σ −x ⇒ dy/dx = −1.
    let x = leaf(&[3.0, -4.0], &[2]);
    let y = -&x;
    assert_eq!(y.to_vec(), vec![-3.0, 4.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![-1.0, -1.0]);
}

#[test]
fn neg_grad_matches_finite_differences() {
    manual_seed(10);
    gradcheck(|x| Ok(x[0].neg()), &[Tensor::randn(&[2, 3])]);
}

// ---------------------------------------------------------------------------------------------
// Unary functions
// ---------------------------------------------------------------------------------------------

#[test]
fn exp_grad_by_hand() {
    // y = e^x ⇒ dy/dx = e^x: 1 at 0, 2 at ln 2.
    let x = leaf(&[0.0, std::f32::consts::LN_2], &[2]);
    x.exp().sum().backward().unwrap();
    assert_close(&grad(&x), &[1.0, 2.0], 1e-6);
}

#[test]
fn exp_grad_matches_finite_differences() {
    manual_seed(11);
    gradcheck(|x| Ok(x[0].exp()), &[Tensor::randn(&[2, 3])]);
}

#[test]
fn log_grad_by_hand() {
    // y = ln x ⇒ dy/dx = 1/x.
    let x = leaf(&[0.5, 2.0], &[2]);
    x.log().sum().backward().unwrap();
    assert_close(&grad(&x), &[2.0, 0.5], 1e-6);
}

#[test]
fn log_grad_matches_finite_differences() {
    manual_seed(12);
    gradcheck(|x| Ok(x[0].log()), &[Tensor::uniform(&[2, 3], 0.5, 3.0)]);
}

#[test]
fn sqrt_grad_by_hand() {
    // y = √x ⇒ dy/dx = 1/(2√x): 1/4 at 4, 1/6 at 9.
    let x = leaf(&[4.0, 9.0], &[2]);
    x.sqrt().sum().backward().unwrap();
    assert_close(&grad(&x), &[0.25, 1.0 / 6.0], 1e-6);
}

#[test]
fn sqrt_grad_matches_finite_differences() {
    manual_seed(13);
    gradcheck(|x| Ok(x[0].sqrt()), &[Tensor::uniform(&[2, 3], 0.5, 3.0)]);
}

#[test]
fn tanh_grad_by_hand() {
    // y = tanh x ⇒ dy/dx = 1 − tanh²x: 1 at 0, 1 − tanh²(0.5) at 0.5.
    let x = leaf(&[0.0, 0.5], &[2]);
    x.tanh().sum().backward().unwrap();
    let t5 = 0.5f64.tanh();
    assert_close(&grad(&x), &[1.0, (1.0 - t5 * t5) as f32], 1e-6);
}

#[test]
fn tanh_grad_matches_finite_differences() {
    manual_seed(14);
    gradcheck(|x| Ok(x[0].tanh()), &[Tensor::randn(&[2, 3])]);
}

#[test]
fn sigmoid_grad_by_hand() {
    // y = σ(x) ⇒ dy/dx = σ(x)(1 − σ(x)): 1/4 at 0; σ(2)(1 − σ(2)) at 2.
    let x = leaf(&[0.0, 2.0], &[2]);
    x.sigmoid().sum().backward().unwrap();
    let s2 = 1.0 / (1.0 + (-2.0f64).exp());
    assert_close(&grad(&x), &[0.25, (s2 * (1.0 - s2)) as f32], 1e-6);
}

#[test]
fn sigmoid_grad_matches_finite_differences() {
    manual_seed(15);
    gradcheck(
        |x| Ok(x[0].sigmoid()),
        &[Tensor::randn(&[2, 3]).mul_scalar(3.0)],
    );
}

#[test]
fn relu_grad_by_hand_uses_zero_subgradient_at_zero() {
    // y = max(0, x) ⇒ dy/dx = 1 for x > 0, 0 for x < 0, and 0 at exactly 0 (PyTorch's choice).
    let x = leaf(&[-1.0, 0.0, 2.0], &[3]);
    let y = x.relu();
    assert_eq!(y.to_vec(), vec![0.0, 0.0, 2.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![0.0, 0.0, 1.0]);
}

#[test]
fn relu_grad_matches_finite_differences() {
    manual_seed(16);
    gradcheck(|x| Ok(x[0].relu()), &[away_from_zero(&[3, 4])]);
}

/// GELU (tanh form) and its derivative, in f64, written out independently of the crate.
fn gelu64(x: f64) -> f64 {
    let c = (2.0 / std::f64::consts::PI).sqrt();
    0.5 * x * (1.0 + (c * (x + 0.044715 * x.powi(3))).tanh())
}

#[test]
fn gelu_grad_by_hand_equals_derivative_of_forward_formula() {
    // y = 0.5x(1 + tanh(u)), u = c(x + 0.044715x³)
    // ⇒ dy/dx = 0.5(1 + tanh u) + 0.5x(1 − tanh²u)·c(1 + 3·0.044715x²); at x = 0 it is 0.5.
    let xs = [0.0f32, 1.0, -1.5, 2.5];
    let x = leaf(&xs, &[4]);
    x.gelu().sum().backward().unwrap();
    let g = grad(&x);
    assert_eq!(g[0], 0.5);
    for (i, &xi) in xs.iter().enumerate() {
        // The derivative of the f64 forward formula by a tiny central difference: this is the
        // forward the crate computes, so backward must be its derivative (the reference's
        // backward differentiated a different approximation than its forward).
        let x64 = xi as f64;
        let d = (gelu64(x64 + 1e-6) - gelu64(x64 - 1e-6)) / 2e-6;
        assert!(
            (g[i] as f64 - d).abs() < 1e-6,
            "gelu'({xi}): backward {} vs derivative of the forward {d}",
            g[i]
        );
    }
}

#[test]
fn gelu_grad_matches_finite_differences() {
    manual_seed(17);
    gradcheck(
        |x| Ok(x[0].gelu()),
        &[Tensor::randn(&[3, 4]).mul_scalar(2.0)],
    );
}

#[test]
fn abs_grad_by_hand() {
    // y = |x| ⇒ dy/dx = sign(x), 0 at 0.
    let x = leaf(&[-2.0, 0.0, 3.0], &[3]);
    x.abs().sum().backward().unwrap();
    assert_eq!(grad(&x), vec![-1.0, 0.0, 1.0]);
}

#[test]
fn abs_grad_matches_finite_differences() {
    manual_seed(18);
    gradcheck(|x| Ok(x[0].abs()), &[away_from_zero(&[3, 4])]);
}

// ---------------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------------

#[test]
fn sum_grad_by_hand_over_axes_with_and_without_keepdim() {
    // s_i = Σ_j x_ij; y = Σ_i w_i·s_i ⇒ dy/dx_ij = w_i (given through backward_with).
    let x = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let s = x.try_sum_axes(&[1], false).unwrap();
    assert_eq!(s.to_vec(), vec![6.0, 15.0]);
    s.backward_with(&t(&[1.0, 2.0], &[2])).unwrap();
    assert_eq!(grad(&x), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);

    // Same with keepdim and a negative axis: shape (2, 1).
    let x = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let s = x.try_sum_axes(&[-1], true).unwrap();
    assert_eq!(s.shape(), vec![2, 1]);
    s.backward_with(&t(&[1.0, 2.0], &[2, 1])).unwrap();
    assert_eq!(grad(&x), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);

    // Over axis 0 (s_j = Σ_i x_ij) ⇒ dy/dx_ij = w_j.
    let x = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let s = x.try_sum_axes(&[-2], false).unwrap();
    assert_eq!(s.to_vec(), vec![5.0, 7.0, 9.0]);
    s.backward_with(&t(&[1.0, 2.0, 3.0], &[3])).unwrap();
    assert_eq!(grad(&x), vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);

    // Over two axes of a (2,2,2) tensor, keepdim: s_j = Σ_{i,k} x_ijk ⇒ dy/dx_ijk = w_j.
    let x = leaf(&[1.0; 8], &[2, 2, 2]);
    let s = x.try_sum_axes(&[0, -1], true).unwrap();
    assert_eq!(s.shape(), vec![1, 2, 1]);
    assert_eq!(s.to_vec(), vec![4.0, 4.0]);
    s.backward_with(&t(&[1.0, 10.0], &[1, 2, 1])).unwrap();
    assert_eq!(grad(&x), vec![1.0, 1.0, 10.0, 10.0, 1.0, 1.0, 10.0, 10.0]);
}

#[test]
fn sum_grad_matches_finite_differences() {
    manual_seed(19);
    let x = Tensor::randn(&[2, 3, 4]);
    for (axes, keep) in [
        (vec![0isize], false),
        (vec![1], true),
        (vec![-1], false),
        (vec![-1], true),
        (vec![0, 2], false),
        (vec![-3, -2], true),
        (vec![], false),
    ] {
        gradcheck(|v| v[0].try_sum_axes(&axes, keep), std::slice::from_ref(&x));
    }
}

#[test]
fn mean_grad_by_hand_is_one_over_count() {
    // y = mean over axis 1 of a (2,4) tensor ⇒ dy_i/dx_ij = 1/4.
    let x = leaf(&[1.0; 8], &[2, 4]);
    let m = x.try_mean_axes(&[-1], true).unwrap();
    assert_eq!(m.shape(), vec![2, 1]);
    m.backward_with(&t(&[1.0, 2.0], &[2, 1])).unwrap();
    assert_eq!(grad(&x), vec![0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.5]);
    // y = mean of all 8 elements ⇒ 1/8 each.
    let x = leaf(&[1.0; 8], &[2, 4]);
    x.mean().backward().unwrap();
    assert_eq!(grad(&x), vec![0.125; 8]);
}

#[test]
fn mean_grad_matches_finite_differences() {
    manual_seed(20);
    let x = Tensor::randn(&[2, 3, 4]);
    for (axes, keep) in [
        (vec![0isize], true),
        (vec![1], false),
        (vec![-1], true),
        (vec![0, 1], false),
        (vec![], true),
    ] {
        gradcheck(
            |v| v[0].try_mean_axes(&axes, keep),
            std::slice::from_ref(&x),
        );
    }
    gradcheck(|v| Ok(v[0].mean()), &[x]);
}

#[test]
fn max_grad_by_hand_goes_to_the_first_maximum_on_ties() {
    // y_i = max_j x_ij ⇒ dy_i/dx_ij = 1 at the first maximising j, 0 elsewhere.
    let x = leaf(&[1.0, 5.0, 5.0, 3.0, 2.0, 3.0], &[2, 3]);
    let m = x.try_max(Some(1), false).unwrap();
    assert_eq!(m.to_vec(), vec![5.0, 3.0]);
    m.backward_with(&t(&[1.0, 2.0], &[2])).unwrap();
    assert_eq!(grad(&x), vec![0.0, 1.0, 0.0, 2.0, 0.0, 0.0]);

    // Along axis 0 (negative), keepdim: column maxima, ties broken by the first row.
    let x = leaf(&[4.0, 1.0, 4.0, 7.0], &[2, 2]);
    let m = x.try_max(Some(-2), true).unwrap();
    assert_eq!(m.shape(), vec![1, 2]);
    assert_eq!(m.to_vec(), vec![4.0, 7.0]);
    m.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![1.0, 0.0, 0.0, 1.0]);

    // Over everything: 7 appears twice; only the first (flat index 1) gets the gradient.
    let x = leaf(&[2.0, 7.0, 7.0, 1.0], &[2, 2]);
    let m = x.try_max(None, false).unwrap();
    assert_eq!(m.item().unwrap(), 7.0);
    m.backward().unwrap();
    assert_eq!(grad(&x), vec![0.0, 1.0, 0.0, 0.0]);
}

#[test]
fn max_grad_matches_finite_differences() {
    let x = distinct(&[3, 4, 2], 21);
    manual_seed(21);
    for axis in [Some(0isize), Some(1), Some(2), Some(-1), None] {
        for keep in [false, true] {
            gradcheck(|v| v[0].try_max(axis, keep), std::slice::from_ref(&x));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Matrix multiply
// ---------------------------------------------------------------------------------------------

#[test]
fn matmul_2d_grad_by_hand() {
    // y = Σ (A·B) ⇒ dA = 1·Bᵀ (dA_ik = Σ_j B_kj), dB = Aᵀ·1 (dB_kj = Σ_i A_ik).
    let a = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let b = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
    let y = a.try_matmul(&b).unwrap();
    assert_eq!(y.to_vec(), vec![22.0, 28.0, 49.0, 64.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&a), vec![3.0, 7.0, 11.0, 3.0, 7.0, 11.0]);
    assert_eq!(grad(&b), vec![5.0, 5.0, 7.0, 7.0, 9.0, 9.0]);
}

#[test]
fn matmul_2d_grad_matches_finite_differences() {
    manual_seed(22);
    let f = |x: &[Tensor]| x[0].try_matmul(&x[1]);
    gradcheck(f, &[Tensor::randn(&[3, 4]), Tensor::randn(&[4, 5])]);
}

#[test]
fn matmul_batched_3d_grad_by_hand() {
    // Per batch b: y = Σ A_b·B_b ⇒ dA_b = 1·B_bᵀ, dB_b = A_bᵀ·1. Batch 0 uses identities
    // and batch 1 uses 2·identity, so dA_0 = [[1,1],[1,1]], dA_1 = [[2,2],[2,2]], dB_b = dA_b.
    let a = leaf(&[1.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 2.0], &[2, 2, 2]);
    let b = leaf(&[1.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 2.0], &[2, 2, 2]);
    let y = a.try_matmul(&b).unwrap();
    assert_eq!(y.to_vec(), vec![1.0, 0.0, 0.0, 1.0, 4.0, 0.0, 0.0, 4.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&a), vec![1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0]);
    assert_eq!(grad(&b), vec![1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0]);
}

#[test]
fn matmul_batched_3d_grad_matches_finite_differences() {
    manual_seed(23);
    let f = |x: &[Tensor]| x[0].try_matmul(&x[1]);
    gradcheck(f, &[Tensor::randn(&[2, 3, 4]), Tensor::randn(&[2, 4, 2])]);
}

#[test]
fn matmul_batched_4d_grad_by_hand() {
    // Q·Kᵀ-style (B,H,T,d)·(B,H,d,T) with B = H = 2, T = 1, d = 2: y = Σ_bh q_bh·k_bh
    // ⇒ dq_bh = k_bh, dk_bh = q_bh.
    let q = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], &[2, 2, 1, 2]);
    let k = leaf(&[8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0], &[2, 2, 2, 1]);
    let y = q.try_matmul(&k).unwrap();
    assert_eq!(y.shape(), vec![2, 2, 1, 1]);
    assert_eq!(y.to_vec(), vec![22.0, 38.0, 38.0, 22.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&q), vec![8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]);
    assert_eq!(grad(&k), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
}

#[test]
fn matmul_batched_4d_grad_matches_finite_differences() {
    manual_seed(24);
    let f = |x: &[Tensor]| x[0].try_matmul(&x[1]);
    gradcheck(
        f,
        &[Tensor::randn(&[2, 2, 3, 4]), Tensor::randn(&[2, 2, 4, 3])],
    );
    // Q·Kᵀ through a transpose, the attention pattern.
    gradcheck(
        |x| x[0].try_matmul(&x[1].try_transpose(-2, -1)?),
        &[Tensor::randn(&[2, 2, 3, 4]), Tensor::randn(&[2, 2, 3, 4])],
    );
}

#[test]
fn matmul_broadcast_batch_grad_by_hand() {
    // (B,m,k)·(k,n) with B = 3: the shared W gets the sum over the batch,
    // dW = Σ_b A_bᵀ·1 ⇒ dW_kj = Σ_{b,i} A_bik; dA_bik = Σ_j W_kj.
    let a = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 1, 2]);
    let w = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let y = a.try_matmul(&w).unwrap();
    assert_eq!(y.shape(), vec![3, 1, 3]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&a), vec![6.0, 15.0, 6.0, 15.0, 6.0, 15.0]);
    assert_eq!(grad(&w), vec![9.0, 9.0, 9.0, 12.0, 12.0, 12.0]);
    assert_eq!(w.grad().unwrap().shape(), vec![2, 3]);
}

#[test]
fn matmul_broadcast_batch_grad_matches_finite_differences() {
    manual_seed(25);
    let f = |x: &[Tensor]| x[0].try_matmul(&x[1]);
    gradcheck(f, &[Tensor::randn(&[3, 2, 4]), Tensor::randn(&[4, 5])]);
    gradcheck(f, &[Tensor::randn(&[4, 5]), Tensor::randn(&[3, 5, 2])]);
    // Both operands broadcast: (2,1,3,4)·(3,4,2) → (2,3,3,2).
    gradcheck(
        f,
        &[Tensor::randn(&[2, 1, 3, 4]), Tensor::randn(&[3, 4, 2])],
    );
}

#[test]
fn matmul_1d_operands_grad_by_hand() {
    let m = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    // Row vector: y = Σ_j (v·M)_j ⇒ dv_i = Σ_j M_ij, dM_ij = v_i.
    let v = leaf(&[1.0, 2.0], &[2]);
    let y = v.try_matmul(&m).unwrap();
    assert_eq!(y.shape(), vec![3]);
    assert_eq!(y.to_vec(), vec![9.0, 12.0, 15.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&v), vec![6.0, 15.0]);
    assert_eq!(grad(&m), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);

    // Column vector: y = Σ_i (M·u)_i ⇒ du_j = Σ_i M_ij.
    let m = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let u = leaf(&[1.0, 0.0, -1.0], &[3]);
    let y = m.try_matmul(&u).unwrap();
    assert_eq!(y.shape(), vec![2]);
    assert_eq!(y.to_vec(), vec![-2.0, -2.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&u), vec![5.0, 7.0, 9.0]);
    assert_eq!(grad(&m), vec![1.0, 0.0, -1.0, 1.0, 0.0, -1.0]);

    // Dot product: y = a·b (a 0-d result, as in NumPy) ⇒ da = b, db = a.
    let a = leaf(&[1.0, 2.0, 3.0], &[3]);
    let b = leaf(&[4.0, 5.0, 6.0], &[3]);
    let y = a.try_matmul(&b).unwrap();
    assert_eq!(y.shape(), Vec::<usize>::new());
    assert_eq!(y.item().unwrap(), 32.0);
    y.backward().unwrap();
    assert_eq!(grad(&a), vec![4.0, 5.0, 6.0]);
    assert_eq!(grad(&b), vec![1.0, 2.0, 3.0]);
}

#[test]
fn matmul_1d_operands_grad_matches_finite_differences() {
    manual_seed(26);
    let f = |x: &[Tensor]| x[0].try_matmul(&x[1]);
    gradcheck(f, &[Tensor::randn(&[4]), Tensor::randn(&[4, 3])]);
    gradcheck(f, &[Tensor::randn(&[3, 4]), Tensor::randn(&[4])]);
    gradcheck(f, &[Tensor::randn(&[2, 3, 4]), Tensor::randn(&[4])]);
    gradcheck(f, &[Tensor::randn(&[4]), Tensor::randn(&[4])]);
}

// ---------------------------------------------------------------------------------------------
// Shape movement
// ---------------------------------------------------------------------------------------------

#[test]
fn reshape_grad_by_hand_with_inferred_axis() {
    // y = Σ w ⊙ reshape(x) ⇒ dx = reshape⁻¹(w): the gradient returns in x's shape and order.
    let x = leaf(&[0.0; 6], &[2, 3]);
    let y = x.try_reshape(&[-1, 2]).unwrap();
    assert_eq!(y.shape(), vec![3, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]))
        .unwrap();
    assert_eq!(x.grad().unwrap().shape(), vec![2, 3]);
    assert_eq!(grad(&x), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
}

#[test]
fn reshape_grad_matches_finite_differences() {
    manual_seed(27);
    let x = Tensor::randn(&[2, 3, 4]);
    gradcheck(|v| v[0].try_reshape(&[4, -1]), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_reshape(&[-1]), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_view(&[6, 2, 2]), &[x]);
}

#[test]
fn permute_grad_by_hand_inverts_the_permutation() {
    // y = permute(x, [2,0,1]) so y[k,i,j] = x[i,j,k] ⇒ dx[i,j,k] = g[k,i,j].
    let x = leaf(&[0.0; 24], &[2, 3, 4]);
    let y = x.try_permute(&[2, 0, 1]).unwrap();
    assert_eq!(y.shape(), vec![4, 2, 3]);
    let g: Vec<f32> = (0..24).map(|v| v as f32).collect();
    y.backward_with(&t(&g, &[4, 2, 3])).unwrap();
    let gx = grad(&x);
    for i in 0..2 {
        for j in 0..3 {
            for k in 0..4 {
                assert_eq!(gx[i * 12 + j * 4 + k], g[k * 6 + i * 3 + j]);
            }
        }
    }
}

#[test]
fn permute_grad_matches_finite_differences() {
    manual_seed(28);
    let x = Tensor::randn(&[2, 3, 4]);
    gradcheck(|v| v[0].try_permute(&[2, 0, 1]), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_permute(&[1, 2, 0]), &[x]);
}

#[test]
fn transpose_grad_by_hand() {
    // y = xᵀ ⇒ dx = gᵀ.
    let x = leaf(&[0.0; 6], &[2, 3]);
    let y = x.try_transpose(0, 1).unwrap();
    assert_eq!(y.shape(), vec![3, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]))
        .unwrap();
    assert_eq!(grad(&x), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
    // try_t swaps the last two axes.
    let x = leaf(&[0.0; 6], &[1, 2, 3]);
    let y = x.try_t().unwrap();
    assert_eq!(y.shape(), vec![1, 3, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1, 3, 2]))
        .unwrap();
    assert_eq!(grad(&x), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
}

#[test]
fn transpose_grad_matches_finite_differences() {
    manual_seed(29);
    let x = Tensor::randn(&[2, 3, 4]);
    gradcheck(|v| v[0].try_transpose(0, 2), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_transpose(-1, -2), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_t(), &[x]);
}

#[test]
fn narrow_grad_by_hand_scatters_into_the_window() {
    // y = x[:, 1..3] ⇒ dx = g inside the window, 0 outside.
    let x = leaf(&[0.0; 8], &[2, 4]);
    let y = x.try_narrow(1, 1, 2).unwrap();
    assert_eq!(y.shape(), vec![2, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0], &[2, 2])).unwrap();
    assert_eq!(grad(&x), vec![0.0, 1.0, 2.0, 0.0, 0.0, 3.0, 4.0, 0.0]);
}

#[test]
fn narrow_grad_matches_finite_differences() {
    manual_seed(30);
    let x = Tensor::randn(&[3, 4, 2]);
    gradcheck(|v| v[0].try_narrow(0, 1, 2), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_narrow(-2, 0, 3), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_narrow(2, 1, 1), &[x]);
}

#[test]
fn cat_grad_by_hand_splits_the_gradient() {
    // y = cat([a, b], axis 1) ⇒ da = g[:, ..2], db = g[:, 2..].
    let a = leaf(&[0.0; 4], &[2, 2]);
    let b = leaf(&[0.0; 2], &[2, 1]);
    let y = Tensor::try_cat(&[a.clone(), b.clone()], 1).unwrap();
    assert_eq!(y.shape(), vec![2, 3]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]))
        .unwrap();
    assert_eq!(grad(&a), vec![1.0, 2.0, 4.0, 5.0]);
    assert_eq!(grad(&b), vec![3.0, 6.0]);
}

#[test]
fn cat_grad_matches_finite_differences() {
    manual_seed(31);
    let f0 = |x: &[Tensor]| Tensor::try_cat(x, 0);
    gradcheck(f0, &[Tensor::randn(&[1, 3]), Tensor::randn(&[2, 3])]);
    let f_last = |x: &[Tensor]| Tensor::try_cat(x, -1);
    gradcheck(
        f_last,
        &[
            Tensor::randn(&[2, 2, 1]),
            Tensor::randn(&[2, 2, 3]),
            Tensor::randn(&[2, 2, 2]),
        ],
    );
}

#[test]
fn stack_grad_by_hand() {
    // y = stack([a, b], axis 1) (shape (2, 2, 2)) ⇒ da = g[:, 0], db = g[:, 1].
    let a = leaf(&[0.0; 2], &[2]);
    let b = leaf(&[0.0; 2], &[2]);
    let y = Tensor::try_stack(&[a.clone(), b.clone()], 1).unwrap();
    assert_eq!(y.shape(), vec![2, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0], &[2, 2])).unwrap();
    assert_eq!(grad(&a), vec![1.0, 3.0]);
    assert_eq!(grad(&b), vec![2.0, 4.0]);
}

#[test]
fn stack_grad_matches_finite_differences() {
    manual_seed(32);
    for axis in 0..3 {
        gradcheck(
            |x| Tensor::try_stack(x, axis),
            &[Tensor::randn(&[2, 3]), Tensor::randn(&[2, 3])],
        );
    }
}

#[test]
fn unsqueeze_grad_by_hand() {
    // y = unsqueeze(x, 1) only adds an axis ⇒ dx = g with the axis removed.
    let x = leaf(&[0.0; 3], &[3]);
    let y = x.try_unsqueeze(1).unwrap();
    assert_eq!(y.shape(), vec![3, 1]);
    y.backward_with(&t(&[1.0, 2.0, 3.0], &[3, 1])).unwrap();
    assert_eq!(x.grad().unwrap().shape(), vec![3]);
    assert_eq!(grad(&x), vec![1.0, 2.0, 3.0]);
}

#[test]
fn unsqueeze_grad_matches_finite_differences() {
    manual_seed(33);
    for axis in 0..3 {
        gradcheck(|x| x[0].try_unsqueeze(axis), &[Tensor::randn(&[2, 3])]);
    }
}

#[test]
fn flatten_grad_by_hand() {
    // y = flatten(x, 1): (2,2,2) → (2,4) ⇒ dx = g reshaped back.
    let x = leaf(&[0.0; 8], &[2, 2, 2]);
    let y = x.try_flatten(1).unwrap();
    assert_eq!(y.shape(), vec![2, 4]);
    let g: Vec<f32> = (1..=8).map(|v| v as f32).collect();
    y.backward_with(&t(&g, &[2, 4])).unwrap();
    assert_eq!(x.grad().unwrap().shape(), vec![2, 2, 2]);
    assert_eq!(grad(&x), g);
}

#[test]
fn flatten_grad_matches_finite_differences() {
    manual_seed(34);
    let x = Tensor::randn(&[2, 3, 2, 2]);
    gradcheck(|v| v[0].try_flatten(0), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_flatten(1), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_flatten(2), &[x]);
}

// ---------------------------------------------------------------------------------------------
// Softmax family and losses
// ---------------------------------------------------------------------------------------------

#[test]
fn softmax_grad_by_hand() {
    // p = softmax([0, 0]) = [½, ½]; y = p₀ ⇒ dy/dx_j = p₀(δ₀ⱼ − p_j) = [¼, −¼].
    let x = leaf(&[0.0, 0.0], &[1, 2]);
    let p = x.try_softmax(-1).unwrap();
    assert_eq!(p.to_vec(), vec![0.5, 0.5]);
    p.backward_with(&t(&[1.0, 0.0], &[1, 2])).unwrap();
    assert_close(&grad(&x), &[0.25, -0.25], 1e-7);

    // Along axis 0 of a (2,1) column: same numbers, transposed layout.
    let x = leaf(&[0.0, 0.0], &[2, 1]);
    let p = x.try_softmax(0).unwrap();
    p.backward_with(&t(&[1.0, 0.0], &[2, 1])).unwrap();
    assert_close(&grad(&x), &[0.25, -0.25], 1e-7);
}

#[test]
fn softmax_grad_matches_finite_differences_along_each_axis() {
    manual_seed(35);
    let x = Tensor::randn(&[2, 3, 4]);
    for axis in [0isize, 1, 2, -1, -3] {
        gradcheck(|v| v[0].try_softmax(axis), std::slice::from_ref(&x));
    }
}

#[test]
fn log_softmax_grad_by_hand() {
    // y = log_softmax(x)₀ at x = [0, 0] ⇒ dy/dx_j = δ₀ⱼ − softmax(x)_j = [½, −½].
    let x = leaf(&[0.0, 0.0], &[2]);
    let y = x.try_log_softmax(0).unwrap();
    assert_close(&y.to_vec(), &[-std::f32::consts::LN_2; 2], 1e-7);
    y.backward_with(&t(&[1.0, 0.0], &[2])).unwrap();
    assert_close(&grad(&x), &[0.5, -0.5], 1e-7);
}

#[test]
fn log_softmax_grad_matches_finite_differences_along_each_axis() {
    manual_seed(36);
    let x = Tensor::randn(&[2, 3, 4]);
    for axis in [0isize, 1, 2, -1, -2] {
        gradcheck(|v| v[0].try_log_softmax(axis), std::slice::from_ref(&x));
    }
}

#[test]
fn cross_entropy_grad_by_hand() {
    // L = −(1/N) Σ_i log softmax(z_i)[t_i] ⇒ dL/dz_i = (softmax(z_i) − onehot(t_i)) / N.
    // Uniform logits over 3 classes, N = 2: rows are ([⅓, ⅓, ⅓] − onehot) / 2.
    let z = leaf(&[0.0; 6], &[2, 3]);
    let loss = z.try_cross_entropy(&[0, 2]).unwrap();
    assert!((loss.item().unwrap() - 3f32.ln()).abs() < 1e-6);
    loss.backward().unwrap();
    let (a, b) = (1.0 / 6.0, (1.0 / 3.0 - 1.0) / 2.0);
    assert_close(&grad(&z), &[b, a, a, a, a, b], 1e-6);
}

#[test]
fn cross_entropy_grad_matches_finite_differences() {
    manual_seed(37);
    gradcheck(
        |x| x[0].try_cross_entropy(&[0, 3, 1, 4]),
        &[Tensor::randn(&[4, 5]).mul_scalar(2.0)],
    );
    // Through the loss module with float labels and (B, S, C) logits.
    let labels = t(&[1.0, 0.0, 2.0, 2.0], &[2, 2]);
    gradcheck(
        |x| tinytorch::loss::cross_entropy(&x[0], &labels),
        &[Tensor::randn(&[2, 2, 3])],
    );
}

#[test]
fn bce_grad_by_hand() {
    // L = −mean[y ln p + (1−y) ln(1−p)] ⇒ dL/dp = (p − y)/(p(1 − p))/N.
    // p = ¼, y = 1 ⇒ −1/p = −4; p = ½, y = 0 ⇒ 1/(1−p) = 2; N = 2 halves both.
    let p = leaf(&[0.25, 0.5], &[2]);
    let loss = p.try_bce(&t(&[1.0, 0.0], &[2])).unwrap();
    let want = (-(0.25f64.ln()) - 0.5f64.ln()) / 2.0;
    assert!((loss.item().unwrap() as f64 - want).abs() < 1e-6);
    loss.backward().unwrap();
    assert_close(&grad(&p), &[-2.0, 1.0], 1e-6);
}

#[test]
fn bce_grad_matches_finite_differences() {
    manual_seed(38);
    // Probabilities inside the clip range; soft targets exercise both log terms.
    let y = Tensor::rand(&[3, 4]);
    gradcheck(|x| x[0].try_bce(&y), &[Tensor::uniform(&[3, 4], 0.1, 0.9)]);
}

#[test]
fn bce_with_logits_grad_by_hand() {
    // L = mean[softplus(z) − z·y] ⇒ dL/dz = (σ(z) − y)/N: z = 0, y = 1 ⇒ −½, halved for N = 2;
    // z = 0, y = 0 ⇒ ½, halved.
    let z = leaf(&[0.0, 0.0], &[2]);
    let loss = z.try_bce_with_logits(&t(&[1.0, 0.0], &[2])).unwrap();
    assert!((loss.item().unwrap() - std::f32::consts::LN_2).abs() < 1e-6);
    loss.backward().unwrap();
    assert_close(&grad(&z), &[-0.25, 0.25], 1e-7);
}

#[test]
fn bce_with_logits_grad_matches_finite_differences() {
    manual_seed(39);
    let y = t(&[1.0, 0.0, 1.0, 0.0, 0.3, 0.7], &[2, 3]);
    gradcheck(
        |x| x[0].try_bce_with_logits(&y),
        &[Tensor::randn(&[2, 3]).mul_scalar(3.0)],
    );
}

#[test]
fn mse_loss_grad_by_hand() {
    // L = mean((p − t)²) ⇒ dL/dp = 2(p − t)/N: p = [1, 2], t = 0 ⇒ L = 2.5, grad [1, 2].
    let p = leaf(&[1.0, 2.0], &[2]);
    let loss = tinytorch::loss::mse_loss(&p, &Tensor::zeros(&[2])).unwrap();
    assert_eq!(loss.item().unwrap(), 2.5);
    loss.backward().unwrap();
    assert_eq!(grad(&p), vec![1.0, 2.0]);
}

#[test]
fn mse_loss_grad_matches_finite_differences() {
    manual_seed(40);
    gradcheck(
        |x| tinytorch::loss::mse_loss(&x[0], &x[1]),
        &[Tensor::randn(&[3, 2]), Tensor::randn(&[3, 2])],
    );
}

#[test]
fn composite_expression_grad_by_hand() {
    // y = x² + 5x + 4 ⇒ dy/dx = 2x + 5 = 11 at x = 3.
    let x = Tensor::scalar(3.0).requires_grad_(true);
    let y = (&x * &x) + x.mul_scalar(5.0) + 4.0;
    assert_eq!(y.item().unwrap(), 28.0);
    y.backward().unwrap();
    assert_eq!(x.grad().unwrap().item().unwrap(), 11.0);
}

#[test]
fn two_layer_network_grad_matches_finite_differences() {
    // A whole MLP + cross-entropy as one function of every parameter at once.
    manual_seed(41);
    let f = |v: &[Tensor]| {
        let h = v[0].try_matmul(&v[1])?.try_add(&v[2])?.tanh();
        h.try_matmul(&v[3])?.try_cross_entropy(&[0, 2, 1])
    };
    gradcheck(
        f,
        &[
            Tensor::randn(&[3, 4]),
            Tensor::randn(&[4, 5]).mul_scalar(0.5),
            Tensor::randn(&[5]),
            Tensor::randn(&[5, 3]),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Graph bookkeeping
// ---------------------------------------------------------------------------------------------

#[test]
fn gradients_accumulate_across_two_backward_calls() {
    // Each backward of y = Σ 3x adds 3.
    let x = leaf(&[1.0, 2.0], &[2]);
    x.mul_scalar(3.0).sum().backward().unwrap();
    assert_eq!(grad(&x), vec![3.0, 3.0]);
    x.mul_scalar(3.0).sum().backward().unwrap();
    assert_eq!(grad(&x), vec![6.0, 6.0]);
    // The same graph can also be walked twice.
    let y = (&x * &x).sum();
    x.zero_grad();
    y.backward().unwrap();
    y.backward().unwrap();
    assert_eq!(grad(&x), vec![4.0, 8.0]); // 2 · 2x
}

#[test]
fn zero_grad_sets_the_gradient_to_none() {
    let x = leaf(&[1.0], &[1]);
    assert!(x.grad().is_none());
    x.sum().backward().unwrap();
    assert!(x.grad().is_some());
    x.zero_grad();
    assert!(x.grad().is_none());
    // After clearing, the next backward starts from scratch.
    x.mul_scalar(2.0).sum().backward().unwrap();
    assert_eq!(grad(&x), vec![2.0]);
}

#[test]
fn no_grad_records_nothing() {
    let x = leaf(&[1.0, 2.0], &[2]);
    let y = no_grad(|| (&x * &x).exp().sum());
    assert!(!y.requires_grad());
    assert!(y.is_leaf());
    assert_eq!(y.op_name(), None);
    assert!(y.backward().is_err());
    assert!(x.grad().is_none());
    // Recording resumes after the closure.
    let z = (&x * &x).sum();
    assert!(z.requires_grad());
    assert_eq!(z.op_name(), Some("sum"));
}

#[test]
fn tensor_used_twice_accumulates_both_paths() {
    // y = Σ x·x ⇒ dy/dx = 2x.
    let x = leaf(&[1.5, -2.0], &[2]);
    (&x * &x).sum().backward().unwrap();
    assert_eq!(grad(&x), vec![3.0, -4.0]);
    // y = Σ (x + x) ⇒ dy/dx = 2.
    let x = leaf(&[1.5, -2.0], &[2]);
    (&x + &x).sum().backward().unwrap();
    assert_eq!(grad(&x), vec![2.0, 2.0]);
    // Diamond: h = 2x; y = Σ h·h + h ⇒ dy/dx = 2(2h + 1) = 8x + 2.
    let x = leaf(&[1.0, 3.0], &[2]);
    let h = x.mul_scalar(2.0);
    (&(&h * &h) + &h).sum().backward().unwrap();
    assert_eq!(grad(&x), vec![10.0, 26.0]);
}

#[test]
fn backward_on_non_scalar_without_gradient_is_an_error() {
    let x = leaf(&[1.0, 2.0], &[2]);
    let y = x.mul_scalar(2.0);
    let err = y.backward().unwrap_err();
    assert!(matches!(err, Error::Grad { op: "backward", .. }));
    assert!(err.to_string().contains("[2]"), "{err}");
    assert!(x.grad().is_none());
}

#[test]
fn backward_with_propagates_the_given_gradient() {
    // y = 3x element-wise, seed g ⇒ dx = 3g.
    let x = leaf(&[1.0, 2.0, 3.0], &[3]);
    let y = x.mul_scalar(3.0);
    y.backward_with(&t(&[1.0, -1.0, 0.5], &[3])).unwrap();
    assert_eq!(grad(&x), vec![3.0, -3.0, 1.5]);
    // A seed of the wrong shape is rejected.
    let err = y.backward_with(&t(&[1.0, 2.0], &[2])).unwrap_err();
    assert!(err.to_string().contains("backward_with"), "{err}");
}

#[test]
fn retain_grad_keeps_an_intermediate_gradient() {
    // h = 2x; y = Σ h² ⇒ dy/dh = 2h, dy/dx = 4h.
    let x = leaf(&[1.0, 2.0], &[2]);
    let h = x.mul_scalar(2.0);
    let h2 = x.mul_scalar(2.0); // not retained
    h.retain_grad();
    (&(&h * &h) + &h2).sum().backward().unwrap();
    assert_eq!(grad(&h), vec![4.0, 8.0]);
    assert!(
        h2.grad().is_none(),
        "non-leaf grads are not kept by default"
    );
    assert_eq!(grad(&x), vec![10.0, 18.0]); // 4h·… = 8x + 2
}

#[test]
fn a_100k_node_chain_runs_backward_and_drops_on_a_small_stack() {
    // 256 KiB is far too small for a recursive walk (or a recursive Drop) over 100,000 nodes.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(common::hundred_thousand_op_chain)
        .unwrap();
    handle.join().expect("the chain thread must not overflow");
}
