//! Layers for JavaScript: `Linear`, activations, `Dropout` and `Sequential`, all with the
//! same common methods (forward, parameters, train/eval, fault injection).

use super::args;
use super::handles::layer_from_js;
use super::js_err;
use super::tensor::JsTensor;
use crate::nn::{self, Layer};
use js_sys::Array;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

fn check_features(op: &str, inf: f64, outf: f64) -> Result<(usize, usize), JsError> {
    let i = args::positive(op, "inFeatures", inf, args::MAX_ELEMENTS as f64)?;
    let o = args::positive(op, "outFeatures", outf, args::MAX_ELEMENTS as f64)?;
    args::check_size(op, &[i, o])?;
    Ok((i, o))
}

layer_struct!(
    #[doc = " A fully connected layer y = x·W + b with W of shape (inFeatures, outFeatures)."]
    #[doc = " "]
    #[doc = " ```js"]
    #[doc = " const lin = new Linear(4, 3);"]
    #[doc = " lin.forward(Tensor.randn([2, 4])).shape;   // [2, 3]"]
    #[doc = " ```"]
    JsLinear,
    "Linear"
);

#[wasm_bindgen(js_class = "Linear")]
impl JsLinear {
    /// `new Linear(inFeatures, outFeatures, bias = true)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        in_features: f64,
        out_features: f64,
        bias: Option<bool>,
    ) -> Result<JsLinear, JsError> {
        let (i, o) = check_features("Linear", in_features, out_features)?;
        Ok(JsLinear::wrap(Rc::new(nn::Linear::new(
            i,
            o,
            bias.unwrap_or(true),
        ))))
    }
    pub(crate) fn linear(&self) -> &nn::Linear {
        self.lin()
    }
    fn lin(&self) -> &nn::Linear {
        self.layer
            .as_any()
            .downcast_ref::<nn::Linear>()
            .expect("JsLinear wraps a Linear")
    }
    /// The weight, shape (inFeatures, outFeatures).
    #[wasm_bindgen(getter)]
    pub fn weight(&self) -> JsTensor {
        JsTensor::new(self.lin().weight().clone())
    }
    /// The bias, shape (outFeatures), or undefined.
    #[wasm_bindgen(getter)]
    pub fn bias(&self) -> Option<JsTensor> {
        self.lin().bias().cloned().map(JsTensor::new)
    }
}

