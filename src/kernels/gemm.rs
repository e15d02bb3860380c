//! The cache-blocked GEMM driver: pack B into NR-wide panels (a small row-major B is read in
//! place) and A into MR-tall panels (zero-padded to whole tiles), then run the flavour's
//! micro-kernel over every tile, with smaller kernels of the same flavour on the edge tiles.
//!
//! Blocking that worked in V8 here: KC = 256 (a B micro-panel of 256×12 floats stays in L1),
//! MC = 96 (whole 3- and 4-row panels). Packing buffers are reused across calls, so small
//! matrices pay no allocation.

use super::micro::{self, Run, Tiles};
use super::pack::{aligned, pack_a, pack_b};
use super::{KernelKind, MatRef};
use std::cell::RefCell;

const KC: usize = 256;
const MC: usize = 96;
/// Wide enough that no course-sized B is split (re-packing A per split costs more than the
/// L2 misses of a 1 MB B block); rounded down to whole NR panels per flavour.
const NC: usize = 4096;
/// Below this many multiply-adds, packing and edge tiles cost more than they save (attention
/// over short sequences multiplies hundreds of 16×16 blocks per step).
const SMALL: usize = 16 * 16 * 16;
/// A row-major B block of at most this many floats (16 KB, half of L1) is read in place
/// instead of packed when every panel is whole: it stays in L1 anyway, and at n = 64 packing it
/// cost 4 % of the multiply.
const UNPACKED_B: usize = 4096;

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

/// Packing buffers, reused across calls so small matrices pay no allocation. Each holds
/// 16 floats of slack so the packed panels can start on a 64-byte line: a misaligned
/// `v128.load` that straddles two lines costs the micro-kernel up to half its speed.
#[derive(Default)]
struct Packs {
    a: Vec<f32>,
    b: Vec<f32>,
}

thread_local! {
    static PACK: RefCell<Packs> = RefCell::new(Packs::default());
}

/// Blocked GEMM with the micro-kernels of `kind` (anything but `Naive`).
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
    if m == 0 || n == 0 || k == 0 || m * n * k <= SMALL {
        if !accumulate {
            c.fill(0.0);
        }
        small(m, n, k, a, b, c);
        return;
    }
    // `blocked` checks that each table's tile is the MR × NR named here.
    match kind {
        KernelKind::Relaxed if n >= 96 => {
            blocked::<3, 12>(&micro::RELAXED, m, n, k, a, b, c, accumulate)
        }
        KernelKind::Relaxed => {
            blocked::<4, 8>(&micro::RELAXED_NARROW, m, n, k, a, b, c, accumulate)
        }
        KernelKind::Simd => blocked::<4, 8>(&micro::SIMD, m, n, k, a, b, c, accumulate),
        _ => blocked::<4, 8>(&micro::SCALAR, m, n, k, a, b, c, accumulate),
    }
}

