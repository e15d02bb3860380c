//! TinyTorch in Rust: the 20-module TinyTorch curriculum as a small deep-learning framework
//! that compiles to WebAssembly (with SIMD) and powers an offline course website.
//!
//! ```
//! use tinytorch::{manual_seed, nn::{Linear, Module, ReLU, Sequential}, Tensor};
//! manual_seed(0);
//! let model = Sequential::new(vec![
//!     Linear::new(2, 4, true).into_layer(),
//!     ReLU::new().into_layer(),
//!     Linear::new(4, 1, true).into_layer(),
//! ]);
//! let x = Tensor::randn(&[8, 2]);
//! let y = model.forward(&x).unwrap();
//! assert_eq!(y.shape(), vec![8, 1]);
//! ```

#![allow(
    clippy::neg_cmp_op_on_partial_ord,
    reason = "`!(x > 0.0)` rejects NaN, which `x <= 0.0` lets through"
)]

pub mod autograd;
pub mod bench;
pub mod capstone;
pub mod error;
pub mod kernels;
pub mod ops;
pub mod rng;
pub mod slots;
pub mod tensor;

pub use autograd::{no_grad, no_grad_guard};
pub use error::{Error, Result};
pub use rng::manual_seed;
pub use tensor::Tensor;
pub mod clock;
pub mod compress;
pub mod data;
pub mod exercises;
pub mod gradcheck;
pub mod hooks;
pub mod milestones;
pub mod nn;
pub mod optim;
pub mod profiler;
pub mod quant;
pub mod suites;
pub mod text;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
