//! The f32x4 arithmetic peak of this build: independent multiply-add chains with no memory
//! traffic, the anchor `make bench` divides matmul GFLOP/s by. The host's clock moves between
//! runs (a shared machine boosts when its neighbours are idle); the ratio to the peak measured
//! in the same run moves much less.

/// Independent chains: FMA latency (4 cycles) × 2 pipes needs 8 in flight; 10 leave margin and,
/// with the two operands, still fit V8's 16 vector registers.
const CHAINS: usize = 10;

/// Floating-point operations per step of [`chains`]: 10 chains × 4 lanes × (mul + add).
pub const FLOPS_PER_STEP: usize = CHAINS * 4 * 2;

/// Runs `steps` steps of 10 independent f32x4 chains `acc = acc·y + x` — fused in the relaxed
/// flavour (`fused = true`, one `f32x4_relaxed_madd`), `mul` then `add` otherwise — and
/// returns a value that depends on every chain (so nothing is optimised away).
///
/// `fused` needs the relaxed-SIMD build; elsewhere the chains run `f32::mul_add` (on native
/// targets without hardware FMA that is a library call: only the wasm builds measure a peak).
///
/// # Example
/// ```
/// let v = tinytorch::kernels::peak_chains(false, 100, 0.5, 0.5);
/// assert!((v - 40.0).abs() < 1e-3); // every lane converges to x / (1 − y) = 1
/// ```
pub fn peak_chains(fused: bool, steps: usize, x: f32, y: f32) -> f32 {
    // Opaque operands: LLVM must not fold them into `v128.const`s (V8 rematerialises a constant
    // in the loop every step, which halves the peak) or see that the chains are alike.
    let (x, y) = (core::hint::black_box(x), core::hint::black_box(y));
    if fused {
        chains::<true>(steps, x, y)
    } else {
        chains::<false>(steps, x, y)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn chains<const FMA: bool>(steps: usize, x: f32, y: f32) -> f32 {
    use core::arch::wasm32::*;
    let (xv, yv) = (f32x4_splat(x), f32x4_splat(y));
    // Chains that start apart: ten identical chains would be merged into one by LLVM.
    let mut acc: [v128; CHAINS] = core::array::from_fn(|i| f32x4_splat(1.0 + i as f32));
    for _ in 0..steps {
        for a in acc.iter_mut() {
            *a = super::micro::madd::<FMA>(*a, yv, xv);
        }
    }
    let s = acc.iter().fold(f32x4_splat(0.0), |s, &a| f32x4_add(s, a));
    f32x4_extract_lane::<0>(s)
        + f32x4_extract_lane::<1>(s)
        + f32x4_extract_lane::<2>(s)
        + f32x4_extract_lane::<3>(s)
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn chains<const FMA: bool>(steps: usize, x: f32, y: f32) -> f32 {
    let mut acc: [[f32; 4]; CHAINS] = core::array::from_fn(|i| [1.0 + i as f32; 4]);
    for _ in 0..steps {
        for lane in acc.iter_mut().flatten() {
            *lane = if FMA {
                lane.mul_add(y, x)
            } else {
                *lane * y + x
            };
        }
    }
    acc.iter().flatten().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_compute_the_recurrence_in_both_flavours() {
        // Chain i starts at 1 + i; acc ← acc·y + x with x = 1, y = 2 gives 8(1 + i) + 7 after
        // 3 steps, so the 40 lanes sum to 4·(8·55 + 70) = 2040; with no step, 4·55 = 220.
        for fused in [false, true] {
            assert_eq!(peak_chains(fused, 3, 1.0, 2.0), 2040.0);
            assert_eq!(peak_chains(fused, 0, 1.0, 2.0), 220.0);
        }
    }
}
