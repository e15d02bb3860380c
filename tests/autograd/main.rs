//! Autograd tests: every differentiable op against a hand-computed derivative and a numeric
//! central-difference check, plus the graph bookkeeping (accumulation, `zero_grad`, `no_grad`,
//! `retain_grad`, `backward_with`) and a 100,000-node chain that must not overflow the stack.

#[path = "../common/mod.rs"]
mod common;

mod arithmetic;
mod graph;
mod matmul;
mod movement;
mod reductions;
mod softmax;
mod unary;

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
