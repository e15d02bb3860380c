//! `DataLoader`: batches in order or in a seeded shuffle that changes every epoch, optionally
//! augmented per sample by a [`Transform`].

use super::{Dataset, Transform};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::slots::{self, value, value::Draw, Slot, Value};
use crate::tensor::Tensor;
use ndarray::Axis;
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
    transform: Option<Rc<dyn Transform>>,
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
            transform: None,
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

    /// Applies `t` to every sample's input (not its target) as batches are built.
    ///
    /// Randomness comes from a generator seeded by the shuffle seed (0 without shuffle), the
    /// epoch and the batch's position, so a seed replays the same augmentations every run while
    /// each epoch sees new ones. Do not flip digits: a mirrored 2, 3, 5 or 7 changes class.
    ///
    /// # Example
    /// ```
    /// use std::rc::Rc;
    /// use tinytorch::{data::{DataLoader, RandomCrop, TensorDataset}, Tensor};
    /// let ds = Rc::new(TensorDataset::new(Tensor::ones(&[10, 1, 8, 8]), Tensor::arange(10)).unwrap());
    /// let dl = DataLoader::new(ds, 4).unwrap().shuffle(3).transform(Rc::new(RandomCrop::new(8, 1).unwrap()));
    /// let (x, y) = dl.epoch().next().unwrap().unwrap();
    /// assert_eq!((x.shape(), y.shape()), (vec![4, 1, 8, 8], vec![4]));
    /// ```
    pub fn transform(mut self, t: Rc<dyn Transform>) -> DataLoader {
        self.transform = Some(t);
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
        let theirs = self.theirs_batches(e);
        Batches {
            loader: self,
            order: if theirs.is_some() {
                Vec::new()
            } else {
                self.order(e)
            },
            pos: 0,
            epoch: e,
            theirs: theirs.map(|t| t.map(|b| b.into_iter())),
        }
    }

    /// A student's `batchIndices` (module 08), when installed: the epoch's batches of row
    /// indices, from `n` uniform draws of this epoch's stream (the one the lab shuffles with).
    fn theirs_batches(&self, e: u64) -> Option<Result<Vec<Vec<usize>>>> {
        let f = slots::get(Slot::BatchIndices)?;
        let slot = Slot::BatchIndices;
        let n = self.dataset.len();
        let seed = match self.shuffle {
            Some(seed) => seed ^ e.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            None => e,
        };
        let mut rng = Rng::new(seed);
        let draws: Vec<f32> = (0..n).map(|_| rng.uniform()).collect();
        let mut args = [
            Value::Num(n as f64),
            Value::Num(self.batch_size as f64),
            Value::Bool(self.shuffle.is_some()),
            Value::Bool(self.drop_last),
            Value::Draws(Draw::Uniform, draws),
        ];
        let checked = slots::invoke(slot, &f, &mut args).and_then(|out| {
            let Value::List(items) = out else {
                return Err(value::bad_result(
                    slot.js_name(),
                    format!("should return an array of batches (arrays of row indices), but it returned {}", out.describe()),
                ));
            };
            items
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let idx = value::expect_shape(slot.js_name(), b, &format!("batch {i}"))?;
                    if idx.is_empty() {
                        return Err(value::bad_result(slot.js_name(), format!("batch {i} is empty")));
                    }
                    if let Some(&bad) = idx.iter().find(|&&v| v >= n) {
                        return Err(value::bad_result(
                            slot.js_name(),
                            format!("batch {i} holds row {bad}, but the dataset has {n} rows (0..{})", n - 1),
                        ));
                    }
                    Ok(idx)
                })
                .collect()
        });
        Some(checked)
    }
}

/// One epoch of `(inputs, targets)` batches.
pub struct Batches<'a> {
    loader: &'a DataLoader,
    order: Vec<usize>,
    pos: usize,
    epoch: u64,
    /// The batches a student's `batchIndices` returned (or its error), when one is installed.
    theirs: Option<Result<std::vec::IntoIter<Vec<usize>>>>,
}

