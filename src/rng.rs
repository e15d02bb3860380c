//! The one seeded random generator behind init, dropout, shuffling and sampling.
//!
//! xoshiro128++ (32-bit state words, so it is equally fast in wasm32) seeded through
//! SplitMix64. Normals use Box-Muller with `libm` so native and browser builds draw
//! bit-identical numbers from the same seed (std's `ln`/`cos` call the platform libm natively).

use std::cell::RefCell;

/// A small, fast, seedable generator (xoshiro128++).
///
/// # Example
/// ```
/// use tinytorch::rng::Rng;
/// let mut a = Rng::new(7);
/// let mut b = Rng::new(7);
/// assert_eq!(a.next_u32(), b.next_u32());
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rng {
    s: [u32; 4],
    spare_normal: Option<f32>,
}

impl Rng {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut z = seed;
        let mut next = || {
            // SplitMix64: spreads nearby seeds over the whole state space.
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        let (a, b) = (next(), next());
        let mut s = [a as u32, (a >> 32) as u32, b as u32, (b >> 32) as u32];
        if s == [0; 4] {
            s[0] = 1; // the all-zero state is a fixed point
        }
        Rng {
            s,
            spare_normal: None,
        }
    }

    /// Next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(7).wrapping_add(s[0]);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result
    }

    /// Uniform in `[0, 1)` with 24 bits of precision (every value exactly representable).
    pub fn uniform(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform_range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.uniform()
    }

    /// Standard normal N(0, 1) by Box-Muller (pairs are generated, the spare is kept).
    pub fn normal(&mut self) -> f32 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        // u1 in (0, 1] so ln(u1) is finite.
        let u1 = 1.0 - self.uniform() as f64;
        let u2 = self.uniform() as f64;
        let r = libm::sqrt(-2.0 * libm::log(u1));
        let theta = 2.0 * std::f64::consts::PI * u2;
        self.spare_normal = Some((r * libm::sin(theta)) as f32);
        (r * libm::cos(theta)) as f32
    }

    /// Uniform integer in `[0, n)` without modulo bias (Lemire's method). `n` must be > 0.
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0 && n <= u32::MAX as usize);
        let n = n as u32;
        let mut m = self.next_u32() as u64 * n as u64;
        if (m as u32) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u32) < threshold {
                m = self.next_u32() as u64 * n as u64;
            }
        }
        (m >> 32) as usize
    }

    /// Fisher-Yates shuffle in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

thread_local! {
    static GLOBAL: RefCell<Rng> = RefCell::new(Rng::new(0));
}

/// Reseeds the global generator (PyTorch's `torch.manual_seed`).
///
/// # Example
/// ```
/// tinytorch::manual_seed(42);
/// let a = tinytorch::Tensor::randn(&[3]);
/// tinytorch::manual_seed(42);
/// let b = tinytorch::Tensor::randn(&[3]);
/// assert_eq!(a.to_vec(), b.to_vec());
/// ```
pub fn manual_seed(seed: u64) {
    GLOBAL.with(|g| *g.borrow_mut() = Rng::new(seed));
}

/// Runs `f` with the global generator.
pub fn with_rng<T>(f: impl FnOnce(&mut Rng) -> T) -> T {
    GLOBAL.with(|g| f(&mut g.borrow_mut()))
}

/// A copy of the global generator's state (gradcheck replays dropout masks with it).
pub fn snapshot() -> Rng {
    with_rng(|r| r.clone())
}

/// Puts back a state taken by [`snapshot`].
pub fn restore(state: Rng) {
    GLOBAL.with(|g| *g.borrow_mut() = state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_is_in_range_and_mean_half() {
        let mut r = Rng::new(1);
        let xs: Vec<f32> = (0..10_000).map(|_| r.uniform()).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = xs.iter().sum::<f32>() / xs.len() as f32;
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut r = Rng::new(2);
        let xs: Vec<f32> = (0..20_000).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f32>() / xs.len() as f32;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / xs.len() as f32;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "mean {mean} var {var}"
        );
    }

    #[test]
    fn below_covers_range_without_bias() {
        let mut r = Rng::new(3);
        let mut counts = [0usize; 7];
        for _ in 0..70_000 {
            counts[r.below(7)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{counts:?}"
        );
    }
}
