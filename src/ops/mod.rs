//! Differentiable operations: each forward sits next to its chain rule (`*_backward`).

pub mod batchnorm;
pub mod binary;
pub mod conv;
pub mod custom;
pub mod embedding;
pub mod fused;
pub mod layernorm;
pub mod loss;
pub mod mask;
pub mod matmul;
pub mod movement;
pub mod pool;
pub mod reduce;
pub mod softmax;
pub mod unary;

use crate::error::Error;

/// Panics with the error's message; the convenience (non-`try_`) ops use it.
#[track_caller]
pub(crate) fn or_panic<T>(r: Result<T, Error>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}
