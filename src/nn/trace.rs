//! Layer-boundary hooks used by gradcheck: record each layer's input and output tensors, or
//! nudge one element of them during a numerical probe. Off by default; costs nothing then.

use super::module::{Module, Site};
use crate::ops::custom::identity;
use crate::rng::{self, Rng};
use crate::tensor::Tensor;
use std::cell::RefCell;
use std::collections::HashMap;

/// One perturbation: add `delta` to element `index` of a layer's output on its `call`-th
/// invocation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Probe {
    pub site: u64,
    pub call: usize,
    pub index: usize,
    pub delta: f32,
}

/// What one layer invocation saw.
#[derive(Clone)]
pub(crate) struct Record {
    pub site: u64,
    /// The layer's private copy of its input (its gradient is what this layer passed down).
    pub input: Tensor,
    /// The layer's output as its consumers saw it.
    pub output: Tensor,
    /// The layer received tracked input or owns parameters, yet its output is untracked.
    pub cut: bool,
    /// The global RNG state when the layer started (replays dropout masks).
    pub rng: Rng,
}

#[derive(Default)]
struct State {
    record: bool,
    probe: Option<Probe>,
    calls: HashMap<u64, usize>,
    stack: Vec<(u64, usize)>,
    rngs: Vec<Rng>,
    records: Vec<Record>,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Runs `f` with recording on; returns its result and the records of every layer call.
pub(crate) fn recording<T>(f: impl FnOnce() -> T) -> (T, Vec<Record>) {
    STATE.with(|s| {
        *s.borrow_mut() = Some(State {
            record: true,
            ..State::default()
        })
    });
    let out = f();
    let st = STATE
        .with(|s| s.borrow_mut().take())
        .expect("state set above");
    (out, st.records)
}

/// Runs `f` with one perturbation active.
pub(crate) fn probing<T>(probe: Probe, f: impl FnOnce() -> T) -> T {
    STATE.with(|s| {
        *s.borrow_mut() = Some(State {
            probe: Some(probe),
            ..State::default()
        })
    });
    let out = f();
    STATE.with(|s| s.borrow_mut().take());
    out
}

fn perturb(t: &Tensor, index: usize, delta: f32) -> Tensor {
    let mut d = t.data().clone();
    if let Some(v) = d.as_slice_mut().and_then(|s| s.get_mut(index)) {
        *v += delta;
    }
    Tensor::from_array(d)
}

/// Called by [`super::call`] before a layer runs; returns the input the layer should use.
pub(crate) fn enter(site: &Site, x: &Tensor) -> Tensor {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let Some(st) = s.as_mut() else {
            return x.clone();
        };
        let call = {
            let c = st.calls.entry(site.id()).or_insert(0);
            *c += 1;
            *c - 1
        };
        st.stack.push((site.id(), call));
        if st.probe.is_some() {
            return x.clone();
        }
        if st.record {
            st.rngs.push(rng::snapshot());
        }
        if st.record && x.requires_grad() {
            let private = identity(x);
            private.retain_grad();
            return private;
        }
        x.clone()
    })
}

/// Called when a layer's forward failed: unwinds the call stack entry.
pub(crate) fn abort(_site: &Site) {
    STATE.with(|s| {
        if let Some(st) = s.borrow_mut().as_mut() {
            st.stack.pop();
            if st.record {
                st.rngs.pop();
            }
        }
    });
}

/// Called by [`super::call`] after a layer ran; returns the output its consumers should see.
pub(crate) fn leave<M: Module + ?Sized>(site: &Site, m: &M, x_in: &Tensor, y: Tensor) -> Tensor {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let Some(st) = s.as_mut() else { return y };
        let (id, call) = st.stack.pop().unwrap_or((site.id(), 0));
        if let Some(p) = st.probe {
            if p.site == id && p.call == call {
                return perturb(&y, p.index, p.delta);
            }
            return y;
        }
        if !st.record {
            return y;
        }
        let rng = st.rngs.pop().unwrap_or_else(rng::snapshot);
        let fed = x_in.requires_grad() || m.own_parameters().iter().any(|(_, p)| p.requires_grad());
        let cut = fed && !y.requires_grad();
        let output = if y.requires_grad() {
            let o = identity(&y);
            o.retain_grad();
            o
        } else {
            y
        };
        st.records.push(Record {
            site: id,
            input: x_in.clone(),
            output: output.clone(),
            cut,
            rng,
        });
        output
    })
}
