// The overlay driver: the conformance suite, the shape of its mounts, a 200-layer stack mounted
// through relative lowerdirs, and the limits. Needs root and overlayfs.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { MAX_OVERLAY_LOWERS, mountArguments, openSnapshotter, overlaySupported } from '../../src/snapshotter/index.js';
import { MountFlag } from '../../src/sys/index.js';
import { snapshotterConformance } from './conformance.js';
import { chunks, layer, rejectsCode, scratch, type Spec } from './helpers.js';

test('overlayfs works here (the rest of this file depends on it)', async (t) => {
  assert.equal(await overlaySupported(scratch(t, 'lade-probe-')), true);
});

snapshotterConformance('overlay', (root) => openSnapshotter(root, 'overlay'));

test('overlay: the driver is chosen by LADE_SNAPSHOTTER, else by the probe', async (t) => {
  const saved = process.env['LADE_SNAPSHOTTER'];
  t.after(() => {
    if (saved === undefined) delete process.env['LADE_SNAPSHOTTER'];
    else process.env['LADE_SNAPSHOTTER'] = saved;
  });
  delete process.env['LADE_SNAPSHOTTER'];
  assert.equal((await openSnapshotter(scratch(t, 'lade-snap-'))).driver, 'overlay');
  process.env['LADE_SNAPSHOTTER'] = 'copy';
  const copy = await openSnapshotter(scratch(t, 'lade-snap-'));
  assert.equal(copy.driver, 'copy');
  assert.match(copy.dir, /\/snapshots\/copy$/);
  process.env['LADE_SNAPSHOTTER'] = 'zfs';
  await rejectsCode(openSnapshotter(scratch(t, 'lade-snap-')), ErrorCode.Usage, /zfs/);
});

test('overlay: mounts are data: binds without a parent, overlays with short relative lowerdirs', async (t) => {
  const s = await openSnapshotter(scratch(t, 'lade-snap-'), 'overlay');
  const first = await s.prepare('a', undefined);
  assert.deepEqual(first, [{ type: 'bind', source: join(s.dir, '1', 'fs'), options: ['rbind', 'rw'], cwd: '' }]);
  await s.commit('c1', 'a');
  await s.apply('c2', 'c1', chunks(await layer([{ path: 'f', data: 'x' }])));
  const active = await s.prepare('b', 'c2');
  assert.equal(active.length, 1);
  assert.deepEqual(active[0], {
    type: 'overlay',
    source: 'overlay',
    options: ['index=off', 'metacopy=off', 'redirect_dir=off', 'lowerdir=2/fs:1/fs', 'upperdir=3/fs', 'workdir=3/work'],
    cwd: s.dir,
  });
  assert.deepEqual(mountArguments(active[0]!), { flags: 0, data: 'index=off,metacopy=off,redirect_dir=off,lowerdir=2/fs:1/fs,upperdir=3/fs,workdir=3/work' });
  assert.deepEqual(await s.view('v1', 'c1'), [{ type: 'bind', source: join(s.dir, '1', 'fs'), options: ['rbind', 'ro'], cwd: '' }]);
  const view = await s.view('v2', 'c2');
  assert.deepEqual(view[0]?.options, ['index=off', 'metacopy=off', 'redirect_dir=off', 'lowerdir=2/fs:1/fs', 'ro']);
  assert.deepEqual(mountArguments(view[0]!).flags, MountFlag.RDONLY);
  assert.deepEqual(mountArguments(first[0]!).flags, MountFlag.BIND | MountFlag.REC);
});

