//! Data (course module 08): datasets of (input, label) rows and a batching, seeded-shuffling
//! `DataLoader`.

mod augment;
mod digits;
mod loader;

pub use augment::{Compose, RandomCrop, RandomHorizontalFlip, Transform};
pub use digits::{digits, digits_default, digits_raw, Digits};
pub use loader::{Batches, DataLoader};

use crate::error::{shape_err, Error, Result};
use crate::tensor::{Array, Tensor};
use ndarray::{Axis, IxDyn};

/// A finite, indexable collection of `(input, target)` rows.
pub trait Dataset {
    /// Number of rows.
    fn len(&self) -> usize;

    /// Whether the dataset is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i` as `(input, target)` tensors without the batch axis.
    ///
    /// # Errors
    /// If `i >= len()`.
    fn get(&self, i: usize) -> Result<(Tensor, Tensor)>;

    /// The rows at `indices`, stacked along a new first axis.
    ///
    /// # Errors
    /// If an index is out of range or `indices` is empty.
    fn get_batch(&self, indices: &[usize]) -> Result<(Tensor, Tensor)> {
        if indices.is_empty() {
            return Err(Error::Arg {
                op: "get_batch",
                msg: "empty batch".into(),
            });
        }
        let rows: Result<Vec<(Tensor, Tensor)>> = indices.iter().map(|&i| self.get(i)).collect();
        let rows = rows?;
        let xs: Vec<Tensor> = rows.iter().map(|r| r.0.clone()).collect();
        let ys: Vec<Tensor> = rows.iter().map(|r| r.1.clone()).collect();
        Ok((Tensor::try_stack(&xs, 0)?, Tensor::try_stack(&ys, 0)?))
    }
}

/// A dataset over two tensors that share their first axis (features and labels).
///
/// # Example
/// ```
/// use tinytorch::{data::{Dataset, TensorDataset}, Tensor};
/// let ds = TensorDataset::new(Tensor::zeros(&[10, 3]), Tensor::arange(10)).unwrap();
/// assert_eq!(ds.len(), 10);
/// let (x, y) = ds.get(4).unwrap();
/// assert_eq!((x.shape(), y.item().unwrap()), (vec![3], 4.0));
/// assert!(ds.get(10).is_err());
/// ```
pub struct TensorDataset {
    x: Array,
    y: Array,
}

impl TensorDataset {
    /// Pairs row `i` of `x` with row `i` of `y`.
    ///
    /// # Errors
    /// If either is 0-d or their first axes differ.
    pub fn new(x: Tensor, y: Tensor) -> Result<TensorDataset> {
        let (sx, sy) = (x.shape(), y.shape());
        if sx.is_empty() || sy.is_empty() || sx[0] != sy[0] {
            return Err(shape_err(
                "TensorDataset",
                &sx,
                &sy,
                "inputs and targets need the same first dimension",
            ));
        }
        let (x, y) = (x.data().clone(), y.data().clone());
        Ok(TensorDataset { x, y })
    }

    fn gather(a: &Array, indices: &[usize]) -> Array {
        let row: usize = a.shape()[1..].iter().product();
        let src = a.as_slice().expect("standard");
        let mut out = Vec::with_capacity(row * indices.len());
        for &i in indices {
            out.extend_from_slice(&src[i * row..(i + 1) * row]);
        }
        let mut shape = a.shape().to_vec();
        shape[0] = indices.len();
        Array::from_shape_vec(IxDyn(&shape), out).expect("sizes agree")
    }
}

impl Dataset for TensorDataset {
    fn len(&self) -> usize {
        self.x.shape()[0]
    }

    fn get(&self, i: usize) -> Result<(Tensor, Tensor)> {
        if i >= self.len() {
            return Err(Error::Arg {
                op: "TensorDataset.get",
                msg: format!("index {i} is out of range for {} rows", self.len()),
            });
        }
        let x = self.x.index_axis(Axis(0), i).to_owned();
        let y = self.y.index_axis(Axis(0), i).to_owned();
        Ok((Tensor::from_array(x), Tensor::from_array(y)))
    }

    // Rows are contiguous, so a batch is a few memcpys rather than a stack of small tensors.
    fn get_batch(&self, indices: &[usize]) -> Result<(Tensor, Tensor)> {
        if indices.is_empty() {
            return Err(Error::Arg {
                op: "get_batch",
                msg: "empty batch".into(),
            });
        }
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(Error::Arg {
                op: "TensorDataset.get_batch",
                msg: format!("index {bad} is out of range for {} rows", self.len()),
            });
        }
        let x = Tensor::from_array(Self::gather(&self.x, indices));
        let y = Tensor::from_array(Self::gather(&self.y, indices));
        Ok((x, y))
    }
}
