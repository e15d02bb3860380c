//! `Sequential`: layers applied one after another.

use super::module::{call, Layer, Module, Site};
use crate::error::Result;
use crate::tensor::Tensor;
use std::any::Any;
use std::rc::Rc;

/// Runs its layers in order; layer `i` is named `"i"`.
///
/// # Example
/// ```
/// use tinytorch::{nn::{Linear, Module, ReLU, Sequential}, Tensor};
/// let net = Sequential::new(vec![
///     Linear::new(4, 8, true).into_layer(),
///     ReLU::new().into_layer(),
///     Linear::new(8, 2, true).into_layer(),
/// ]);
/// assert_eq!(net.forward(&Tensor::zeros(&[5, 4])).unwrap().shape(), vec![5, 2]);
/// assert_eq!(net.parameters().len(), 4);
/// ```
pub struct Sequential {
    site: Site,
    layers: Vec<Layer>,
}

impl Sequential {
    /// A container running `layers` in order.
    pub fn new(layers: Vec<Layer>) -> Sequential {
        Sequential {
            site: Site::new(),
            layers,
        }
    }

    /// Appends a layer.
    pub fn push(&mut self, layer: Layer) {
        self.layers.push(layer);
    }

    /// The layers.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Wraps the container in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for Sequential {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut h = x.clone();
        for layer in &self.layers {
            h = call(&**layer, &h)?;
        }
        Ok(h)
    }
    fn kind(&self) -> &'static str {
        "Sequential"
    }
    fn describe(&self) -> String {
        format!("Sequential({} layers)", self.layers.len())
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn children(&self) -> Vec<(String, &dyn Module)> {
        self.layers
            .iter()
            .enumerate()
            .map(|(i, l)| (i.to_string(), &**l))
            .collect()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
