// Module 08 DataLoader: two hints per function (the idea, then a targeted hint). No solutions.

export const HINTS = {
  batchIndices: [
    'An epoch is a permutation of the rows, cut into pieces. Shuffle first (a permutation, so nothing repeats and nothing is lost), then slice consecutive runs of `batchSize`; only the last run can be short.',
    'Drawing `Math.floor(random() * n)` for each slot samples with replacement: rows repeat and others go missing. Swap instead: for `i` from `n - 1` down to 1, pick `j = Math.floor(random() * (i + 1))` (i + 1, so i may stay where it is) and swap. Use the `random` you are given, never `Math.random`. Loop `start < n`, so no empty batch appears when n divides evenly.',
  ],
};
