//! Which elements of a tensor the check compares: uniformly drawn, or half of them drawn where
//! the reference gradient is large and half uniformly, so sparse gradients (max-pooling,
//! ReLU, masks, embeddings) are looked at where they are non-zero.

use crate::rng::Rng;
use crate::tensor::Array;

/// `max` distinct elements of a tensor of `len` values, uniformly (all of them if `len ≤ max`),
/// sorted.
pub(super) fn sample(len: usize, max: usize, rng: &mut Rng) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..len).collect();
    if len > max {
        rng.shuffle(&mut idx);
        idx.truncate(max);
        idx.sort_unstable();
    }
    idx
}

/// `max` distinct elements, sorted: up to `weighted` of them drawn with probability
/// proportional to `|guide|` among its non-zero entries, the rest uniformly among the others.
///
/// Why both halves: the weighted draws land where the true gradient is non-zero, so a
/// gradient zeroed, flipped or scaled there is seen even when only a few elements carry any
/// (a uniform draw of 24 among 8,192 max-pool inputs of which 1,536 are window maxima misses
/// them all about once in 150 draws). The uniform draws still look where the true gradient is
/// zero, where a wrong backward (a ReLU mask inverted) puts a non-zero one. Drawing
/// (rather than taking the largest) keeps a few large entries that sit on kinks (a tie in a
/// max-pool window gets the whole gradient on one side only) from taking every draw.
///
/// Without a usable guide (none, the wrong length, or all zeros) this is [`sample`].
pub(super) fn sample_guided(
    len: usize,
    max: usize,
    weighted: usize,
    guide: Option<&Array>,
    rng: &mut Rng,
) -> Vec<usize> {
    let Some(w) = guide.filter(|w| w.len() == len && len > max) else {
        return sample(len, max, rng);
    };
    let mut idx = draw_weighted(w, weighted.min(max), rng);
    if idx.is_empty() {
        return sample(len, max, rng);
    }
    // len > max, so this ends; the chosen list is at most `max` long, so `contains` is cheap.
    while idx.len() < max {
        let i = rng.below(len);
        if !idx.contains(&i) {
            idx.push(i);
        }
    }
    idx.sort_unstable();
    idx
}

/// Up to `k` distinct indices of the non-zero, finite entries of `w`, drawn without
/// replacement with probability proportional to `|w|` (Efraimidis and Spirakis: the `k`
/// largest keys `ln(u) / |w|`, `u` uniform in (0, 1]).
fn draw_weighted(w: &Array, k: usize, rng: &mut Rng) -> Vec<usize> {
    if k == 0 {
        return Vec::new();
    }
    let mut keys: Vec<(f64, usize)> = w
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite() && **v != 0.0)
        .map(|(i, v)| {
            let u = 1.0 - rng.uniform() as f64;
            (libm::log(u) / v.abs() as f64, i)
        })
        .collect();
    if keys.len() > k {
        keys.select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0));
        keys.truncate(k);
    }
    keys.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guided_draws_half_where_the_guide_is_non_zero() {
        // One element in 100 carries the gradient.
        let guide = Array::from_shape_fn(ndarray::IxDyn(&[1000]), |i| {
            if i[0] % 100 == 7 {
                1.0
            } else {
                0.0
            }
        });
        let mut rng = Rng::new(3);
        let idx = sample_guided(1000, 24, 12, Some(&guide), &mut rng);
        assert_eq!(idx.len(), 24);
        assert!(idx.windows(2).all(|p| p[0] < p[1]), "distinct and sorted");
        assert!(idx.iter().filter(|&&i| i % 100 == 7).count() >= 10);
    }

    #[test]
    fn few_non_zero_entries_are_all_taken_and_the_rest_is_uniform() {
        let mut guide = Array::zeros(ndarray::IxDyn(&[50]));
        guide.as_slice_mut().expect("standard")[3] = -2.0;
        let idx = sample_guided(50, 4, 4, Some(&guide), &mut Rng::new(0));
        assert_eq!(idx.len(), 4);
        assert!(idx.contains(&3));
    }

    #[test]
    fn no_guide_or_a_zero_guide_samples_uniformly() {
        let zeros = Array::zeros(ndarray::IxDyn(&[40]));
        let a = sample_guided(40, 5, 2, Some(&zeros), &mut Rng::new(9));
        let b = sample(40, 5, &mut Rng::new(9));
        assert_eq!(a, b);
        assert_eq!(
            sample_guided(3, 5, 2, None, &mut Rng::new(9)),
            vec![0, 1, 2]
        );
    }
}
