//! TypeScript shapes of the option objects and results the JS API takes and returns, so
//! `pkg/tinytorch.d.ts` types them instead of saying `any` (the Rust side reads them from a
//! `JsValue` and validates every field, naming the call and the field when one is wrong).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of `fit(model, x, y, options)`. */
export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Ignored (an error) when `optimizer` is an Optimizer object: it keeps its own. */
  lr?: number;
  /** A name, or an Optimizer (e.g. one with pruning masks attached) whose state is kept. */
  optimizer?: "sgd" | "adam" | "adamw" | Optimizer;
  loss?: "mse" | "cross_entropy" | "bce" | "bce_with_logits";
  momentum?: number;
  weightDecay?: number;
  shuffle?: boolean;
  seed?: number;
  /** Called after every epoch; return `false` to stop early. */
  onEpoch?: (stats: { epoch: number; loss: number; accuracy: number }) => boolean | void;
}
/** What `fit` returns: one entry per epoch run. */
export interface FitResult { loss: number[]; accuracy: number[]; }
/** Options of `SGD(paramsOrModel, options)`. */
export interface SGDOptions { lr?: number; momentum?: number; weightDecay?: number; }
/** Options of `Adam` / `AdamW(paramsOrModel, options)`. */
export interface AdamOptions { lr?: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; }
/** A planted fault: layer index and kind. */
export interface FaultSpec { layer: number; kind: "detach" | "zero_grad" | "flip_sign" | "scale_grad"; }
/** Options of `runSuite(name, options)`. */
export interface RunSuiteOptions {
  seed?: number;
  fault?: FaultSpec | null;
  onCase?: (done: number, total: number, caseReport: unknown) => void;
}
/** Options of `gradcheck(model, x, target, options)`. */
export interface GradcheckOptions {
  loss?: "mse" | "cross_entropy" | "bce" | "bce_with_logits";
  eps?: number; tolerance?: number; maxElements?: number; seed?: number; inputGrad?: boolean;
}
/** `new GPT(config)`. */
export interface GPTConfig { vocab: number; dim: number; layers: number; heads: number; maxLen: number; mlpRatio?: number; }
/** Options of `GPT.generate(prompt, options)`. */
export interface GenerateOptions {
  maxNewTokens?: number;
  /** 0 = greedy; negative is an error. */
  temperature?: number;
  topK?: number; seed?: number; stop?: number;
  /** Called with each new id; return `false` to stop. */
  onToken?: (id: number) => boolean | void;
}
/** Options of `trainGpt(options)`. */
export interface TrainGptOptions {
  seed?: number; steps?: number; dim?: number; layers?: number; heads?: number; lr?: number;
  batchSize?: number; every?: number;
  onProgress?: (p: { step: number; steps: number; loss: number }) => boolean | void;
}
/** Options of `trainDigits(options)`. */
export interface TrainDigitsOptions {
  model?: "cnn" | "mlp"; seed?: number; epochs?: number; lr?: number; batchSize?: number;
  onEpoch?: (e: { epoch: number; epochs: number; trainLoss: number; trainAccuracy: number; testLoss: number; testAccuracy: number }) => boolean | void;
}
/** Options of `magnitudePrune(model, sparsity, options)`. */
export interface MagnitudePruneOptions { global?: boolean; }
/** Options of `kvCacheTiming(gpt, options)`. */
export interface KvCacheTimingOptions { lengths?: number[]; prompt?: number[]; }
/** One row of `kvCacheTiming`. */
export interface KvCacheTimingRow { tokens: number; uncachedMs: number; cachedMs: number; speedup: number; same: boolean; }
"#;
