// TinyTorch Lab: the course's Capstone (module 20), one registry entry per module: its
// text and what its page runs (exercise, tool, live example). js/modules.js lists the fields.

export const TIER = {
  name: 'Capstone',
  blurb: 'Put it together: optimise a model, benchmark it and hand in a validated report.',
};

export const MODULES = [
  {
    number: 20, slug: 'capstone', title: 'Capstone', hours: '5–8', built: true,
    objective: 'Take a digits model from baseline to optimised, measure both, and hand in a report that validates.',
    build: [
      'runCapstone({ seed, student, onStage }): train the baseline MLP 64-128-10, distil it into 64-32-10, prune 50 % with the mask attached, quantize to int8, measure both',
      'The submission JSON: system, dataset, baseline, optimised and improvements',
      'validateSubmission(report) → the list of problems (empty = valid); capstoneSchema() → the JSON Schema',
    ],
    contract: [
      'speedup = baseline latency / optimised latency (medians, batch of 1)',
      'compression_ratio = baseline bytes / optimised bytes',
      'accuracy_delta = optimised accuracy − baseline accuracy, on the held-out digits',
      'Valid = follows the schema, and every improvement follows from the measurements it summarises',
    ],
    fixes: [
      'Every figure comes from a measurement made in this run (the reference\'s report took whatever numbers it was handed)',
      'The validator rejects a report whose ratios disagree with its own measurements, not only a malformed one',
    ],
    checks: 'capstone: the optimised submission validates, is ≥ 10× smaller than the baseline and within 3 points of its held-out accuracy, with every figure measured; the validator names a missing field, an accuracy of 1.3, an unknown technique, an extra field and a ratio that does not follow from the bytes.',
    tool: { id: 'capstone', title: 'Run the capstone', src: 'tool-capstone.js' },
    example: `// The capstone end to end, then the validator at work.
const stages = [];
const report = runCapstone({ seed: 0, student: 'example', onStage: (s) => stages.push(s) });
print('stages:', stages.join(' → '));
const { baseline: b, optimized: o, improvements: i } = report;
print('baseline ', b.model.padEnd(36), b.bytes, 'B', (100 * b.accuracy).toFixed(2) + ' %', (1000 * b.latency_ms.median).toFixed(1), 'µs');
print('optimised', o.model.padEnd(36), o.bytes, 'B', (100 * o.accuracy).toFixed(2) + ' %', (1000 * o.latency_ms.median).toFixed(1), 'µs');
print('speedup', i.speedup.toFixed(2) + '×  compression', i.compression_ratio.toFixed(1) + '×  accuracy change', (100 * i.accuracy_delta).toFixed(2), 'points');
print('validateSubmission:', validateSubmission(report).length ? validateSubmission(report) : 'valid');
const tampered = { ...report, improvements: { ...i, speedup: i.speedup * 2 } };
print('claim twice the speedup →', validateSubmission(tampered));
print('schema requires:', capstoneSchema().required.join(', '));`,
  },
];
