//! Raw `&[f32]` kernels shared by the ops (course module 18): the matrix multiply that every
//! matmul, linear layer, convolution (im2col) and attention goes through, in four flavours
//! selectable at run time.
//!
//! | kind      | what it is                                                              |
//! |-----------|-------------------------------------------------------------------------|
//! | `Naive`   | the textbook triple loop (the reference for parity tests)                |
//! | `Scalar`  | packed, cache-blocked GEMM with a scalar 4×8 micro-kernel (the twin)     |
//! | `Simd`    | the same GEMM with a 4×8 f32x4 `mul` + `add` micro-kernel                |
//! | `Relaxed` | the same GEMM with a 3×12 `f32x4_relaxed_madd` (fused) micro-kernel      |
//!
//! `Scalar` and `Simd` add the same products in the same order, so they agree bit for bit
//! (and native builds agree with the browser); `Relaxed` rounds once per multiply-add and
//! agrees to about 1e-6 relative.

mod gemm;
mod int8;
mod micro;
mod pack;
mod peak;

pub use gemm::gemm_blocked;
pub use int8::{dot_i8_scalar, gemm_i8};
pub use peak::{peak_chains, FLOPS_PER_STEP};

use std::cell::Cell;

/// A matrix operand read in place: element (i, j) is at `data[i*rs + j*cs]`.
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
    #[inline(always)]
    pub(crate) fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.rs + j * self.cs]
    }
}

/// Which matrix-multiply kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KernelKind {
    Naive,
    Scalar,
    Simd,
    Relaxed,
}

impl KernelKind {
    /// Every kind this build can run (`Relaxed` only in the relaxed-SIMD build).
    pub fn available() -> Vec<KernelKind> {
        let mut v = vec![KernelKind::Naive, KernelKind::Scalar, KernelKind::Simd];
        if cfg!(target_feature = "relaxed-simd") {
            v.push(KernelKind::Relaxed);
        }
        v
    }

    /// The fastest kind this build has.
    pub fn best() -> KernelKind {
        *KernelKind::available().last().expect("non-empty")
    }

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            KernelKind::Naive => "naive",
            KernelKind::Scalar => "scalar",
            KernelKind::Simd => "simd",
            KernelKind::Relaxed => "relaxed",
        }
    }

    /// Parses a name; errors on unknown names and on kinds this build lacks.
    ///
    /// # Errors
    /// If the name is unknown or the kind is not compiled into this build.
    pub fn parse(s: &str) -> crate::Result<KernelKind> {
        let k = match s {
            "naive" => KernelKind::Naive,
            "scalar" | "blocked" => KernelKind::Scalar,
            "simd" | "simd128" => KernelKind::Simd,
            "relaxed" => KernelKind::Relaxed,
            _ => crate::bail!(
                "set_kernels",
                "unknown kernel '{s}' (naive, scalar, simd, relaxed)"
            ),
        };
        if !KernelKind::available().contains(&k) {
            crate::bail!(
                "set_kernels",
                "kernel '{s}' is not in this build (relaxed SIMD needs the relaxed build)"
            );
        }
        Ok(k)
    }
}

thread_local! {
    static KIND: Cell<KernelKind> = Cell::new(KernelKind::best());
}

/// Selects the kernel every matrix multiply uses from now on.
pub fn set_kernels(kind: KernelKind) {
    KIND.with(|k| k.set(kind));
}

/// The kernel in use.
pub fn kernels() -> KernelKind {
    KIND.with(|k| k.get())
}

/// `c = a · b` (or `c += a · b` when `accumulate`) for an `m × k` a, `k × n` b and a row-major
/// `m × n` c, with the kernel chosen by [`set_kernels`].
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
    gemm_with(kernels(), m, n, k, a, b, c, accumulate)
}

/// [`gemm`] with an explicit kernel.
///
/// # Panics
/// If a slice is too short for the given sizes and strides.
#[allow(clippy::too_many_arguments)]
pub fn gemm_with(
    kind: KernelKind,
    m: usize,
    n: usize,
    k: usize,
    a: MatRef,
    b: MatRef,
    c: &mut [f32],
    accumulate: bool,
) {
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
    let c = &mut c[..m * n];
    match kind {
        KernelKind::Naive => gemm_naive(m, n, k, a, b, c, accumulate),
        _ => gemm_blocked(kind, m, n, k, a, b, c, accumulate),
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
                s += a.at(i, p) * b.at(p, j);
            }
            let dst = &mut c[i * n + j];
            *dst = if accumulate { *dst + s } else { s };
        }
    }
}
