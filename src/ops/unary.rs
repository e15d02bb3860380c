//! Element-wise functions of one input: each forward `f` beside its derivative `df`.
//!
//! Transcendentals go through `libm` so native and browser builds compute bit-identical values.

use crate::autograd::{GradSink, Op, UnaryOp};
use crate::tensor::{Array, Tensor};
use ndarray::Zip;

/// sqrt(2/π), the GELU tanh-approximation constant.
const GELU_C: f32 = 0.797_884_6;
const GELU_A: f32 = 0.044_715;

/// Logistic sigmoid in the form that never overflows: for x < 0 use e^x / (1 + e^x).
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::expf(-x))
    } else {
        let e = libm::expf(x);
        e / (1.0 + e)
    }
}

/// GELU, tanh approximation (Hendrycks & Gimpel, arXiv:1606.08415; the GPT-2 form):
/// `0.5·x·(1 + tanh(c·(x + a·x³)))`.
pub(crate) fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + libm::tanhf(GELU_C * (x + GELU_A * x * x * x)))
}

/// d/dx GELU of the same formula (the reference differentiated a different one):
/// `0.5·(1 + t) + 0.5·x·(1 − t²)·c·(1 + 3a·x²)` with `t = tanh(c·(x + a·x³))`.
pub(crate) fn gelu_grad(x: f32) -> f32 {
    let t = libm::tanhf(GELU_C * (x + GELU_A * x * x * x));
    0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_A * x * x)
}

fn forward(u: UnaryOp, x: f32) -> f32 {
    match u {
        UnaryOp::Exp => libm::expf(x),
        UnaryOp::Log => libm::logf(x),
        UnaryOp::Sqrt => x.sqrt(),
        UnaryOp::Tanh => libm::tanhf(x),
        UnaryOp::Sigmoid => sigmoid(x),
        UnaryOp::Relu => x.max(0.0),
        UnaryOp::Gelu => gelu(x),
        UnaryOp::Abs => x.abs(),
    }
}

/// Local derivative dy/dx from the input `x` and the output `y`.
fn derivative(u: UnaryOp, x: f32, y: f32) -> f32 {
    match u {
        UnaryOp::Exp => y,                 // d e^x = e^x
        UnaryOp::Log => 1.0 / x,           // d ln x = 1/x
        UnaryOp::Sqrt => 0.5 / y,          // d √x = 1/(2√x)
        UnaryOp::Tanh => 1.0 - y * y,      // d tanh = 1 − tanh²
        UnaryOp::Sigmoid => y * (1.0 - y), // d σ = σ(1 − σ)
        // NOTE: the subgradient at exactly 0 is 0, as in PyTorch.
        UnaryOp::Relu => {
            if x > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        UnaryOp::Gelu => gelu_grad(x),
        UnaryOp::Abs => {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            }
        }
    }
}

fn unary(t: &Tensor, u: UnaryOp) -> Tensor {
    let data = t.data().mapv(|x| forward(u, x));
    Tensor::from_op(data, Op::Unary(t.clone(), u))
}

pub(crate) fn backward(u: UnaryOp, a: &Tensor, y: &Array, g: Array, sink: &mut GradSink) {
    let mut g = g;
    Zip::from(&mut g)
        .and(&*a.data())
        .and(y)
        .for_each(|g, &x, &y| *g *= derivative(u, x, y));
    sink.add(a, g);
}

impl Tensor {
    /// e^x element-wise.
    pub fn exp(&self) -> Tensor {
        unary(self, UnaryOp::Exp)
    }
    /// Natural log element-wise (NaN for negative inputs, −inf at 0, as in IEEE).
    pub fn log(&self) -> Tensor {
        unary(self, UnaryOp::Log)
    }
    /// Square root element-wise.
    pub fn sqrt(&self) -> Tensor {
        unary(self, UnaryOp::Sqrt)
    }
    /// Hyperbolic tangent element-wise.
    pub fn tanh(&self) -> Tensor {
        unary(self, UnaryOp::Tanh)
    }
    /// Logistic sigmoid, stable for any input (±500 gives exactly 1 and a tiny positive value).
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let y = Tensor::from_vec(vec![-500.0, 0.0, 500.0], &[3]).unwrap().sigmoid().to_vec();
    /// assert!(y[0] >= 0.0 && y[0] < 1e-30 && y[1] == 0.5 && y[2] == 1.0);
    /// ```
    pub fn sigmoid(&self) -> Tensor {
        unary(self, UnaryOp::Sigmoid)
    }
    /// max(0, x) element-wise.
    pub fn relu(&self) -> Tensor {
        unary(self, UnaryOp::Relu)
    }
    /// GELU (tanh approximation); its backward is the exact derivative of this forward.
    pub fn gelu(&self) -> Tensor {
        unary(self, UnaryOp::Gelu)
    }
    /// |x| element-wise.
    pub fn abs(&self) -> Tensor {
        unary(self, UnaryOp::Abs)
    }
}
