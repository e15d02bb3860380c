// TinyTorch Lab: the worker tasks of modules 10–13 and milestone 05, merged into the task table
// of js/worker.js. They use the worker's `state` Map to keep what outlives one request:
//   'corpus'  the training text of textCorpus(0) and its CharTokenizer (the playground's vocabulary)
//   'bpe'     BPE tokenizers trained on that text, by vocabulary size (a few kept)
//   'gpt'     the TinyGPT of the last trainGpt request: { model, tokenizer, run }; generate uses it

import * as tt from './tinytorch.js';

const BPE_KEEP = 6; // BPE tokenizers kept trained (each is small; training one takes up to ~1 s)

/** The training text of the corpus (seed 0) and a character tokenizer of it, made once. */
function corpus(state) {
  if (!state.has('corpus')) {
    const c = tt.textCorpus(0);
    const text = c.train.map((e) => e.prompt + e.answer + '\n').join('');
    // BPE's starting symbols: every character, and every character that ends a word (+ </w>).
    const symbols = new Set();
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const cs = [...word];
      cs.forEach((ch, i) => symbols.add(i === cs.length - 1 ? `${ch}</w>` : ch));
    }
    state.set('corpus', { text, lines: c.train.length, chars: new tt.CharTokenizer(text), bpeMin: symbols.size + 1 });
  }
  return state.get('corpus');
}

function bpeFor(state, vocabSize) {
  const { text } = corpus(state);
  if (!state.has('bpe')) state.set('bpe', new Map());
  const cache = state.get('bpe');
  if (cache.has(vocabSize)) {
    const hit = cache.get(vocabSize);
    cache.delete(vocabSize);
    cache.set(vocabSize, hit); // most recently used last
    return hit;
  }
  const started = performance.now();
  const tokenizer = tt.BPETokenizer.train(text, vocabSize);
  const entry = { tokenizer, trainMs: performance.now() - started };
  cache.set(vocabSize, entry);
  while (cache.size > BPE_KEEP) {
    const [oldest, old] = cache.entries().next().value;
    old.tokenizer.free();
    cache.delete(oldest);
  }
  return entry;
}

/**
 * The tokenizer playground (page 10): `text` through the character tokenizer and a BPE of
 * `vocabSize` trained on the corpus: ids, tokens, round trips, unknown characters, merges.
 */
async function tokenize({ text = '', vocabSize = 120 } = {}, progress, state) {
  if (typeof text !== 'string') throw new Error('tokenize: text must be a string');
  const c = corpus(state);
  const size = Math.max(c.bpeMin, Math.round(Number(vocabSize) || 0));
  const cached = state.get('bpe')?.has(size);
  if (!cached) progress({ kind: 'training-bpe', vocabSize: size });
  const { tokenizer: bpe, trainMs } = bpeFor(state, size);
  const chars = [...text];
  const ids = c.chars.encode(text);
  const charDecoded = c.chars.decode(ids);
  const unknown = [...new Set(chars.filter((_, i) => ids[i] === 0))];
  const bpeIds = bpe.encode(text);
  const bpeTokens = bpe.tokenize(text);
  const bpeDecoded = bpe.decode(bpeIds);
  const squash = (s) => s.trim().split(/\s+/).filter(Boolean).join(' ');
  return {
    corpus: { lines: c.lines, characters: c.text.length },
    chars: {
      vocabSize: c.chars.vocabSize,
      alphabet: c.chars.chars,
      tokens: chars.map((ch, i) => ({ ch, id: ids[i] })),
      decoded: charDecoded,
      roundTrip: charDecoded === text,
      unknown,
    },
    bpe: {
      vocabSize: bpe.vocabSize,
      requested: size,
      minVocab: c.bpeMin,
      tokens: bpeTokens.map((t, i) => ({ token: t, id: bpeIds[i] })),
      ids: bpeIds,
      decoded: bpeDecoded,
      roundTrip: bpeDecoded === text,
      roundTripUpToSpace: bpeDecoded === squash(text),
      merges: bpe.merges,
      trainMs: cached ? 0 : trainMs,
    },
  };
}

/**
 * The attention heat map (page 12): characters of `text` → Embedding + sinusoidal positions,
 * times `scale`, into a fresh MultiHeadAttention(dim, heads, causal) made from `seed`.
 * The same seed gives the same weights with and without the mask.
 */
