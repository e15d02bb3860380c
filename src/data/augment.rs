//! Data augmentations (course module 08): random flips and crops applied to one sample at a time.
//!
//! Samples are `HW` or `CHW` arrays (the crate's convolution layout; `HWC` is not supported).
//! Randomness comes from the generator passed in, never the global one, so a
//! [`DataLoader`](super::DataLoader) can replay the same augmentations for a seed and epoch.
//!
//! Horizontal flips suit natural images but not digits: a mirrored 2, 3, 5 or 7 is no longer
//! that digit. For the digits set use [`RandomCrop`] (small shifts) only.

use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Array;
use ndarray::{Axis, IxDyn};

/// A random transformation of one sample.
///
/// # Example
/// ```
/// use tinytorch::{data::{RandomCrop, Transform}, rng::Rng, tensor::Array};
/// let x = Array::ones(ndarray::IxDyn(&[1, 8, 8]));
/// let y = RandomCrop::new(8, 1).unwrap().apply(&x, &mut Rng::new(0)).unwrap();
/// assert_eq!(y.shape(), &[1, 8, 8]);
/// ```
pub trait Transform {
    /// Transforms `x` (an `HW` or `CHW` sample, no batch axis), drawing from `rng`.
    ///
    /// # Errors
    /// If `x` has a rank or size the transform cannot handle.
    fn apply(&self, x: &Array, rng: &mut Rng) -> Result<Array>;

    /// A short name for messages and logs, e.g. `"RandomCrop"`.
    fn name(&self) -> &'static str;
}

/// Mirrors the last axis (left-right) with probability `p`.
///
/// # Example
/// ```
/// use tinytorch::{data::{RandomHorizontalFlip, Transform}, rng::Rng, tensor::Array};
/// let x = Array::from_shape_vec(ndarray::IxDyn(&[1, 3]), vec![1.0, 2.0, 3.0]).unwrap();
/// let y = RandomHorizontalFlip::new(1.0).unwrap().apply(&x, &mut Rng::new(0)).unwrap();
/// assert_eq!(y.iter().copied().collect::<Vec<_>>(), [3.0, 2.0, 1.0]);
/// assert!(RandomHorizontalFlip::new(1.5).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct RandomHorizontalFlip {
    p: f32,
}

impl RandomHorizontalFlip {
    /// Flips with probability `p` (TinyTorch's default is 0.5).
    ///
    /// # Errors
    /// If `p` is outside `[0, 1]` or NaN.
    pub fn new(p: f32) -> Result<RandomHorizontalFlip> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::Arg {
                op: "RandomHorizontalFlip",
                msg: format!("p must be in [0, 1], got {p}"),
            });
        }
        Ok(RandomHorizontalFlip { p })
    }

    /// The flip probability.
    pub fn p(&self) -> f32 {
        self.p
    }
}

impl Transform for RandomHorizontalFlip {
    fn apply(&self, x: &Array, rng: &mut Rng) -> Result<Array> {
        if x.ndim() == 0 {
            return Err(Error::Arg {
                op: "RandomHorizontalFlip",
                msg: "cannot flip a 0-d array".into(),
            });
        }
        // Always draw, even for p = 0 or 1, so the stream position never depends on p.
        // uniform() is in [0, 1): p = 0 never flips and p = 1 always does.
        if rng.uniform() >= self.p {
            return Ok(x.to_owned());
        }
        let mut y = x.to_owned();
        y.invert_axis(Axis(x.ndim() - 1));
        Ok(y.as_standard_layout().into_owned())
    }

    fn name(&self) -> &'static str {
        "RandomHorizontalFlip"
    }
}

