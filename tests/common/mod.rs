//! Checks shared by the native and the browser test files (each includes this with `mod common;`).

use tinytorch::Tensor;

/// Builds a 100,000-op chain, runs backward and drops it: finishing on a small stack proves the
/// topological sort and the teardown are iterative. Each pair maps v ↦ −(v + 1); two pairs give
/// back v, so y = x and dy/dx = (−1)^50000 = 1: a skipped or doubled node changes the sign or
/// the value.
pub fn hundred_thousand_op_chain() {
    let x = Tensor::scalar(3.0).requires_grad_(true);
    let mut y = x.clone();
    for _ in 0..50_000 {
        y = y.add_scalar(1.0).mul_scalar(-1.0);
    }
    assert_eq!(y.item().unwrap(), 3.0);
    y.backward().unwrap();
    assert_eq!(x.grad().unwrap().item().unwrap(), 1.0);
    drop(y);
    // The chain is gone: x is the only handle left.
    assert_eq!(x.item().unwrap(), 3.0);
}