/// SplitMix64's finaliser: folds the next value into the hash so that (seed, epoch, batch)
/// triples map to unrelated streams (a plain XOR would make e.g. (1, 2) and (2, 1) collide).
fn mix(h: u64, v: u64) -> u64 {
    let mut x = (h ^ v).wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Runs `t` on each sample of a batched input and stacks the results (`try_stack` rejects
/// samples that came out with different shapes).
fn augment(t: &dyn Transform, x: &Tensor, rng: &mut Rng) -> Result<Tensor> {
    crate::ensure!(
        x.ndim() > 0,
        "DataLoader.transform",
        "the batch has no sample axis"
    );
    let samples: Result<Vec<Tensor>> = (x.data().axis_iter(Axis(0)))
        .map(|s| Ok(Tensor::from_array(t.apply(&s.to_owned(), rng)?)))
        .collect();
    Tensor::try_stack(&samples?, 0)
}

impl Iterator for Batches<'_> {
    type Item = Result<(Tensor, Tensor)>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.theirs.take() {
            Some(Err(e)) => {
                // Report the student's error once, then end the epoch.
                self.theirs = Some(Ok(Vec::new().into_iter()));
                return Some(Err(e));
            }
            Some(Ok(mut it)) => {
                let idx = it.next();
                self.theirs = Some(Ok(it));
                let idx = idx?;
                let batch = self.loader.dataset.get_batch(&idx);
                let Some(t) = &self.loader.transform else {
                    return Some(batch);
                };
                let seed = self.loader.shuffle.unwrap_or(0);
                let mut rng = Rng::new(mix(
                    mix(mix(seed, 0x_A061_1E47), self.epoch),
                    self.pos as u64,
                ));
                self.pos += 1;
                return Some(batch.and_then(|(x, y)| Ok((augment(t.as_ref(), &x, &mut rng)?, y))));
            }
            None => {}
        }
        let bs = self.loader.batch_size;
        let left = self.order.len() - self.pos;
        if left == 0 || (self.loader.drop_last && left < bs) {
            return None;
        }
        let take = left.min(bs);
        let idx = &self.order[self.pos..self.pos + take];
        let batch_no = (self.pos / bs) as u64;
        self.pos += take;
        let batch = self.loader.dataset.get_batch(idx);
        let Some(t) = &self.loader.transform else {
            return Some(batch);
        };
        // A fresh generator per batch (not one per epoch) so batch k's augmentation does not
        // depend on how many draws the earlier batches made.
        let seed = self.loader.shuffle.unwrap_or(0);
        let mut rng = Rng::new(mix(mix(mix(seed, 0x_A061_1E47), self.epoch), batch_no));
        Some(batch.and_then(|(x, y)| Ok((augment(t.as_ref(), &x, &mut rng)?, y))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{RandomCrop, TensorDataset};

    fn loader(seed: Option<u64>, t: Option<Rc<dyn Transform>>) -> DataLoader {
        let n = 10 * 64;
        let x =
            Tensor::from_vec((0..n).map(|v| (v % 17) as f32).collect(), &[10, 1, 8, 8]).unwrap();
        let ds = Rc::new(TensorDataset::new(x, Tensor::arange(10)).unwrap());
        let mut dl = DataLoader::new(ds, 4).unwrap();
        if let Some(s) = seed {
            dl = dl.shuffle(s);
        }
        match t {
            Some(t) => dl.transform(t),
            None => dl,
        }
    }

    fn epoch(dl: &DataLoader) -> Vec<(Vec<usize>, Vec<f32>, Vec<f32>)> {
        dl.epoch()
            .map(|b| b.unwrap())
            .map(|(x, y)| (x.shape(), x.to_vec(), y.to_vec()))
            .collect()
    }

    fn crop() -> Option<Rc<dyn Transform>> {
        Some(Rc::new(RandomCrop::new(8, 2).unwrap()))
    }

    #[test]
    fn transform_keeps_batch_shapes_and_targets() {
        for seed in [None, Some(4)] {
            let (plain, aug) = (epoch(&loader(seed, None)), epoch(&loader(seed, crop())));
            assert_eq!(plain.len(), aug.len());
            for (p, a) in plain.iter().zip(&aug) {
                assert_eq!((&p.0, &p.2), (&a.0, &a.2));
            }
            assert_ne!(plain, aug, "a padded crop should move some pixels");
        }
        let small = loader(None, Some(Rc::new(RandomCrop::new(6, 0).unwrap())));
        assert_eq!(epoch(&small)[0].0, vec![4, 1, 6, 6]);
    }

    #[test]
    fn augmentation_is_deterministic_per_seed_and_epoch() {
        let (a, b, c) = (
            loader(Some(1), crop()),
            loader(Some(1), crop()),
            loader(Some(2), crop()),
        );
        let (a0, a1) = (epoch(&a), epoch(&a));
        assert_eq!((&a0, &a1), (&epoch(&b), &epoch(&b)));
        assert_ne!(a0, a1, "each epoch gets fresh augmentations");
        assert_ne!(a0, epoch(&c));
        // Replaying an epoch (as a checkpoint restore does) replays its augmentations.
        a.set_epoch(1);
        assert_eq!(epoch(&a), a1);
        // No global generator draws: other seeded code is unaffected.
        crate::manual_seed(9);
        let before = crate::rng::snapshot();
        epoch(&a);
        assert_eq!(crate::rng::snapshot(), before);
    }

    #[test]
    fn transform_errors_surface_as_batch_errors() {
        let dl = loader(None, Some(Rc::new(RandomCrop::new(20, 1).unwrap())));
        assert!(dl.epoch().all(|b| b.is_err()));
    }
}
