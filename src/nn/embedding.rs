//! Embeddings (course module 11): a learned lookup table, and the fixed sinusoidal position
//! table.

use super::module::{Layer, Module, Site};
use crate::error::{Error, Result};
use crate::ops::embedding::ids_of;
use crate::tensor::Tensor;
use std::any::Any;
use std::rc::Rc;

/// A `(num_embeddings, dim)` table looked up by integer ids: input of any shape holding ids,
/// output `input_shape + [dim]`. Initialised Xavier-uniform, limit `√(6/(V + D))`. Its backward
/// scatter-adds, so repeated ids accumulate and rows never looked up get zero gradient.
///
/// # Example
/// ```
/// use tinytorch::{nn::{Embedding, Module}, Tensor};
/// let emb = Embedding::new(100, 32).unwrap();
/// let ids = Tensor::from_vec(vec![5.0, 2.0, 5.0], &[3]).unwrap();
/// assert_eq!(emb.forward(&ids).unwrap().shape(), vec![3, 32]);
/// assert!(emb.forward(&Tensor::from_vec(vec![100.0], &[1]).unwrap()).is_err());
/// ```
pub struct Embedding {
    site: Site,
    num: usize,
    dim: usize,
    weight: Tensor,
}

impl Embedding {
    /// A table of `num` rows of size `dim`.
    ///
    /// # Errors
    /// If either size is 0.
    pub fn new(num: usize, dim: usize) -> Result<Embedding> {
        if num == 0 || dim == 0 {
            return Err(Error::Arg {
                op: "Embedding",
                msg: format!("needs num ≥ 1 and dim ≥ 1, got {num} and {dim}"),
            });
        }
        let limit = (6.0 / (num + dim) as f32).sqrt();
        let weight = Tensor::uniform(&[num, dim], -limit, limit).requires_grad_(true);
        Ok(Embedding {
            site: Site::new(),
            num,
            dim,
            weight,
        })
    }

    /// The table `(num, dim)`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// Rows in the table.
    pub fn num_embeddings(&self) -> usize {
        self.num
    }

    /// Size of each row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Wraps the layer in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for Embedding {
    fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let v = ids_of("Embedding", ids, self.num)
            .map_err(|e| e.in_layer("Embedding", &self.describe()))?;
        self.weight.try_embedding(&v, &ids.shape())
    }
    fn kind(&self) -> &'static str {
        "Embedding"
    }
    fn describe(&self) -> String {
        format!("Embedding({} × {})", self.num, self.dim)
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn own_parameters(&self) -> Vec<(&'static str, Tensor)> {
        vec![("weight", self.weight.clone())]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The fixed sinusoidal position table `(max_len, dim)` of "Attention Is All You Need":
/// `PE[p, 2i] = sin(p / 10000^(2i/D))`, `PE[p, 2i+1] = cos(p / 10000^(2i/D))`; odd `dim` is
/// fine (the last column is a sine). It has no gradient.
///
/// # Example
/// ```
/// let pe = tinytorch::nn::sinusoidal_positions(50, 8);
/// assert_eq!(pe.shape(), vec![50, 8]);
/// assert_eq!(pe.to_vec()[1], 1.0); // cos(0)
/// ```
pub fn sinusoidal_positions(max_len: usize, dim: usize) -> Tensor {
    let mut v = vec![0.0f32; max_len * dim];
    for p in 0..max_len {
        for j in 0..dim {
            let i = (j / 2) as f64;
            let angle = p as f64 / libm::pow(10_000.0, 2.0 * i / dim as f64);
            v[p * dim + j] = if j % 2 == 0 {
                libm::sin(angle)
            } else {
                libm::cos(angle)
            } as f32;
        }
    }
    Tensor::from_vec(v, &[max_len, dim]).expect("sizes agree")
}
