// A kill at any moment leaves the store usable: lade load and lade import are SIGKILLed at
// several points; afterwards every name points at a whole image, every blob verifies, and the
// same command succeeds.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openImageStore } from '../../src/image/index.js';
import { lade } from '../helpers/lade-cli.js';
import { repoRoot } from '../helpers/paths.js';
import { makeTar, tempDir } from '../helpers/tar-fixtures.js';

async function killedAfter(args: string[], ms: number): Promise<void> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'lade'), ...args], { stdio: 'ignore' });
  // The delay only picks a moment to kill; nothing below depends on what the child reached.
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await once(child, 'exit');
  clearTimeout(timer);
}

async function assertConsistent(root: string): Promise<void> {
  const store = await openImageStore(root);
  for (const image of await store.list()) {
    const loaded = await store.load(image);
    for (const layer of loaded.manifest.layers) {
      const stream = await store.content.openRead(layer.digest);
      for await (const _ of stream) {
        // Reading to the end verifies the digest; a mismatch throws here.
      }
    }
  }
  for await (const blob of store.content.list()) await store.content.readBytes(blob.digest, { maxSize: 1 << 30 });
}

test('SIGKILL during import and load never leaves a broken image or blob', async () => {
  const dir = tempDir('lade-kill-files-');
  // 24 MB of incompressible content, so the commands run long enough to be cut at many points.
  const rootfs = join(dir, 'rootfs.tar');
  writeFileSync(
    rootfs,
    await makeTar([{ name: 'big.bin', data: randomBytes(24 << 20) }, { name: 'etc/', type: 'directory' }, { name: 'etc/x', data: 'x' }]),
  );
  const source = tempDir('lade-kill-src-');
  assert.equal(lade(['--root', source, 'import', rootfs, 'example/kill:1']).status, 0);
  const archive = join(dir, 'image.tar');
  assert.equal(lade(['--root', source, 'save', '-o', archive, 'example/kill:1']).status, 0);
  const want = lade(['--root', source, 'image', 'inspect', '-f', '{{.Id}}', 'example/kill:1']).stdout;

  for (const [i, ms] of [20, 60, 120, 200, 300, 450].entries()) {
    const root = tempDir('lade-kill-');
    await killedAfter(i % 2 === 0 ? ['--root', root, 'load', '-i', archive] : ['--root', root, 'import', rootfs, 'example/kill:1'], ms);
    await assertConsistent(root);
    const names = lade(['--root', root, 'images', '--format', '{{.Repository}}:{{.Tag}}']).stdout;
    assert.ok(names === '' || names === 'example/kill:1\n', names);
    // The same command now completes, and the store has exactly the image.
    const again = i % 2 === 0 ? lade(['--root', root, 'load', '-i', archive]) : lade(['--root', root, 'import', rootfs, 'example/kill:1']);
    assert.equal(again.status, 0, again.stderr);
    await assertConsistent(root);
    if (i % 2 === 0) assert.equal(lade(['--root', root, 'image', 'inspect', '-f', '{{.Id}}', 'example/kill:1']).stdout, want);
    // Whatever the kill left behind, prune brings the store back to exactly the image's blobs.
    lade(['--root', root, 'image', 'prune', '-f']);
    const store = await openImageStore(root);
    const image = await store.load(await store.find('example/kill:1'));
    const expected = new Set([image.record.manifest.digest, image.manifest.config.digest, ...image.manifest.layers.map((l) => l.digest)]);
    const present = new Set<string>();
    for await (const blob of store.content.list()) present.add(blob.digest);
    assert.deepEqual([...present].sort(), [...expected].sort());
  }
});
