// Scans every import in src/ and fails when a module breaks the dependency direction of
// ../shared/STYLE.md, or reaches into another folder without going through its index.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import test from 'node:test';
import { repoRoot } from '../helpers/paths.js';

/**
 * Which top-level folders of src/ each folder may import. A folder missing here fails the test,
 * so adding one forces a decision.
 */
const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  paths: [],
  reference: ['errors'],
  graph: ['errors'],
  frontend: ['errors', 'graph', 'reference'],
  sys: ['errors', 'paths'],
  content: ['errors'],
  layer: ['errors', 'sys'],
  image: ['errors', 'content', 'reference', 'layer', 'sys'],
  registry: ['errors', 'content', 'image', 'reference', 'snapshotter'],
  snapshotter: ['errors', 'content', 'image', 'layer', 'sys'],
  executor: ['errors', 'paths'],
  gopath: [],
  buildcontext: ['errors', 'frontend', 'gopath'],
  fileop: ['errors', 'content', 'gopath', 'layer', 'sys'],
  solver: ['errors', 'graph'],
  container: ['errors', 'content', 'image', 'layer', 'snapshotter', 'executor'],
  remotecache: ['errors', 'content', 'graph', 'image', 'reference', 'registry', 'snapshotter', 'solver'],
  cli: ['*'],
};
/** solver/ops binds op kinds to the parts below; the solver core may not. */
const SOLVER_OPS_EXTRA = ['content', 'image', 'layer', 'snapshotter', 'executor', 'registry', 'buildcontext', 'fileop', 'gopath'];
/** Only the executor's bridge (the sandbox helper) and src/sys (the syscall addon) touch native/. */
const NATIVE_DIRS = [join('src', 'executor', 'bridge'), join('src', 'sys')];

interface ImportRef {
  file: string;
  line: number;
  spec: string;
  typeOnly: boolean;
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function listTs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listTs(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

export function importsOf(file: string, text: string): ImportRef[] {
  const refs: ImportRef[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const line = text.slice(0, m.index).split('\n').length;
    refs.push({ file, line, spec: m[3]!, typeOnly: m[2] !== undefined });
  }
  // Dynamic imports cross boundaries too.
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    refs.push({ file, line: text.slice(0, m.index).split('\n').length, spec: m[1]!, typeOnly: false });
  }
  return refs;
}

/** The top-level folder of a path under src/, e.g. `frontend` for src/frontend/parser/parse.ts. */
function topOf(srcRel: string): string {
  return srcRel.split(sep)[0]!;
}

export function violations(srcDir: string, files: string[], read: (f: string) => string): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const rel = relative(srcDir, file);
    const top = topOf(rel);
    const fromDir = dirname(file);
    for (const ref of importsOf(file, read(file))) {
      const where = `src/${rel}:${ref.line} imports '${ref.spec}'`;
      if (ref.spec.includes('native/') || ref.spec.endsWith('.node')) {
        if (!NATIVE_DIRS.some((d) => fromDir.startsWith(join(repoRoot, d)))) problems.push(`${where}: only ${NATIVE_DIRS.join(' and ')} may touch native/`);
        continue;
      }
      if (!ref.spec.startsWith('.')) continue;
      const target = resolve(fromDir, ref.spec);
      const targetRel = relative(srcDir, target);
      if (targetRel.startsWith('..')) {
        problems.push(`${where}: reaches outside src/`);
        continue;
      }
      const targetTop = topOf(targetRel);
      const allowed = ALLOWED[top];
      if (allowed === undefined) {
        problems.push(`${where}: folder src/${top} has no rule in the dependency table`);
        continue;
      }
      if (targetTop !== top) {
        const extra = top === 'solver' && rel.startsWith(join('solver', 'ops')) ? SOLVER_OPS_EXTRA : [];
        if (!allowed.includes('*') && !allowed.includes(targetTop) && !extra.includes(targetTop)) {
          problems.push(`${where}: src/${top} may not depend on src/${targetTop}`);
          continue;
        }
      }
      // Across folders, go through the folder's curated index (ancestor folders excepted).
      const targetDir = dirname(target);
      const sameOrAncestor = fromDir === targetDir || fromDir.startsWith(targetDir + sep);
      if (!sameOrAncestor && !target.endsWith(`${sep}index.js`)) {
        problems.push(`${where}: import src/${relative(srcDir, targetDir)}/index.js instead`);
      }
    }
  }
  return problems;
}

test('every import in src/ follows the dependency direction and goes through index.ts', () => {
  const srcDir = join(repoRoot, 'src');
  const files = listTs(srcDir);
  assert.ok(files.length > 10, 'the scan found the source files');
  assert.deepEqual(violations(srcDir, files, (f) => readFileSync(f, 'utf8')), []);
});

test('the scanner itself catches each kind of violation', () => {
  const srcDir = join(repoRoot, 'src');
  const fake: Record<string, string> = {
    [join(srcDir, 'frontend', 'a.ts')]: "import { x } from '../solver/index.js';\nimport { g } from '../graph/index.js';\n",
    [join(srcDir, 'frontend', 'parser', 'b.ts')]: "import { y } from '../shell/lexer.js';\n",
    [join(srcDir, 'solver', 'c.ts')]: "import type { S } from '../snapshotter/index.js';\n",
    [join(srcDir, 'image', 'd.ts')]: "import '../../native/helper.js';\nexport * from '../mystery/index.js';\n",
    [join(srcDir, 'solver', 'ops', 'e.ts')]: "import { s } from '../../snapshotter/index.js';\n",
  };
  const problems = violations(srcDir, Object.keys(fake), (f) => fake[f]!);
  const expectations = [
    /frontend\/a.ts:1 .*may not depend on src\/solver/,
    /frontend\/parser\/b.ts:1 .*import src\/frontend\/shell\/index.js instead/,
    /solver\/c.ts:1 .*may not depend on src\/snapshotter/,
    /image\/d.ts:1 .*only src\/executor\/bridge and src\/sys may touch native/,
    /image\/d.ts:2 .*may not depend on src\/mystery/,
  ];
  for (const re of expectations) assert.ok(problems.some((p) => re.test(p)), `expected a problem matching ${re}: ${problems.join('\n')}`);
  assert.equal(problems.length, expectations.length, problems.join('\n'));
});
