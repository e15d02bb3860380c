//! Modules 01–02 of `api_compatibility`: tensors made from vectors and numbers, their shapes
//! and gradients, and the activation layers, checked against their documented values.

use super::docs::{doc, wide, Documented, Value::*};
use super::ApiCase;
use crate::nn::{Module, ReLU, Sigmoid, Softmax, Tanh, GELU};
use crate::suites::ctx::check;
use crate::tensor::Tensor;

/// What modules 01–02 document.
pub fn table() -> Vec<Documented> {
    vec![
        doc(
            "Tensor::zeros",
            "shape of zeros(&[2, 3])",
            Dims(vec![2, 3]),
            "src/tensor/create.rs (Tensor::zeros)",
        ),
        doc(
            "Tensor::scalar",
            "shape (a 0-d tensor)",
            Dims(vec![]),
            "src/tensor/create.rs (Tensor::scalar)",
        ),
        doc(
            "Tensor::arange",
            "values of arange(4)",
            List(vec![0.0, 1.0, 2.0, 3.0]),
            "src/tensor/create.rs (Tensor::arange: [0, 1, …, n−1])",
        ),
        doc(
            "Tensor::from_vec",
            "requires_grad of a new tensor",
            Flag(false),
            "src/tensor/mod.rs (from_array: a leaf that does not require grad)",
        ),
        doc(
            "Tensor::try_reshape",
            "shape of a (2, 3, 4) tensor reshaped to [-1, 4]",
            Dims(vec![6, 4]),
            "src/ops/movement.rs (try_reshape example)",
        ),
        doc(
            "Tensor::try_matmul",
            "shape of (2, 3)·(3, 4)",
            Dims(vec![2, 4]),
            "src/ops/matmul.rs (matrix product)",
        ),
        doc(
            "Tensor::try_sum_axes",
            "row sums of [[1, 2, 3], [4, 5, 6]] over axis -1",
            List(vec![6.0, 15.0]),
            "src/ops/reduce.rs (try_sum_axes example)",
        ),
        doc(
            "Tensor::backward",
            "gradient of Σx² at x = [1, 2, 3]",
            List(vec![2.0, 4.0, 6.0]),
            "src/tensor/mod.rs (Tensor example: dy/dx = 2x)",
        ),
        doc(
            "Tensor::grad",
            "has a gradient before any backward",
            Flag(false),
            "src/tensor/mod.rs (grad: if any backward reached this tensor)",
        ),
        doc(
            "Tensor::zero_grad",
            "has a gradient after zero_grad",
            Flag(false),
            "src/tensor/mod.rs (zero_grad: sets it to None, as TinyTorch does)",
        ),
        doc(
            "ReLU",
            "ReLU of [-1, 0, 2]",
            List(vec![0.0, 0.0, 2.0]),
            "src/nn/activation.rs (ReLU: max(0, x))",
        ),
        doc(
            "Sigmoid",
            "Sigmoid of [0, -500, 500]",
            List(vec![0.5, 0.0, 1.0]),
            "src/nn/activation.rs (Sigmoid: 1/(1 + e^−x), stable for any input)",
        ),
        doc(
            "Tanh",
            "Tanh(0.5)",
            Num(0.462_117_157),
            "src/nn/activation.rs (Tanh)",
        ),
        // NOTE: the reference's module 02 forward was x·σ(1.702x) (0.8458 at 1) while its
        // backward differentiated the tanh form; ours documents and computes the tanh form.
        doc(
            "GELU",
            "GELU(1), tanh approximation",
            Num(0.841_191_991),
            "src/nn/activation.rs (GELU: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))))",
        ),
        doc(
            "Softmax::new",
            "Softmax(-1) of zeros (2, 4), every value",
            Num(0.25),
            "src/nn/activation.rs (Softmax example)",
        ),
        doc(
            "Module::parameters",
            "parameters of an activation layer",
            Int(0),
            "curriculum 02 (activations have no parameters)",
        ),
    ]
}

