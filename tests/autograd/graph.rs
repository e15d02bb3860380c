//! Graph bookkeeping: accumulation, `zero_grad`, `no_grad`, `retain_grad`, `backward_with`,
//! and a 100,000-node chain that must not overflow the stack.

use super::*;

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
