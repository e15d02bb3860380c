//! Profiling hooks (off by default, a thread-local flag check when off): forward time and
//! shapes per layer call, a layer tag on every tensor made inside a layer, and backward time
//! per graph node attributed to the layer that made it. They change no value.

use crate::tensor::Tensor;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// What the hooks measured for one layer (by site id).
#[derive(Clone, Debug, Default)]
pub(crate) struct SiteTimes {
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
    stack: Vec<(u64, f64)>,
    sites: HashMap<u64, SiteTimes>,
}

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Whether profiling is on.
#[inline]
pub(crate) fn active() -> bool {
    ON.with(|o| o.get())
}

/// Runs `f` with profiling on and returns what was measured per site.
pub(crate) fn profiling<T>(f: impl FnOnce() -> T) -> (T, HashMap<u64, SiteTimes>) {
    STATE.with(|s| *s.borrow_mut() = State::default());
    ON.with(|o| o.set(true));
    let out = f();
    ON.with(|o| o.set(false));
    let sites = STATE.with(|s| std::mem::take(&mut s.borrow_mut().sites));
    (out, sites)
}

/// The innermost layer running now (0 outside any layer).
pub(crate) fn current_site() -> u64 {
    STATE.with(|s| s.borrow().stack.last().map(|(id, _)| *id).unwrap_or(0))
}

pub(crate) fn enter(site: u64, x: &Tensor) {
    let now = crate::clock::now_ms();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.stack.push((site, now));
        s.sites.entry(site).or_default().input_shape = x.shape();
    });
}

pub(crate) fn leave(site: u64, y: Option<&Tensor>) {
    let now = crate::clock::now_ms();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let started = s.stack.pop().map(|(_, t)| t).unwrap_or(now);
        let e = s.sites.entry(site).or_default();
        e.calls += 1;
        e.forward_ms += now - started;
        if let Some(y) = y {
            e.output_shape = y.shape();
            e.output_bytes += y.numel() * 4;
        }
    });
}

/// Adds `ms` of backward work to the layer that made a node.
pub(crate) fn add_backward(site: u64, ms: f64) {
    if site == 0 {
        return;
    }
    STATE.with(|s| s.borrow_mut().sites.entry(site).or_default().backward_ms += ms);
}
