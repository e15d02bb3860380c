//! Fault injection: break one layer on purpose so the suites can prove they catch it and name
//! the layer (design decision 4); count whether a planted fault took effect; and suspend every
//! fault while gradcheck computes its reference gradients.

use super::module::Module;
use crate::autograd::CustomOp;
use crate::error::{Error, Result};
use crate::tensor::{Array, Tensor};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::rc::Rc;

thread_local! {
    static SUSPENDED: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` as if no fault were injected anywhere: layers' outputs are left alone and
/// parameter gradients are stored unscaled. Gradcheck computes its reference gradients this
/// way (where the true gradient is non-zero), so it knows where to look.
///
/// # Example
/// ```
/// use tinytorch::nn::{fault, inject_fault, FaultKind, Linear, Module};
/// use tinytorch::Tensor;
/// let lin = Linear::new(2, 1, true);
/// inject_fault(&lin, 0, FaultKind::ZeroGrad).unwrap();
/// let x = Tensor::ones(&[1, 2]);
/// fault::suspended(|| lin.call(&x).unwrap().sum().backward()).unwrap();
/// assert!(lin.parameters()[0].grad().unwrap().to_vec().iter().all(|&v| v == 1.0));
/// assert_eq!(lin.site().fault_applied(), 0);    // suspended faults do not count
/// ```
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

/// Whether faults are suspended right now (inside [`suspended`]).
pub(crate) fn is_suspended() -> bool {
    SUSPENDED.with(Cell::get) > 0
}

/// A fault on a parameter, as a gradient hook below the tensor layer: every gradient stored
/// into it is multiplied by `factor` (unless faults are suspended), and `hits` (the layer's
/// counter, see [`super::Site::fault_applied`]) counts the stores.
fn grad_fault(factor: f32, hits: Rc<Cell<u64>>) -> crate::hooks::grad::GradHook {
    Rc::new(move |g: &Array| {
        if is_suspended() {
            return g.clone();
        }
        hits.set(hits.get() + 1);
        g * factor
    })
}

/// The kinds of fault a layer can be given (`"detach"`, `"zero_grad"`, `"flip_sign"`,
/// `"scale_grad"` in JSON and the JS API; the camelCase spellings are read too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The layer's output is detached from the graph: no gradient reaches anything before it.
    Detach,
    /// The layer's weight gradients are zeroed (for a layer without parameters, the gradient
    /// it passes down is zeroed).
    #[serde(alias = "zeroGrad")]
    ZeroGrad,
    /// The gradient flowing back through the layer has its sign flipped.
    #[serde(alias = "flipSign")]
    FlipSign,
    /// The gradient flowing back through the layer is doubled.
    #[serde(alias = "scaleGrad")]
    ScaleGrad,
}

/// A fault kind as the course presents it: `faultKinds()` in the JS API, the "Break a layer"
/// picker of the module pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct FaultKindInfo {
    /// The name the API takes, e.g. `"flip_sign"`.
    pub name: FaultKind,
    /// A short label for a menu, e.g. "Flip the sign".
    pub label: &'static str,
    /// What the fault does to training, in a sentence for students.
    pub description: &'static str,
}

impl FaultKind {
    /// All kinds, in a fixed order.
    pub const ALL: [FaultKind; 4] = [
        FaultKind::Detach,
        FaultKind::ZeroGrad,
        FaultKind::FlipSign,
        FaultKind::ScaleGrad,
    ];

