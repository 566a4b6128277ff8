// The image store's round trips: import → save → load → save keeps every digest, and archives
// written by Docker 20.10 (recorded fixtures) load with Docker's IDs, layers and sizes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { compressStream } from '../../src/content/index.js';
import {
  importRootfs,
  loadArchive,
  openImageStore,
  resolveForSave,
  writeArchive,
  type ImageStore,
} from '../../src/image/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { sampleRootfs, tempDir } from '../helpers/tar-fixtures.js';

async function saveToBuffer(store: ImageStore, names: string[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeArchive(store, await resolveForSave(store, names), out);
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('import', () => {
  test('a rootfs tarball becomes a one-layer image whose layer is the tarball itself', async () => {
    const store = await openImageStore(tempDir('lade-img-'));
    const rootfs = await sampleRootfs();
    const result = await importRootfs(store, Readable.from([rootfs]), { names: ['example/app:1'] });
    const image = await store.load(await store.find('example/app:1'));
    assert.equal(image.record.id, result.id);
    assert.equal(image.record.id, sha256(image.configBytes));
    assert.deepEqual(image.config.rootfs.diff_ids, [sha256(rootfs)]);
    assert.equal(image.manifest.layers[0]?.digest, sha256(rootfs));
    assert.equal(image.manifest.layers[0]?.mediaType, 'application/vnd.oci.image.layer.v1.tar');
    assert.equal(image.config.architecture, 'amd64');
    assert.equal(image.config.os, 'linux');
    assert.equal(image.config.history?.[0]?.comment, 'Imported from -');
    // Docker's Size: file contents plus symlink targets, a hard link counted once.
    assert.equal(result.size, '#!/bin/sh\necho v1\n'.length + 'tool'.length + 'key=value\n'.length);
    assert.deepEqual(image.tags, ['docker.io/example/app:1']);
  });

  test('a gzip- or zstd-compressed tarball imports to the same image as the plain one', async () => {
    const rootfs = await sampleRootfs();
    const created = new Date('2024-01-02T03:04:05Z');
    const plain = await importRootfs(await openImageStore(tempDir('lade-img-')), Readable.from([rootfs]), { created });
    const gz = await importRootfs(await openImageStore(tempDir('lade-img-')), Readable.from([gzipSync(rootfs)]), { created });
    const zst = await importRootfs(
      await openImageStore(tempDir('lade-img-')),
      Readable.from([rootfs]).pipe(compressStream('zstd')),
      { created },
    );
    assert.equal(gz.id, plain.id);
    assert.equal(zst.id, plain.id);
  });

  test('input that is not a tar is refused and leaves no blob behind', async () => {
    const store = await openImageStore(tempDir('lade-img-'));
    await assert.rejects(importRootfs(store, Readable.from([Buffer.from('this is not a tar archive at all\n'.repeat(40))])), /not a valid tar archive/);
    const blobs = [];
    for await (const b of store.content.list()) blobs.push(b);
    assert.deepEqual(blobs, []);
    assert.deepEqual(await store.list(), []);
  });
});

describe('save and load', () => {
  test('import → save → load → save keeps every digest and the archive bytes', async () => {
    const first = await openImageStore(tempDir('lade-img-'));
    await importRootfs(first, Readable.from([await sampleRootfs()]), { names: ['example/app:1', 'example/app:latest'] });
    const archive1 = await saveToBuffer(first, ['example/app:1', 'example/app:latest']);
    const second = await openImageStore(tempDir('lade-img-'));
    const loaded = await loadArchive(second, Readable.from([archive1]));
    assert.deepEqual(loaded.map((l) => l.names), [['docker.io/example/app:1', 'docker.io/example/app:latest']]);
    const a = await first.load(await first.find('example/app:1'));
    const b = await second.load(await second.find('example/app:1'));
    assert.equal(b.record.id, a.record.id);
    assert.equal(b.record.manifest.digest, a.record.manifest.digest);
    assert.deepEqual(b.manifest.layers, a.manifest.layers);
    assert.equal(b.record.size, a.record.size);
    const archive2 = await saveToBuffer(second, ['example/app:1', 'example/app:latest']);
    assert.equal(sha256(archive2), sha256(archive1));
  });

  test('the archive has Docker 25\'s layout: OCI layout plus manifest.json', async () => {
    const store = await openImageStore(tempDir('lade-img-'));
    const { id } = await importRootfs(store, Readable.from([await sampleRootfs()]), { names: ['busybox'] });
    const archive = await saveToBuffer(store, ['busybox']);
    const members = listTar(archive);
    assert.ok(members.has('oci-layout') && members.has('index.json') && members.has('manifest.json'));
    const manifestJson = JSON.parse(members.get('manifest.json')!.toString()) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    assert.deepEqual(manifestJson[0]?.RepoTags, ['busybox:latest']);
    assert.equal(manifestJson[0]?.Config, `blobs/sha256/${id.slice(7)}`);
    const index = JSON.parse(members.get('index.json')!.toString()) as { manifests: { annotations: Record<string, string> }[] };
    assert.deepEqual(index.manifests[0]?.annotations, {
      'io.containerd.image.name': 'docker.io/library/busybox:latest',
      'org.opencontainers.image.ref.name': 'latest',
    });
  });

  test('a docker save archive from Docker 20.10 loads with Docker\'s IDs, layers and sizes', async () => {
    const dir = join(fixturesDir, 'docker-archive');
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
      Id: string;
      RepoTags: string[];
      Layers: string[];
      Size: number;
    }[];
    const store = await openImageStore(tempDir('lade-img-'));
    await loadArchive(store, Readable.from([readFileSync(join(dir, 'two-images.tar'))]));
    for (const want of expected) {
      const image = await store.load(await store.find(want.RepoTags[0]!));
      assert.equal(image.record.id, want.Id);
      assert.deepEqual(image.config.rootfs.diff_ids, want.Layers);
      assert.equal(image.record.size, want.Size);
    }
  });

  test('compressed archives load: gzip and zstd around the whole tar', async () => {
    const store = await openImageStore(tempDir('lade-img-'));
    await importRootfs(store, Readable.from([await sampleRootfs()]), { names: ['example/c:1'] });
    const archive = await saveToBuffer(store, ['example/c:1']);
    for (const packed of [Readable.from([gzipSync(archive)]), Readable.from([archive]).pipe(compressStream('zstd'))]) {
      const target = await openImageStore(tempDir('lade-img-'));
      const loaded = await loadArchive(target, packed);
      assert.deepEqual(loaded[0]?.names, ['docker.io/example/c:1']);
    }
  });

  test('an OCI layout tarball without manifest.json loads, named by its annotations', async () => {
    const store = await openImageStore(tempDir('lade-img-'));
    const { id } = await importRootfs(store, Readable.from([await sampleRootfs()]), { names: ['example/oci:2'] });
    const members = listTar(await saveToBuffer(store, ['example/oci:2']));
    members.delete('manifest.json');
    members.delete('repositories');
    const target = await openImageStore(tempDir('lade-img-'));
    const loaded = await loadArchive(target, Readable.from([await rebuildTar(members)]));
    assert.deepEqual(loaded, [{ id, names: ['docker.io/example/oci:2'] }]);
  });
});

/** Members of an uncompressed tar, by name (files only), in order. */
export function listTar(archive: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos + 512 <= archive.length) {
    const header = archive.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const full = prefix === '' ? name : `${prefix}/${name}`;
    if (type === '0' || type === '\0') out.set(full, Buffer.from(archive.subarray(pos + 512, pos + 512 + size)));
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

async function rebuildTar(members: Map<string, Buffer>): Promise<Buffer> {
  const { makeTar } = await import('../helpers/tar-fixtures.js');
  return makeTar([...members].map(([name, data]) => ({ name, data })));
}

describe('layer compression', () => {
  test('save with gzip or zstd layers: same image ID and diffIDs, new layer digests, and it loads back', async () => {
    const store = await openImageStore(tempDir('lade-img-'));
    const rootfs = await sampleRootfs();
    const { id } = await importRootfs(store, Readable.from([rootfs]), { names: ['example/z:1'] });
    const blobsBefore: string[] = [];
    for await (const b of store.content.list()) blobsBefore.push(b.digest);
    for (const [compression, mediaType, magic] of [
      ['gzip', 'application/vnd.oci.image.layer.v1.tar+gzip', '1f8b'],
      ['zstd', 'application/vnd.oci.image.layer.v1.tar+zstd', '28b52ffd'],
    ] as const) {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      await writeArchive(store, await resolveForSave(store, ['example/z:1']), out, { compression });
      const members = listTar(Buffer.concat(chunks));
      const index = JSON.parse(members.get('index.json')!.toString()) as { manifests: { digest: string }[] };
      const manifest = JSON.parse(members.get(`blobs/sha256/${index.manifests[0]!.digest.slice(7)}`)!.toString()) as {
        layers: { mediaType: string; digest: string }[];
      };
      assert.equal(manifest.layers[0]?.mediaType, mediaType);
      assert.notEqual(manifest.layers[0]?.digest, sha256(rootfs));
      assert.equal(members.get(`blobs/sha256/${manifest.layers[0]!.digest.slice(7)}`)!.subarray(0, magic.length / 2).toString('hex'), magic);
      const target = await openImageStore(tempDir('lade-img-'));
      await loadArchive(target, Readable.from([Buffer.concat(chunks)]));
      const loaded = await target.load(await target.find('example/z:1'));
      assert.equal(loaded.record.id, id);
      assert.deepEqual(loaded.config.rootfs.diff_ids, [sha256(rootfs)]);
      assert.equal(loaded.manifest.layers[0]?.mediaType, mediaType);
    }
    // The recompressed layers were only for the archive: the store holds what it held.
    const blobsAfter: string[] = [];
    for await (const b of store.content.list()) blobsAfter.push(b.digest);
    assert.deepEqual(blobsAfter.sort(), blobsBefore.sort());
  });
});
