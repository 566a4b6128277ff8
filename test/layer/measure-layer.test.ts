// measureLayer must give the digest and size of exactly the bytes writeLayer streams for the
// same entries (which tar-format.test.ts pins to Go's archive/tar): a build step's layer is only
// measured, and `lade save` checks the tar it makes later against that digest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, linkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ErrorCode } from '../../src/errors/index.js';
import { entryFromNode, FileBody, HardlinkTracker, measureLayer, walkTree, writeLayer, BUILDKIT_ENTRY_OPTIONS, type LayerSource } from '../../src/layer/index.js';
import { collect, entry, rejectsWith, scratch } from './helpers.js';

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Bytes that differ at every offset, so a misplaced or repeated batch changes the digest. */
function pattern(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A tree's layer sources, as the snapshotter's differ makes them: files as FileBody. */
function treeSources(root: string): LayerSource[] {
  const hardlinks = new HardlinkTracker();
  const out: LayerSource[] = [];
  for (const node of walkTree(root)) {
    const e = entryFromNode(node, BUILDKIT_ENTRY_OPTIONS)!;
    const target = hardlinks.linkTarget(node);
    if (target !== undefined) out.push({ entry: { ...e, type: 'hardlink', linkname: target, size: 0 } });
    else out.push(e.type === 'file' ? { entry: e, body: new FileBody(node.abs, node.path, e.size) } : { entry: e });
  }
  return out;
}

async function expected(sources: LayerSource[]): Promise<{ sha256: string; size: number }> {
  const bytes = await collect(writeLayer(sources));
  return { sha256: sha256(bytes), size: bytes.length };
}

test('in-memory entries: PAX records, long and non-ASCII names, xattrs, devices, links, odd sizes', async () => {
  const sources: LayerSource[] = [
    { entry: entry({ path: 'dir', type: 'dir', mode: 0o750, uid: 1000, gid: 1000, mtime: 1_700_000_000_123_456_789n }) },
    { entry: entry({ path: 'dir/empty', type: 'file' }) },
    { entry: entry({ path: 'dir/one', type: 'file', size: 1 }), body: Buffer.from('x') },
    { entry: entry({ path: 'dir/block', type: 'file', size: 512 }), body: pattern(512, 1) },
    { entry: entry({ path: 'dir/chunks', type: 'file', size: 1000 }), body: [pattern(300, 2), pattern(700, 3)] },
    { entry: entry({ path: `dir/${'long-name-'.repeat(20)}`, type: 'file', size: 513 }), body: pattern(513, 4) },
    { entry: entry({ path: 'dir/ünïcødé', type: 'symlink', linkname: '../🙂' }) },
    { entry: entry({ path: 'dir/cap', type: 'file', size: 3, xattrs: new Map([['security.capability', Buffer.from([1, 2, 3])]]) }), body: Buffer.from('cap') },
    { entry: entry({ path: 'dir/hard', type: 'hardlink', linkname: 'dir/one' }) },
    { entry: entry({ path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }) },
    { entry: entry({ path: 'dir/.wh.gone', type: 'file', mode: 0 }) },
    { entry: entry({ path: 'big-uid', type: 'file', uid: 1 << 22, gid: 3 }) },
  ];
  const measured = await measureLayer(sources);
  assert.deepEqual({ sha256: measured.sha256, size: measured.size }, await expected(sources));
  assert.equal(measured.entries, sources.length);
  assert.equal(measured.unpacked, 1 + 512 + 1000 + 513 + 3 + Buffer.byteLength('../🙂'));
});

test('files read from disk across batch boundaries, on the hashing thread, two layers at once', async (t) => {
  const dirs = [scratch(t), scratch(t)];
  // Sizes around the 4 MiB batch and the 512-byte block, and enough bytes for the worker path.
  const sizes = [0, 1, 511, 512, 513, (4 << 20) - 600, 4 << 20, (4 << 20) + 1, 9 << 20, 12345];
  dirs.forEach((root, d) => {
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    sizes.forEach((size, i) => writeFileSync(join(root, 'a', i % 2 === 0 ? 'b' : '', `f${i}`), pattern(size, i + d * 100)));
    symlinkSync('b/f1', join(root, 'a', 'link'));
    linkSync(join(root, 'a', 'f3'), join(root, 'a', 'f3-again'));
  });
  const [one, two] = await Promise.all(dirs.map((root) => measureLayer(treeSources(root))));
  for (const [root, measured] of [[dirs[0]!, one!], [dirs[1]!, two!]] as const) {
    assert.deepEqual({ sha256: measured.sha256, size: measured.size }, await expected(treeSources(root)));
    assert.equal(measured.unpacked, sizes.reduce((a, b) => a + b, 0) + Buffer.byteLength('b/f1'));
  }
  assert.notEqual(one!.sha256, two!.sha256);
  // And again, now that the worker is running: a small layer is hashed in place, a large one there.
  const again = await measureLayer(treeSources(dirs[0]!));
  assert.equal(again.sha256, one!.sha256);
  const small = [{ entry: entry({ path: 'f', type: 'file', size: 5 }), body: Buffer.from('small') }];
  assert.equal((await measureLayer(small)).sha256, (await expected(small)).sha256);
});

test('a body that does not match its entry is refused, as writeLayer refuses it', async (t) => {
  const root = scratch(t);
  writeFileSync(join(root, 'f'), pattern(2000, 7));
  const shrunk = new FileBody(join(root, 'f'), 'f', 2000);
  truncateSync(join(root, 'f'), 100);
  await rejectsWith(measureLayer([{ entry: entry({ path: 'f', type: 'file', size: 2000 }), body: shrunk }]), ErrorCode.LayerPack, /"f" shrank/);
  await rejectsWith(measureLayer([{ entry: entry({ path: 'f', type: 'file', size: 10 }), body: new FileBody(join(root, 'f'), 'f', 100) }]), ErrorCode.LayerInvalidEntry, /100 bytes, the entry declares 10/);
  await rejectsWith(measureLayer([{ entry: entry({ path: 'f', type: 'file', size: 2 }), body: Buffer.from('three') }]), ErrorCode.LayerInvalidEntry, /longer than the 2 bytes/);
  await rejectsWith(measureLayer([{ entry: entry({ path: 'f', type: 'file', size: 9 }) }]), ErrorCode.LayerInvalidEntry, /0 bytes, the entry declares 9/);
  await rejectsWith(measureLayer([{ entry: entry({ path: 'missing', type: 'file', size: 1 }), body: new FileBody(join(root, 'missing'), 'missing', 1) }]), ErrorCode.LayerPack, /cannot pack "missing"/);
});

test('a large layer that fails half-way lets the process exit, and the next one measures', async (t) => {
  const root = scratch(t);
  writeFileSync(join(root, 'big'), pattern(9 << 20, 9));
  // A child process: a hashing thread left waiting for the failed stream would keep it alive.
  const script = `
    import { FileBody, measureLayer } from ${JSON.stringify(new URL('../../src/layer/index.js', import.meta.url).href)};
    const big = { entry: { path: 'big', type: 'file', mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', size: ${9 << 20}, mtime: 0n, linkname: '', devmajor: 0, devminor: 0, xattrs: new Map() },
      body: new FileBody(${JSON.stringify(join(root, 'big'))}, 'big', ${9 << 20}) };
    const gone = { ...big, entry: { ...big.entry, path: 'gone', size: 1 }, body: new FileBody(${JSON.stringify(join(root, 'gone'))}, 'gone', 1) };
    await measureLayer([big, gone]).then(() => { throw new Error('measured a missing file'); }, (err) => console.log(err.code));
    console.log((await measureLayer([big])).size);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.signal, null, 'the process did not exit by itself');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [ErrorCode.LayerPack, String(512 + (9 << 20) + 1024)]);
});
