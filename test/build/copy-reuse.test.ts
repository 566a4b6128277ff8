// A COPY of a whole context directory that runs again after part of the context changed starts
// from the layer the same copy made before and writes only the differences. Through the real CLI
// as root: after each kind of change, the layer made that way is byte for byte the layer a full
// copy (--no-cache) makes, and an unchanged file is the earlier layer's own inode.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { tempDir } from '../helpers/tar-fixtures.js';
import { baseStore } from './fixture-cases.js';

const store = baseStore();

function layers(dir: string, extra: string[] = []): string[] {
  const built = store.run(['build', '-q', '-t', 'reuse', ...extra, dir]);
  assert.equal(built.status, 0, built.stderr);
  const inspect = store.run(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'reuse']);
  assert.equal(inspect.status, 0, inspect.stderr);
  return JSON.parse(inspect.stdout) as string[];
}

/** Inodes of every copy of `name` in the overlay layers under the store. */
function inodesOf(rel: string): Set<number> {
  const dir = join(store.root, 'snapshots', 'overlay');
  const out = new Set<number>();
  for (const id of readdirSync(dir).filter((n) => /^[0-9]+$/.test(n))) {
    const st = statSync(join(dir, id, 'fs', rel), { throwIfNoEntry: false });
    if (st !== undefined) out.add(st.ino);
  }
  return out;
}

test('COPY of a whole directory after a partial change: only the changes written, the same layer as a full copy', () => {
  const ctx = tempDir('lade-reuse-');
  const put = (rel: string, text: string, mode = 0o644) => {
    mkdirSync(join(ctx, rel, '..'), { recursive: true });
    writeFileSync(join(ctx, rel), text);
    chmodSync(join(ctx, rel), mode);
  };
  put('a.txt', 'a\n');
  put('dir/b.txt', 'b\n');
  put('dir/sub/c.txt', 'c\n', 0o600);
  put('exec.sh', '#!/bin/sh\n', 0o755);
  put('keep.txt', 'never changes\n');
  symlinkSync('a.txt', join(ctx, 'link'));
  mkdirSync(join(ctx, 'empty'));
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM lade-fixture/base:1\nCOPY . /app\n');
  writeFileSync(join(ctx, '.dockerignore'), 'Dockerfile\n');

  const first = layers(ctx);
  assert.equal(inodesOf('app/keep.txt').size, 1);

  const changes: [string, () => void][] = [
    ['content', () => put('a.txt', 'a, changed\n')],
    ['mode', () => chmodSync(join(ctx, 'dir/b.txt'), 0o640)],
    ['a new file', () => put('dir/new.txt', 'new\n')],
    ['a new tree', () => put('newdir/x/y.txt', 'y\n')],
    ['a file removed', () => rmSync(join(ctx, 'dir/sub/c.txt'))],
    ['a tree removed', () => rmSync(join(ctx, 'newdir'), { recursive: true })],
    ['a file becomes a directory', () => {
      rmSync(join(ctx, 'a.txt'));
      put('a.txt/inner', 'inner\n');
    }],
    ['a directory becomes a symlink', () => {
      rmSync(join(ctx, 'dir/sub'), { recursive: true });
      symlinkSync('../empty', join(ctx, 'dir/sub'));
    }],
    // Times alone change no cache key; with another change they must come out as a full copy's.
    ['a directory time', () => {
      utimesSync(join(ctx, 'dir'), new Date(2001, 0, 1), new Date(2001, 0, 1));
      put('t1.txt', 't1\n');
    }],
    ['a file time', () => {
      utimesSync(join(ctx, 'exec.sh'), new Date(2002, 0, 1), new Date(2002, 0, 1));
      put('a.txt/inner', 'inner\n', 0o600);
    }],
  ];
  let previous = first;
  for (const [what, change] of changes) {
    change();
    const reused = layers(ctx);
    assert.notDeepEqual(reused, previous, `${what}: the layer changed`);
    assert.equal(inodesOf('app/keep.txt').size, 1, `${what}: the unchanged file was not copied again`);
    const full = layers(ctx, ['--no-cache']);
    assert.deepEqual(reused, full, `${what}: the reused copy made the layer a full copy makes`);
    previous = reused;
  }
  const run = store.run(['run', '--rm', 'reuse', 'cat', '/app/a.txt/inner', '/app/keep.txt']);
  assert.equal(run.stdout, 'inner\nnever changes\n', run.stderr);

  // --no-cache starts from no earlier layer: damage the shared inode, and a no-cache build
  // still copies the context's bytes.
  const layerDir = join(store.root, 'snapshots', 'overlay');
  const copy = readdirSync(layerDir).filter((n) => /^[0-9]+$/.test(n)).map((id) => join(layerDir, id, 'fs', 'app', 'keep.txt')).find((p) => statSync(p, { throwIfNoEntry: false }) !== undefined)!;
  writeFileSync(copy, 'damaged\n');
  put('t2.txt', 't2\n');
  layers(ctx, ['--no-cache']);
  const fresh = store.run(['run', '--rm', 'reuse', 'cat', '/app/keep.txt']);
  assert.equal(fresh.stdout, 'never changes\n', fresh.stderr);
});