test('overlay: a chain of 200 layers with whiteouts mounts through relative lowerdirs and merges right', async (t) => {
  const s = await openSnapshotter(scratch(t, 'lade-snap-'), 'overlay');
  const expected = new Set<string>();
  let parent: string | undefined;
  for (let i = 0; i < 200; i++) {
    const specs: Spec[] = ['files/', { path: `files/f${i}`, data: `layer ${i}` }];
    if (i === 0) specs.push('base/', { path: 'base/zero', data: 'layer 0' });
    expected.add(`f${i}`);
    if (i % 10 === 9) {
      specs.push(`files/.wh.f${i - 5}`); // whiteout of a file five layers down
      expected.delete(`f${i - 5}`);
    }
    if (i === 150) {
      specs.push('files/.wh..wh..opq'); // everything below layer 150 disappears
      for (const name of [...expected]) if (name !== 'f150') expected.delete(name);
    }
    const name = `layer-${i}`;
    if (i % 50 === 49) {
      // Some layers are made through a mount and committed, the way a build step makes them.
      await s.prepare('step', parent);
      await s.withMounted('step', false, async (dir) => {
        mkdirSync(join(dir, 'files'), { recursive: true });
        writeFileSync(join(dir, 'files', `f${i}`), `layer ${i}`);
        if (i % 10 === 9) unlinkSync(join(dir, 'files', `f${i - 5}`));
      });
      await s.commit(name, 'step');
    } else {
      await s.apply(name, parent, chunks(await layer(specs)));
    }
    parent = name;
  }
  const [mount] = await s.prepare('top', parent);
  assert.equal(mount?.type, 'overlay');
  const data = mountArguments(mount!).data;
  assert.ok(data.length < 4096, `mount data is ${data.length} bytes`);
  const absolute = data.replace(/(\d+\/(?:fs|work))/g, `${s.dir}/$1`);
  assert.ok(absolute.length > 4096, 'absolute lowerdirs would not fit in one page: relative ones are needed');
  await s.withMounted('top', false, async (dir) => {
    const seen = readdirSync(join(dir, 'files')).sort();
    assert.deepEqual(seen, [...expected].sort());
    assert.equal(readFileSync(join(dir, 'base', 'zero'), 'utf8'), 'layer 0', 'the bottom layer shows through 199 others');
    writeFileSync(join(dir, 'files', 'top'), 'written');
  });
  assert.equal((await s.readFile('top', 'files/top'))?.toString(), 'written');
  assert.equal(await s.readFile('top', 'files/f4'), undefined, 'whiteout seen without mounting too');
});

test('overlay: a parent chain deeper than overlayfs stacks is refused with a clear error', async (t) => {
  const root = scratch(t, 'lade-snap-');
  const s = await openSnapshotter(root, 'overlay');
  // Recording 500 committed layers directly: applying them one by one would only take longer.
  const snapshots: Record<string, object> = {};
  const top = MAX_OVERLAY_LOWERS + 1;
  for (let i = 1; i <= top; i++) {
    mkdirSync(join(s.dir, String(i), 'fs'), { recursive: true });
    snapshots[`l${i}`] = { id: i, kind: 'committed', ...(i > 1 ? { parent: `l${i - 1}` } : {}), created: new Date().toISOString(), labels: {} };
  }
  writeFileSync(join(s.dir, 'metadata.json'), JSON.stringify({ version: 1, driver: 'overlay', nextId: top + 1, snapshots }));
  const reopened = await openSnapshotter(root, 'overlay');
  // 500 lower layers are the most one overlay takes, and they mount.
  await reopened.prepare('ok', `l${MAX_OVERLAY_LOWERS}`);
  await reopened.withMounted('ok', false, async (dir) => writeFileSync(join(dir, 'f'), 'on 500 layers'));
  assert.equal((await reopened.readFile('ok', 'f'))?.toString(), 'on 500 layers');
  await rejectsCode(reopened.prepare('deep', `l${top}`), ErrorCode.SnapshotTooDeep, /501 layers; overlayfs stacks at most 500/);
  await rejectsCode(reopened.view('deep', `l${top}`), ErrorCode.SnapshotTooDeep);
  await rejectsCode(reopened.apply('deep', `l${top}`, chunks(await layer(['x/']))), ErrorCode.SnapshotTooDeep);
  await rejectsCode(reopened.mounts(`l${top}`), ErrorCode.SnapshotTooDeep, /overlayfs stacks at most 500/);
});
