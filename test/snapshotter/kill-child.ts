// Child process for kill.test.ts: starts a snapshotter operation that never finishes, so the
// test can kill it at a known point. Usage: node kill-child.js <root> <driver> apply|mount
import { makeEntry, writeLayer } from '../../src/layer/index.js';
import { openSnapshotter, type SnapshotDriver } from '../../src/snapshotter/index.js';

const [root, driver, mode] = process.argv.slice(2) as [string, SnapshotDriver, string];
const s = await openSnapshotter(root, driver);

/** The body of a file that claims a gigabyte and arrives slowly: apply is inside its write loop when killed. */
async function* endless(): AsyncGenerator<Uint8Array> {
  const chunk = Buffer.alloc(1 << 12, 0x61);
  for (;;) {
    yield chunk;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

if (mode === 'apply') {
  await s.apply('victim', undefined, writeLayer([{ entry: makeEntry({ path: 'big', type: 'file', size: 1 << 30 }), body: endless() }]));
} else {
  await s.prepare('active', undefined);
  await s.withMounted('active', false, () => new Promise<never>(() => setInterval(() => undefined, 1 << 30)));
}