/// The five loops around the micro-kernel (BLIS order): B panels of KC×NC stay in L2/L3, each
/// NR-wide B micro-panel stays in L1 while every MR-tall A micro-panel of the MC block
/// streams past it. A small B read in place stays in L1 whole, so there each A panel sweeps
/// all of B instead. Unless `accumulate`, the first k block writes C instead of adding to it
/// (no zero-fill pass over C first).
#[allow(clippy::too_many_arguments)]
fn blocked<const MR: usize, const NR: usize>(
    tiles: &Tiles,
    m: usize,
    n: usize,
    k: usize,
    a: MatRef,
    b: MatRef,
    c: &mut [f32],
    accumulate: bool,
) {
    assert_eq!(
        (tiles.mr, tiles.nr),
        (MR, NR),
        "gemm: kernel table for another tile"
    );
    let nc_max = NC / NR * NR;
    PACK.with(|bufs| {
        let bufs = &mut *bufs.borrow_mut();
        let mut tile = [0.0f32; 64];
        for j0 in (0..n).step_by(nc_max) {
            let nc = (n - j0).min(nc_max);
            for p0 in (0..k).step_by(KC) {
                let kc = (k - p0).min(KC);
                let keep = accumulate || p0 > 0;
                // B's panels: packed (NR floats per step), or read in place (b.rs per step).
                let (bsrc, ldb, bstep): (&[f32], usize, usize) =
                    if b.cs == 1 && nc.is_multiple_of(NR) && kc * nc <= UNPACKED_B {
                        (&b.data[p0 * b.rs + j0..], b.rs, NR)
                    } else {
                        let pb = aligned(&mut bufs.b, nc.div_ceil(NR) * kc * NR);
                        pack_b::<NR>(b, p0, kc, j0, nc, pb);
                        (pb, NR, kc * NR)
                    };
                if ldb != NR && nc > NR {
                    // B read in place stays in L1 whole, so keep each A panel hot instead: pack
                    // one panel and sweep all of B with it. L1 then holds B, one A panel and one
                    // strip of C (about 19 KB at n = 64), where the order below streams all
                    // 16 KB of packed A past every B panel; n = 48…64 ran 3–6 % faster. With a
                    // single B panel nothing is reused, and packing A one panel per call slowed
                    // convolution's im2col product (21632×9 · 9×8) by 5–10 %.
                    let pa = aligned(&mut bufs.a, kc * MR);
                    for i in (0..m).step_by(MR) {
                        let rows = (m - i).min(MR);
                        pack_a::<MR>(a, i, rows, p0, kc, pa);
                        let c = &mut c[i * n + j0..];
                        // A whole panel sweeps all of B in one call; a row edge tile by tile.
                        if rows == MR {
                            let run = Run {
                                count: nc / NR,
                                astep: 0,
                                bstep: NR,
                                cstep: NR,
                            };
                            (tiles.sweep)(kc, pa, bsrc, ldb, c, n, keep, run);
                            continue;
                        }
                        let kernel = tiles.kernels[rows - 1][NR / 4 - 1];
                        for q in 0..nc / NR {
                            kernel(kc, pa, &bsrc[q * NR..], ldb, &mut c[q * NR..], n, keep);
                        }
                    }
                    continue;
                }
                for i0 in (0..m).step_by(MC) {
                    let mc = (m - i0).min(MC);
                    let pa = aligned(&mut bufs.a, mc.div_ceil(MR) * kc * MR);
                    pack_a::<MR>(a, i0, mc, p0, kc, pa);
                    for qj in 0..nc.div_ceil(NR) {
                        let bpanel = &bsrc[qj * bstep..];
                        let (j, cols) = (j0 + qj * NR, (nc - qj * NR).min(NR));
                        let vectors = cols.div_ceil(4);
                        // Whole tiles down the column in one sweep; the row edge tile after.
                        let whole = if cols == NR { mc / MR } else { 0 };
                        if whole > 0 {
                            let run = Run {
                                count: whole,
                                astep: kc * MR,
                                bstep: 0,
                                cstep: MR * n,
                            };
                            (tiles.sweep)(kc, pa, bpanel, ldb, &mut c[i0 * n + j..], n, keep, run);
                        }
                        for (qi, apanel) in pa.chunks_exact(kc * MR).enumerate().skip(whole) {
                            let (i, rows) = (i0 + qi * MR, (mc - qi * MR).min(MR));
                            let kernel = tiles.kernels[rows - 1][vectors - 1];
                            if cols % 4 == 0 {
                                kernel(kc, apanel, bpanel, ldb, &mut c[i * n + j..], n, keep);
                            } else {
                                // A column edge that ends inside a vector: compute into a
                                // scratch tile, then write or add the valid part.
                                kernel(kc, apanel, bpanel, ldb, &mut tile, NR, false);
                                for r in 0..rows {
                                    let dst = &mut c[(i + r) * n + j..][..cols];
                                    for (d, v) in dst.iter_mut().zip(&tile[r * NR..]) {
                                        *d = if keep { *d + v } else { *v };
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
            // Wide enough for the 3×12 relaxed tile: row edge (67 = 22·3 + 1), a column edge
            // inside a vector (101 = 8·12 + 5) and one on a vector boundary (100 = 8·12 + 4).
            (67, 101, 70),
            (5, 100, 40),
            // Small row-major B read in place (whole panels, kc·n ≤ 4096): 4×8 at n = 64 and
            // n = 16 with a row edge, 3×12 at n = 96 with a row edge.
            (64, 64, 64),
            (33, 16, 70),
            (7, 96, 40),
            // 3-row A panels interleaved four steps at a time, over two k blocks (256 + 45).
            (10, 120, 301),
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
