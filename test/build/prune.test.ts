// `lade builder prune`: the build cache goes, the layers of images stay usable. As root.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { tempDir } from '../helpers/tar-fixtures.js';
import { baseStore } from './fixture-cases.js';

const store = baseStore();

function project(run: string): string {
  const dir = tempDir('lade-prune-');
  writeFileSync(join(dir, 'Dockerfile'), `FROM lade-fixture/base:1\nRUN ${run}\n`);
  return dir;
}

/** Builds; returns whether the RUN step ran (rather than came from the cache). */
function build(dir: string, tag: string): boolean {
  const r = store.run(['build', '--progress', 'rawjson', '-t', tag, dir]);
  assert.equal(r.status, 0, r.stderr);
  return r.stderr.split('\n').some((l) => l.includes('"state":"started"') && l.includes('RUN '));
}

test('builder prune: dangling cache and its layers go; images keep theirs; -a empties the cache', () => {
  const a = project('echo a > /a');
  const b = project('echo b > /b');
  assert.equal(build(a, 'keep:1'), true);
  assert.equal(build(b, 'drop:1'), true);
  assert.equal(store.run(['rmi', 'drop:1']).status, 0);

  const pruned = store.run(['builder', 'prune', '-f']);
  assert.equal(pruned.status, 0, pruned.stderr);
  assert.match(pruned.stdout, /Deleted build cache objects: 1 cache entries, 1 layers\nTotal reclaimed space: \d/);
  assert.equal(build(b, 'drop:1'), true, 'the pruned step runs again');
  assert.equal(build(a, 'keep:1'), false, 'a step an image uses stays cached');

  assert.equal(store.run(['rmi', 'drop:1']).status, 0);
  const all = store.run(['builder', 'prune', '-a', '-f']);
  assert.equal(all.status, 0, all.stderr);
  assert.match(all.stdout, /Deleted build cache objects: 2 cache entries/);
  assert.equal(store.run(['run', '--rm', 'keep:1', 'cat', '/a']).stdout, 'a\n', 'the image still runs');
  const saved = store.run(['save', '-o', join(tempDir('lade-prune-save-'), 'keep.tar'), 'keep:1']);
  assert.equal(saved.status, 0, `its layer can still be made: ${saved.stderr}`);
  assert.equal(build(a, 'keep:1'), true, 'with the cache empty, the step runs again');
});

test('builder prune asks first, and does nothing on no', () => {
  const r = store.run(['builder', 'prune']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /WARNING! This will remove all dangling build cache\.\nAre you sure you want to continue\? \[y\/N\] $/);
});
