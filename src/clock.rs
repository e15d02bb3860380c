//! Wall-clock milliseconds: `performance.now()` in the browser (main thread or worker),
//! `Instant` natively. Used for reports and the profiler, never for a verdict.

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    use wasm_bindgen::JsCast;
    thread_local! {
        // `performance` lives on the global object in windows and workers alike. Looked up
        // once: the lookup is three calls into JS, and the bench harness reads the clock often.
        static PERF: Option<web_sys::Performance> =
            js_sys::Reflect::get(&js_sys::global(), &"performance".into())
                .ok()
                .and_then(|p| p.dyn_into::<web_sys::Performance>().ok());
    }
    PERF.with(|p| p.as_ref().map(|p| p.now()))
        .unwrap_or_else(js_sys::Date::now)
}
