//! The `Module` trait every layer implements, the per-layer `Site` (identity, train/eval
//! flag, injected fault), and `call`, the one door every layer's forward goes through.

use super::fault::FaultKind;
use super::trace;
use crate::error::Result;
use crate::hooks::profile;
use crate::tensor::Tensor;
use std::any::Any;
use std::cell::Cell;
use std::rc::Rc;

thread_local! {
    static NEXT_SITE: Cell<u64> = const { Cell::new(1) };
}

/// Per-layer bookkeeping shared by every module: a unique id, the train/eval flag, an
/// injected fault (if any) and how often it took effect.
#[derive(Debug)]
pub struct Site {
    id: u64,
    training: Cell<bool>,
    fault: Cell<Option<FaultKind>>,
    /// Shared with the fault's backward op and the parameters' gradient faults, which count
    /// here after the layer itself may be gone (a suite reads it when it finishes).
    fault_hits: Rc<Cell<u64>>,
}

impl Default for Site {
    fn default() -> Self {
        Site::new()
    }
}

impl Site {
    /// A fresh site in training mode with no fault.
    pub fn new() -> Site {
        let id = NEXT_SITE.with(|c| {
            let v = c.get();
            c.set(v + 1);
            v
        });
        Site {
            id,
            training: Cell::new(true),
            fault: Cell::new(None),
            fault_hits: Rc::new(Cell::new(0)),
        }
    }
    /// The site's unique id.
    pub fn id(&self) -> u64 {
        self.id
    }
    /// Whether the layer is in training mode.
    pub fn training(&self) -> bool {
        self.training.get()
    }
    pub(crate) fn set_training(&self, on: bool) {
        self.training.set(on);
    }
    /// The fault injected into this layer, if any.
    pub fn fault(&self) -> Option<FaultKind> {
        self.fault.get()
    }
    /// Sets (or clears) the fault and restarts its count.
    pub(crate) fn set_fault(&self, f: Option<FaultKind>) {
        self.fault.set(f);
        self.fault_hits.set(0);
    }
    /// How many times the injected fault took effect since it was injected: an output that
    /// needed a gradient was detached, a gradient flowed back through the fault, or (for
    /// `ZeroGrad` on a layer with parameters) a gradient was stored into a parameter. Zero
    /// means the fault changed nothing (the layer never ran while gradients were recorded, or
    /// nothing was differentiated through it), so a check that passed proved nothing.
    pub fn fault_applied(&self) -> u64 {
        self.fault_hits.get()
    }
    /// The shared counter behind [`Site::fault_applied`].
    pub(crate) fn fault_hits(&self) -> Rc<Cell<u64>> {
        self.fault_hits.clone()
    }
}

/// A shared handle to any layer; containers such as `Sequential` hold these.
pub type Layer = Rc<dyn Module>;

/// A layer: parameters, children, and a forward computation.
///
/// Implementors write `forward` for their own computation and call children through
/// [`call`], which applies injected faults and the gradcheck/profiler hooks.
///
/// # Example
/// ```
/// use tinytorch::nn::{Linear, Module};
/// let lin = Linear::new(3, 2, true);
/// assert_eq!(lin.parameters().len(), 2);            // weight (3, 2) and bias (2,)
/// assert_eq!(lin.describe(), "Linear(3 → 2)");
/// ```
pub trait Module: Any {
    /// The layer's own computation on `x` (children are run with [`call`]).
    ///
    /// # Errors
    /// If `x` has the wrong shape for this layer.
    fn forward(&self, x: &Tensor) -> Result<Tensor>;

    /// The layer's type name, e.g. `"Linear"`.
    fn kind(&self) -> &'static str;

    /// A one-line description with the configuration, e.g. `"Linear(4 → 4)"`.
    fn describe(&self) -> String {
        self.kind().to_string()
    }

    /// The layer's bookkeeping.
    fn site(&self) -> &Site;

