//! The cache-blocked GEMM driver: pack B into NR-wide panels and A into MR-tall panels
//! (zero-padded to whole tiles), then run the 4×8 micro-kernel over every tile.
//!
//! Blocking that worked in V8 here: KC = 256 (a B panel of 256×8 floats stays in L1),
//! MC = 96, NC = 1024 (performance.md). Packing buffers are reused across calls, so small
//! matrices pay no allocation.

use super::micro::{self, MR, NR};
use super::{KernelKind, MatRef};
use std::cell::RefCell;

const KC: usize = 256;
const MC: usize = 96;
const NC: usize = 1024;
/// Below this many multiply-adds, packing and edge tiles cost more than they save (attention
/// over short sequences multiplies hundreds of 16×16 blocks per step).
const SMALL: usize = 16 * 16 * 16;

/// `c += a·b` without packing: rows of C accumulate `a[i,p]·b[p,·]` (contiguous rows of B
/// vectorise), or dot products when B is read transposed. Every kernel kind uses this path,
/// so Scalar and Simd stay bit-identical.
fn small(m: usize, n: usize, k: usize, a: MatRef, b: MatRef, c: &mut [f32]) {
    if b.cs == 1 {
        for (i, crow) in c.chunks_exact_mut(n).enumerate().take(m) {
            for p in 0..k {
                let av = a.at(i, p);
                let brow = &b.data[p * b.rs..][..n];
                for (cv, &bv) in crow.iter_mut().zip(brow) {
                    *cv += av * bv;
                }
            }
        }
    } else {
        for (i, crow) in c.chunks_exact_mut(n).enumerate().take(m) {
            for (j, cv) in crow.iter_mut().enumerate() {
                let mut acc = 0.0f32;
                for p in 0..k {
                    acc += a.at(i, p) * b.at(p, j);
                }
                *cv += acc;
            }
        }
    }
}

