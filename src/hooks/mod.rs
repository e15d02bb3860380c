//! Hooks below the tensor layer, so nothing under `nn` needs to know about `nn`: the scope of
//! the layer running now (layers push an opaque id; tensors, ops and autograd only ask),
//! profiling state kept by scope and by tensor id, and gradient hooks on tensors (a planted
//! fault on a parameter is one). Each costs a thread-local check when unused.

pub mod grad;
pub mod profile;
pub mod scope;
