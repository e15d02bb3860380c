//! Profiling state (off by default, a thread-local flag check when off), kept below the tensor
//! layer: forward time and shapes per scope (a layer call), the scope that made each tensor,
//! and backward time per graph node attributed to that scope. It changes no value. The
//! profiler of module 14 (`crate::profiler`) reads it.

use super::scope;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// What was measured for one scope (a layer, by site id).
#[derive(Clone, Debug, Default)]
pub struct SiteTimes {
    pub calls: usize,
    /// Inclusive forward time (children included).
    pub forward_ms: f64,
    /// Exclusive backward time (only ops this layer made itself).
    pub backward_ms: f64,
    pub input_shape: Vec<usize>,
    pub output_shape: Vec<usize>,
    pub output_bytes: usize,
}

#[derive(Default)]
struct State {
    started: Vec<f64>,
    sites: HashMap<u64, SiteTimes>,
    /// The scope that made each tensor (by tensor id).
    made_by: HashMap<u64, u64>,
}

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Whether profiling is on.
#[inline]
pub fn active() -> bool {
    ON.with(|o| o.get())
}

/// Runs `f` with profiling on and returns what was measured per scope.
pub fn profiling<T>(f: impl FnOnce() -> T) -> (T, HashMap<u64, SiteTimes>) {
    STATE.with(|s| *s.borrow_mut() = State::default());
    ON.with(|o| o.set(true));
    let out = f();
    ON.with(|o| o.set(false));
    let sites = STATE.with(|s| std::mem::take(&mut *s.borrow_mut()).sites);
    (out, sites)
}

/// A tensor was made: it belongs to the scope running now (called by `Tensor` while on).
pub fn made(tensor: u64) {
    let site = scope::current();
    if site != 0 {
        STATE.with(|s| s.borrow_mut().made_by.insert(tensor, site));
    }
}

/// A layer's forward starts (its scope is already open).
pub fn enter(site: u64, input_shape: Vec<usize>) {
    let now = crate::clock::now_ms();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.started.push(now);
        s.sites.entry(site).or_default().input_shape = input_shape;
    });
}

/// A layer's forward ended, with its output's shape (`None` when it failed).
pub fn leave(site: u64, output_shape: Option<Vec<usize>>) {
    let now = crate::clock::now_ms();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let started = s.started.pop().unwrap_or(now);
        let e = s.sites.entry(site).or_default();
        e.calls += 1;
        e.forward_ms += now - started;
        if let Some(shape) = output_shape {
            e.output_bytes += shape.iter().product::<usize>() * 4;
            e.output_shape = shape;
        }
    });
}

/// Adds `ms` of backward work to the scope that made tensor `node`.
pub fn add_backward(node: u64, ms: f64) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(&site) = s.made_by.get(&node) {
            s.sites.entry(site).or_default().backward_ms += ms;
        }
    });
}
