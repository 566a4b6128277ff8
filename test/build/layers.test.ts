// Layers a build makes are kept as committed snapshots; their tar is only measured (digest,
// size) and made on demand when something reads the blob. Through the real CLI as root.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { tempDir } from '../helpers/tar-fixtures.js';
import { baseStore } from './fixture-cases.js';

const store = baseStore();
const deferredDir = join(store.root, 'content', 'deferred', 'sha256');
const blobDir = join(store.root, 'content', 'blobs', 'sha256');

test('a built layer is deferred until read: save makes it (verified), prune removes it with the image', () => {
  const dir = tempDir('lade-layers-');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM lade-fixture/base:1\nRUN echo made-here > /made\n');
  const built = store.run(['build', '-q', '-t', 'deferred:1', dir]);
  assert.equal(built.status, 0, built.stderr);
  const layers = JSON.parse(store.run(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'deferred:1']).stdout) as string[];
  const hex = layers.at(-1)!.slice('sha256:'.length);
  assert.ok(existsSync(join(deferredDir, hex)), 'the layer is recorded, not stored');
  assert.ok(!existsSync(join(blobDir, hex)));

  const saved = store.run(['save', '-o', join(dir, 'image.tar'), 'deferred:1']);
  assert.equal(saved.status, 0, saved.stderr);
  assert.ok(existsSync(join(blobDir, hex)), 'reading the blob made and stored it');
  assert.ok(!existsSync(join(deferredDir, hex)));

  const again = tempDir('lade-layers-');
  writeFileSync(join(again, 'Dockerfile'), 'FROM lade-fixture/base:1\nRUN echo other > /other\n');
  assert.equal(store.run(['build', '-q', '-t', 'deferred:2', again]).status, 0);
  const other = (JSON.parse(store.run(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'deferred:2']).stdout) as string[]).at(-1)!.slice(7);
  assert.ok(existsSync(join(deferredDir, other)));
  assert.equal(store.run(['rmi', 'deferred:2']).status, 0);
  const pruned = store.run(['image', 'prune', '-a', '-f']);
  assert.equal(pruned.status, 0, pruned.stderr);
  assert.ok(!readdirSync(deferredDir).includes(other), 'an unreferenced deferred layer goes with its image');
});
