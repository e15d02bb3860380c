//! Slots: named places in the framework whose computation can be supplied from outside the core
//! (a student's JavaScript function, a test's Rust closure), so the same integration suites
//! run on someone else's implementation of a relu, a matmul backward or an Adam step.
//!
//! The core asks [`get`] at each slot's call site (an op's forward or backward, a layer's
//! forward, a loss, an optimizer step, a data order). With nothing installed that is one
//! thread-local flag read, so the built-in path costs nothing. An installed implementation is
//! called with [`Value`]s that are copies (never borrows) of the framework's data, and what it
//! returns is bad input until [`value`]'s checks accept it: every problem becomes
//! [`Error::Slot`] naming the slot, what was expected and what came back.
//!
//! ```
//! use tinytorch::slots::{self, Slot, Value};
//! use tinytorch::Tensor;
//! // A relu that forgets the clamp: the framework now computes with it.
//! slots::install(Slot::Relu, std::rc::Rc::new(|args: &mut [Value]| Ok(args[0].clone())));
//! let y = Tensor::from_vec(vec![-1.0, 2.0], &[2]).unwrap().relu();
//! assert_eq!(y.to_vec(), vec![-1.0, 2.0]);
//! slots::clear();
//! ```

mod catalogue;
mod defer;
mod usage;
pub mod value;

pub use catalogue::{Slot, SlotInfo};
pub use defer::{checked_result, clear_pending, defer, raise_pending, tensor_result};
pub use usage::{note, note_if_installed, recording_usage, take_usage};
pub use value::Value;

use crate::error::{Error, Result};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// An implementation of a slot. `args` are the slot's arguments (see [`SlotInfo::args`]);
/// an implementation may update them in place where the contract says so (clipGradNorm).
/// An `Err` is what the implementation threw, in words.
pub trait SlotFn {
    /// Runs the implementation.
    ///
    /// # Errors
    /// What the implementation threw.
    fn call(&self, args: &mut [Value]) -> std::result::Result<Value, String>;
}

impl<F: Fn(&mut [Value]) -> std::result::Result<Value, String>> SlotFn for F {
    fn call(&self, args: &mut [Value]) -> std::result::Result<Value, String> {
        self(args)
    }
}

thread_local! {
    static TABLE: RefCell<Vec<Option<Rc<dyn SlotFn>>>> = RefCell::new(vec![None; Slot::ALL.len()]);
    static ANY: Cell<bool> = const { Cell::new(false) };
    static SUSPENDED: Cell<u32> = const { Cell::new(0) };
}

/// Puts `f` in `slot`: from now on the framework computes that piece with it.
pub fn install(slot: Slot, f: Rc<dyn SlotFn>) {
    TABLE.with(|t| t.borrow_mut()[slot as usize] = Some(f));
    ANY.with(|a| a.set(true));
}

/// Gives `slot` back to the built-in implementation.
pub fn remove(slot: Slot) {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        t[slot as usize] = None;
        let any = t.iter().any(Option::is_some);
        ANY.with(|a| a.set(any));
    });
}

/// Gives every slot back to the built-in implementation.
pub fn clear() {
    TABLE.with(|t| t.borrow_mut().iter_mut().for_each(|s| *s = None));
    ANY.with(|a| a.set(false));
}

/// The slots that hold an implementation now.
pub fn installed() -> Vec<Slot> {
    TABLE.with(|t| {
        let t = t.borrow();
        Slot::ALL
            .iter()
            .copied()
            .filter(|s| t[*s as usize].is_some())
            .collect()
    })
}

/// Whether `slot` holds an implementation the framework would use now.
pub fn active(slot: Slot) -> bool {
    get(slot).is_some()
}

/// The implementation in `slot`, unless slots are suspended. Cloned out so no borrow is held
/// while it runs (it may call back into the framework).
pub fn get(slot: Slot) -> Option<Rc<dyn SlotFn>> {
    if !ANY.with(Cell::get) || SUSPENDED.with(Cell::get) > 0 {
        return None;
    }
    TABLE.with(|t| t.borrow()[slot as usize].clone())
}

/// Runs `f` with every slot set aside (the lab's own implementations): unit checks compute
/// their expected values this way, and gradcheck its reference gradients.
pub fn suspended<T>(f: impl FnOnce() -> T) -> T {
    struct Resume;
    impl Drop for Resume {
        fn drop(&mut self) {
            SUSPENDED.with(|s| s.set(s.get() - 1));
        }
    }
    SUSPENDED.with(|s| s.set(s.get() + 1));
    let _resume = Resume;
    f()
}

/// Calls `f` (the implementation of `slot`) and records the use. What it threw becomes
/// [`Error::Slot`]; what it returned is for the caller to check with [`value`]'s helpers.
///
/// # Errors
/// If the implementation threw.
pub fn invoke(slot: Slot, f: &Rc<dyn SlotFn>, args: &mut [Value]) -> Result<Value> {
    note(slot);
    f.call(args).map_err(|msg| Error::Slot {
        slot: slot.js_name(),
        msg: format!("threw: {msg}"),
    })
}

/// [`invoke`] on the installed implementation of `slot`, or an error saying none is installed
/// (unit checks call slots directly).
///
/// # Errors
/// If nothing is installed, or the implementation threw.
pub fn call(slot: Slot, args: &mut [Value]) -> Result<Value> {
    let f = TABLE.with(|t| t.borrow()[slot as usize].clone());
    match f {
        Some(f) => invoke(slot, &f, args),
        None => Err(Error::Slot {
            slot: slot.js_name(),
            msg: format!("your module does not export `{}`", slot.js_name()),
        }),
    }
}
