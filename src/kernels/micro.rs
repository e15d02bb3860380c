//! 4×8 micro-kernels: `C[0..4, 0..8] += Σ_p A[0..4, p] · B[p, 0..8]` over packed panels.
//!
//! Keeping 8 accumulators (4 rows × two f32x4) plus one broadcast and two B vectors live fits
//! V8's registers; bigger tiles spill and halve the speed (measured, see performance.md).
//! Tried and dropped: packing A pre-broadcast (each value 4×, read with `v128.load` instead of
//! `load32_splat`) sped the bare kernel up 6 %, but the 4× larger A panels cost more in the
//! full GEMM (relaxed n=64: 25.3 → 21.9 GFLOP/s, n=1024: 40.8 → 39.0), and unrolling the
//! k-loop ×2 spills (22–24 GFLOP/s).

/// Rows of the register tile.
pub const MR: usize = 4;
/// Columns of the register tile.
pub const NR: usize = 8;

/// Scalar twin: the same products, added in the same order, as the SIMD kernels.
///
/// `a` holds `kc` groups of MR values, `b` holds `kc` groups of NR values; `c` is row-major
/// with row stride `ldc` and must hold the whole 4×8 tile.
pub fn scalar(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize) {
    let mut acc = [[0.0f32; NR]; MR];
    for (ap, bp) in a.chunks_exact(MR).zip(b.chunks_exact(NR)).take(kc) {
        for r in 0..MR {
            for j in 0..NR {
                acc[r][j] += ap[r] * bp[j];
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (dst, v) in c[r * ldc..r * ldc + NR].iter_mut().zip(row) {
            *dst += v;
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::{MR, NR};
    use core::arch::wasm32::*;

    macro_rules! kernel {
        ($name:ident, $madd:expr) => {
            /// f32x4 micro-kernel over packed panels (see the module docs).
            pub fn $name(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize) {
                assert!(a.len() >= kc * MR && b.len() >= kc * NR && c.len() >= 3 * ldc + NR);
                let madd = $madd;
                // SAFETY: the assert bounds every pointer offset below.
                unsafe {
                    let (ap, bp, cp) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
                    let z = f32x4_splat(0.0);
                    let (mut c00, mut c01, mut c10, mut c11) = (z, z, z, z);
                    let (mut c20, mut c21, mut c30, mut c31) = (z, z, z, z);
                    // One step of the k loop: 2 B vectors, 4 broadcast A values, 8 madds.
                    macro_rules! step {
                        ($a:expr, $b:expr) => {{
                            let b0 = v128_load($b as *const v128);
                            let b1 = v128_load($b.add(4) as *const v128);
                            let a0 = v128_load32_splat($a as *const u32);
                            c00 = madd(a0, b0, c00);
                            c01 = madd(a0, b1, c01);
                            let a1 = v128_load32_splat($a.add(1) as *const u32);
                            c10 = madd(a1, b0, c10);
                            c11 = madd(a1, b1, c11);
                            let a2 = v128_load32_splat($a.add(2) as *const u32);
                            c20 = madd(a2, b0, c20);
                            c21 = madd(a2, b1, c21);
                            let a3 = v128_load32_splat($a.add(3) as *const u32);
                            c30 = madd(a3, b0, c30);
                            c31 = madd(a3, b1, c31);
                        }};
                    }
                    let (mut pa, mut pb) = (ap, bp);
                    for _ in 0..kc {
                        step!(pa, pb);
                        pa = pa.add(MR);
                        pb = pb.add(NR);
                    }
                    for (r, (lo, hi)) in [(c00, c01), (c10, c11), (c20, c21), (c30, c31)]
                        .into_iter()
                        .enumerate()
                    {
                        let dst = cp.add(r * ldc);
                        v128_store(
                            dst as *mut v128,
                            f32x4_add(v128_load(dst as *const v128), lo),
                        );
                        let dst = dst.add(4);
                        v128_store(
                            dst as *mut v128,
                            f32x4_add(v128_load(dst as *const v128), hi),
                        );
                    }
                }
            }
        };
    }

    kernel!(simd, |a, b, c| f32x4_add(c, f32x4_mul(a, b)));
    #[cfg(target_feature = "relaxed-simd")]
    kernel!(relaxed, |a, b, c| f32x4_relaxed_madd(a, b, c));
}

#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
pub use wasm::relaxed;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use wasm::simd;

/// Without wasm SIMD the f32x4 kernel is the scalar twin (identical results; LLVM vectorises
/// it with the host's SIMD).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub use scalar as simd;

/// Native builds stand in for relaxed SIMD with a fused multiply-add per product, which is
/// what `f32x4_relaxed_madd` computes on FMA hardware.
#[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
pub fn relaxed(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize) {
    let mut acc = [[0.0f32; NR]; MR];
    for (ap, bp) in a.chunks_exact(MR).zip(b.chunks_exact(NR)).take(kc) {
        for r in 0..MR {
            for j in 0..NR {
                acc[r][j] = ap[r].mul_add(bp[j], acc[r][j]);
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (dst, v) in c[r * ldc..r * ldc + NR].iter_mut().zip(row) {
            *dst += v;
        }
    }
}
