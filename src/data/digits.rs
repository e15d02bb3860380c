//! The 8×8 handwritten digits (UCI, as scikit-learn bundles them), embedded in the binary.
//!
//! The data lives in `data/digits/digits.bin` (format, origin, licence and the script that
//! regenerates it are in `data/digits/README.md`). It is compiled in with `include_bytes!`
//! so the course runs offline and in the browser without fetching anything.

use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

const BLOB: &[u8] = include_bytes!("../../data/digits/digits.bin");
const MAGIC: &[u8; 8] = b"TTDIGIT1";
const HEADER: usize = 12; // magic + u32 count
const PIXELS: usize = 64;
const CLASSES: usize = 10;
// Mixed into the caller's seed so `digits(s, ..)` and `DataLoader::shuffle(s)` with the same
// `s` do not draw the same stream (correlated splits and shuffles would be a subtle bias).
const SPLIT_SALT: u64 = 0xD161_7500_5EED_0001;

/// A stratified train/test split of the 1,797 digits.
///
/// Images are `(N, 1, 8, 8)` with values `pixel / 16` in `[0, 1]`; labels are `(N,)` f32 class
/// ids `0.0..=9.0` (the form `cross_entropy` takes).
///
/// # Example
/// ```
/// let d = tinytorch::data::digits_default(0).unwrap();
/// assert_eq!(d.train_images.shape(), vec![1438, 1, 8, 8]);
/// assert_eq!(d.test_images.shape(), vec![359, 1, 8, 8]);
/// assert_eq!(d.train_labels.shape(), vec![1438]);
/// ```
#[derive(Clone, Debug)]
pub struct Digits {
    /// Training images, `(N_train, 1, 8, 8)`, values in `[0, 1]`.
    pub train_images: Tensor,
    /// Training labels, `(N_train,)`, class ids as f32.
    pub train_labels: Tensor,
    /// Held-out images, `(N_test, 1, 8, 8)`, values in `[0, 1]`.
    pub test_images: Tensor,
    /// Held-out labels, `(N_test,)`, class ids as f32.
    pub test_labels: Tensor,
}

fn corrupt(msg: String) -> Error {
    Error::Arg {
        op: "digits",
        msg: format!("embedded digits.bin is corrupt: {msg}"),
    }
}

/// Checks the header and every value, returning the pixel and label sections.
fn parse(blob: &[u8]) -> Result<(&[u8], &[u8])> {
    if blob.len() < HEADER || &blob[..8] != MAGIC {
        return Err(corrupt("missing the TTDIGIT1 header".into()));
    }
    let n = u32::from_le_bytes([blob[8], blob[9], blob[10], blob[11]]) as usize;
    // checked_mul: a garbage count must not overflow into a plausible length on wasm32.
    let want = n
        .checked_mul(PIXELS + 1)
        .and_then(|b| b.checked_add(HEADER));
    if want != Some(blob.len()) {
        return Err(corrupt(format!(
            "{} bytes do not hold {n} images",
            blob.len()
        )));
    }
    let (pixels, labels) = blob[HEADER..].split_at(n * PIXELS);
    if let Some(p) = pixels.iter().find(|&&p| p > 16) {
        return Err(corrupt(format!("pixel value {p} is outside 0..16")));
    }
    if let Some(l) = labels.iter().find(|&&l| l as usize >= CLASSES) {
        return Err(corrupt(format!("label {l} is outside 0..9")));
    }
    Ok((pixels, labels))
}

/// The digits as stored: `(pixels, labels)`, where `pixels` holds `64 × 1797` values in 0..16
/// (image after image, each row-major 8×8) and `labels` the 1,797 class ids 0..9, in
/// scikit-learn's order (image `i` is `load_digits().images[i]`).
///
/// # Errors
/// If the embedded file is corrupt (it is checked on every call; it never panics).
///
/// # Example
/// ```
/// let (pixels, labels) = tinytorch::data::digits_raw().unwrap();
/// assert_eq!((pixels.len(), labels.len()), (1797 * 64, 1797));
/// assert_eq!(labels[..3], [0, 1, 2]);
/// ```
pub fn digits_raw() -> Result<(Vec<u8>, Vec<u8>)> {
    let (pixels, labels) = parse(BLOB)?;
    Ok((pixels.to_vec(), labels.to_vec()))
}

