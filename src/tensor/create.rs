//! Tensor constructors: constants, ranges and seeded random draws.

use super::{Array, Tensor};
use crate::rng::with_rng;
use ndarray::IxDyn;

impl Tensor {
    /// All zeros. `Tensor::zeros(&[2, 3])` has shape `[2, 3]`.
    pub fn zeros(shape: &[usize]) -> Tensor {
        Tensor::from_array(Array::zeros(IxDyn(shape)))
    }

    /// All ones.
    pub fn ones(shape: &[usize]) -> Tensor {
        Tensor::from_array(Array::ones(IxDyn(shape)))
    }

    /// Every element equal to `value`.
    pub fn full(shape: &[usize], value: f32) -> Tensor {
        Tensor::from_array(Array::from_elem(IxDyn(shape), value))
    }

    /// A 0-d tensor holding one value.
    pub fn scalar(value: f32) -> Tensor {
        Tensor::from_array(Array::from_elem(IxDyn(&[]), value))
    }

    /// `[0, 1, ..., n-1]` as a 1-D tensor.
    pub fn arange(n: usize) -> Tensor {
        Tensor::from_array(Array::from_shape_fn(IxDyn(&[n]), |i| i[0] as f32))
    }

    /// Standard normal draws from the global seeded generator.
    ///
    /// # Example
    /// ```
    /// tinytorch::manual_seed(0);
    /// let w = tinytorch::Tensor::randn(&[4, 4]);
    /// assert_eq!(w.shape(), vec![4, 4]);
    /// ```
    pub fn randn(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        let v: Vec<f32> = with_rng(|r| (0..n).map(|_| r.normal()).collect());
        Tensor::from_vec(v, shape).expect("length matches")
    }

    /// Uniform draws in `[lo, hi)` from the global seeded generator.
    pub fn uniform(shape: &[usize], lo: f32, hi: f32) -> Tensor {
        let n: usize = shape.iter().product();
        let v: Vec<f32> = with_rng(|r| (0..n).map(|_| r.uniform_range(lo, hi)).collect());
        Tensor::from_vec(v, shape).expect("length matches")
    }

    /// Uniform draws in `[0, 1)`.
    pub fn rand(shape: &[usize]) -> Tensor {
        Tensor::uniform(shape, 0.0, 1.0)
    }

    /// A tensor of the same shape filled with zeros.
    pub fn zeros_like(&self) -> Tensor {
        Tensor::zeros(&self.shape())
    }
}
