//! Activation layers (course module 02): ReLU, Sigmoid, Tanh, GELU and Softmax as modules.

use super::module::{Layer, Module, Site};
use crate::error::Result;
use crate::tensor::Tensor;
use std::any::Any;
use std::rc::Rc;

macro_rules! activation {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $f:ident) => {
        $(#[$doc])*
        #[derive(Default)]
        pub struct $name {
            site: Site,
        }

        impl $name {
            /// A new layer (it has no parameters).
            pub fn new() -> $name {
                $name { site: Site::new() }
            }
            /// Wraps the layer in a shared handle for containers.
            pub fn into_layer(self) -> Layer {
                Rc::new(self)
            }
        }

        impl Module for $name {
            fn forward(&self, x: &Tensor) -> Result<Tensor> {
                Ok(x.$f())
            }
            fn flops(&self, _input: &[usize], output: &[usize]) -> u64 {
                output.iter().product::<usize>() as u64
            }
            fn kind(&self) -> &'static str {
                $kind
            }
            fn site(&self) -> &Site {
                &self.site
            }
            fn as_any(&self) -> &dyn Any {
                self
            }
        }
    };
}

activation!(
    /// `max(0, x)` element-wise.
    ///
    /// # Example
    /// ```
    /// use tinytorch::{nn::{Module, ReLU}, Tensor};
    /// let y = ReLU::new().forward(&Tensor::from_vec(vec![-1.0, 2.0], &[2]).unwrap()).unwrap();
    /// assert_eq!(y.to_vec(), vec![0.0, 2.0]);
    /// ```
    ReLU, "ReLU", relu
);
activation!(
    /// The logistic sigmoid `1 / (1 + e^−x)`, stable for any input.
    Sigmoid, "Sigmoid", sigmoid
);
activation!(
    /// Hyperbolic tangent.
    Tanh, "Tanh", tanh
);
activation!(
    /// GELU, tanh approximation `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`; backward is the
    /// exact derivative of this formula.
    GELU, "GELU", gelu
);

/// Softmax along one axis (default the last).
///
/// # Example
/// ```
/// use tinytorch::{nn::{Module, Softmax}, Tensor};
/// let p = Softmax::new(-1).forward(&Tensor::zeros(&[2, 4])).unwrap();
/// assert_eq!(p.to_vec(), vec![0.25; 8]);
/// ```
pub struct Softmax {
    site: Site,
    axis: isize,
}

impl Softmax {
    /// Softmax over `axis` (negative counts from the end).
    pub fn new(axis: isize) -> Softmax {
        Softmax {
            site: Site::new(),
            axis,
        }
    }
    /// Wraps the layer in a shared handle for containers.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for Softmax {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.try_softmax(self.axis)
    }
    fn flops(&self, _input: &[usize], output: &[usize]) -> u64 {
        output.iter().product::<usize>() as u64
    }
    fn kind(&self) -> &'static str {
        "Softmax"
    }
    fn describe(&self) -> String {
        format!("Softmax(axis {})", self.axis)
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
