//! The reference pass: one extra forward and backward with every injected fault and every
//! student implementation set aside, recorded layer by layer, to learn where the true gradient
//! is non-zero. The check compares against central differences, never against these values;
//! they only say where to look.
//!
//! Why it is needed: the gradient of a max-pool's input is non-zero only at each window's
//! maximum (a quarter of the elements or fewer; after a ReLU many windows tie at 0 and are
//! kinks), an embedding's only in the rows of the tokens used, a masked score's only where the
//! mask lets it through. Uniformly sampled elements can all miss those places, and a gradient
//! zeroed by a bug then looks right (a "zero" derivative that matches a zero numerical one).

use crate::error::Result;
use crate::nn::loss::Loss;
use crate::nn::trace::{self, Record};
use crate::nn::{call, fault, Module};
use crate::rng::{self, Rng};
use crate::tensor::{Array, Tensor};
use std::collections::HashMap;

/// What the reference pass saw at one layer call.
struct Call {
    site: u64,
    /// The gradient that arrived at the layer's output.
    arriving: Option<Array>,
    /// The gradient the layer passed to its input.
    input: Option<Array>,
}

/// Reference gradients of one model at one point, by layer call and by parameter.
pub(super) struct Reference {
    calls: Vec<Call>,
    params: HashMap<u64, Array>,
}

impl Reference {
    /// The `call`-th recorded call of layer `site`.
    fn call(&self, site: u64, call: usize) -> Option<&Call> {
        self.calls.iter().filter(|c| c.site == site).nth(call)
    }

    /// The reference gradient arriving at the output of `site`'s `call`-th call.
    pub(super) fn arriving(&self, site: u64, call: usize) -> Option<&Array> {
        self.call(site, call)?.arriving.as_ref()
    }

    /// The reference gradient of the input of `site`'s `call`-th call.
    pub(super) fn input(&self, site: u64, call: usize) -> Option<&Array> {
        self.call(site, call)?.input.as_ref()
    }

    /// The reference gradient of a parameter.
    pub(super) fn param(&self, p: &Tensor) -> Option<&Array> {
        self.params.get(&p.id())
    }
}

/// Runs the model once at `(input, target)` as the lab wrote it (no fault, no student code),
/// from the RNG state `rng0`, and keeps the gradients at every layer boundary and of every
/// parameter. `None` when that pass fails: the check then samples uniformly, as it would
/// without a reference. Leaves the parameters' gradients cleared and the buffers as they were.
pub(super) fn reference(
    model: &dyn Module,
    input: &Tensor,
    target: &Tensor,
    loss: Loss,
    input_grad: bool,
    rng0: &Rng,
) -> Option<Reference> {
    let params = model.parameters();
    let buffers = model.buffers();
    let saved: Vec<Array> = buffers.iter().map(|b| b.data().clone()).collect();
    for p in &params {
        p.zero_grad();
    }
    // A fresh leaf, so the traced pass's input gradient is not touched.
    let x = if input_grad {
        input.detach().requires_grad_(true)
    } else {
        input.clone()
    };
    rng::restore(rng0.clone());
    let (ok, records) = crate::slots::suspended(|| {
        fault::suspended(|| {
            trace::recording(|| -> Result<()> {
                let l = loss.compute(&call(model, &x)?, target)?;
                if l.requires_grad() {
                    l.backward()?;
                }
                Ok(())
            })
        })
    });
    let out = ok.ok().map(|()| Reference {
        calls: records.iter().map(call_of).collect(),
        params: params
            .iter()
            .filter_map(|p| Some((p.id(), p.grad_array().clone()?)))
            .collect(),
    });
    for p in &params {
        p.zero_grad();
    }
    for (b, d) in buffers.iter().zip(saved) {
        *b.data_mut() = d;
    }
    out
}

fn call_of(r: &Record) -> Call {
    Call {
        site: r.site,
        arriving: r.output.grad_array().clone(),
        input: r.input.grad_array().clone(),
    }
}
