//! Module 09 for JavaScript: `Conv2d`, `MaxPool2d`, `AvgPool2d`, `BatchNorm2d`, `Flatten`, the
//! bundled digits (`digitsDataset`) and the digits milestone trainer (`trainDigits`).

use super::args::{self, opt_fn, opt_num, opt_str};
use super::js_err;
use super::tensor::JsTensor;
use crate::nn;
use crate::vision::{train_digits, DigitsConfig, DigitsModel};
use js_sys::{Object, Reflect};
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

fn set(obj: &Object, key: &str, v: JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &key.into(), &v)
        .map(|_| ())
        .map_err(|_| js_err("internal: could not build a result object"))
}

/// The bundled UCI handwritten digits (1,797 8×8 images, as scikit-learn ships them), split
/// stratified and seeded: `digitsDataset({ seed = 0, testFraction = 0.2 })` returns
/// `{ trainImages, trainLabels, testImages, testLabels }` with images (N, 1, 8, 8) in [0, 1]
/// and labels as class ids 0-9.
#[wasm_bindgen(js_name = digitsDataset)]
pub fn digits_dataset(options: JsValue) -> Result<JsValue, JsError> {
    let op = "digitsDataset";
    args::options(op, &options)?;
    let seed = args::seed(&options, op)?;
    let frac = args::opt_finite(&options, op, "testFraction", 0.2)?;
    let d = crate::data::digits(seed, frac).map_err(js_err)?;
    let obj = Object::new();
    set(&obj, "trainImages", JsTensor::new(d.train_images).into())?;
    set(&obj, "trainLabels", JsTensor::new(d.train_labels).into())?;
    set(&obj, "testImages", JsTensor::new(d.test_images).into())?;
    set(&obj, "testLabels", JsTensor::new(d.test_labels).into())?;
    Ok(obj.into())
}

/// Trains the digits milestone model: `trainDigits({ model = "cnn" | "mlp", seed = 0,
/// epochs, lr, batchSize, onEpoch({ epoch, trainLoss, trainAccuracy, testLoss, testAccuracy }) })`.
/// Returns `{ config, trainLoss[], trainAccuracy[], testLoss[], testAccuracy[], confusion[10][10],
/// misclassified: [{ label, predicted, pixels[64] }], trainMs, parameters, model }`, where
/// `model` is the trained `Sequential` (free it when done).
#[wasm_bindgen(js_name = trainDigits)]
pub fn js_train_digits(
    #[wasm_bindgen(unchecked_optional_param_type = "TrainDigitsOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "trainDigits";
    args::options(op, &options)?;
    let model = match opt_str(&options, op, "model")?.as_deref().unwrap_or("cnn") {
        "cnn" => DigitsModel::Cnn,
        "mlp" => DigitsModel::Mlp,
        other => {
            return Err(js_err(format!(
                "{op}: model must be \"cnn\" or \"mlp\", got \"{other}\""
            )))
        }
    };
    let seed = args::seed(&options, op)?;
    let mut cfg = DigitsConfig::standard(model, seed);
    if let Some(e) = opt_num(&options, op, "epochs")? {
        cfg.epochs = args::positive(op, "epochs", e, 1000.0)?;
    }
    if let Some(b) = opt_num(&options, op, "batchSize")? {
        cfg.batch_size = args::positive(op, "batchSize", b, 4096.0)?;
    }
    if let Some(lr) = opt_num(&options, op, "lr")? {
        cfg.lr = args::finite(op, "lr", lr)?;
    }
    let on_epoch = opt_fn(&options, op, "onEpoch")?;
    let mut thrown = None;
    let (model, run) = train_digits(&cfg, &mut |_| {}, &mut |e, tr, te| {
        let Some(f) = &on_epoch else { return true };
        let info = serde_json::json!({ "epoch": e, "epochs": cfg.epochs, "trainLoss": tr.loss, "trainAccuracy": tr.accuracy, "testLoss": te.loss, "testAccuracy": te.accuracy });
        let arg = args::to_js(&info).unwrap_or(JsValue::UNDEFINED);
        super::call_continue(f, &arg, &mut thrown)
    })
    .map_err(|e| super::js_err_in(op, e))?;
    if let Some(e) = thrown {
        return Err(super::callback_threw(op, "onEpoch", &e));
    }
    let out = serde_json::json!({
        "config": run.config, "trainLoss": run.train_loss, "trainAccuracy": run.train_accuracy,
        "testLoss": run.test_loss, "testAccuracy": run.test_accuracy, "confusion": run.confusion,
        "misclassified": run.misclassified, "trainMs": run.train_ms, "parameters": run.parameters,
        "trainSize": run.train_size, "testSize": run.test_size,
    });
    // The trained model comes back too, so a page can keep using it (predict, quantize, prune).
    let obj = args::to_js(&out)?;
    Reflect::set(
        &obj,
        &"model".into(),
        &super::layers::JsSequential::from_layer(model).into(),
    )
    .map_err(|_| js_err("internal: result object"))?;
    Ok(obj)
}
