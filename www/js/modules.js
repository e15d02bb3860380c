// TinyTorch Lab: the module registry. Every module page, the course home and the tests read
// the course from here; the entries themselves live in one file per tier (js/course/*.js),
// because each carries its live example's code.
//
// An entry: number, slug, title, hours, built, objective, build (what the student
// implements), contract (key formulas), fixes (where we deliberately differ from the reference
// TinyTorch), checks (what the suites verify), and what its page runs:
//   exercise: true   the student writes the module's functions in the page; the starter,
//                    solution and hints are in www/exercises/NN-slug/ (mod.exercise.dir), the
//                    slots and unit checks in the crate (listSlots(), listExercises())
//   tool: { id, title, src }   an interactive panel: js/<src> exports mount(root)
//   example: `…`     the live example: JS run in the lab's worker with the whole API in scope,
//                    plus print(...values) and plot(name, values)
// A new module page is its entry in its tier's file plus www/NN-slug.html (a copy of any
// module page with the number and title changed). Which suites run on a page is not listed
// here: it comes from listSuites() at run time.

import { pad2 } from './dom.js';
import * as foundation from './course/foundation.js';
import * as architecture from './course/architecture.js';
import * as optimization from './course/optimization.js';
import * as capstone from './course/capstone.js';

const COURSE = [foundation, architecture, optimization, capstone];

/** The tiers in order: { name, blurb, range: [first, last] }, the range read from the entries. */
export const TIERS = COURSE.map(({ TIER, MODULES: mods }) => ({
  ...TIER, range: [mods[0].number, mods[mods.length - 1].number],
}));

/** Every module in course order, with its tier, page file and (if any) exercise folder. */
export const MODULES = COURSE.flatMap(({ TIER, MODULES: mods }) => mods.map((m) => {
  const base = `${pad2(m.number)}-${m.slug}`;
  return {
    ...m,
    tier: TIER.name,
    file: `${base}.html`,
    exercise: m.built && m.exercise ? { dir: `exercises/${base}/` } : null,
    tool: m.built ? m.tool ?? null : null,
    example: m.example ?? null,
  };
}));

export const moduleByNumber = (n) => MODULES.find((m) => m.number === n);

/** The milestone pages: historical models retrained from the modules the student built. */
export const MILESTONES = [
  {
    number: 4, year: 1998, slug: 'digits', file: 'milestone-digits.html', title: 'LeCun\'s CNN reads handwritten digits',
    short: 'A convolutional network trained live on 1,797 real 8×8 digits: held-out accuracy, a confusion matrix and the digits it gets wrong.',
    modules: [1, 9], from: 9, target: '≥ 97 % held-out accuracy',
  },
  {
    number: 5, year: 2017, slug: 'tinygpt', file: 'milestone-tinygpt.html', title: 'A transformer learns to reverse strings',
    short: 'A 2-layer character GPT trained live on the course corpus, then prompted: watch it write its answer token by token.',
    modules: [1, 13], from: 13, target: '≥ 90 % on held-out reversals',
  },
];

export const milestoneFrom = (n) => MILESTONES.find((m) => m.from === n) ?? null;
