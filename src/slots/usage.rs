//! Which slots' implementations ran, and inside which layer: the per-layer report marks a
//! layer "your code" when one of its forward ops ran a student's function, or recorded an op
//! whose backward will.
//!
//! Layers push their site id around their forward (`enter_scope`/`leave_scope`); a slot used
//! with no layer open is recorded under scope 0 (a loss, an optimizer step, a data order).
//! Recording happens only while some slot is installed.

use super::{Slot, ANY};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

thread_local! {
    static SCOPES: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
    static USED: RefCell<BTreeMap<u64, BTreeSet<Slot>>> = const { RefCell::new(BTreeMap::new()) };
}

/// Opens scope `id` (a layer's site id) until the returned guard drops; nothing when no slot
/// is installed.
pub fn enter_scope(id: u64) -> Option<UsageScope> {
    if !ANY.with(Cell::get) {
        return None;
    }
    SCOPES.with(|s| s.borrow_mut().push(id));
    Some(UsageScope(()))
}

/// Closes the innermost scope (what dropping a [`UsageScope`] does).
pub fn leave_scope() {
    SCOPES.with(|s| {
        s.borrow_mut().pop();
    });
}

/// Closes its scope when dropped, also when the layer's forward fails.
pub struct UsageScope(());

impl Drop for UsageScope {
    fn drop(&mut self) {
        leave_scope();
    }
}

/// Records that `slot`'s implementation ran (or will run in backward) in the current scope.
pub fn note(slot: Slot) {
    let scope = SCOPES.with(|s| s.borrow().last().copied().unwrap_or(0));
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
