//! Gradient hooks: a function applied to every gradient stored into one tensor (by id), below
//! the tensor layer. `nn::fault` plants a zeroed weight gradient this way; backward calls
//! [`apply`] where it stores a leaf's gradient.

use ndarray::ArrayD;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// A hook: the gradient about to be stored → the gradient stored.
pub type GradHook = Rc<dyn Fn(&ArrayD<f32>) -> ArrayD<f32>>;

thread_local! {
    static HOOKS: RefCell<HashMap<u64, GradHook>> = RefCell::new(HashMap::new());
    static ANY: Cell<bool> = const { Cell::new(false) };
}

/// Sets (or with `None` removes) the hook of tensor `id`.
pub fn set(id: u64, hook: Option<GradHook>) {
    HOOKS.with(|h| {
        let mut h = h.borrow_mut();
        match hook {
            Some(f) => {
                h.insert(id, f);
            }
            None => {
                h.remove(&id);
            }
        }
        ANY.with(|a| a.set(!h.is_empty()));
    });
}

/// The gradient to store into tensor `id`: `g` through its hook, `None` when it has none.
pub fn apply(id: u64, g: &ArrayD<f32>) -> Option<ArrayD<f32>> {
    if !ANY.with(Cell::get) {
        return None;
    }
    let hook = HOOKS.with(|h| h.borrow().get(&id).cloned())?;
    Some(hook(g))
}

/// Forgets the hook of a tensor that is being dropped (tensor ids are never reused, so this only
/// keeps the table small).
pub fn forget(id: u64) {
    if ANY.with(Cell::get) {
        set(id, None);
    }
}
