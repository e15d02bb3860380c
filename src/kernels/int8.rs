//! The int8 matrix multiply quantized layers run: `C[i, j] = Σ_p A[i, p] · B[j, p]` with i8
//! operands (B stored transposed, so both rows are contiguous) accumulated exactly in i32.
//! The SIMD128 version widens 8 values to i16 and uses `i32x4.dot_i16x8_s`; integer
//! arithmetic is exact, so every version gives identical results.

/// `c[i·n + j] = Σ_p a[i·k + p] · bt[j·k + p]` for i8 `a` (m × k) and `bt` (n × k).
///
/// # Panics
/// If a slice is shorter than the sizes say.
///
/// # Example
/// ```
/// use tinytorch::kernels::gemm_i8;
/// let (a, bt) = ([1i8, 2, 3, 4], [5i8, 6, 7, 8]); // a is 2×2, b = btᵀ
/// let mut c = [0i32; 4];
/// gemm_i8(2, 2, 2, &a, &bt, &mut c);
/// assert_eq!(c, [17, 23, 39, 53]);
/// ```
pub fn gemm_i8(m: usize, n: usize, k: usize, a: &[i8], bt: &[i8], c: &mut [i32]) {
    assert!(
        a.len() >= m * k && bt.len() >= n * k && c.len() >= m * n,
        "gemm_i8: a slice is too short"
    );
    for i in 0..m {
        let arow = &a[i * k..(i + 1) * k];
        for j in 0..n {
            c[i * n + j] = dot_i8(arow, &bt[j * k..(j + 1) * k]);
        }
    }
}

/// The scalar twin of [`dot_i8`].
pub fn dot_i8_scalar(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| x as i32 * y as i32).sum()
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    use core::arch::wasm32::*;
    let n = a.len().min(b.len());
    let chunks = n / 8;
    let mut acc = i32x4_splat(0);
    for c in 0..chunks {
        // SAFETY: `c·8 + 8 ≤ n` for both slices.
        unsafe {
            let va = i16x8_load_extend_i8x8(a.as_ptr().add(c * 8));
            let vb = i16x8_load_extend_i8x8(b.as_ptr().add(c * 8));
            acc = i32x4_add(acc, i32x4_dot_i16x8(va, vb));
        }
    }
    let lanes = i32x4_extract_lane::<0>(acc)
        + i32x4_extract_lane::<1>(acc)
        + i32x4_extract_lane::<2>(acc)
        + i32x4_extract_lane::<3>(acc);
    lanes + dot_i8_scalar(&a[chunks * 8..n], &b[chunks * 8..n])
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    dot_i8_scalar(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn simd_dot_equals_scalar_on_odd_lengths() {
        let mut r = Rng::new(9);
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 100, 1000] {
            let a: Vec<i8> = (0..n).map(|_| (r.below(256) as i32 - 128) as i8).collect();
            let b: Vec<i8> = (0..n).map(|_| (r.below(256) as i32 - 128) as i8).collect();
            assert_eq!(dot_i8(&a, &b), dot_i8_scalar(&a, &b), "n = {n}");
        }
    }
}
