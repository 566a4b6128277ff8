// A lade process killed (SIGKILL) in the middle of an apply or while a snapshot is mounted
// leaves the snapshotter consistent: the next open removes the partial tree and the stale mount,
// and every recorded snapshot is intact. Needs root.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { openSnapshotter } from '../../src/snapshotter/index.js';
import { chunks, layer, scratch } from './helpers.js';

const CHILD = fileURLToPath(new URL('./kill-child.js', import.meta.url));

/** Polls `condition` until it holds; fails after a generous deadline (no fixed sleeps). */
async function waitFor(what: string, condition: () => boolean, child: { exitCode: number | null }): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (child.exitCode !== null) assert.fail(`the child exited (${child.exitCode}) before: ${what}`);
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function killHard(child: ReturnType<typeof spawn>): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function mountedUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${dir}/`));
}

for (const driver of ['overlay', 'copy'] as const) {
  test(`${driver}: killed in the middle of an apply, the next open removes the partial tree`, async (t) => {
    const root = scratch(t, 'lade-kill-');
    const s = await openSnapshotter(root, driver);
    await s.apply('kept', undefined, chunks(await layer([{ path: 'f', data: 'kept' }])));
    const child = spawn(process.execPath, [CHILD, root, driver, 'apply'], { stdio: 'inherit' });
    t.after(() => child.kill('SIGKILL'));
    const staging = join(s.dir, 'staging');
    const partial = (): string | undefined => {
      if (!existsSync(staging)) return undefined;
      const dir = readdirSync(staging).find((n) => !n.endsWith('.lock'));
      return dir === undefined ? undefined : join(staging, dir, 'fs', 'big');
    };
    await waitFor('a partial file in a staging tree', () => {
      const p = partial();
      return p !== undefined && existsSync(p) && statSync(p).size > 0;
    }, child);
    await killHard(child);
    assert.equal(readdirSync(staging).length, 2, 'the dead process left its tree and lock file');

    const reopened = await openSnapshotter(root, driver);
    assert.deepEqual(readdirSync(staging), []);
    assert.deepEqual((await reopened.list()).map((i) => i.name), ['kept']);
    assert.equal((await reopened.readFile('kept', 'f'))?.toString(), 'kept');
  });
}

test('overlay: killed while a snapshot is mounted, the next open detaches and removes the mount point', async (t) => {
  const root = scratch(t, 'lade-kill-');
  const s = await openSnapshotter(root, 'overlay');
  const child = spawn(process.execPath, [CHILD, root, 'overlay', 'mount'], { stdio: 'inherit' });
  t.after(() => child.kill('SIGKILL'));
  const mounts = join(s.dir, 'mounts');
  await waitFor('the snapshot mounted', () => mountedUnder(mounts).length > 0, child);
  await killHard(child);
  assert.equal(mountedUnder(mounts).length, 1, 'the mount outlives its process');

  const reopened = await openSnapshotter(root, 'overlay');
  assert.deepEqual(mountedUnder(mounts), []);
  assert.deepEqual(readdirSync(mounts), []);
  assert.deepEqual((await reopened.list()).map((i) => i.name), ['active'], 'the snapshot itself stays');
});