    /// Parameters owned directly by this layer (not by its children), with their names.
    fn own_parameters(&self) -> Vec<(&'static str, Tensor)> {
        Vec::new()
    }

    /// Non-trainable state that forward may update (BatchNorm's running statistics).
    fn own_buffers(&self) -> Vec<(&'static str, Tensor)> {
        Vec::new()
    }

    /// FLOPs of this layer's own computation (children excluded) for one call mapping
    /// `input` to `output` shapes. Convention: a multiply-add is 2 FLOPs (matmul, conv,
    /// attention scores and mixing); a bias add, a residual add or an elementwise function is
    /// 1 FLOP per element; pooling is k² per output; a normalisation is 5 per element;
    /// reshapes and lookups cost nothing.
    fn flops(&self, _input: &[usize], _output: &[usize]) -> u64 {
        0
    }

    /// Child layers with their names, in the order forward uses them.
    fn children(&self) -> Vec<(String, &dyn Module)> {
        Vec::new()
    }

    /// Runs the layer through the hooks (faults, gradcheck tracing). Prefer this to
    /// `forward` when calling a layer.
    fn call(&self, x: &Tensor) -> Result<Tensor>
    where
        Self: Sized,
    {
        call(self, x)
    }

    /// Every parameter of this layer and its descendants, in order.
    fn parameters(&self) -> Vec<Tensor> {
        let mut out: Vec<Tensor> = self.own_parameters().into_iter().map(|(_, t)| t).collect();
        for (_, c) in self.children() {
            out.extend(c.parameters());
        }
        out
    }

    /// Parameters with dotted paths, e.g. `"0.weight"`, `"blocks.1.attn.q.bias"`.
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        let mut out: Vec<(String, Tensor)> = self
            .own_parameters()
            .into_iter()
            .map(|(n, t)| (n.to_string(), t))
            .collect();
        for (name, c) in self.children() {
            out.extend(
                c.named_parameters()
                    .into_iter()
                    .map(|(p, t)| (format!("{name}.{p}"), t)),
            );
        }
        out
    }

    /// Every buffer of this layer and its descendants.
    fn buffers(&self) -> Vec<Tensor> {
        let mut out: Vec<Tensor> = self.own_buffers().into_iter().map(|(_, t)| t).collect();
        for (_, c) in self.children() {
            out.extend(c.buffers());
        }
        out
    }

    /// Switches this layer and its descendants to training (`true`) or evaluation mode.
    fn set_training(&self, on: bool) {
        self.site().set_training(on);
        for (_, c) in self.children() {
            c.set_training(on);
        }
    }

    /// Training mode (dropout active, batch statistics used).
    fn train(&self) {
        self.set_training(true);
    }

    /// Evaluation mode (dropout off, running statistics used).
    fn eval(&self) {
        self.set_training(false);
    }

    /// Clears the gradient of every parameter.
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad();
        }
    }

    /// Bytes this layer and its descendants store (parameters as float32 unless a layer
    /// stores something else, as quantized layers do).
    fn storage_bytes(&self) -> usize {
        self.own_parameters()
            .iter()
            .map(|(_, t)| t.numel() * 4)
            .sum::<usize>()
            + self
                .children()
                .iter()
                .map(|(_, c)| c.storage_bytes())
                .sum::<usize>()
    }

    /// Weights and biases this layer and its descendants store, whatever their precision
    /// (an int8 layer's weights count too, though they are no longer float tensors).
    fn stored_parameters(&self) -> usize {
        self.own_parameters()
            .iter()
            .map(|(_, t)| t.numel())
            .sum::<usize>()
            + self
                .children()
                .iter()
                .map(|(_, c)| c.stored_parameters())
                .sum::<usize>()
    }

    /// Total number of parameter values.
    fn num_parameters(&self) -> usize {
        self.parameters().iter().map(|p| p.numel()).sum()
    }

    /// Upcast for downcasting to a concrete layer type (`as_any().downcast_ref::<Linear>()`).
    fn as_any(&self) -> &dyn Any;
}

