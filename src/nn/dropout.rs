//! `Dropout`: inverted dropout in training mode, the identity in evaluation mode.

use super::module::{Layer, Module, Site};
use crate::error::{Error, Result};
use crate::rng::with_rng;
use crate::tensor::{Array, Tensor};
use std::any::Any;
use std::rc::Rc;

/// Zeroes each element with probability `p` during training and scales the survivors by
/// `1/(1−p)`, so evaluation needs no rescaling. Masks come from the global seeded generator.
///
/// # Example
/// ```
/// use tinytorch::{nn::{Dropout, Module}, Tensor};
/// let d = Dropout::new(0.5).unwrap();
/// d.eval();
/// let x = Tensor::ones(&[4]);
/// assert_eq!(d.forward(&x).unwrap().to_vec(), vec![1.0; 4]);
/// assert!(Dropout::new(1.5).is_err());
/// ```
pub struct Dropout {
    site: Site,
    p: f32,
}

impl Dropout {
    /// Dropout with drop probability `p` in `[0, 1]`.
    ///
    /// # Errors
    /// If `p` is outside `[0, 1]` or NaN.
    pub fn new(p: f32) -> Result<Dropout> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::Arg {
                op: "Dropout",
                msg: format!("p must be in [0, 1], got {p}"),
            });
        }
        Ok(Dropout {
            site: Site::new(),
            p,
        })
    }

    /// The drop probability.
    pub fn p(&self) -> f32 {
        self.p
    }

    /// Wraps the layer in a shared handle for containers.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for Dropout {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if !self.site.training() || self.p == 0.0 {
            return Ok(x.clone());
        }
        let keep = 1.0 - self.p;
        let shape = x.shape();
        // Built as a tensor multiply, so gradients flow through the kept elements.
        let mask: Array = with_rng(|r| {
            Array::from_shape_simple_fn(ndarray::IxDyn(&shape), || {
                if keep > 0.0 && r.uniform() < keep {
                    1.0 / keep
                } else {
                    0.0
                }
            })
        });
        x.try_mul(&Tensor::from_array(mask))
    }
    fn kind(&self) -> &'static str {
        "Dropout"
    }
    fn describe(&self) -> String {
        format!("Dropout(p={})", self.p)
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
