// Module 08 DataLoader: your exercise. Decide which rows go into which batch, for one epoch.
//
// What you implement: batchIndices, the heart of a DataLoader. The lab's DataLoader calls it at
// the start of every epoch and then gathers the rows of each batch from the dataset's tensors
// (plain data `{ data: Float32Array, shape: number[] }`, one row per sample), so here you only
// work with row numbers.
//
// Randomness: never use Math.random. `random()` is the lab's seeded generator (uniform in
// [0, 1), at least n draws per epoch): the same seed must replay the same epochs in every
// browser, and a new epoch gets new draws, hence a new order.
//
// Only `./helpers.js` may be imported. When you run the checks, batchIndices is plugged into
// the framework's DataLoader: its unit checks count batches and indices and test the shuffle;
// then the dataloader_integration suite loads real data through it and trains an MLP from it.
// A function that still calls `todo(...)` shows as "not written yet".

import { todo } from './helpers.js';

/**
 * The batches of row indices for one epoch.
 *
 *   batchIndices(n, batchSize, shuffle, dropLast, random) → number[][]
 *
 * n: the number of rows; batchSize ≥ 1; shuffle, dropLast: booleans;
 * random(): the next seeded uniform draw in [0, 1).
 * Rules:
 *   the order is 0, 1, …, n−1, or with shuffle a uniformly random permutation of it, drawn with
 *     random() (Fisher–Yates: for i from n−1 down to 1, swap position i with a position j
 *     chosen uniformly among 0..i, i itself included);
 *   cut the order into consecutive batches of batchSize;
 *   the last batch may be shorter: keep it, unless dropLast.
 * Every row appears exactly once per epoch (without dropLast): no repeats, none missing.
 *
 * Example: n = 10, batchSize 3, no shuffle
 *   dropLast false → [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]   (⌈10/3⌉ = 4 batches)
 *   dropLast true  → [[0, 1, 2], [3, 4, 5], [6, 7, 8]]        (⌊10/3⌋ = 3 batches)
 */
export function batchIndices(n, batchSize, shuffle, dropLast, random) {
  // TODO: build the order [0, 1, …, n−1].
  // TODO: if shuffle: Fisher–Yates with j = Math.floor(random() * (i + 1)), then swap i and j.
  // TODO: slice the order into batches of batchSize; keep a short last batch unless dropLast.
  return todo('return an array of batches (arrays of row indices) covering the epoch\'s order');
}