/// Zero-pads the last two axes by `padding` on every side, then takes a random `size × size`
/// window: small random shifts that teach a model some translation invariance.
///
/// # Example
/// ```
/// use tinytorch::{data::{RandomCrop, Transform}, rng::Rng, tensor::Array};
/// let x = Array::ones(ndarray::IxDyn(&[8, 8]));
/// let y = RandomCrop::new(6, 0).unwrap().apply(&x, &mut Rng::new(1)).unwrap();
/// assert_eq!(y.shape(), &[6, 6]);
/// assert!(RandomCrop::new(11, 1).unwrap().apply(&x, &mut Rng::new(1)).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct RandomCrop {
    size: usize,
    padding: usize,
}

impl RandomCrop {
    /// Crops `size × size` after padding by `padding` (TinyTorch's default padding is 4; for
    /// 8×8 digits 1 is more sensible).
    ///
    /// # Errors
    /// If `size` is 0.
    pub fn new(size: usize, padding: usize) -> Result<RandomCrop> {
        if size == 0 {
            return Err(Error::Arg {
                op: "RandomCrop",
                msg: "size must be at least 1".into(),
            });
        }
        Ok(RandomCrop { size, padding })
    }
}

impl Transform for RandomCrop {
    fn apply(&self, x: &Array, rng: &mut Rng) -> Result<Array> {
        let nd = x.ndim();
        if nd < 2 {
            return Err(Error::Arg {
                op: "RandomCrop",
                msg: format!("needs an HW or CHW sample, got shape {:?}", x.shape()),
            });
        }
        let (h, w) = (x.shape()[nd - 2], x.shape()[nd - 1]);
        let (p, s) = (self.padding, self.size);
        let (hp, wp) = (h + 2 * p, w + 2 * p);
        if s > hp || s > wp {
            let msg = format!("crop {s}x{s} is larger than the padded input {hp}x{wp}");
            return Err(Error::Arg {
                op: "RandomCrop",
                msg,
            });
        }
        let (top, left) = (rng.below(hp - s + 1), rng.below(wp - s + 1));
        // Read straight from the input instead of building the padded copy: output (i, j) is
        // input (top + i - p, left + j - p), or 0 where that falls in the padding.
        let src = x.as_standard_layout();
        let src = src.as_slice().expect("standard layout");
        let planes: usize = x.shape()[..nd - 2].iter().product();
        let mut out = vec![0.0f32; planes * s * s];
        for c in 0..planes {
            for i in 0..s {
                let Some(r) = (top + i).checked_sub(p).filter(|&r| r < h) else {
                    continue;
                };
                for j in 0..s {
                    if let Some(q) = (left + j).checked_sub(p).filter(|&q| q < w) {
                        out[(c * s + i) * s + j] = src[(c * h + r) * w + q];
                    }
                }
            }
        }
        let mut shape = x.shape().to_vec();
        shape[nd - 2] = s;
        shape[nd - 1] = s;
        Ok(Array::from_shape_vec(IxDyn(&shape), out).expect("sizes agree"))
    }

    fn name(&self) -> &'static str {
        "RandomCrop"
    }
}

/// Applies transforms in order (an empty `Compose` is the identity).
///
/// # Example
/// ```
/// use tinytorch::{data::{Compose, RandomCrop, RandomHorizontalFlip, Transform}, rng::Rng};
/// let t = Compose(vec![
///     Box::new(RandomCrop::new(28, 2).unwrap()),
///     Box::new(RandomHorizontalFlip::new(0.5).unwrap()),
/// ]);
/// let x = tinytorch::tensor::Array::zeros(ndarray::IxDyn(&[3, 28, 28]));
/// assert_eq!(t.apply(&x, &mut Rng::new(0)).unwrap().shape(), &[3, 28, 28]);
/// ```
pub struct Compose(pub Vec<Box<dyn Transform>>);

impl Transform for Compose {
    fn apply(&self, x: &Array, rng: &mut Rng) -> Result<Array> {
        let mut y = x.to_owned();
        for t in &self.0 {
            y = t.apply(&y, rng)?;
        }
        Ok(y)
    }

    fn name(&self) -> &'static str {
        "Compose"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(shape: &[usize]) -> Array {
        let n = shape.iter().product();
        Array::from_shape_vec(IxDyn(shape), (0..n).map(|v| v as f32).collect()).unwrap()
    }

