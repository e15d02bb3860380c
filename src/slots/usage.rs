//! Which slots' implementations ran, and inside which layer: the per-layer report marks a
//! layer "your code" when one of its forward ops ran a student's function, or recorded an op
//! whose backward will.
//!
//! The scope is the layer running now (`crate::hooks::scope`, opened by `nn::call`); a slot
//! used with no layer open is recorded under scope 0 (a loss, an optimizer step, a data order).

use super::Slot;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

thread_local! {
    static USED: RefCell<BTreeMap<u64, BTreeSet<Slot>>> = const { RefCell::new(BTreeMap::new()) };
}

/// Records that `slot`'s implementation ran (or will run in backward) in the current scope.
pub fn note(slot: Slot) {
    let scope = crate::hooks::scope::current();
    USED.with(|u| {
        u.borrow_mut().entry(scope).or_default().insert(slot);
    });
}

/// [`note`]s `slot` if an implementation is installed and active: ops call this when they
/// record a node whose backward is a slot.
pub fn note_if_installed(slot: Slot) {
    if super::active(slot) {
        note(slot);
    }
}

/// Everything recorded since the last call, by scope (0: outside every layer), and clears it.
pub fn take_usage() -> BTreeMap<u64, BTreeSet<Slot>> {
    USED.with(|u| std::mem::take(&mut *u.borrow_mut()))
}

/// Runs `f` with a fresh record and returns what it used; what was recorded before is kept,
/// with `f`'s uses added (a case's record includes its gradient check's).
pub fn recording_usage<T>(f: impl FnOnce() -> T) -> (T, BTreeMap<u64, BTreeSet<Slot>>) {
    let outer = take_usage();
    let out = f();
    let inner = take_usage();
    USED.with(|u| {
        let mut u = u.borrow_mut();
        *u = outer;
        for (scope, slots) in &inner {
            u.entry(*scope).or_default().extend(slots.iter().copied());
        }
    });
    (out, inner)
}