async function attentionMap({ text = 'attention', dim = 16, heads = 4, causal = true, scale = 1, seed = 0 } = {}) {
  const tokens = [...String(text)].slice(0, 16);
  if (!tokens.length) throw new Error('Type at least one character.');
  if (!(scale > 0 && scale <= 100)) throw new Error(`scale must be in (0, 100], got ${scale}`);
  tt.manualSeed(seed);
  const tok = new tt.CharTokenizer(tokens.join(''));
  const emb = new tt.Embedding(tok.vocabSize, dim);
  const mha = new tt.MultiHeadAttention(dim, heads, causal);
  try {
    return tt.tidy(() => {
      const S = tokens.length;
      const ids = tt.tensor([tok.encode(tokens.join(''))]);
      const x = emb.forward(ids).add(tt.sinusoidalPositions(S, dim)).mul(scale);
      const w = mha.attentionWeights(x).toArray(); // (1, heads, S, S)
      const maps = [];
      let rowSumError = 0, maskedMax = 0, masked = 0;
      for (let hd = 0; hd < heads; hd++) {
        const m = Array.from(w.subarray(hd * S * S, (hd + 1) * S * S));
        for (let i = 0; i < S; i++) {
          let sum = 0;
          for (let j = 0; j < S; j++) {
            sum += m[i * S + j];
            if (causal && j > i) { masked += 1; maskedMax = Math.max(maskedMax, m[i * S + j]); }
          }
          rowSumError = Math.max(rowSumError, Math.abs(sum - 1));
        }
        maps.push(m);
      }
      return { tokens, S, heads, dim, causal, scale, seed, maps, rowSumError, masked, maskedMax, parameters: mha.numParameters() };
    });
  } finally {
    tok.free(); emb.free(); mha.free();
  }
}

/** Per-task line counts of each split of textCorpus(seed), with one training example per task. */
async function corpusInfo({ seed = 0 } = {}) {
  const c = tt.textCorpus(seed);
  const tasks = {};
  for (const split of ['train', 'val', 'test']) {
    for (const e of c[split]) {
      const t = (tasks[e.task] ??= { task: e.task, train: 0, val: 0, test: 0, example: null });
      t[split] += 1;
      if (split === 'train' && !t.example) t.example = { prompt: e.prompt, answer: e.answer };
    }
  }
  return { tasks: Object.values(tasks), sizes: { train: c.train.length, val: c.val.length, test: c.test.length } };
}

/** Trains TinyGPT (milestone 05) and keeps the model and tokenizer in the worker for generate. */
async function trainGpt({ seed = 0, steps } = {}, progress, state) {
  const old = state.get('gpt');
  if (old) {
    state.delete('gpt');
    old.model.free();
    old.tokenizer.free();
  }
  const options = { seed, onProgress: (p) => progress({ kind: 'step', ...p }) };
  if (steps !== undefined) options.steps = steps;
  options.every = Math.max(1, Math.round((steps ?? 700) / 35));
  const { model, tokenizer, run } = tt.trainGpt(options);
  state.set('gpt', { model, tokenizer, run });
  return { ...run, alphabet: tokenizer.chars, vocabSize: tokenizer.vocabSize };
}

/** Whether this worker holds a trained TinyGPT (and its run summary). */
async function gptStatus(args, progress, state) {
  const g = state.get('gpt');
  return g ? { trained: true, config: g.run.config, alphabet: g.tokenizer.chars } : { trained: false };
}

/**
 * Continues `prompt` with the trained TinyGPT, streaming each token as a progress message
 * `{ kind: 'token', id, text, index }` the moment the model produces it. With `stopAtLineEnd`,
 * generation stops at a newline that ends an answer (one that does not end a "q:" question).
 */
async function generate({ prompt, maxNewTokens = 40, temperature = 0, topK = null, seed = 0, stopAtLineEnd = true } = {}, progress, state) {
  const g = state.get('gpt');
  if (!g) throw new Error('There is no trained TinyGPT in this worker: train it first (a stopped run discards the model).');
  if (typeof prompt !== 'string' || prompt.length === 0) throw new Error('The prompt is empty: type a few characters first, for example rev:abcd=');
  const { model, tokenizer } = g;
  const promptIds = tokenizer.encode(prompt);
  const chars = [...prompt];
  const unknown = [...new Set(chars.filter((_, i) => promptIds[i] === 0))];
  const maxLen = g.run.config.max_len;
  let line = prompt.slice(prompt.lastIndexOf('\n') + 1);
  let stoppedBy = 'maxNewTokens';
  const ids = [];
  const pieces = [];
  const options = { maxNewTokens, temperature, seed, onToken(id) {
    const text = tokenizer.decode([id]);
    ids.push(id);
    pieces.push(text);
    progress({ kind: 'token', id, text, index: ids.length - 1 });
    if (text === '\n') {
      const question = /^q:/.test(line.trim());
      line = '';
      if (stopAtLineEnd && !question) { stoppedBy = 'lineEnd'; return false; }
    } else {
      line += text;
    }
    return true;
  } };
  if (topK !== null && topK !== undefined && topK !== '') options.topK = topK;
  const started = performance.now();
  model.generate(promptIds, options);
  const ms = performance.now() - started;
  return {
    prompt, promptIds, ids, text: pieces.join(''), unknown, stoppedBy, ms,
    cropped: promptIds.length > maxLen ? promptIds.length - maxLen : 0, maxLen,
  };
}

export const languageTasks = { tokenize, attentionMap, corpusInfo, trainGpt, gptStatus, generate };
