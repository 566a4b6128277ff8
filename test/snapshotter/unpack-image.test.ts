// unpackImage: an image's layers (compressed or not) become snapshots named by chain ID, checked
// against the config's diff_ids. Needs root (overlay).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import test from 'node:test';
import { compressStream, sha256Digest, type Digest } from '../../src/content/index.js';
import { ErrorCode } from '../../src/errors/index.js';
import { encodeDocument, MediaType, openImageStore, type ImageStore, type LoadedImage } from '../../src/image/index.js';
import { chainIds, openSnapshotter, unpackImage } from '../../src/snapshotter/index.js';
import { chunks, collect, layer, rejectsCode, scratch } from './helpers.js';

function digestOf(data: Buffer): Digest {
  return sha256Digest(createHash('sha256').update(data).digest('hex'));
}

/** Stores an image of `layers` (the second one gzipped) and loads it back. */
async function storeImage(store: ImageStore, layers: Buffer[], diffIds: Digest[] = layers.map(digestOf)): Promise<LoadedImage> {
  const descriptors = [];
  for (const [i, tar] of layers.entries()) {
    const blob = i === 1 ? await collect(Readable.from([tar]).pipe(compressStream('gzip'))) : tar;
    const written = await store.content.write(blob);
    descriptors.push({ mediaType: i === 1 ? MediaType.OciLayerGzip : MediaType.OciLayer, digest: written.digest, size: written.size });
  }
  const config = encodeDocument({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } });
  const configBlob = await store.content.write(config);
  const manifest = encodeDocument({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: configBlob.digest, size: configBlob.size },
    layers: descriptors,
  });
  const manifestBlob = await store.content.write(manifest);
  const target = { mediaType: MediaType.OciManifest, digest: manifestBlob.digest, size: manifestBlob.size };
  await store.add({ target, manifest: target, id: configBlob.digest, size: 0 }, ['test:latest']);
  return store.load(await store.find('test:latest'));
}

test('chain IDs follow image-spec: the first is the diff ID, each next sha256("<parent> <diff ID>")', () => {
  const a = sha256Digest('a'.repeat(64));
  const b = sha256Digest('b'.repeat(64));
  const c = sha256Digest('c'.repeat(64));
  const ab = digestOf(Buffer.from(`${a} ${b}`));
  assert.deepEqual(chainIds([a, b, c]), [a, ab, digestOf(Buffer.from(`${ab} ${c}`))]);
  assert.deepEqual(chainIds([]), []);
});

for (const driver of ['overlay', 'copy'] as const) {
  test(`${driver}: unpackImage unpacks each layer once, compressed or not, and resumes where it stopped`, async (t) => {
    const root = scratch(t, 'lade-unpack-');
    const store = await openImageStore(root);
    const s = await openSnapshotter(root, driver);
    const layers = [
      await layer(['etc/', { path: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n' }, { path: 'etc/old', data: 'x' }]),
      await layer(['etc/', 'etc/.wh.old', { path: 'etc/group', data: 'root:x:0:\n' }]),
      await layer(['bin/', { path: 'bin/sh', data: 'shell' }]),
    ];
    const image = await storeImage(store, layers);
    const chain = chainIds(layers.map(digestOf));

    // Only the first layer is there, as after an interrupted unpack.
    await s.apply(chain[0]!, undefined, chunks(layers[0]!));
    const top = await unpackImage(s, store, image);
    assert.equal(top, chain[2]);
    assert.deepEqual((await s.list()).map((i) => [i.name, i.parent]).sort(), [
      [chain[0], undefined],
      [chain[1], chain[0]],
      [chain[2], chain[1]],
    ].sort());
    assert.equal((await s.readFile(top!, 'etc/group'))?.toString(), 'root:x:0:\n', 'the gzipped layer was decompressed');
    assert.equal(await s.readFile(top!, 'etc/old'), undefined);
    assert.equal((await s.readFile(top!, 'bin/sh'))?.toString(), 'shell');
    assert.equal(await unpackImage(s, store, image), top, 'a second unpack finds everything in place');

    // An image sharing the base shares its snapshots.
    const other = await storeImage(store, [layers[0]!]);
    assert.equal(await unpackImage(s, store, other), chain[0]);
    assert.equal((await s.list()).length, 3);
  });
}

test('unpackImage refuses a layer whose bytes do not hash to the diff ID, and keeps nothing of it', async (t) => {
  const root = scratch(t, 'lade-unpack-');
  const store = await openImageStore(root);
  const s = await openSnapshotter(root, 'overlay');
  const good = await layer([{ path: 'a', data: 'a' }]);
  const bad = await layer([{ path: 'b', data: 'b' }]);
  const image = await storeImage(store, [good, bad], [digestOf(good), digestOf(Buffer.from('something else'))]);
  await rejectsCode(unpackImage(s, store, image), ErrorCode.DigestMismatch);
  assert.deepEqual((await s.list()).map((i) => i.name), [digestOf(good)]);
  const noLayers = await storeImage(store, []);
  assert.equal(await unpackImage(s, store, noLayers), undefined);
  const mismatched = await storeImage(store, [good], []);
  await rejectsCode(unpackImage(s, store, mismatched), ErrorCode.InvalidImage, /1 layers but its config has 0 diff IDs/);
});
