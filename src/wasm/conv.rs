//! Module 09's layers for JavaScript: `Conv2d`, `MaxPool2d`, `AvgPool2d`, `BatchNorm2d` and
//! `Flatten` (the digits milestone that trains them is in `milestones.rs`).

use super::args;
use super::js_err;
use super::tensor::JsTensor;
use crate::nn;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

const MAXC: f64 = 65_536.0;

layer_struct!(
    #[doc = " 2-D convolution on NCHW input with OIHW weights (He init), computed as im2col plus one"]
    #[doc = " SIMD matrix multiply: `new Conv2d(inChannels, outChannels, kernelSize, stride = 1,"]
    #[doc = " padding = 0, bias = true)`."]
    JsConv2d,
    "Conv2d"
);

#[wasm_bindgen(js_class = "Conv2d")]
impl JsConv2d {
    /// `new Conv2d(inChannels, outChannels, kernelSize, stride = 1, padding = 0, bias = true)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        in_channels: f64,
        out_channels: f64,
        kernel_size: f64,
        stride: Option<f64>,
        padding: Option<f64>,
        bias: Option<bool>,
    ) -> Result<JsConv2d, JsError> {
        let op = "Conv2d";
        let ci = args::positive(op, "inChannels", in_channels, MAXC)?;
        let co = args::positive(op, "outChannels", out_channels, MAXC)?;
        let k = args::positive(op, "kernelSize", kernel_size, 1024.0)?;
        let s = args::positive(op, "stride", stride.unwrap_or(1.0), 1024.0)?;
        let p = args::count(op, "padding", padding.unwrap_or(0.0), 1024.0)?;
        args::check_size(op, &[co, ci, k, k])?;
        let conv = nn::Conv2d::new(ci, co, k, s, p, bias.unwrap_or(true)).map_err(js_err)?;
        Ok(JsConv2d::wrap(Rc::new(conv)))
    }
    fn conv(&self) -> &nn::Conv2d {
        self.layer
            .as_any()
            .downcast_ref::<nn::Conv2d>()
            .expect("JsConv2d wraps a Conv2d")
    }
    /// The weight, shape (outChannels, inChannels, k, k).
    #[wasm_bindgen(getter)]
    pub fn weight(&self) -> JsTensor {
        JsTensor::new(self.conv().weight().clone())
    }
    /// The bias (outChannels), or undefined.
    #[wasm_bindgen(getter)]
    pub fn bias(&self) -> Option<JsTensor> {
        self.conv().bias().cloned().map(JsTensor::new)
    }
}

macro_rules! pool_class {
    ($(#[$doc:meta])* $ty:ident, $js:literal, $rust:ident) => {
        layer_struct!($(#[$doc])* $ty, $js);
        #[wasm_bindgen(js_class = $js)]
        impl $ty {
            /// `new Pool(kernelSize, stride = kernelSize, padding = 0)`.
            #[wasm_bindgen(constructor)]
            pub fn new(kernel_size: f64, stride: Option<f64>, padding: Option<f64>) -> Result<$ty, JsError> {
                let k = args::positive($js, "kernelSize", kernel_size, 1024.0)?;
                let s = stride.map(|s| args::positive($js, "stride", s, 1024.0)).transpose()?;
                let p = args::count($js, "padding", padding.unwrap_or(0.0), 1024.0)?;
                Ok($ty::wrap(Rc::new(nn::$rust::new(k, s, p).map_err(js_err)?)))
            }
        }
    };
}

pool_class!(
    #[doc = " Max pooling; the gradient goes to each window's first maximum."]
    JsMaxPool2d,
    "MaxPool2d",
    MaxPool2d
);
pool_class!(
    #[doc = " Average pooling (padding counts as zeros)."]
    JsAvgPool2d,
    "AvgPool2d",
    AvgPool2d
);

layer_struct!(
    #[doc = " Batch normalisation of NCHW channels: `new BatchNorm2d(numFeatures, eps = 1e-5, momentum = 0.1)`."]
    JsBatchNorm2d,
    "BatchNorm2d"
);

#[wasm_bindgen(js_class = "BatchNorm2d")]
impl JsBatchNorm2d {
    /// `new BatchNorm2d(numFeatures, eps = 1e-5, momentum = 0.1)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        num_features: f64,
        eps: Option<f64>,
        momentum: Option<f64>,
    ) -> Result<JsBatchNorm2d, JsError> {
        let c = args::positive("BatchNorm2d", "numFeatures", num_features, MAXC)?;
        let eps = args::finite("BatchNorm2d", "eps", eps.unwrap_or(1e-5))?;
        let m = args::finite("BatchNorm2d", "momentum", momentum.unwrap_or(0.1))?;
        Ok(JsBatchNorm2d::wrap(Rc::new(
            nn::BatchNorm2d::new(c, eps, m).map_err(js_err)?,
        )))
    }
}

layer_struct!(
    #[doc = " Flattens (N, C, H, W) to (N, C·H·W) and keeps the graph."]
    JsFlatten,
    "Flatten"
);

#[wasm_bindgen(js_class = "Flatten")]
impl JsFlatten {
    /// `new Flatten()`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsFlatten {
        JsFlatten::wrap(Rc::new(nn::Flatten::new()))
    }
}

impl Default for JsFlatten {
    fn default() -> Self {
        Self::new()
    }
}
