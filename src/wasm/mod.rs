//! The JavaScript API (the only module that names wasm-bindgen): thin wrappers that convert
//! types and errors and call the core. Every export returns `Result<_, JsError>`, so bad input
//! becomes a thrown `Error` and the instance keeps working; nothing here may panic.

#[macro_use]
mod macros;
mod args;
mod bench;
mod capstone;
mod compress;
mod conv;
mod exercises;
mod handles;
mod milestones;
mod nn;
mod optim;
mod options;
mod slots;
mod suites;
mod systems;
mod tensor;
mod tensor_ops;
mod text;
mod train;
mod transformer;

pub use bench::*;
pub use capstone::*;
pub use compress::*;
pub use conv::*;
pub use exercises::*;
pub use milestones::*;
pub use nn::*;
pub use suites::*;
pub use systems::*;
pub use tensor::JsTensor;
pub use text::*;
pub use train::*;

use wasm_bindgen::prelude::*;

/// Installs the panic hook once, when the module is instantiated. A panic is a bug (every
/// user error is an `Error`), and the hook makes it readable in the console.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Converts any displayable error into a JS `Error`.
pub(crate) fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Like [`js_err`], but names the JS function the student called: the core's message starts
/// with the Rust op (`cross_entropy: …`), which becomes `crossEntropyLoss: …`.
pub(crate) fn js_err_in(js: &str, e: impl std::fmt::Display) -> JsError {
    let msg = e.to_string();
    match msg.split_once(": ") {
        Some((op, rest))
            if op
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') =>
        {
            JsError::new(&format!("{js}: {rest}"))
        }
        _ => JsError::new(&format!("{js}: {msg}")),
    }
}

/// The error for a student's callback that threw: names the call and the callback and keeps
/// the thrown message (an `Error`'s `message`, a thrown string, or its debug form).
pub(crate) fn callback_threw(op: &str, callback: &str, e: &JsValue) -> JsError {
    let msg = match e.dyn_ref::<js_sys::Error>() {
        Some(err) => String::from(err.message()),
        None => e.as_string().unwrap_or_else(|| format!("{e:?}")),
    };
    JsError::new(&format!("{op}: {callback} threw: {msg}"))
}

/// Calls a student's callback that may stop a loop: `false` stops, anything else goes on; a
/// throw stops and is kept in `err` so the caller can report it instead of swallowing it.
pub(crate) fn call_continue(
    f: &js_sys::Function,
    arg: &JsValue,
    err: &mut Option<JsValue>,
) -> bool {
    match f.call1(&JsValue::NULL, arg) {
        Ok(v) => v.as_bool() != Some(false),
        Err(e) => {
            *err = Some(e);
            false
        }
    }
}

/// Reseeds the global random generator (weight init, dropout, shuffling, sampling), like
/// `torch.manual_seed`. The same seed gives bit-identical results in every browser.
///
/// @param seed - a non-negative integer below 2^53
#[wasm_bindgen(js_name = manualSeed)]
pub fn manual_seed(seed: f64) -> Result<(), JsError> {
    crate::manual_seed(args::seed_value("manualSeed", Some(seed))?);
    Ok(())
}

/// Whether this build runs SIMD128 kernels.
#[wasm_bindgen(js_name = simdEnabled)]
pub fn simd_enabled() -> bool {
    cfg!(target_feature = "simd128")
}

/// Bytes of WebAssembly linear memory currently reserved (it only grows).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    let mem: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buf: js_sys::ArrayBuffer = mem.buffer().unchecked_into();
    buf.byte_length() as f64
}

/// What this runtime can do: `{ simd, relaxedSimd, kernels, availableKernels, memoryBytes,
/// version }` (`kernels` is the matrix-multiply kernel in use, see `setKernels`).
#[wasm_bindgen]
pub fn capabilities() -> Result<JsValue, JsError> {
    let caps = serde_json::json!({
        "simd": cfg!(target_feature = "simd128"),
        "relaxedSimd": cfg!(target_feature = "relaxed-simd"),
        "kernels": crate::kernels::kernels().name(),
        "availableKernels": crate::kernels::KernelKind::available().iter().map(|k| k.name()).collect::<Vec<_>>(),
        "memoryBytes": memory_bytes(),
        "version": env!("CARGO_PKG_VERSION"),
    });
    args::to_js(&caps)
}
