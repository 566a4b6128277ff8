// Image indexes (manifest lists) resolve to linux/amd64, and digest references find images.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isLadeError } from '../../src/errors/index.js';
import { loadArchive, openImageStore, selectManifest, type ImageIndex } from '../../src/image/index.js';
import { makeTar, sampleRootfs, tempDir } from '../helpers/tar-fixtures.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}` as const;
const blob = (b: Buffer) => ({ name: `blobs/sha256/${sha(b).slice(7)}`, data: b });

function image(layer: Buffer, arch: string) {
  const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    }),
  );
  return { config, manifest };
}

test('an OCI layout whose index.json names a multi-platform index loads its linux/amd64 image', async () => {
  const armLayer = await sampleRootfs('arm');
  const amdLayer = await sampleRootfs('amd');
  const arm = image(armLayer, 'arm64');
  const amd = image(amdLayer, 'amd64');
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(arm.manifest), size: arm.manifest.length, platform: { os: 'linux', architecture: 'arm64' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(amd.manifest), size: amd.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    }),
  );
  const top = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: sha(index),
        size: index.length,
        annotations: { 'io.containerd.image.name': 'docker.io/example/multi:1' },
      },
    ],
  });
  // Only the amd64 image's blobs are in the archive, as after a single-platform export.
  const archive = await makeTar([
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: top },
    blob(index),
    blob(amd.manifest),
    blob(amd.config),
    blob(amdLayer),
  ]);
  const store = await openImageStore(tempDir('lade-index-'));
  const loaded = await loadArchive(store, Readable.from([archive]));
  assert.deepEqual(loaded, [{ id: sha(amd.config), names: ['docker.io/example/multi:1'] }]);
  // The image is found by name, by ID prefix and by its manifest digest.
  const byName = await store.find('example/multi:1');
  assert.equal(byName.record.manifest.digest, sha(amd.manifest));
  assert.equal((await store.find(sha(amd.config).slice(7, 19))).record.manifest.digest, sha(amd.manifest));
  assert.equal((await store.find(`example/multi@${sha(amd.manifest)}`)).record.id, sha(amd.config));
});

test('an index without the host platform is an error that lists what it offers', () => {
  const index: ImageIndex = {
    schemaVersion: 2,
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}` as never, size: 1, platform: { os: 'linux', architecture: 'arm64' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'b'.repeat(64)}` as never, size: 1, platform: { os: 'windows', architecture: 'amd64' } },
    ],
  };
  assert.throws(
    () => selectManifest(index, 'example:1'),
    (err: unknown) => isLadeError(err) && /no matching manifest for linux\/amd64/.test(err.message) && /linux\/arm64, windows\/amd64/.test(err.hint ?? ''),
  );
  // The baseline amd64 is preferred over a newer micro-architecture variant, whatever the order.
  const variants: ImageIndex = {
    schemaVersion: 2,
    manifests: [
      { mediaType: 'x', digest: `sha256:${'c'.repeat(64)}` as never, size: 1, platform: { os: 'linux', architecture: 'amd64', variant: 'v3' } },
      { mediaType: 'x', digest: `sha256:${'d'.repeat(64)}` as never, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  };
  assert.equal(selectManifest(variants, 'x').digest, `sha256:${'d'.repeat(64)}`);
});
