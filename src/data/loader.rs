//! `DataLoader`: batches in order or in a seeded shuffle that changes every epoch.

use super::Dataset;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;
use std::cell::Cell;
use std::rc::Rc;

/// Splits a dataset into batches. With `shuffle`, epoch `e` uses the permutation drawn from
/// `(seed, e)`: every epoch differs, and the same seed replays the same epochs.
///
/// # Example
/// ```
/// use std::rc::Rc;
/// use tinytorch::{data::{DataLoader, TensorDataset}, Tensor};
/// let ds = Rc::new(TensorDataset::new(Tensor::zeros(&[10, 2]), Tensor::arange(10)).unwrap());
/// let dl = DataLoader::new(ds, 4).unwrap().shuffle(7);
/// let sizes: Vec<usize> = dl.epoch().map(|b| b.unwrap().0.shape()[0]).collect();
/// assert_eq!(sizes, [4, 4, 2]); // the partial last batch is kept unless drop_last
/// ```
pub struct DataLoader {
    dataset: Rc<dyn Dataset>,
    batch_size: usize,
    shuffle: Option<u64>,
    drop_last: bool,
    epoch: Cell<u64>,
}

impl DataLoader {
    /// Batches of `batch_size` rows, in order.
    ///
    /// # Errors
    /// If `batch_size` is 0 or the dataset is empty.
    pub fn new(dataset: Rc<dyn Dataset>, batch_size: usize) -> Result<DataLoader> {
        if batch_size == 0 {
            return Err(Error::Arg {
                op: "DataLoader",
                msg: "batch_size must be at least 1".into(),
            });
        }
        if dataset.is_empty() {
            return Err(Error::Arg {
                op: "DataLoader",
                msg: "the dataset is empty".into(),
            });
        }
        Ok(DataLoader {
            dataset,
            batch_size,
            shuffle: None,
            drop_last: false,
            epoch: Cell::new(0),
        })
    }

    /// Shuffles every epoch with a permutation drawn from `seed` and the epoch number.
    pub fn shuffle(mut self, seed: u64) -> DataLoader {
        self.shuffle = Some(seed);
        self
    }

    /// Drops the last batch when it is smaller than `batch_size`.
    pub fn drop_last(mut self, on: bool) -> DataLoader {
        self.drop_last = on;
        self
    }

    /// Number of batches per epoch.
    pub fn len(&self) -> usize {
        let n = self.dataset.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }

    /// Whether an epoch yields no batch (possible only with `drop_last`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The batch size.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The dataset.
    pub fn dataset(&self) -> &Rc<dyn Dataset> {
        &self.dataset
    }

    /// The number of the next epoch [`DataLoader::epoch`] will produce.
    pub fn current_epoch(&self) -> u64 {
        self.epoch.get()
    }

    /// Sets the next epoch number (checkpoints restore it so shuffles resume identically).
    pub fn set_epoch(&self, e: u64) {
        self.epoch.set(e);
    }

    /// The row order of epoch `e`.
    pub fn order(&self, e: u64) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.dataset.len()).collect();
        if let Some(seed) = self.shuffle {
            // Mix the epoch into the seed so each epoch has its own stream.
            Rng::new(seed ^ e.wrapping_mul(0x9E37_79B9_7F4A_7C15)).shuffle(&mut idx);
        }
        idx
    }

    /// Iterates one epoch of batches and advances the epoch counter.
    pub fn epoch(&self) -> Batches<'_> {
        let e = self.epoch.get();
        self.epoch.set(e + 1);
        Batches {
            loader: self,
            order: self.order(e),
            pos: 0,
        }
    }
}

/// One epoch of `(inputs, targets)` batches.
pub struct Batches<'a> {
    loader: &'a DataLoader,
    order: Vec<usize>,
    pos: usize,
}

impl Iterator for Batches<'_> {
    type Item = Result<(Tensor, Tensor)>;

    fn next(&mut self) -> Option<Self::Item> {
        let bs = self.loader.batch_size;
        let left = self.order.len() - self.pos;
        if left == 0 || (self.loader.drop_last && left < bs) {
            return None;
        }
        let take = left.min(bs);
        let idx = &self.order[self.pos..self.pos + take];
        self.pos += take;
        Some(self.loader.dataset.get_batch(idx))
    }
}