pub(super) fn run(ctx: &mut ApiCase) {
    ctx.case("m01_tensor", "Module 01: Tensor::from_vec, scalar, zeros and arange make the documented shapes and values; a new tensor does not require grad; reshape with −1, matmul and sums give the documented shapes and values; Σx² back-propagates 2x; grad is None before backward and after zero_grad; a wrong element count or matmul shape is an error naming the call.", |_, docs| {
        let d = docs.get("Tensor::zeros", "shape of zeros(&[2, 3])")?;
        let z = Tensor::zeros(&[2, 3]);
        d.expect_eq("Tensor::zeros(&[2, 3]).shape()", d.dims()?, z.shape())?;
        check!(z.to_vec().iter().all(|&v| v == 0.0), "Tensor::zeros: values {:?} are not all 0", z.to_vec());

        let d = docs.get("Tensor::scalar", "shape (a 0-d tensor)")?;
        let s = Tensor::scalar(3.5);
        d.expect_eq("Tensor::scalar(3.5).shape()", d.dims()?, s.shape())?;
        check!(s.item()? == 3.5, "Tensor::scalar(3.5).item() gave {}", s.item()?);

        let d = docs.get("Tensor::arange", "values of arange(4)")?;
        d.expect_all("Tensor::arange(4)", &d.list()?, &wide(&Tensor::arange(4).to_vec()), 0.0)?;

        let d = docs.get("Tensor::from_vec", "requires_grad of a new tensor")?;
        let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
        d.expect_eq("Tensor::from_vec(…).requires_grad()", d.flag()?, x.requires_grad())?;
        check!(x.shape() == vec![2, 3] && x.to_vec() == vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "Tensor::from_vec: the values or shape changed: {:?}", x);
        let bad = Tensor::from_vec(vec![1.0; 5], &[2, 3]);
        check!(bad.as_ref().is_err_and(|e| e.to_string().starts_with("from_vec:")), "Tensor::from_vec: 5 values for shape [2, 3] must be an error naming from_vec, got {bad:?}");

        let d = docs.get("Tensor::try_reshape", "shape of a (2, 3, 4) tensor reshaped to [-1, 4]")?;
        d.expect_eq("reshape(&[-1, 4])", d.dims()?, Tensor::zeros(&[2, 3, 4]).try_reshape(&[-1, 4])?.shape())?;
        check!(Tensor::zeros(&[2, 3, 4]).try_reshape(&[-1, -1]).is_err(), "Tensor::try_reshape: two −1 entries must be an error");

        let d = docs.get("Tensor::try_matmul", "shape of (2, 3)·(3, 4)")?;
        d.expect_eq("(2, 3)·(3, 4)", d.dims()?, Tensor::ones(&[2, 3]).try_matmul(&Tensor::ones(&[3, 4]))?.shape())?;
        let bad = Tensor::ones(&[2, 3]).try_matmul(&Tensor::ones(&[4, 5]));
        check!(bad.as_ref().is_err_and(|e| e.to_string().starts_with("matmul:")), "Tensor::try_matmul: (2, 3)·(4, 5) must be an error naming matmul, got {bad:?}");

        let d = docs.get("Tensor::try_sum_axes", "row sums of [[1, 2, 3], [4, 5, 6]] over axis -1")?;
        d.expect_all("try_sum_axes(&[-1], false)", &d.list()?, &wide(&x.try_sum_axes(&[-1], false)?.to_vec()), 0.0)?;

        let x = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3])?.requires_grad_(true);
        let d = docs.get("Tensor::grad", "has a gradient before any backward")?;
        d.expect_eq("x.grad().is_some() before backward", d.flag()?, x.grad().is_some())?;
        (&x * &x).sum().backward()?;
        let d = docs.get("Tensor::backward", "gradient of Σx² at x = [1, 2, 3]")?;
        let g = x.grad().map(|g| g.to_vec()).unwrap_or_default();
        d.expect_all("x.grad() after (x·x).sum().backward()", &d.list()?, &wide(&g), 1e-6)?;
        x.zero_grad();
        let d = docs.get("Tensor::zero_grad", "has a gradient after zero_grad")?;
        d.expect_eq("x.grad().is_some() after zero_grad", d.flag()?, x.grad().is_some())?;
        Ok(())
    });

    ctx.case("m02_activations", "Module 02: ReLU, Sigmoid (stable at ±500), Tanh, GELU (tanh approximation) and Softmax give their documented values; activation layers have no parameters.", |_, docs| {
        let x = Tensor::from_vec(vec![-1.0, 0.0, 2.0], &[3])?;
        let d = docs.get("ReLU", "ReLU of [-1, 0, 2]")?;
        d.expect_all("ReLU::new().forward([-1, 0, 2])", &d.list()?, &wide(&ReLU::new().forward(&x)?.to_vec()), 0.0)?;

        let d = docs.get("Sigmoid", "Sigmoid of [0, -500, 500]")?;
        let s = Sigmoid::new().forward(&Tensor::from_vec(vec![0.0, -500.0, 500.0], &[3])?)?;
        d.expect_all("Sigmoid::new().forward([0, −500, 500])", &d.list()?, &wide(&s.to_vec()), 1e-6)?;

        let d = docs.get("Tanh", "Tanh(0.5)")?;
        d.expect("Tanh::new().forward(0.5)", d.num()?, Tanh::new().forward(&Tensor::scalar(0.5))?.item()? as f64, 1e-6)?;

        let d = docs.get("GELU", "GELU(1), tanh approximation")?;
        d.expect("GELU::new().forward(1)", d.num()?, GELU::new().forward(&Tensor::scalar(1.0))?.item()? as f64, 1e-6)?;

        let d = docs.get("Softmax::new", "Softmax(-1) of zeros (2, 4), every value")?;
        let p = Softmax::new(-1).forward(&Tensor::zeros(&[2, 4]))?;
        d.expect_all("Softmax::new(-1).forward(zeros (2, 4))", &[d.num()?; 8], &wide(&p.to_vec()), 1e-7)?;

        let d = docs.get("Module::parameters", "parameters of an activation layer")?;
        let layers: [(&str, &dyn Module); 5] = [("ReLU", &ReLU::new()), ("Sigmoid", &Sigmoid::new()), ("Tanh", &Tanh::new()), ("GELU", &GELU::new()), ("Softmax", &Softmax::new(-1))];
        for (name, l) in layers {
            d.expect_eq(&format!("{name}::new().parameters().len()"), d.int()?, l.parameters().len())?;
        }
        Ok(())
    });
}
