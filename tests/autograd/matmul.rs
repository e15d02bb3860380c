//! Matrix multiply in 1-D, 2-D, batched and broadcast forms: by hand and against central
//! differences.

use super::*;

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