/// Row indices of a stratified split: each class is shuffled and `round(fraction × count)` of
/// its rows go to test, so every class has the same share held out. One local generator does
/// all the drawing, so the split depends on `seed` alone (never on the global generator).
fn split_indices(labels: &[u8], seed: u64, test_fraction: f32) -> (Vec<usize>, Vec<usize>) {
    let mut rng = Rng::new(seed ^ SPLIT_SALT);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for class in 0..CLASSES as u8 {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut idx);
        // f64 and round-half-away-from-zero: the count per class is stable and documented.
        let n_test = (test_fraction as f64 * idx.len() as f64).round() as usize;
        test.extend_from_slice(&idx[..n_test]);
        train.extend_from_slice(&idx[n_test..]);
    }
    // Without this, batches would come class by class.
    rng.shuffle(&mut train);
    rng.shuffle(&mut test);
    (train, test)
}

fn gather(pixels: &[u8], labels: &[u8], rows: &[usize]) -> Result<(Tensor, Tensor)> {
    let mut x = Vec::with_capacity(rows.len() * PIXELS);
    for &i in rows {
        x.extend(
            pixels[i * PIXELS..(i + 1) * PIXELS]
                .iter()
                .map(|&p| p as f32 / 16.0),
        );
    }
    let y: Vec<f32> = rows.iter().map(|&i| labels[i] as f32).collect();
    Ok((
        Tensor::from_vec(x, &[rows.len(), 1, 8, 8])?,
        Tensor::from_vec(y, &[rows.len()])?,
    ))
}

/// A seeded, stratified train/test split with `round(test_fraction × class count)` images of
/// each class held out; the rest train. Both splits come in a shuffled order. The same `seed`
/// gives the same split on every platform; the global generator is not touched.
///
/// Shapes: images `(N, 1, 8, 8)` in `[0, 1]`, labels `(N,)`. With 0.2, 359 of 1,797 are test
/// (rounding is per class: 36 + 36 + 35 + 37 + 36 + 36 + 36 + 36 + 35 + 36).
///
/// Do not augment digits with horizontal flips: a mirrored 2, 3, 5 or 7 is not that digit.
///
/// # Errors
/// If `test_fraction` is outside `[0.2, 0.5]` (the course holds out at least 20%) or NaN.
///
/// # Example
/// ```
/// use tinytorch::data::digits;
/// let d = digits(42, 0.25).unwrap();
/// assert_eq!(d.test_labels.shape(), vec![451]);
/// assert!(digits(42, 0.1).is_err());
/// ```
pub fn digits(seed: u64, test_fraction: f32) -> Result<Digits> {
    // `contains` is false for NaN, so NaN is rejected too.
    if !(0.2..=0.5).contains(&test_fraction) {
        return Err(Error::Arg {
            op: "digits",
            msg: format!(
                "test_fraction must be in [0.2, 0.5] (the course holds out at least 20%), \
                 got {test_fraction}"
            ),
        });
    }
    let (pixels, labels) = parse(BLOB)?;
    let (train, test) = split_indices(labels, seed, test_fraction);
    let (train_images, train_labels) = gather(pixels, labels, &train)?;
    let (test_images, test_labels) = gather(pixels, labels, &test)?;
    Ok(Digits {
        train_images,
        train_labels,
        test_images,
        test_labels,
    })
}

