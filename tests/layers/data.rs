//! The data pipeline: TensorDataset and DataLoader (batching, shuffling, the last batch).

use super::*;

fn dataset(n: usize) -> Rc<TensorDataset> {
    let x: Vec<f32> = (0..n * 2).map(|v| v as f32).collect();
    Rc::new(TensorDataset::new(t(&x, &[n, 2]), Tensor::arange(n)).unwrap())
}

/// The target ids of each batch of one epoch.
fn epoch_ids(dl: &DataLoader) -> Vec<Vec<usize>> {
    dl.epoch()
        .map(|b| {
            let (x, y) = b.unwrap();
            let ids: Vec<usize> = y.to_vec().iter().map(|&v| v as usize).collect();
            // Inputs travel with their targets: row i holds [2i, 2i + 1].
            for (row, &i) in x.to_vec().chunks(2).zip(&ids) {
                assert_eq!(row, [2.0 * i as f32, 2.0 * i as f32 + 1.0]);
            }
            ids
        })
        .collect()
}

#[test]
fn dataloader_keeps_the_partial_last_batch() {
    let dl = DataLoader::new(dataset(10), 4).unwrap();
    assert_eq!(dl.len(), 3);
    let batches = epoch_ids(&dl);
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(sizes, [4, 4, 2]);
    assert_eq!(batches.concat(), (0..10).collect::<Vec<_>>());
}

#[test]
fn dataloader_drop_last_drops_the_partial_batch() {
    let dl = DataLoader::new(dataset(10), 4).unwrap().drop_last(true);
    assert_eq!(dl.len(), 2);
    let sizes: Vec<usize> = epoch_ids(&dl).iter().map(Vec::len).collect();
    assert_eq!(sizes, [4, 4]);
    // An exact multiple loses nothing.
    let dl = DataLoader::new(dataset(8), 4).unwrap().drop_last(true);
    assert_eq!(dl.len(), 2);
}

#[test]
fn dataloader_shuffle_differs_between_epochs_and_repeats_under_the_same_seed() {
    let a = DataLoader::new(dataset(20), 6).unwrap().shuffle(42);
    let (a0, a1) = (epoch_ids(&a).concat(), epoch_ids(&a).concat());
    for e in [&a0, &a1] {
        let mut s = e.clone();
        s.sort_unstable();
        assert_eq!(s, (0..20).collect::<Vec<_>>(), "each sample exactly once");
    }
    assert_ne!(a0, (0..20).collect::<Vec<_>>(), "shuffled");
    assert_ne!(a0, a1, "a new order every epoch");
    let b = DataLoader::new(dataset(20), 6).unwrap().shuffle(42);
    assert_eq!(epoch_ids(&b).concat(), a0);
    assert_eq!(epoch_ids(&b).concat(), a1);
    let c = DataLoader::new(dataset(20), 6).unwrap().shuffle(43);
    assert_ne!(epoch_ids(&c).concat(), a0);
}

#[test]
fn tensor_dataset_with_mismatched_first_dims_is_an_error() {
    let err = TensorDataset::new(Tensor::zeros(&[10, 3]), Tensor::zeros(&[9]))
        .err()
        .unwrap();
    let msg = err.to_string();
    assert!(msg.starts_with("TensorDataset"), "{msg}");
    assert!(msg.contains("[10, 3]") && msg.contains("[9]"), "{msg}");
    let ds = dataset(3);
    assert_eq!(ds.len(), 3);
    assert!(ds.get(3).is_err());
}
