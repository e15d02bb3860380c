//! Register-tile micro-kernels: `C[0..R, 0..4V] += Σ_p A[p, 0..R] ⊗ B[p, 0..4V]` over packed
//! panels, one generic body per flavour, and the tables the GEMM driver picks them from.
//!
//! Each flavour has its own tile, tuned in Chromium (V8 keeps about 15 vector registers):
//! - `Simd` (`f32x4.mul` + `f32x4.add`): 4×8. Every product needs a temporary register, so
//!   8 accumulators are the most that fit; 3×12 spills and runs at 60 %.
//! - `Relaxed` (`f32x4_relaxed_madd`, one FMA): 3×12. Nine accumulators, three B vectors and
//!   one broadcast fit, and 9 FMAs per 6 loads leave V8's front end room to keep both FMA
//!   pipes busy: 49 GFLOP/s bare against 43 for 4×8.
//!   Narrow products (n < 96) use a 4×8 FMA tile instead: fewer edge panels. Fused edge
//!   tiles of at most 4 accumulators alternate two accumulator sets over k.
//! - `Scalar`: the twin of `Simd`, the same 4×8 products added in the same order.
//!
//! Whole tiles run through a [`Sweep`]: the full kernel inlined into a loop over a column (or
//! row) of tiles, so the call through the table is paid once per column, not once per tile.
//!
//! Tried and dropped: 5×8 and 6×8 (spill, 16–20 GFLOP/s), unrolling k (spills), splatting A
//! with shuffles of one `v128.load` (shuffles compete with the arithmetic for FP pipes),
//! pre-broadcast A panels (4× the packing traffic), the 3×12 fused tile at n = 64 (33 against
//! 40 GFLOP/s for 4×8: a 4-column edge panel, and B packed again), and the fused tiles reading
//! a row-major A in place, one pointer per row: 0–7 % faster in quiet phases but 4–10 % slower
//! while a neighbour shares the core, and the `mul` + `add` tile 12–15 % slower outright.

/// A micro-kernel: `kc` k-steps over an A panel (stride MR per step) and B rows `ldb` apart
/// (a packed panel has `ldb` = NR; small row-major B is read in place), added to `c` (row
/// stride `ldc`) when `keep`, else written over it.
pub type Kernel =
    fn(kc: usize, a: &[f32], b: &[f32], ldb: usize, c: &mut [f32], ldc: usize, keep: bool);

/// A run of `count` whole MR × NR tiles for one [`Sweep`] call: tile `t` reads the A panel at
/// `a[t·astep..]` and the B panel at `b[t·bstep..]`, and updates C at `c[t·cstep..]`.
///
/// Down a column of tiles (`bstep` = 0) one B panel meets every A panel of a block; along a
/// row (`astep` = 0) one A panel meets every B panel.
///
/// ```text
/// // 32 tiles of 3×12 down a column: A panels kc·3 floats apart, C rows 3·ldc apart.
/// let run = Run { count: 32, astep: kc * 3, bstep: 0, cstep: 3 * ldc };
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// Tiles in the run.
    pub count: usize,
    /// Floats between consecutive tiles' A panels.
    pub astep: usize,
    /// Floats between consecutive tiles' B panels.
    pub bstep: usize,
    /// Floats between consecutive tiles' top-left corners in C.
    pub cstep: usize,
}

/// The full MR × NR kernel over every tile of a [`Run`], inlined into one loop: the operands
/// of a [`Kernel`] (`kc, a, b, ldb, c, ldc, keep`), then the run. V8 spent 4–7 % of a 256-step
/// tile on the call through the table and the kernel's prologue; a sweep pays that once per
/// column of tiles.
pub type Sweep = fn(usize, &[f32], &[f32], usize, &mut [f32], usize, bool, Run);

/// The kernels of one flavour: `kernels[rows - 1][vectors - 1]` computes a `rows × 4·vectors`
/// corner of the MR × NR tile (edge tiles), all reading the same packed panel layout.
pub struct Tiles {
    /// Rows of the full tile (the A panel's stride per k step).
    pub mr: usize,
    /// Columns of the full tile (the B panel's stride per k step).
    pub nr: usize,
    pub kernels: &'static [&'static [Kernel]],
    pub sweep: Sweep,
}