thread_local! {
    static PACK: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Packs rows `i0..i0+mc` × cols `p0..p0+kc` of A into MR-row panels: panel `q` holds, for each
/// p, the MR values A[i0+q·MR+r, p0+p] (zero beyond row `m`).
fn pack_a(a: MatRef, i0: usize, mc: usize, p0: usize, kc: usize, out: &mut Vec<f32>) {
    let panels = mc.div_ceil(MR);
    out.clear();
    out.resize(panels * kc * MR, 0.0);
    for (q, panel) in out.chunks_exact_mut(kc * MR).enumerate() {
        let rows = (mc - q * MR).min(MR);
        let i = i0 + q * MR;
        if a.cs == 1 {
            // Row-major A: interleave `rows` contiguous row slices.
            for r in 0..rows {
                let src = &a.data[(i + r) * a.rs + p0..][..kc];
                for (dst, &v) in panel.chunks_exact_mut(MR).zip(src) {
                    dst[r] = v;
                }
            }
        } else if a.rs == 1 {
            // Transposed A: each column is contiguous.
            for (p, dst) in panel.chunks_exact_mut(MR).enumerate() {
                dst[..rows].copy_from_slice(&a.data[(p0 + p) * a.cs + i..][..rows]);
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

/// Packs rows `p0..p0+kc` × cols `j0..j0+nc` of B into NR-column panels (zero-padded).
fn pack_b(b: MatRef, p0: usize, kc: usize, j0: usize, nc: usize, out: &mut Vec<f32>) {
    let panels = nc.div_ceil(NR);
    out.clear();
    out.resize(panels * kc * NR, 0.0);
    for (q, panel) in out.chunks_exact_mut(kc * NR).enumerate() {
        let cols = (nc - q * NR).min(NR);
        for (p, dst) in panel.chunks_exact_mut(NR).enumerate() {
            if b.cs == 1 {
                let start = (p0 + p) * b.rs + j0 + q * NR;
                dst[..cols].copy_from_slice(&b.data[start..start + cols]);
            } else if b.rs == 1 {
                let start = p0 + p + (j0 + q * NR) * b.cs;
                for (j, d) in dst.iter_mut().enumerate().take(cols) {
                    *d = b.data[start + j * b.cs];
                }
            } else {
                for (j, d) in dst.iter_mut().enumerate().take(cols) {
                    *d = b.at(p0 + p, j0 + q * NR + j);
                }
            }
        }
    }
}

/// Blocked GEMM with the micro-kernel of `kind` (anything but `Naive`).
#[allow(clippy::too_many_arguments)]
pub fn gemm_blocked(
    kind: KernelKind,
    m: usize,
    n: usize,
    k: usize,
    a: MatRef,
    b: MatRef,
    c: &mut [f32],
    accumulate: bool,
) {
    if !accumulate {
        c.fill(0.0);
    }
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    if m * n * k <= SMALL {
        small(m, n, k, a, b, c);
        return;
    }
    let kernel: fn(usize, &[f32], &[f32], &mut [f32], usize) = match kind {
        KernelKind::Simd => micro::simd,
        KernelKind::Relaxed => micro::relaxed,
        _ => micro::scalar,
    };
    PACK.with(|bufs| {
        let (pa, pb) = &mut *bufs.borrow_mut();
        let mut tile = [0.0f32; MR * NR];
        for j0 in (0..n).step_by(NC) {
            let nc = (n - j0).min(NC);
            for p0 in (0..k).step_by(KC) {
                let kc = (k - p0).min(KC);
                pack_b(b, p0, kc, j0, nc, pb);
                for i0 in (0..m).step_by(MC) {
                    let mc = (m - i0).min(MC);
                    pack_a(a, i0, mc, p0, kc, pa);
                    for (qj, bpanel) in pb.chunks_exact(kc * NR).enumerate() {
                        let (j, cols) = (j0 + qj * NR, (nc - qj * NR).min(NR));
                        for (qi, apanel) in pa.chunks_exact(kc * MR).enumerate() {
                            let (i, rows) = (i0 + qi * MR, (mc - qi * MR).min(MR));
                            if rows == MR && cols == NR {
                                kernel(kc, apanel, bpanel, &mut c[i * n + j..], n);
                            } else {
                                // Edge tile: compute into a scratch tile, add the valid part.
                                tile.fill(0.0);
                                kernel(kc, apanel, bpanel, &mut tile, NR);
                                for r in 0..rows {
                                    let dst = &mut c[(i + r) * n + j..(i + r) * n + j + cols];
                                    for (d, v) in dst.iter_mut().zip(&tile[r * NR..r * NR + cols]) {
                                        *d += v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::{gemm_naive, gemm_with, KernelKind, MatRef};
    use crate::rng::Rng;

    fn random(n: usize, rng: &mut Rng) -> Vec<f32> {
        (0..n).map(|_| rng.normal()).collect()
    }

    #[test]
    fn every_kernel_matches_naive_on_odd_tiny_and_transposed_shapes() {
        let mut rng = Rng::new(5);
        let shapes = [
            (1, 1, 1),
            (1, 7, 3),
            (5, 1, 9),
            (3, 5, 7),
            (4, 8, 1),
            (9, 17, 33),
            (13, 8, 300),
            (97, 31, 258),
            (130, 1030, 5),
        ];
        for &(m, n, k) in &shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = random(m * k, &mut rng);
                let b = random(k * n, &mut rng);
                let am = if ta {
                    MatRef::transposed(&a, m)
                } else {
                    MatRef::rows(&a, k)
                };
                let bm = if tb {
                    MatRef::transposed(&b, k)
                } else {
                    MatRef::rows(&b, n)
                };
                let mut want = vec![0.0; m * n];
                gemm_naive(m, n, k, am, bm, &mut want, false);
                for kind in [KernelKind::Scalar, KernelKind::Simd, KernelKind::Relaxed] {
                    for acc in [false, true] {
                        let mut got = vec![if acc { 1.0 } else { 7.0 }; m * n];
                        gemm_with(kind, m, n, k, am, bm, &mut got, acc);
                        for (g, w) in got.iter().zip(&want) {
                            let w = if acc { w + 1.0 } else { *w };
                            let tol = 1e-5 * (k as f32).sqrt() * w.abs().max(1.0);
                            assert!(
                                (g - w).abs() <= tol,
                                "{kind:?} {m}x{n}x{k} t=({ta},{tb}) acc={acc}: {g} vs {w}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn scalar_twin_and_simd_agree_bit_for_bit() {
        let mut rng = Rng::new(6);
        let (m, n, k) = (37, 45, 290);
        let (a, b) = (random(m * k, &mut rng), random(k * n, &mut rng));
        let run = |kind| {
            let mut c = vec![0.0; m * n];
            gemm_with(
                kind,
                m,
                n,
                k,
                MatRef::rows(&a, k),
                MatRef::rows(&b, n),
                &mut c,
                false,
            );
            c
        };
        assert_eq!(run(KernelKind::Scalar), run(KernelKind::Simd));
    }
}
