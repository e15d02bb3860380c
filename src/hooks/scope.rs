//! The scope stack: the id of the layer whose forward is running (0 outside every layer).
//! `nn::call` opens one around each layer's forward; profiling tags tensors with it and the
//! slots record which layer ran a student's function.

use std::cell::RefCell;

thread_local! {
    static STACK: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Closes its scope when dropped (also when the layer's forward fails).
pub struct Scope(());

impl Drop for Scope {
    fn drop(&mut self) {
        STACK.with(|s| {
            s.borrow_mut().pop();
        });
    }
}

/// Opens scope `id` until the returned guard drops.
///
/// ```
/// use tinytorch::hooks::scope;
/// assert_eq!(scope::current(), 0);
/// let outer = scope::enter(7);
/// assert_eq!(scope::current(), 7);
/// drop(outer);
/// assert_eq!(scope::current(), 0);
/// ```
pub fn enter(id: u64) -> Scope {
    STACK.with(|s| s.borrow_mut().push(id));
    Scope(())
}

/// The innermost open scope, 0 when none is.
pub fn current() -> u64 {
    STACK.with(|s| s.borrow().last().copied().unwrap_or(0))
}
