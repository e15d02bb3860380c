// Module 08 DataLoader: the reference solution (one epoch's batches of row indices, in order or
// in a seeded Fisher–Yates shuffle).
//
// The DataLoader calls this once per epoch and gathers the rows of each batch. All randomness
// comes from `random()`, the lab's seeded generator, so the same seed replays the same epochs.

/**
 * The batches of one epoch: arrays of row indices covering 0..n−1 exactly once (or, with
 * dropLast, every full batch).
 */
export function batchIndices(n, batchSize, shuffle, dropLast, random) {
  if (!Number.isInteger(n) || n < 0) throw new Error(`batchIndices: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchIndices: batchSize must be a positive integer, got ${batchSize}`);
  }

  const order = new Array(n);
  for (let i = 0; i < n; i++) order[i] = i;

  if (shuffle) {
    // Fisher–Yates: position i takes a uniformly chosen index among the first i + 1 (itself
    // included), so every permutation has probability exactly 1/n!.
    for (let i = n - 1; i > 0; i--) {
      // min() only guards against a generator that ever returned exactly 1.
      const j = Math.min(i, Math.floor(random() * (i + 1)));
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
  }

  const batches = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    // Only the last batch can be short; dropLast discards it so every batch has the same size.
    if (dropLast && end - start < batchSize) break;
    batches.push(order.slice(start, end));
  }
  return batches;
}
