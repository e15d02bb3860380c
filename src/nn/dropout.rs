//! `Dropout`: inverted dropout in training mode, the identity in evaluation mode.

use super::module::{Layer, Module, Site};
use crate::autograd::CustomOp;
use crate::error::{Error, Result};
use crate::rng::with_rng;
use crate::slots::{self, value, value::Draw, Slot, Value};
use crate::tensor::{Array, Tensor};
use std::any::Any;
use std::rc::Rc;

/// Zeroes each element with probability `p` during training and scales the survivors by
/// `1/(1−p)`, so evaluation needs no rescaling. Masks come from the global seeded generator.
///
/// # Example
/// ```
/// use tinytorch::{nn::{Dropout, Module}, Tensor};
/// let d = Dropout::new(0.5).unwrap();
/// d.eval();
/// let x = Tensor::ones(&[4]);
/// assert_eq!(d.forward(&x).unwrap().to_vec(), vec![1.0; 4]);
/// assert!(Dropout::new(1.5).is_err());
/// ```
pub struct Dropout {
    site: Site,
    p: f32,
}

impl Dropout {
    /// Dropout with drop probability `p` in `[0, 1]`.
    ///
    /// # Errors
    /// If `p` is outside `[0, 1]` or NaN.
    pub fn new(p: f32) -> Result<Dropout> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::Arg {
                op: "Dropout",
                msg: format!("p must be in [0, 1], got {p}"),
            });
        }
        Ok(Dropout {
            site: Site::new(),
            p,
        })
    }

    /// The drop probability.
    pub fn p(&self) -> f32 {
        self.p
    }

    /// Wraps the layer in a shared handle for containers.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Dropout {
    /// Forward through a student's `dropoutForward` (module 03). In training it gets one
    /// uniform draw per element from the lab's generator (so gradcheck's replays see the same
    /// mask); the lab's backward multiplies by the mask its own rule gives for those draws.
    fn theirs(&self, f: &Rc<dyn slots::SlotFn>, x: &Tensor) -> Result<Tensor> {
        let training = self.site.training();
        let n = x.numel();
        let draws: Vec<f32> = if training {
            with_rng(|r| (0..n).map(|_| r.uniform()).collect())
        } else {
            Vec::new()
        };
        let keep = 1.0 - self.p;
        let shape = x.shape();
        let mask: Array = if training && self.p > 0.0 {
            let m: Vec<f32> = draws
                .iter()
                .map(|&u| {
                    if keep > 0.0 && u < keep {
                        1.0 / keep
                    } else {
                        0.0
                    }
                })
                .collect();
            Array::from_shape_vec(ndarray::IxDyn(&shape), m).expect("n values")
        } else {
            Array::ones(ndarray::IxDyn(&shape))
        };
        let mut args = [
            Value::tensor(&x.data()),
            Value::Num(self.p as f64),
            Value::Bool(training),
            Value::Draws(Draw::Uniform, draws),
        ];
        let out = slots::invoke(Slot::DropoutForward, f, &mut args)?;
        let y = value::expect_tensor(
            Slot::DropoutForward.js_name(),
            out,
            &shape,
            &format!("its result for an input of shape {shape:?}"),
        )?;
        Ok(Tensor::custom(
            std::slice::from_ref(x),
            y,
            Rc::new(MaskGrad(mask)),
        ))
    }
}

/// Backward of dropout: the gradient times the mask (0 or 1/(1 − p)).
struct MaskGrad(Array);

impl CustomOp for MaskGrad {
    fn name(&self) -> &str {
        "dropout"
    }
    fn backward(&self, _: &[Tensor], _: &Array, g: &Array) -> Result<Vec<Option<Array>>> {
        Ok(vec![Some(g * &self.0)])
    }
}

impl Module for Dropout {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if let Some(f) = slots::get(Slot::DropoutForward) {
            return self.theirs(&f, x);
        }
        if !self.site.training() || self.p == 0.0 {
            return Ok(x.clone());
        }
        let keep = 1.0 - self.p;
        let shape = x.shape();
        // Built as a tensor multiply, so gradients flow through the kept elements.
        let mask: Array = with_rng(|r| {
            Array::from_shape_simple_fn(ndarray::IxDyn(&shape), || {
                if keep > 0.0 && r.uniform() < keep {
                    1.0 / keep
                } else {
                    0.0
                }
            })
        });
        x.try_mul(&Tensor::from_array(mask))
    }
    fn kind(&self) -> &'static str {
        "Dropout"
    }
    fn describe(&self) -> String {
        format!("Dropout(p={})", self.p)
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
