//! Packing for the GEMM driver: A into MR-tall panels and B into NR-wide panels, interleaved
//! step by step and zero-padded to whole tiles, so the micro-kernel reads both operands as two
//! contiguous streams.

use super::MatRef;

/// A 64-byte-aligned window of `len` floats in `buf` (grown as needed; contents are stale).
pub(super) fn aligned(buf: &mut Vec<f32>, len: usize) -> &mut [f32] {
    if buf.len() < len + 16 {
        buf.resize(len + 16, 0.0);
    }
    let off = buf.as_ptr().align_offset(64).min(16);
    &mut buf[off..off + len]
}

/// Copies the first `len ≤ N` floats of `src` to the start of `dst`. A whole run of `N` is a
/// fixed-length copy, which compiles to N/4 vector moves; a variable-length `copy_from_slice`
/// is a `memory.copy` call in wasm, and one per packed row cost more than the multiply itself
/// at n = 64.
#[inline(always)]
fn copy_run<const N: usize>(dst: &mut [f32], src: &[f32], len: usize) {
    if len == N {
        let whole: &[f32; N] = src[..N].try_into().expect("N floats");
        dst[..N].copy_from_slice(whole);
    } else {
        dst[..len].copy_from_slice(&src[..len]);
    }
}

/// Packs rows `i0..i0+mc` × cols `p0..p0+kc` of A into MR-row panels: panel `q` holds, for each
/// p, the MR values A[i0+q·MR+r, p0+p] (zero beyond row `mc`).
pub(super) fn pack_a<const MR: usize>(
    a: MatRef,
    i0: usize,
    mc: usize,
    p0: usize,
    kc: usize,
    out: &mut [f32],
) {
    for (q, panel) in out.chunks_exact_mut(kc * MR).enumerate() {
        let rows = (mc - q * MR).min(MR);
        let i = i0 + q * MR;
        if rows < MR {
            panel.fill(0.0);
        }
        if a.cs == 1 && rows == MR {
            // Row-major A, a whole panel: interleave MR contiguous row slices in one pass.
            let src: [&[f32]; MR] = std::array::from_fn(|r| &a.data[(i + r) * a.rs + p0..][..kc]);
            let done = interleave(&src, panel);
            for (p, dst) in panel.chunks_exact_mut(MR).enumerate().take(kc).skip(done) {
                for (d, row) in dst.iter_mut().zip(&src) {
                    *d = row[p];
                }
            }
        } else if a.cs == 1 {
            for r in 0..rows {
                let src = &a.data[(i + r) * a.rs + p0..][..kc];
                for (dst, &v) in panel.chunks_exact_mut(MR).zip(src) {
                    dst[r] = v;
                }
            }
        } else if a.rs == 1 {
            // Transposed A (`Aᵀ·B` in backward): each step's values are contiguous.
            for (p, dst) in panel.chunks_exact_mut(MR).enumerate() {
                copy_run::<MR>(dst, &a.data[(p0 + p) * a.cs + i..], rows);
            }
        } else {
            for (p, dst) in panel.chunks_exact_mut(MR).enumerate() {
                for (r, d) in dst.iter_mut().enumerate().take(rows) {
                    *d = a.at(i + r, p0 + p);
                }
            }
        }
    }
}

/// Interleaves MR = 3 or 4 rows four steps at a time: MR vector loads, then a 4×4 transpose
/// in eight shuffles (MR = 4) or a 3×4 one in five (MR = 3), then MR vector stores. Returns how
/// many steps it wrote (the caller copies the rest one value at a time). Scalar packing spent
/// 16 loads and 16 stores per 4×4 block, a sixth of an n = 64 multiply; for the 3×12 tile the
/// 3×4 transpose made n = 128…1024 0.5–1.7 % faster in interleaved node A/B.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn interleave<const MR: usize>(src: &[&[f32]; MR], panel: &mut [f32]) -> usize {
    use core::arch::wasm32::*;
    if MR != 3 && MR != 4 {
        return 0;
    }
    let blocks = src[0].len() / 4;
    assert!(src.iter().all(|r| r.len() >= 4 * blocks) && panel.len() >= 4 * MR * blocks);
    for q in 0..blocks {
        // SAFETY: the assert bounds the MR 4-float loads at 4q and the 4·MR-float store at
        // 4·MR·q.
        unsafe {
            let v: [v128; MR] =
                std::array::from_fn(|r| v128_load(src[r].as_ptr().add(4 * q) as *const v128));
            let out = panel.as_mut_ptr().add(4 * MR * q) as *mut v128;
            let lo01 = i32x4_shuffle::<0, 4, 1, 5>(v[0], v[1]); // a0 b0 a1 b1
            let hi01 = i32x4_shuffle::<2, 6, 3, 7>(v[0], v[1]); // a2 b2 a3 b3
            if MR == 3 {
                // a0 b0 c0 a1 | b1 c1 a2 b2 | c2 a3 b3 c3
                let t = i32x4_shuffle::<3, 5, 3, 5>(lo01, v[2]); // b1 c1 . .
                v128_store(out, i32x4_shuffle::<0, 1, 4, 2>(lo01, v[2]));
                v128_store(out.add(1), i32x4_shuffle::<0, 1, 4, 5>(t, hi01));
                v128_store(out.add(2), i32x4_shuffle::<6, 2, 3, 7>(hi01, v[2]));
            } else {
                // v[MR - 1] is v[3]: spelled so that the MR = 3 instance still compiles.
                let lo23 = i32x4_shuffle::<0, 4, 1, 5>(v[2], v[MR - 1]);
                let hi23 = i32x4_shuffle::<2, 6, 3, 7>(v[2], v[MR - 1]);
                v128_store(out, i64x2_shuffle::<0, 2>(lo01, lo23));
                v128_store(out.add(1), i64x2_shuffle::<1, 3>(lo01, lo23));
                v128_store(out.add(2), i64x2_shuffle::<0, 2>(hi01, hi23));
                v128_store(out.add(3), i64x2_shuffle::<1, 3>(hi01, hi23));
            }
        }
    }
    4 * blocks
}

/// Without wasm SIMD the scalar loop packs every step (LLVM vectorises it natively).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn interleave<const MR: usize>(_src: &[&[f32]; MR], _panel: &mut [f32]) -> usize {
    0
}

/// Packs rows `p0..p0+kc` × cols `j0..j0+nc` of B into NR-column panels (zero-padded).
pub(super) fn pack_b<const NR: usize>(
    b: MatRef,
    p0: usize,
    kc: usize,
    j0: usize,
    nc: usize,
    out: &mut [f32],
) {
    for (q, panel) in out.chunks_exact_mut(kc * NR).enumerate() {
        let (j, cols) = (j0 + q * NR, (nc - q * NR).min(NR));
        if cols < NR {
            panel.fill(0.0);
        }
        if b.cs == 1 {
            for (p, dst) in panel.chunks_exact_mut(NR).enumerate() {
                copy_run::<NR>(dst, &b.data[(p0 + p) * b.rs + j..], cols);
            }
        } else if b.rs == 1 {
            // Transposed B: each column is contiguous; read it in order, write it strided.
            for c in 0..cols {
                let src = &b.data[(j + c) * b.cs + p0..][..kc];
                for (dst, &v) in panel.chunks_exact_mut(NR).zip(src) {
                    dst[c] = v;
                }
            }
        } else {
            for (p, dst) in panel.chunks_exact_mut(NR).enumerate() {
                for (c, d) in dst.iter_mut().enumerate().take(cols) {
                    *d = b.at(p0 + p, j + c);
                }
            }
        }
    }
}
