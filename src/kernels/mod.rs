//! Raw `&[f32]` kernels shared by the ops: the matrix multiply every matmul, linear layer,
//! convolution and attention goes through.

/// A row-major-or-not matrix operand: element (i, j) is at `data[i*rs + j*cs]`.
///
/// Strides let backward use `A·Bᵀ` and `Aᵀ·B` without materialising a transpose.
#[derive(Clone, Copy)]
pub struct MatRef<'a> {
    pub data: &'a [f32],
    pub rs: usize,
    pub cs: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn rows(data: &'a [f32], cols: usize) -> MatRef<'a> {
        MatRef {
            data,
            rs: cols,
            cs: 1,
        }
    }
    /// The transpose of a row-major `rows × cols` matrix, read in place.
    pub fn transposed(data: &'a [f32], cols: usize) -> MatRef<'a> {
        MatRef {
            data,
            rs: 1,
            cs: cols,
        }
    }
}

/// `c = a · b` (or `c += a · b` when `accumulate`) for an `m × k` a, `k × n` b and a row-major
/// `m × n` c.
///
/// # Panics
/// If a slice is too short for the given sizes and strides.
///
/// # Example
/// ```
/// use tinytorch::kernels::{gemm, MatRef};
/// let a = [1.0, 2.0, 3.0, 4.0];
/// let b = [5.0, 6.0, 7.0, 8.0];
/// let mut c = [0.0; 4];
/// gemm(2, 2, 2, MatRef::rows(&a, 2), MatRef::rows(&b, 2), &mut c, false);
/// assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
/// ```
pub fn gemm(m: usize, n: usize, k: usize, a: MatRef, b: MatRef, c: &mut [f32], accumulate: bool) {
    let last = |r: &MatRef, rows: usize, cols: usize| {
        if rows == 0 || cols == 0 {
            0
        } else {
            (rows - 1) * r.rs + (cols - 1) * r.cs + 1
        }
    };
    assert!(a.data.len() >= last(&a, m, k), "gemm: lhs slice too short");
    assert!(b.data.len() >= last(&b, k, n), "gemm: rhs slice too short");
    assert!(c.len() >= m * n, "gemm: output slice too short");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    let beta = if accumulate { 1.0 } else { 0.0 };
    // SAFETY: the asserts above bound every index the kernel reads or writes.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.data.as_ptr(),
            a.rs as isize,
            a.cs as isize,
            b.data.as_ptr(),
            b.rs as isize,
            b.cs as isize,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// The textbook triple loop: the reference every faster kernel is checked against.
pub fn gemm_naive(
    m: usize,
    n: usize,
    k: usize,
    a: MatRef,
    b: MatRef,
    c: &mut [f32],
    accumulate: bool,
) {
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f32;
            for p in 0..k {
                s += a.data[i * a.rs + p * a.cs] * b.data[p * b.rs + j * b.cs];
            }
            let dst = &mut c[i * n + j];
            *dst = if accumulate { *dst + s } else { s };
        }
    }
}