/// The scalar body (the `Scalar` twin, and every flavour on targets without wasm SIMD):
/// products added in k order, once per multiply (`FMA = false`) or fused (`FMA = true`).
fn scalar<const R: usize, const V: usize, const MR: usize, const NR: usize, const FMA: bool>(
    kc: usize,
    a: &[f32],
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    keep: bool,
) {
    assert!(kc == 0 || b.len() >= (kc - 1) * ldb + 4 * V);
    let mut acc = [[0.0f32; 16]; R];
    #[inline(always)]
    fn step<const R: usize, const V: usize, const FMA: bool>(
        acc: &mut [[f32; 16]; R],
        ap: &[f32],
        bp: &[f32],
    ) {
        for (row, &av) in acc.iter_mut().zip(ap) {
            for (x, &bv) in row[..4 * V].iter_mut().zip(bp) {
                *x = if FMA {
                    av.mul_add(bv, *x)
                } else {
                    *x + av * bv
                };
            }
        }
    }
    // Two loops for LLVM's sake: over a packed panel, fixed-size chunks let it keep the tile
    // in registers and vectorise natively; a B read in place steps `ldb` floats per k.
    if ldb == NR {
        for (ap, bp) in a.chunks_exact(MR).zip(b.chunks_exact(NR)).take(kc) {
            step::<R, V, FMA>(&mut acc, ap, bp);
        }
    } else {
        for (p, ap) in a.chunks_exact(MR).take(kc).enumerate() {
            step::<R, V, FMA>(&mut acc, ap, &b[p * ldb..p * ldb + 4 * V]);
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (dst, v) in c[r * ldc..r * ldc + 4 * V].iter_mut().zip(row) {
            *dst = if keep { *dst + v } else { *v };
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(super) use wasm::madd;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use core::arch::wasm32::*;

    /// `c + a·b`: one fused `f32x4_relaxed_madd` when `FMA` in the relaxed build, else `mul`
    /// then `add` (two roundings).
    #[inline(always)]
    pub fn madd<const FMA: bool>(a: v128, b: v128, c: v128) -> v128 {
        #[cfg(target_feature = "relaxed-simd")]
        if FMA {
            return f32x4_relaxed_madd(a, b, c);
        }
        f32x4_add(c, f32x4_mul(a, b))
    }

    /// One k step into `acc`: V vectors of B at `pb`, then each row's broadcast of A at `pa`
    /// times them.
    ///
    /// # Safety
    /// `pa` must be readable for R floats and `pb` for 4·V.
    #[inline(always)]
    unsafe fn step<const R: usize, const V: usize, const FMA: bool>(
        acc: &mut [[v128; V]; R],
        pa: *const f32,
        pb: *const f32,
    ) {
        unsafe {
            let mut bv = [f32x4_splat(0.0); V];
            for (v, x) in bv.iter_mut().enumerate() {
                *x = v128_load(pb.add(4 * v) as *const v128);
            }
            // One broadcast live at a time: loading all R first would spill.
            for (r, row) in acc.iter_mut().enumerate() {
                let s = v128_load32_splat(pa.add(r) as *const u32);
                for (x, &bx) in row.iter_mut().zip(&bv) {
                    *x = madd::<FMA>(s, bx, *x);
                }
            }
        }
    }

    /// The f32x4 body: R broadcasts of A and V vectors of B per k step, R·V accumulators.
    #[inline(always)]
    pub fn simd<
        const R: usize,
        const V: usize,
        const MR: usize,
        const NR: usize,
        const FMA: bool,
    >(
        kc: usize,
        a: &[f32],
        b: &[f32],
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
        keep: bool,
    ) {
        assert!(kc > 0 && a.len() >= kc * MR && c.len() >= (R - 1) * ldc + 4 * V);
        assert!(b.len() >= (kc - 1) * ldb + 4 * V);
        // SAFETY: the asserts bound every pointer offset below (R ≤ MR, 4·V ≤ NR).
        unsafe {
            let mut acc = [[f32x4_splat(0.0); V]; R];
            let (mut pa, mut pb) = (a.as_ptr(), b.as_ptr());
            // An edge tile of at most 4 accumulators cannot cover the FMA latency (2 pipes ×
            // 4 cycles want 8 chains): run odd steps into a second set and add it at the end.
            // The n = 100…256 products ran 1–3 % faster. `mul` + `add` keeps one order: the
            // scalar twin must match it bit for bit.
            let split = FMA && R * V <= 4;
            if split {
                let mut odd = [[f32x4_splat(0.0); V]; R];
                for _ in 0..kc / 2 {
                    step::<R, V, FMA>(&mut acc, pa, pb);
                    step::<R, V, FMA>(&mut odd, pa.add(MR), pb.add(ldb));
                    pa = pa.add(2 * MR);
                    pb = pb.add(2 * ldb);
                }
                for (row, orow) in acc.iter_mut().zip(&odd) {
                    for (x, o) in row.iter_mut().zip(orow) {
                        *x = f32x4_add(*x, *o);
                    }
                }
            }
            // Loop on the A pointer itself: V8 then spends one compare per step, no counter.
            let end = pa.add(if split { kc % 2 } else { kc } * MR);
            while pa != end {
                step::<R, V, FMA>(&mut acc, pa, pb);
                pa = pa.add(MR);
                pb = pb.add(ldb);
            }
            let cp = c.as_mut_ptr();
            for (r, row) in acc.iter().enumerate() {
                for (v, x) in row.iter().enumerate() {
                    let d = cp.add(r * ldc + 4 * v) as *mut v128;
                    v128_store(
                        d,
                        if keep {
                            f32x4_add(v128_load(d), *x)
                        } else {
                            *x
                        },
                    );
                }
            }
        }
    }
}

/// Without wasm SIMD the vector flavours run the scalar body (identical results; LLVM
/// vectorises it with the host's SIMD).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use scalar as vector;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use wasm::simd as vector;

#[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
use scalar as fused;
/// Fused flavour: `f32x4_relaxed_madd` in the relaxed build, a scalar `mul_add` elsewhere
/// (what the relaxed instruction computes on FMA hardware).
#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
use wasm::simd as fused;

macro_rules! row {
    ($body:ident, $r:literal, [$($v:literal),*], $mr:literal, $nr:literal, $fma:literal) => {
        &[$($body::<$r, $v, $mr, $nr, $fma> as Kernel),*]
    };
}
macro_rules! table {
    ($body:ident, [$($r:literal),*], $vs:tt, $mr:literal, $nr:literal, $fma:literal) => {
        Tiles {
            mr: $mr,
            nr: $nr,
            kernels: &[$(row!($body, $r, $vs, $mr, $nr, $fma)),*],
            // The sweep: `$body`'s full tile called directly, so it inlines into this loop.
            sweep: |kc, a, b, ldb, c, ldc, keep, run| {
                for t in 0..run.count {
                    let (a, b) = (&a[t * run.astep..], &b[t * run.bstep..]);
                    let c = &mut c[t * run.cstep..];
                    $body::<$mr, { $nr / 4 }, $mr, $nr, $fma>(kc, a, b, ldb, c, ldc, keep);
                }
            },
        }
    };
}

/// The `Scalar` twin: 4×8, separate multiply and add.
pub static SCALAR: Tiles = table!(scalar, [1, 2, 3, 4], [1, 2], 4, 8, false);
/// The `Simd` flavour: 4×8 f32x4 `mul` + `add`.
pub static SIMD: Tiles = table!(vector, [1, 2, 3, 4], [1, 2], 4, 8, false);
/// The `Relaxed` flavour: 3×12 fused multiply-add.
pub static RELAXED: Tiles = table!(fused, [1, 2, 3], [1, 2, 3], 3, 12, true);
/// The `Relaxed` flavour on narrow products: 4×8 fused multiply-add. Below ~96 columns the
/// 3×12 tile spends too much of its time in edge panels (n = 64: 5 panels of 12 and one of 4).
pub static RELAXED_NARROW: Tiles = table!(fused, [1, 2, 3, 4], [1, 2], 4, 8, true);
