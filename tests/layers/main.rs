//! Layer-level tests: activations, Linear, Dropout, Sequential, losses, optimizers, the cosine
//! schedule, gradient clipping, and the data pipeline (TensorDataset, DataLoader).

mod activations;
mod data;
mod losses;
mod modules;
mod optim;

use std::rc::Rc;
use tinytorch::data::{DataLoader, Dataset, TensorDataset};
use tinytorch::nn::loss::{cross_entropy, mse_loss};
use tinytorch::nn::{Dropout, Linear, Module, ReLU, Sequential, Sigmoid, Softmax, Tanh, GELU};
use tinytorch::optim::{Adam, Optimizer, Sgd};
use tinytorch::train::{clip_grad_norm, CosineSchedule};
use tinytorch::{manual_seed, Tensor};

fn t(v: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape).unwrap()
}

/// A scalar parameter with value `v` and gradient `g`.
fn param(v: f32, g: f32) -> Tensor {
    let p = Tensor::scalar(v).requires_grad_(true);
    p.set_grad(Some(ndarray::arr0(g).into_dyn()));
    p
}

fn val(p: &Tensor) -> f32 {
    p.item().unwrap()
}
