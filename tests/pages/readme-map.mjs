// TinyTorch Lab page tests: the README's module map cannot rot. Every path it names exists
// (with {a,b} expanded), every name its JS API column gives is in the generated bindings or the
// facade, and each course module's row names the page file and exercise folder the registry
// (www/js/modules.js) gives it. Runs in Node, without a browser.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** "src/ops/{a,b}.rs" → ["src/ops/a.rs", "src/ops/b.rs"] (one brace group is all the map uses). */
function expand(p) {
  const m = /\{([^}]*)\}/.exec(p);
  return m ? m[1].split(',').flatMap((x) => expand(p.replace(m[0], x))) : [p];
}

const isPath = (s) => /^(src|www|tests|index\.html)/.test(s) && !/\s/.test(s);
// Patterns (www/NN-slug.html) are not paths to check.
const isPattern = (s) => s.includes('NN');

/** The problems found (empty = the map is right), and what was checked. */
export async function readmeMapProblems(root) {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Module map');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const problems = [];
  const spans = [...section.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  const paths = spans.filter((s) => isPath(s) && !isPattern(s)).flatMap(expand);
  for (const p of paths) if (!existsSync(path.join(root, p))) problems.push(`no such path: ${p}`);

  // The JS API column: every plain name (or Class.method) must be in the bindings or the facade.
  const api = readFileSync(path.join(root, 'pkg/tinytorch.d.ts'), 'utf8') + readFileSync(path.join(root, 'www/js/tinytorch.js'), 'utf8');
  const rows = section.split('\n').filter((l) => /^\| \d\d /.test(l));
  const names = rows.flatMap((l) => [...l.split('|')[3].matchAll(/`([^`]+)`/g)].map((m) => m[1]))
    .filter((s) => !isPath(s)).map((s) => s.replace(/\(.*$/, '')).flatMap((s) => s.split('.'));
  for (const n of new Set(names)) if (!new RegExp(`\\b${n}\\b`).test(api)) problems.push(`JS name not in the API: ${n}`);

  // Each course module's row names its page and (if any) its exercise folder, as the registry says.
  const { MODULES } = await import(path.join(root, 'www/js/modules.js'));
  for (const m of MODULES) {
    const row = rows.find((l) => l.startsWith(`| ${String(m.number).padStart(2, '0')} `));
    if (!row) { problems.push(`no row for module ${m.number}`); continue; }
    if (!row.includes(`\`www/${m.file}\``)) problems.push(`module ${m.number}: row does not name www/${m.file}`);
    if (m.exercise && !row.includes(`\`www/${m.exercise.dir}\``)) problems.push(`module ${m.number}: row does not name www/${m.exercise.dir}`);
    if (m.tool && !row.includes(`\`www/js/${m.tool.src}\``)) problems.push(`module ${m.number}: row does not name its tool www/js/${m.tool.src}`);
  }
  return { problems, paths: paths.length, names: new Set(names).size, rows: rows.length };
}
