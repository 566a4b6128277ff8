#!/usr/bin/env node
// Runs the compiled test files (dist/test/**/*.test.js) with Node's test runner and prints
// the spec report followed by a one-line "N passed, N failed" summary.
// Usage: node test/run.mjs [substring-filter...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const distTest = join(root, 'dist', 'test');

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk(distTest, []).filter(
  (f) => filters.length === 0 || filters.some((s) => relative(distTest, f).includes(s)),
);
if (files.length === 0) {
  console.error(`no test files matched under ${distTest}; run \`npm run build\` first`);
  process.exit(1);
}
const reporter = new URL('./summary-reporter.mjs', import.meta.url).href;
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${reporter}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);