/// Runs `m.forward(x)` through the hooks: gradcheck's tracing and probing, the profiler, and
/// any injected fault. Containers call their children with this.
///
/// # Errors
/// Whatever the layer's forward returns.
pub fn call<M: Module + ?Sized>(m: &M, x: &Tensor) -> Result<Tensor> {
    let site = m.site();
    // This layer's scope, below the tensor layer: tensors made inside are this layer's for the
    // profiler, and a student's function run inside is this layer's ("your code").
    let _scope = crate::hooks::scope::enter(site.id());
    let profiling = profile::active();
    if profiling {
        profile::enter(site.id(), x.shape());
    }
    let x_in = trace::enter(site, x);
    // A student's op that failed inside this forward fails this layer.
    let y = m
        .forward(&x_in)
        .and_then(|y| crate::slots::raise_pending().map(|()| y));
    let y = match y {
        Ok(y) => y,
        Err(e) => {
            trace::abort(site);
            if profiling {
                profile::leave(site.id(), None);
            }
            return Err(e);
        }
    };
    let y = match site.fault() {
        Some(kind) if !super::fault::is_suspended() => {
            kind.apply(y, !m.own_parameters().is_empty(), &site.fault_hits)
        }
        _ => y,
    };
    let y = trace::leave(site, m, &x_in, y);
    if profiling {
        profile::leave(site.id(), Some(y.shape()));
    }
    Ok(y)
}

/// Copies every parameter and buffer of `from` into the same-shaped model `to` (values only,
/// not recorded in the graph): afterwards both compute the same function, and stay independent.
///
/// # Errors
/// If the models differ in their number of parameters or buffers, or in a shape; nothing is
/// copied then.
///
/// # Example
/// ```
/// use tinytorch::nn::{copy_weights, Linear, Module};
/// let (a, b) = (Linear::new(3, 2, true), Linear::new(3, 2, true));
/// copy_weights(&a, &b).unwrap();
/// assert_eq!(a.parameters()[0].to_vec(), b.parameters()[0].to_vec());
/// assert!(copy_weights(&a, &Linear::new(2, 3, true)).is_err());
/// ```
pub fn copy_weights(from: &dyn Module, to: &dyn Module) -> Result<()> {
    let pairs = |a: Vec<(String, Tensor)>, b: Vec<(String, Tensor)>, what: &str| {
        if a.len() != b.len() {
            return Err(crate::error::Error::Arg {
                op: "copy_weights",
                msg: format!(
                    "the models differ: {} {what} in the source, {} in the target",
                    a.len(),
                    b.len()
                ),
            });
        }
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            if x.shape() != y.shape() {
                return Err(crate::error::Error::Arg {
                    op: "copy_weights",
                    msg: format!(
                        "{what} {name} has shape {:?} in the source and {:?} in the target",
                        x.shape(),
                        y.shape()
                    ),
                });
            }
        }
        Ok(a.into_iter()
            .zip(b)
            .map(|((_, x), (_, y))| (x, y))
            .collect::<Vec<_>>())
    };
    let named_buffers = |m: &dyn Module| {
        m.buffers()
            .into_iter()
            .enumerate()
            .map(|(i, t)| (i.to_string(), t))
            .collect::<Vec<_>>()
    };
    // Check everything first, so a mismatch leaves `to` as it was.
    let params = pairs(from.named_parameters(), to.named_parameters(), "parameter")?;
    let buffers = pairs(named_buffers(from), named_buffers(to), "buffer")?;
    for (x, y) in params.into_iter().chain(buffers) {
        // Read before writing: the two may be one tensor (a layer both models share).
        let values = x.data().clone();
        y.set_data(values)?;
    }
    Ok(())
}
