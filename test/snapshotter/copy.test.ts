// The copy driver (no overlayfs): the conformance suite, and the attributes a prepare must keep
// when it copies the parent tree. Needs root.
import assert from 'node:assert/strict';
import { constants, linkSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { openSnapshotter } from '../../src/snapshotter/index.js';
import { lsetxattr, mknod } from '../../src/sys/index.js';
import { snapshot } from '../layer/helpers.js';
import { snapshotterConformance } from './conformance.js';
import { scratch } from './helpers.js';

snapshotterConformance('copy', (root) => openSnapshotter(root, 'copy'));

test('copy: prepare copies the parent with every attribute (owners, modes, times, xattrs, hardlinks, devices)', async (t) => {
  const s = await openSnapshotter(scratch(t, 'lade-snap-'), 'copy');
  await s.prepare('a', undefined);
  let parentTree: ReturnType<typeof snapshot> | undefined;
  await s.withMounted('a', false, async (dir) => {
    mkdirSync(join(dir, 'd'), { mode: 0o750 });
    writeFileSync(join(dir, 'd', 'f'), 'data', { mode: 0o4755 });
    linkSync(join(dir, 'd', 'f'), join(dir, 'd', 'g'));
    symlinkSync('../nowhere', join(dir, 'd', 'l'));
    mknod(join(dir, 'd', 'null'), constants.S_IFCHR | 0o666, 1, 3);
    mknod(join(dir, 'd', 'fifo'), constants.S_IFIFO | 0o600, 0, 0);
    lsetxattr(join(dir, 'd', 'f'), 'trusted.t', Buffer.from('v'));
    lsetxattr(join(dir, 'd', 'f'), 'user.u', Buffer.from('w'));
    utimesSync(join(dir, 'd', 'f'), 1_600_000_000.123456, 1_600_000_000.123456);
    parentTree = snapshot(dir);
  });
  await s.commit('c', 'a');
  await s.prepare('b', 'c');
  await s.withMounted('b', true, async (dir) => {
    assert.deepEqual(snapshot(dir), parentTree);
  });
});
