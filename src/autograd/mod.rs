//! Reverse-mode autograd: the op enum, grad mode (`no_grad`), and the backward pass.

pub(crate) mod backward;
mod op;

pub use backward::GradSink;
pub use op::{CustomOp, Op, UnaryOp};

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// Whether operations are currently being recorded.
pub fn grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Restores the previous grad mode when dropped. Made by [`no_grad_guard`].
pub struct NoGradGuard {
    prev: bool,
}

impl Drop for NoGradGuard {
    fn drop(&mut self) {
        GRAD_ENABLED.with(|g| g.set(self.prev));
    }
}

/// Turns recording off until the guard drops (PyTorch's `with torch.no_grad():`).
pub fn no_grad_guard() -> NoGradGuard {
    let prev = GRAD_ENABLED.with(|g| g.replace(false));
    NoGradGuard { prev }
}

/// Runs `f` without recording operations: results have no history and need no backward.
///
/// # Example
/// ```
/// use tinytorch::{no_grad, Tensor};
/// let w = Tensor::ones(&[2]).requires_grad_(true);
/// let y = no_grad(|| &w * 3.0);
/// assert!(!y.requires_grad());
/// ```
pub fn no_grad<T>(f: impl FnOnce() -> T) -> T {
    let _guard = no_grad_guard();
    f()
}