    /// The snake_case name used in JSON and in the JS API.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Detach => "detach",
            FaultKind::ZeroGrad => "zero_grad",
            FaultKind::FlipSign => "flip_sign",
            FaultKind::ScaleGrad => "scale_grad",
        }
    }

    /// The kind for students: its name, a label and what it does to training.
    ///
    /// # Example
    /// ```
    /// use tinytorch::nn::FaultKind;
    /// assert_eq!(FaultKind::FlipSign.info().label, "Flip the sign");
    /// ```
    pub fn info(self) -> FaultKindInfo {
        let (label, description) = match self {
            FaultKind::Detach => ("Detach", "The layer's output is cut from its input, as if rebuilt from raw data: no gradient reaches anything before it."),
            FaultKind::ZeroGrad => ("Zero the gradient", "The layer passes back only zeros: everything before it stops learning."),
            FaultKind::FlipSign => ("Flip the sign", "The layer passes back the negated gradient, like a sign error in a backward rule."),
            FaultKind::ScaleGrad => ("Scale the gradient", "The layer passes back twice the right gradient, like a missing or extra factor (a sum where a mean belongs)."),
        };
        FaultKindInfo {
            name: self,
            label,
            description,
        }
    }

    /// Parses a name as produced by [`FaultKind::name`] (camelCase also accepted).
    ///
    /// # Errors
    /// If the name is not a fault kind.
    pub fn parse(s: &str) -> Result<FaultKind> {
        match s {
            "detach" => Ok(FaultKind::Detach),
            "zero_grad" | "zeroGrad" => Ok(FaultKind::ZeroGrad),
            "flip_sign" | "flipSign" => Ok(FaultKind::FlipSign),
            "scale_grad" | "scaleGrad" => Ok(FaultKind::ScaleGrad),
            _ => Err(Error::Arg {
                op: "inject_fault",
                msg: format!(
                    "unknown fault kind '{s}' (expected detach, zero_grad, flip_sign or scale_grad)"
                ),
            }),
        }
    }

    /// Applies the output side of the fault to a layer's result. `hits` counts the times it
    /// took effect: a detach of an output that needed a gradient, or a gradient that flowed
    /// back through the fault (an output nothing differentiates is left uncounted).
    pub(crate) fn apply(self, y: Tensor, has_params: bool, hits: &Rc<Cell<u64>>) -> Tensor {
        match self {
            FaultKind::Detach => {
                if y.requires_grad() {
                    hits.set(hits.get() + 1);
                }
                y.detach()
            }
            FaultKind::FlipSign => scale_grad(&y, -1.0, hits),
            FaultKind::ScaleGrad => scale_grad(&y, 2.0, hits),
            // With parameters, ZeroGrad acts on the parameters' gradients (set at injection,
            // counted where they are stored).
            FaultKind::ZeroGrad if has_params => y,
            FaultKind::ZeroGrad => scale_grad(&y, 0.0, hits),
        }
    }
}

/// Identity forward; backward multiplies the gradient by a factor and counts the pass.
struct GradScale(f32, Rc<Cell<u64>>);

impl CustomOp for GradScale {
    fn name(&self) -> &str {
        "fault"
    }
    fn backward(&self, _: &[Tensor], _: &Array, g: &Array) -> Result<Vec<Option<Array>>> {
        self.1.set(self.1.get() + 1);
        Ok(vec![Some(g * self.0)])
    }
}

fn scale_grad(y: &Tensor, factor: f32, hits: &Rc<Cell<u64>>) -> Tensor {
    Tensor::custom(
        std::slice::from_ref(y),
        y.data().clone(),
        Rc::new(GradScale(factor, hits.clone())),
    )
}

/// Breaks layer `index` (in [`super::flatten_layers`] order) of `model` with `kind`.
///
/// # Errors
/// If `index` is not a layer of the model.
///
/// # Example
/// ```
/// use tinytorch::nn::{inject_fault, FaultKind, Linear, ReLU, Sequential, Module};
/// let m = Sequential::new(vec![Linear::new(2, 2, true).into_layer(), ReLU::new().into_layer()]);
/// inject_fault(&m, 1, FaultKind::Detach).unwrap();
/// assert!(inject_fault(&m, 7, FaultKind::Detach).is_err());
/// ```
pub fn inject_fault(model: &dyn Module, index: usize, kind: FaultKind) -> Result<()> {
    let layers = super::flatten_layers(model);
    let Some(info) = layers.get(index) else {
        return Err(Error::Arg {
            op: "inject_fault",
            msg: format!(
                "layer {index} does not exist; the model has {} layers",
                layers.len()
            ),
        });
    };
    let m = info.module;
    m.site().set_fault(Some(kind));
    let hook = (kind == FaultKind::ZeroGrad).then(|| grad_fault(0.0, m.site().fault_hits()));
    for (_, p) in m.own_parameters() {
        crate::hooks::grad::set(p.id(), hook.clone());
    }
    Ok(())
}

/// Removes every injected fault from the model.
pub fn clear_faults(model: &dyn Module) {
    for info in super::flatten_layers(model) {
        info.module.site().set_fault(None);
        for (_, p) in info.module.own_parameters() {
            crate::hooks::grad::set(p.id(), None);
        }
    }
}