/// [`digits`] with 20% of each class held out (1,438 train, 359 test).
///
/// # Errors
/// Only if the embedded file is corrupt.
///
/// # Example
/// ```
/// let d = tinytorch::data::digits_default(7).unwrap();
/// assert_eq!(d.train_labels.shape()[0] + d.test_labels.shape()[0], 1797);
/// ```
pub fn digits_default(seed: u64) -> Result<Digits> {
    digits(seed, 0.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTS: [usize; CLASSES] = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];

    fn class_counts(labels: impl IntoIterator<Item = usize>) -> [usize; CLASSES] {
        let mut c = [0; CLASSES];
        labels.into_iter().for_each(|l| c[l] += 1);
        c
    }

    #[test]
    fn raw_has_1797_images_with_known_class_counts_and_pixel_range() {
        let (pixels, labels) = digits_raw().unwrap();
        assert_eq!((pixels.len(), labels.len()), (1797 * PIXELS, 1797));
        assert_eq!(class_counts(labels.iter().map(|&l| l as usize)), COUNTS);
        assert!(pixels.iter().all(|&p| p <= 16));
        assert!(pixels.contains(&0) && pixels.contains(&16));
    }

    #[test]
    fn corrupt_files_are_errors_not_panics() {
        assert!(parse(b"").is_err());
        assert!(parse(b"TTDIGIT2\x00\x00\x00\x00").is_err());
        assert!(parse(b"TTDIGIT1\xff\xff\xff\xff").is_err());
        assert!(parse(&BLOB[..BLOB.len() - 1]).is_err());
        let mut bad = BLOB.to_vec();
        bad[HEADER] = 17;
        assert!(parse(&bad).is_err());
        assert_eq!(parse(b"TTDIGIT1\x00\x00\x00\x00").unwrap().0.len(), 0);
    }

    #[test]
    fn split_is_stratified_with_values_in_unit_range() {
        for frac in [0.2f32, 0.25, 0.5] {
            let d = digits(3, frac).unwrap();
            let test = class_counts(d.test_labels.to_vec().iter().map(|&l| l as usize));
            let train = class_counts(d.train_labels.to_vec().iter().map(|&l| l as usize));
            for c in 0..CLASSES {
                let want = (frac as f64 * COUNTS[c] as f64).round() as usize;
                assert_eq!(
                    (test[c], train[c]),
                    (want, COUNTS[c] - want),
                    "class {c} at {frac}"
                );
            }
            let n_test = d.test_labels.numel();
            assert_eq!(d.test_images.shape(), vec![n_test, 1, 8, 8]);
            assert_eq!(d.train_images.shape(), vec![1797 - n_test, 1, 8, 8]);
            let x = d.train_images.to_vec();
            assert!(x.iter().all(|&v| (0.0..=1.0).contains(&v)));
        }
        assert_eq!(digits_default(0).unwrap().test_labels.numel(), 359);
    }

    #[test]
    fn rejects_fractions_outside_the_course_range() {
        for bad in [0.0, 0.19, 0.51, 1.0, -0.3, f32::NAN] {
            let err = digits(0, bad).unwrap_err();
            assert!(matches!(err, Error::Arg { op: "digits", .. }), "{bad}");
        }
    }

    #[test]
    fn train_and_test_do_not_overlap_and_cover_everything() {
        let (_, labels) = digits_raw().unwrap();
        let (train, test) = split_indices(&labels, 11, 0.2);
        let mut seen = vec![0u8; labels.len()];
        train.iter().chain(&test).for_each(|&i| seen[i] += 1);
        assert!(seen.iter().all(|&s| s == 1));
    }

    #[test]
    fn same_seed_same_split_different_seed_different_split() {
        let (a, b) = (digits(5, 0.2).unwrap(), digits(5, 0.2).unwrap());
        let c = digits(6, 0.2).unwrap();
        assert_eq!(a.train_images.to_vec(), b.train_images.to_vec());
        assert_eq!(a.test_labels.to_vec(), b.test_labels.to_vec());
        assert_ne!(a.test_images.to_vec(), c.test_images.to_vec());
        // The split must not consume the global generator (other seeded code relies on it).
        crate::manual_seed(1);
        let before = crate::rng::snapshot();
        digits(5, 0.2).unwrap();
        assert_eq!(crate::rng::snapshot(), before);
    }

    #[test]
    fn flattened_images_reproduce_raw_rows() {
        let (pixels, labels) = digits_raw().unwrap();
        let d = digits(9, 0.3).unwrap();
        let (train, test) = split_indices(&labels, 9, 0.3);
        let parts = [
            (&d.train_images, &d.train_labels, &train),
            (&d.test_images, &d.test_labels, &test),
        ];
        for (images, ys, rows) in parts {
            let (x, y) = (images.to_vec(), ys.to_vec());
            for (k, &i) in rows.iter().enumerate() {
                let row: Vec<u8> = x[k * 64..(k + 1) * 64]
                    .iter()
                    .map(|&v| (v * 16.0) as u8)
                    .collect();
                assert_eq!(row, pixels[i * 64..(i + 1) * 64], "image {i}");
                assert_eq!(y[k] as u8, labels[i]);
            }
        }
    }
}
