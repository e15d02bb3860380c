//! Error tests: bad input returns an `Err` whose message names the operation and the shapes or
//! values involved, nothing panics, and failed optimizer steps leave the parameters untouched.

mod backward;
mod losses;
mod shapes;
mod training;

use tinytorch::nn::loss::{cross_entropy, mse_loss, Loss};
use tinytorch::nn::{Dropout, Layer, Linear};
use tinytorch::optim::{Adam, Optimizer, Sgd};
use tinytorch::train::{fit, FitOptions};
use tinytorch::{Error, Result, Tensor};

/// The error's message; fails the test if `r` is `Ok`.
#[track_caller]
fn err_msg<T>(r: Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error, got Ok"),
        Err(e) => e.to_string(),
    }
}

/// Asserts that `msg` contains every one of `parts`.
#[track_caller]
fn assert_mentions(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} should mention {p:?}");
    }
}

fn z(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape)
}
