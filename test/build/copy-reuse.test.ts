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

  // --no-cache starts from no earlier layer, and `builder prune -a` empties the file store the
  // layers link to: damage the shared inode, and the next no-cache build copies the context's bytes.
  const layerDir = join(store.root, 'snapshots', 'overlay');
  const copy = readdirSync(layerDir).filter((n) => /^[0-9]+$/.test(n)).map((id) => join(layerDir, id, 'fs', 'app', 'keep.txt')).find((p) => statSync(p, { throwIfNoEntry: false }) !== undefined)!;
  writeFileSync(copy, 'damaged\n');
  assert.equal(store.run(['builder', 'prune', '-a', '-f']).status, 0);
  put('t2.txt', 't2\n');
  layers(ctx, ['--no-cache']);
  const fresh = store.run(['run', '--rm', 'reuse', 'cat', '/app/keep.txt']);
  assert.equal(fresh.stdout, 'never changes\n', fresh.stderr);
});

test('COPY of a whole context directory into a new directory links store files: the same layer as the copier makes', () => {
  const ctx = tempDir('lade-linked-');
  const put = (rel: string, text: string, mode = 0o644) => {
    mkdirSync(join(ctx, rel, '..'), { recursive: true });
    writeFileSync(join(ctx, rel), text);
    chmodSync(join(ctx, rel), mode);
  };
  put('a.txt', 'a\n');
  put('bin/tool', '#!/bin/sh\n', 0o4755);
  put('deep/er/still/f', 'f\n', 0o600);
  put('same-1', 'same\n');
  put('same-2', 'same\n');
  for (const f of ['same-1', 'same-2']) utimesSync(join(ctx, f), new Date(2004, 0, 1), new Date(2004, 0, 1));
  symlinkSync('../a.txt', join(ctx, 'deep/link'));
  mkdirSync(join(ctx, 'empty'));
  chmodSync(join(ctx, 'deep/er'), 0o700);
  utimesSync(join(ctx, 'deep'), new Date(2003, 0, 1), new Date(2003, 0, 1));
  writeFileSync(join(ctx, '.dockerignore'), 'Dockerfile*\n');
  // --chown=root:root names the same owner, but takes the copier's own path.
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM lade-fixture/base:1\nCOPY . /linked\n');
  writeFileSync(join(ctx, 'Dockerfile.copier'), 'FROM lade-fixture/base:1\nCOPY --chown=root:root . /linked\n');

  const store = baseStore();
  const linked = store.run(['build', '-q', '-t', 'linked', ctx]);
  assert.equal(linked.status, 0, linked.stderr);
  const copied = store.run(['build', '-q', '-t', 'copied', '-f', join(ctx, 'Dockerfile.copier'), ctx]);
  assert.equal(copied.status, 0, copied.stderr);
  const layersOf = (tag: string) => JSON.parse(store.run(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', tag]).stdout) as string[];
  assert.deepEqual(layersOf('linked'), layersOf('copied'), 'the same layer, byte for byte');

  const files = join(store.root, 'buildcontext', 'files');
  const stored = readdirSync(files);
  // a.txt, bin/tool, deep/er/still/f, .dockerignore, and one for same-1 and same-2 (same content, mode and mtime).
  assert.equal(stored.length, 5, `one store file per distinct (content, mode, mtime): ${stored.join(' ')}`);
  assert.ok(stored.every((n) => statSync(join(files, n)).nlink >= 2), 'the layer links to the store');

  // A second build of a new directory links the same store files: nothing is copied again.
  writeFileSync(join(ctx, 'Dockerfile.again'), 'FROM lade-fixture/base:1\nCOPY . /again\n');
  const again = store.run(['build', '-q', '--no-cache', '-f', join(ctx, 'Dockerfile.again'), ctx]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(readdirSync(files).sort(), [...stored].sort());
  const out = store.run(['run', '--rm', 'linked', 'sh', '-c', 'cat /linked/deep/link /linked/same-2; stat -c %a /linked/bin/tool /linked/deep/er']);
  assert.equal(out.stdout, 'a\nsame\n4755\n700\n', out.stderr);
});
