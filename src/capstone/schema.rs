//! The capstone submission's JSON Schema (one source of truth: the page offers it for
//! download and `validate` checks submissions against it) and a validator for the subset of
//! JSON Schema it uses (type, required, properties, additionalProperties, enum, minimum,
//! maximum, items, minItems, maxItems).

use serde_json::{json, Value};

fn latency() -> Value {
    json!({
        "type": "object", "required": ["median", "ci95"], "additionalProperties": false,
        "properties": {
            "median": { "type": "number", "minimum": 0 },
            "ci95": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 }
        }
    })
}

fn model(optimized: bool) -> Value {
    let mut props = json!({
        "model": { "type": "string" },
        "params": { "type": "integer", "minimum": 1 },
        "bytes": { "type": "integer", "minimum": 1 },
        "accuracy": { "type": "number", "minimum": 0, "maximum": 1 },
        "latency_ms": latency()
    });
    let mut required = vec!["model", "params", "bytes", "accuracy", "latency_ms"];
    if optimized {
        props["techniques"] = json!({
            "type": "array", "minItems": 1,
            "items": { "enum": ["distillation", "magnitude_pruning", "structured_pruning", "low_rank", "int8_quantization"] }
        });
        props["sparsity"] = json!({ "type": "number", "minimum": 0, "maximum": 1 });
        required.push("techniques");
    }
    json!({ "type": "object", "required": required, "additionalProperties": false, "properties": props })
}

/// The schema of a capstone submission (JSON Schema 2020-12).
pub fn schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "TinyTorch Lab capstone submission",
        "type": "object",
        "required": ["schema_version", "tinytorch_version", "submission_type", "system", "dataset", "baseline", "optimized", "improvements"],
        "additionalProperties": false,
        "properties": {
            "schema_version": { "enum": ["1.0"] },
            "tinytorch_version": { "type": "string" },
            "submission_type": { "enum": ["capstone_benchmark"] },
            "student": { "type": "string" },
            "system": {
                "type": "object", "required": ["build", "kernels"], "additionalProperties": false,
                "properties": { "build": { "enum": ["native", "simd", "relaxed"] }, "kernels": { "type": "string" } }
            },
            "dataset": {
                "type": "object", "required": ["name", "seed", "train_size", "test_size"], "additionalProperties": false,
                "properties": {
                    "name": { "enum": ["uci_digits"] },
                    "seed": { "type": "integer", "minimum": 0 },
                    "train_size": { "type": "integer", "minimum": 1 },
                    "test_size": { "type": "integer", "minimum": 1 }
                }
            },
            "baseline": model(false),
            "optimized": model(true),
            "improvements": {
                "type": "object", "required": ["speedup", "compression_ratio", "accuracy_delta"], "additionalProperties": false,
                "properties": {
                    "speedup": { "type": "number", "minimum": 0 },
                    "compression_ratio": { "type": "number", "minimum": 0 },
                    "accuracy_delta": { "type": "number", "minimum": -1, "maximum": 1 }
                }
            }
        }
    })
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "boolean" => v.is_boolean(),
        _ => false,
    }
}

/// Appends every way `v` breaks `schema` to `out`, as `path: problem` lines.
pub fn check(schema: &Value, v: &Value, path: &str, out: &mut Vec<String>) {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        if !type_ok(t, v) {
            out.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(v) {
            out.push(format!(
                "{path}: {v} is not one of {}",
                Value::Array(options.clone())
            ));
        }
    }
    if let (Some(min), Some(x)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if x < min {
            out.push(format!("{path}: {x} is below the minimum {min}"));
        }
    }
    if let (Some(max), Some(x)) = (schema.get("maximum").and_then(Value::as_f64), v.as_f64()) {
        if x > max {
            out.push(format!("{path}: {x} is above the maximum {max}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for r in required.filter_map(Value::as_str) {
            if !obj.contains_key(r) {
                out.push(format!("{path}: missing \"{r}\""));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(s, val, &format!("{path}.{k}"), out),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{path}: unexpected field \"{k}\""))
                }
                None => {}
            }
        }
    }
    if let Some(arr) = v.as_array() {
        if let Some(n) = schema.get("minItems").and_then(Value::as_u64) {
            if (arr.len() as u64) < n {
                out.push(format!("{path}: needs at least {n} items"));
            }
        }
        if let Some(n) = schema.get("maxItems").and_then(Value::as_u64) {
            if (arr.len() as u64) > n {
                out.push(format!("{path}: allows at most {n} items"));
            }
        }
        if let Some(items) = schema.get("items") {
            for (i, x) in arr.iter().enumerate() {
                check(items, x, &format!("{path}[{i}]"), out);
            }
        }
    }
}