    #[test]
    fn flip_twice_is_identity_and_flips_the_last_axis() {
        let x = sample(&[2, 3, 4]);
        let f = RandomHorizontalFlip::new(1.0).unwrap();
        let mut rng = Rng::new(0);
        let once = f.apply(&x, &mut rng).unwrap();
        assert_eq!(once[[0, 0, 0]], 3.0);
        assert_eq!(once[[1, 2, 3]], x[[1, 2, 0]]);
        assert_eq!(f.apply(&once, &mut rng).unwrap(), x);
    }

    #[test]
    fn flip_probability_zero_never_one_always() {
        let x = sample(&[4, 4]);
        let never = RandomHorizontalFlip::new(0.0).unwrap();
        let always = RandomHorizontalFlip::new(1.0).unwrap();
        let mut flipped = x.clone();
        flipped.invert_axis(Axis(1));
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            assert_eq!(never.apply(&x, &mut rng).unwrap(), x);
            assert_eq!(always.apply(&x, &mut rng).unwrap(), flipped);
        }
        for bad in [-0.1, 1.01, f32::NAN] {
            assert!(RandomHorizontalFlip::new(bad).is_err());
        }
        assert!(never.apply(&Array::zeros(IxDyn(&[])), &mut rng).is_err());
    }

    fn crop(size: usize, pad: usize, shape: &[usize], seed: u64) -> Result<Array> {
        RandomCrop::new(size, pad)?.apply(&sample(shape), &mut Rng::new(seed))
    }

    #[test]
    fn crop_shapes_and_errors() {
        assert_eq!(crop(6, 2, &[3, 8, 8], 1).unwrap().shape(), &[3, 6, 6]);
        assert_eq!(crop(6, 2, &[8, 8], 1).unwrap().shape(), &[6, 6]);
        assert!(crop(13, 2, &[8, 8], 1).is_err());
        assert!(crop(6, 2, &[8], 1).is_err());
        assert!(RandomCrop::new(0, 1).is_err());
    }

    #[test]
    fn full_size_crop_without_padding_is_identity() {
        for seed in 0..5 {
            for shape in [&[5, 5][..], &[2, 5, 5], &[1, 3, 5, 5]] {
                assert_eq!(crop(5, 0, shape, seed).unwrap(), sample(shape));
            }
        }
        // Empty planes pad to zeros rather than reading out of bounds.
        let zeros = Array::zeros(IxDyn(&[3, 2, 2]));
        assert_eq!(crop(2, 1, &[3, 0, 4], 0).unwrap(), zeros);
    }

    #[test]
    fn padded_crop_shifts_content_and_fills_zeros() {
        let x = Array::ones(IxDyn(&[1, 4, 4]));
        let c = RandomCrop::new(4, 1).unwrap();
        let mut rng = Rng::new(3);
        let mut saw_shift = false;
        for _ in 0..50 {
            let y = c.apply(&x, &mut rng).unwrap();
            let zeros = y.iter().filter(|&&v| v == 0.0).count();
            // A shift by (dy, dx) in {-1, 0, 1}² uncovers 0, 4, 4 or 7 padded cells.
            assert!([0, 4, 7].contains(&zeros), "{zeros}");
            saw_shift |= zeros > 0;
        }
        assert!(saw_shift);
    }

    #[test]
    fn compose_chains_in_order() {
        let t = Compose(vec![
            Box::new(RandomCrop::new(2, 0).unwrap()),
            Box::new(RandomHorizontalFlip::new(1.0).unwrap()),
        ]);
        let y = t.apply(&sample(&[2, 2]), &mut Rng::new(0)).unwrap();
        assert_eq!(y.iter().copied().collect::<Vec<_>>(), [1.0, 0.0, 3.0, 2.0]);
        let identity = Compose(vec![]).apply(&sample(&[2, 2]), &mut Rng::new(0));
        assert_eq!(identity.unwrap(), sample(&[2, 2]));
    }
}
