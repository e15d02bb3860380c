//! Slot errors inside operations that cannot fail (`x.relu()`, `&a * &b`, `t.sum()`): the op
//! records the implementation's error, computes the lab's own value so nothing downstream
//! panics, and the next boundary that can fail raises it — the layer that called the op
//! (`nn::call`), `backward`, a loss, an optimizer step, a suite case. So a student's broken
//! `relu` fails the ReLU layer's forward with the student's error, never traps the instance.

use super::{get, invoke, value, Slot, Value};
use crate::error::{Error, Result};
use crate::tensor::Array;
use std::cell::RefCell;

thread_local! {
    static PENDING: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Keeps `e` until the next boundary raises it (only the first error is kept: later ones are
/// usually its consequences).
pub fn defer(e: Error) {
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            *p = Some(e);
        }
    });
}

/// Fails with the deferred error, if any (and clears it).
///
/// # Errors
/// The first slot error deferred since the last raise.
pub fn raise_pending() -> Result<()> {
    match PENDING.with(|p| p.borrow_mut().take()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Forgets a deferred error (a case that already failed for another reason).
pub fn clear_pending() {
    PENDING.with(|p| p.borrow_mut().take());
}

/// If `slot` holds an implementation: calls it with `args()` and returns its result checked
/// to be a finite tensor of `shape`; on any problem defers the error and returns `None`, as it
/// does when the slot is empty. The caller then computes the lab's value.
pub fn tensor_result(
    slot: Slot,
    args: impl FnOnce() -> Vec<Value>,
    shape: &[usize],
    what: impl FnOnce() -> String,
) -> Option<Array> {
    let f = get(slot)?;
    let mut args = args();
    let out = invoke(slot, &f, &mut args)
        .and_then(|v| value::expect_tensor(slot.js_name(), v, shape, &what()));
    match out {
        Ok(a) => Some(a),
        Err(e) => {
            defer(e);
            None
        }
    }
}

/// Like [`tensor_result`] for any checked result: `check` turns the returned value into `T`.
pub fn checked_result<T>(
    slot: Slot,
    args: impl FnOnce() -> Vec<Value>,
    check: impl FnOnce(Value, &mut [Value]) -> Result<T>,
) -> Option<T> {
    let f = get(slot)?;
    let mut args = args();
    let out = invoke(slot, &f, &mut args).and_then(|v| check(v, &mut args));
    match out {
        Ok(t) => Some(t),
        Err(e) => {
            defer(e);
            None
        }
    }
}
