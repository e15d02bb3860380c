//! The macros that give every JS layer class the same wrapper struct and common methods
//! (forward, parameters, train/eval, layer list, fault injection). Expanded in `nn.rs` and
//! `conv.rs`, which import the names the expansions use.

/// Methods every JS layer class has, generated once for each.
macro_rules! layer_methods {
    ($ty:ident, $js:literal) => {
        #[wasm_bindgen(js_class = $js)]
        impl $ty {
            /// Runs the layer on `x`.
            pub fn forward(&self, x: &crate::wasm::tensor::JsTensor) -> Result<crate::wasm::tensor::JsTensor, JsError> {
                crate::nn::call(&*self.layer, x.inner()).map(crate::wasm::tensor::JsTensor::new).map_err(crate::wasm::js_err)
            }
            /// The layer's parameters (and its children's), in order.
            pub fn parameters(&self) -> js_sys::Array {
                self.layer.parameters().into_iter().map(|p| wasm_bindgen::JsValue::from(crate::wasm::tensor::JsTensor::new(p))).collect()
            }
            /// Total number of parameter values.
            #[wasm_bindgen(js_name = numParameters)]
            pub fn num_parameters(&self) -> usize {
                self.layer.num_parameters()
            }
            /// Training mode (dropout on, batch statistics).
            pub fn train(&self) {
                self.layer.train();
            }
            /// Evaluation mode (dropout off, running statistics).
            pub fn eval(&self) {
                self.layer.eval();
            }
            /// Whether the layer is in training mode.
            #[wasm_bindgen(getter)]
            pub fn training(&self) -> bool {
                self.layer.site().training()
            }
            /// Clears every parameter's gradient.
            #[wasm_bindgen(js_name = zeroGrad)]
            pub fn zero_grad(&self) {
                self.layer.zero_grad();
            }
            /// A one-line description, e.g. "Linear(4 → 4)".
            #[wasm_bindgen(js_name = toString)]
            pub fn describe(&self) -> String {
                self.layer.describe()
            }
            /// The layers in check order: `[{ index, path, kind, describe, depth }]`.
            pub fn layers(&self) -> Result<JsValue, JsError> {
                let list: Vec<serde_json::Value> = crate::nn::flatten_layers(&*self.layer)
                    .iter()
                    .map(|l| serde_json::json!({
                        "index": l.index, "path": l.path, "kind": l.module.kind(),
                        "describe": l.module.describe(), "depth": l.depth,
                    }))
                    .collect();
                crate::wasm::args::to_js(&list)
            }
            /// Breaks layer `layerIndex` on purpose: "detach", "zero_grad", "flip_sign" or
            /// "scale_grad". The per-layer gradient check should then name that layer.
            #[wasm_bindgen(js_name = injectFault)]
            pub fn inject_fault(
                &self,
                layer_index: f64,
                #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
            ) -> Result<(), JsError> {
                let i = crate::wasm::args::count("injectFault", "layerIndex", layer_index, u32::MAX as f64)?;
                let kind = crate::wasm::args::string("injectFault", "kind", &kind)?;
                let k = crate::nn::FaultKind::parse(&kind)
                    .map_err(|e| crate::wasm::js_err_in("injectFault", e))?;
                crate::nn::inject_fault(&*self.layer, i, k)
                    .map_err(|e| crate::wasm::js_err_in("injectFault", e))
            }
            /// Removes every injected fault.
            #[wasm_bindgen(js_name = clearFaults)]
            pub fn clear_faults(&self) {
                crate::nn::clear_faults(&*self.layer);
            }
            /// Internal: resolves JS arguments back to this layer.
            #[wasm_bindgen(getter, js_name = __layerId)]
            pub fn layer_id(&self) -> u32 {
                self.handle.id()
            }
        }
    };
}

macro_rules! layer_struct {
    ($(#[$doc:meta])* $ty:ident, $js:literal) => {
        $(#[$doc])*
        #[wasm_bindgen(js_name = $js)]
        pub struct $ty {
            layer: crate::nn::Layer,
            handle: crate::wasm::handles::LayerHandle,
        }
        impl $ty {
            pub(crate) fn wrap(layer: crate::nn::Layer) -> $ty {
                let handle = crate::wasm::handles::LayerHandle::new(&layer);
                $ty { layer, handle }
            }
        }
        layer_methods!($ty, $js);
    };
}
