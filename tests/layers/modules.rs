//! Linear, Dropout and Sequential: shapes, initialisation, train/eval behaviour and
//! parameter collection.

use super::*;

#[test]
fn linear_weight_is_in_by_out_and_bias_is_zero() {
    manual_seed(4);
    let lin = Linear::new(3, 5, true);
    assert_eq!(lin.weight().shape(), vec![3, 5]);
    let b = lin.bias().unwrap();
    assert_eq!(b.shape(), vec![5]);
    assert_eq!(b.to_vec(), vec![0.0; 5]);
    assert!(lin.weight().requires_grad() && b.requires_grad());
    assert_eq!(lin.parameters().len(), 2);
    assert_eq!(Linear::new(3, 5, false).parameters().len(), 1);
    // forward is x·W + b with no transpose.
    let x = t(&[1.0, 0.0, 0.0], &[1, 3]);
    let y = lin.forward(&x).unwrap();
    assert_eq!(y.to_vec(), lin.weight().to_vec()[..5].to_vec());
}

#[test]
fn linear_784_to_256_weight_std_is_close_to_sqrt_one_over_784() {
    manual_seed(5);
    let lin = Linear::new(784, 256, true);
    let w = lin.weight().to_vec();
    let n = w.len() as f64;
    let mean = w.iter().map(|&v| v as f64).sum::<f64>() / n;
    let std = (w.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n).sqrt();
    let want = (1.0f64 / 784.0).sqrt();
    assert!(
        ((std - want) / want).abs() < 0.1,
        "std {std}, want {want} within 10%"
    );
    assert!(mean.abs() < 0.1 * want, "mean {mean}");
}

#[test]
fn linear_maps_an_empty_batch_to_an_empty_batch() {
    let lin = Linear::new(10, 5, true);
    let x = Tensor::zeros(&[0, 10]).requires_grad_(true);
    let y = lin.forward(&x).unwrap();
    assert_eq!(y.shape(), vec![0, 5]);
    // An empty sum is 0 and its gradients are zeros of the right shapes.
    y.sum().backward().unwrap();
    assert_eq!(lin.weight().grad().unwrap().to_vec(), vec![0.0; 50]);
    assert_eq!(lin.bias().unwrap().grad().unwrap().to_vec(), vec![0.0; 5]);
    assert_eq!(x.grad().unwrap().shape(), vec![0, 10]);
}

#[test]
fn linear_rejects_a_wrong_last_dimension_naming_itself_and_the_shapes() {
    let lin = Linear::new(4, 3, true);
    let err = lin.forward(&Tensor::zeros(&[2, 5])).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("Linear"), "{msg}");
    assert!(msg.contains("[2, 5]") && msg.contains('4'), "{msg}");
}

// Dropout.

#[test]
fn dropout_rejects_p_outside_zero_one() {
    for p in [-0.1, 1.5, f32::NAN] {
        let err = Dropout::new(p).err().expect("p outside [0, 1] must fail");
        assert!(err.to_string().starts_with("Dropout"), "{err}");
    }
    assert!(Dropout::new(0.0).is_ok() && Dropout::new(1.0).is_ok());
}

#[test]
fn dropout_in_eval_mode_is_the_identity() {
    manual_seed(6);
    let d = Dropout::new(0.5).unwrap();
    d.eval();
    let x = Tensor::randn(&[4, 8]);
    assert_eq!(d.forward(&x).unwrap().to_vec(), x.to_vec());
    // p = 0 in training mode is the identity too.
    let d0 = Dropout::new(0.0).unwrap();
    assert_eq!(d0.forward(&x).unwrap().to_vec(), x.to_vec());
}

#[test]
fn dropout_in_training_zeroes_about_p_and_scales_survivors() {
    manual_seed(7);
    let p = 0.3f32;
    let d = Dropout::new(p).unwrap();
    let n = 20_000;
    let x = Tensor::ones(&[n]).requires_grad_(true);
    let y = d.forward(&x).unwrap();
    let v = y.to_vec();
    let zeros = v.iter().filter(|&&e| e == 0.0).count();
    let frac = zeros as f32 / n as f32;
    // Binomial std is √(0.3·0.7/20000) ≈ 0.0032; 0.02 is over 6 σ.
    assert!((frac - p).abs() < 0.02, "dropped fraction {frac}");
    let scale = 1.0 / (1.0 - p);
    assert!(
        v.iter().all(|&e| e == 0.0 || e == scale),
        "survivors are 1/(1−p)"
    );
    // The mask is a tensor multiply, so the gradient is the same mask.
    y.sum().backward().unwrap();
    assert_eq!(x.grad().unwrap().to_vec(), v);
}

#[test]
fn dropout_with_p_one_gives_zeros() {
    let d = Dropout::new(1.0).unwrap();
    let y = d.forward(&Tensor::ones(&[3, 4])).unwrap();
    assert_eq!(y.to_vec(), vec![0.0; 12]);
}

#[test]
fn dropout_mask_repeats_under_the_same_seed() {
    let d = Dropout::new(0.5).unwrap();
    let x = Tensor::ones(&[64]);
    manual_seed(8);
    let a = d.forward(&x).unwrap().to_vec();
    let b = d.forward(&x).unwrap().to_vec();
    manual_seed(8);
    let c = d.forward(&x).unwrap().to_vec();
    assert_eq!(a, c);
    assert_ne!(a, b, "consecutive calls draw new masks");
}

// Sequential.

fn mlp() -> (Sequential, Tensor, Tensor) {
    let l0 = Linear::new(4, 3, true);
    let l3 = Linear::new(3, 2, true);
    let (w0, w3) = (l0.weight().clone(), l3.weight().clone());
    let m = Sequential::new(vec![
        l0.into_layer(),
        ReLU::new().into_layer(),
        Dropout::new(0.5).unwrap().into_layer(),
        l3.into_layer(),
    ]);
    (m, w0, w3)
}

#[test]
fn sequential_collects_parameters_in_order() {
    manual_seed(9);
    let (m, w0, w3) = mlp();
    let ps = m.parameters();
    assert_eq!(ps.len(), 4);
    assert!(ps[0].same(&w0) && ps[2].same(&w3));
    assert_eq!(m.num_parameters(), 4 * 3 + 3 + 3 * 2 + 2);
    let names: Vec<String> = m.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["0.weight", "0.bias", "3.weight", "3.bias"]);
    assert_eq!(
        m.forward(&Tensor::zeros(&[5, 4])).unwrap().shape(),
        vec![5, 2]
    );
}

#[test]
fn sequential_train_and_eval_propagate_to_children() {
    manual_seed(10);
    let (m, _, _) = mlp();
    let x = Tensor::randn(&[16, 4]);
    m.eval();
    assert!(m.layers().iter().all(|l| !l.site().training()));
    assert!(!m.site().training());
    // Dropout off: the output is deterministic.
    assert_eq!(
        m.forward(&x).unwrap().to_vec(),
        m.forward(&x).unwrap().to_vec()
    );
    m.train();
    assert!(m.layers().iter().all(|l| l.site().training()));
}