macro_rules! activation {
    ($(#[$doc:meta])* $ty:ident, $js:literal, $rust:path) => {
        layer_struct!($(#[$doc])* $ty, $js);
        #[wasm_bindgen(js_class = $js)]
        impl $ty {
            /// A new activation layer (no parameters).
            #[wasm_bindgen(constructor)]
            pub fn new() -> $ty {
                $ty::wrap(Rc::new(<$rust>::new()))
            }
        }
        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }
    };
}

activation!(
    #[doc = " max(0, x) as a layer."]
    JsReLU,
    "ReLU",
    nn::ReLU
);
activation!(
    #[doc = " The logistic sigmoid as a layer."]
    JsSigmoid,
    "Sigmoid",
    nn::Sigmoid
);
activation!(
    #[doc = " tanh as a layer."]
    JsTanh,
    "Tanh",
    nn::Tanh
);
activation!(
    #[doc = " GELU (tanh approximation) as a layer."]
    JsGELU,
    "GELU",
    nn::GELU
);

layer_struct!(
    #[doc = " Softmax along an axis (default the last) as a layer."]
    JsSoftmax,
    "Softmax"
);

#[wasm_bindgen(js_class = "Softmax")]
impl JsSoftmax {
    /// `new Softmax(axis = -1)`.
    #[wasm_bindgen(constructor)]
    pub fn new(axis: Option<i32>) -> JsSoftmax {
        JsSoftmax::wrap(Rc::new(nn::Softmax::new(axis.unwrap_or(-1) as isize)))
    }
}

layer_struct!(
    #[doc = " Inverted dropout: zeroes elements with probability p in training mode."]
    JsDropout,
    "Dropout"
);

#[wasm_bindgen(js_class = "Dropout")]
impl JsDropout {
    /// `new Dropout(p = 0.5)`, p in [0, 1].
    #[wasm_bindgen(constructor)]
    pub fn new(p: Option<f64>) -> Result<JsDropout, JsError> {
        let p = args::finite("Dropout", "p", p.unwrap_or(0.5))?;
        Ok(JsDropout::wrap(Rc::new(
            nn::Dropout::new(p).map_err(js_err)?,
        )))
    }
}

layer_struct!(
    #[doc = " Layers applied in order. Build it from an array of layer objects; the layers stay"]
    #[doc = " usable (and shared) afterwards:"]
    #[doc = " "]
    #[doc = " ```js"]
    #[doc = " const l1 = new Linear(4, 8), l2 = new Linear(8, 2);"]
    #[doc = " const model = new Sequential([l1, new ReLU(), l2]);"]
    #[doc = " model.forward(x);  l1.weight.grad;   // same Linear object"]
    #[doc = " ```"]
    JsSequential,
    "Sequential"
);

#[wasm_bindgen(js_class = "Sequential")]
impl JsSequential {
    /// `new Sequential([layer, layer, …])`.
    #[wasm_bindgen(constructor)]
    pub fn new(layers: JsValue) -> Result<JsSequential, JsError> {
        if !Array::is_array(&layers) {
            return Err(js_err(format!(
                "Sequential: expected an array of layers, got {}",
                args::kind(&layers)
            )));
        }
        let list: Result<Vec<Layer>, JsError> = Array::from(&layers)
            .iter()
            .enumerate()
            .map(|(i, v)| layer_from_js("Sequential", &format!("layers[{i}]"), &v))
            .collect();
        Ok(JsSequential::wrap(Rc::new(nn::Sequential::new(list?))))
    }
    /// Number of layers.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.layer.children().len()
    }
}

impl JsSequential {
    /// Wraps a Sequential built in Rust (quantized or pruned models).
    pub(crate) fn from_layer(layer: Layer) -> JsSequential {
        JsSequential::wrap(layer)
    }
}

/// The JS object of a layer built in Rust, as the class of its kind (shared, not copied).
fn layer_to_js(op: &str, layer: Layer) -> Result<JsValue, JsError> {
    use super::conv::{JsAvgPool2d, JsBatchNorm2d, JsConv2d, JsFlatten, JsMaxPool2d};
    use super::transformer::{
        JsEmbedding, JsGPT, JsLayerNorm, JsMultiHeadAttention, JsTransformerBlock,
    };
    Ok(match layer.kind() {
        "Linear" => JsLinear::wrap(layer).into(),
        "ReLU" => JsReLU::wrap(layer).into(),
        "Sigmoid" => JsSigmoid::wrap(layer).into(),
        "Tanh" => JsTanh::wrap(layer).into(),
        "GELU" => JsGELU::wrap(layer).into(),
        "Softmax" => JsSoftmax::wrap(layer).into(),
        "Dropout" => JsDropout::wrap(layer).into(),
        "Sequential" => JsSequential::wrap(layer).into(),
        "Conv2d" => JsConv2d::wrap(layer).into(),
        "MaxPool2d" => JsMaxPool2d::wrap(layer).into(),
        "AvgPool2d" => JsAvgPool2d::wrap(layer).into(),
        "BatchNorm2d" => JsBatchNorm2d::wrap(layer).into(),
        "Flatten" => JsFlatten::wrap(layer).into(),
        "Embedding" => JsEmbedding::wrap(layer).into(),
        "LayerNorm" => JsLayerNorm::wrap(layer).into(),
        "MultiHeadAttention" => JsMultiHeadAttention::wrap(layer).into(),
        "TransformerBlock" => JsTransformerBlock::wrap(layer).into(),
        "GPT" => JsGPT::wrap(layer).into(),
        other => {
            return Err(js_err(format!(
                "{op}: the layer is a {other}, which has no JS class (it can still run inside its model)"
            )))
        }
    })
}

#[wasm_bindgen(js_class = "Sequential")]
impl JsSequential {
    /// The layer at `index` (from 0), the same object the model runs (not a copy), like
    /// PyTorch's `model[index]`.
    ///
    /// ```js
    /// const mlp = digitsModel({ model: 'mlp' });
    /// mlp.at(1).weight.shape;   // [64, 128]: Flatten is layer 0
    /// ```
    #[wasm_bindgen(
        unchecked_return_type = "Linear | ReLU | Sequential | Conv2d | Flatten | MaxPool2d | AvgPool2d | BatchNorm2d | Dropout | Sigmoid | Tanh | GELU | Softmax | Embedding | LayerNorm | MultiHeadAttention | TransformerBlock | GPT"
    )]
    pub fn at(&self, index: f64) -> Result<JsValue, JsError> {
        let op = "Sequential.at";
        let Some(seq) = self.layer.as_any().downcast_ref::<nn::Sequential>() else {
            return Err(js_err(format!("{op}: this object is not a Sequential")));
        };
        let i = args::count(op, "index", index, 1e9)?;
        let Some(child) = seq.layers().get(i) else {
            return Err(js_err(format!(
                "{op}: index {i} is out of range for a Sequential of {} layers",
                seq.len()
            )));
        };
        layer_to_js(op, child.clone())
    }
}

/// Every kind of fault a layer can be given (`injectFault`, `runSuite`'s `fault`), with a
/// label and what it does, for pickers.
///
/// ```js
/// faultKinds()[2];   // { name: 'flip_sign', label: 'Flip the sign', description: 'The layer passes back …' }
/// ```
#[wasm_bindgen(js_name = faultKinds, unchecked_return_type = "FaultKindInfo[]")]
pub fn fault_kinds() -> Result<JsValue, JsError> {
    let all: Vec<nn::FaultKindInfo> = nn::FaultKind::ALL.iter().map(|k| k.info()).collect();
    args::to_js(&all)
}

/// Copies the weights (parameters, and buffers such as BatchNorm's running statistics) of
/// `from` into the same-shaped model `to`; afterwards both compute the same function and
/// train independently.
///
/// ```js
/// const copy = digitsModel({ model: 'mlp' });
/// copyWeights(trained, copy);   // an error names the first shape that differs
/// ```
#[wasm_bindgen(js_name = copyWeights)]
pub fn copy_weights(
    #[wasm_bindgen(unchecked_param_type = "Sequential")] from: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Sequential")] to: JsValue,
) -> Result<(), JsError> {
    let op = "copyWeights";
    let (a, b) = (
        layer_from_js(op, "from", &from)?,
        layer_from_js(op, "to", &to)?,
    );
    nn::copy_weights(&*a, &*b).map_err(|e| super::js_err_in(op, e))
}

#[wasm_bindgen(js_class = "Sequential")]
impl JsSequential {
    /// The layer list's length (same as `length`).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.layer.children().len()
    }
}
