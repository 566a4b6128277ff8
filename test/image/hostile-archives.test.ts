// Hostile and broken archives are refused with a clear error and leave the store as it was:
// the same blobs (none added, none removed, shared ones kept) and the same names.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isLadeError } from '../../src/errors/index.js';
import { importRootfs, loadArchive, openImageStore, resolveForSave, writeArchive, type ImageStore } from '../../src/image/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { makeTar, sampleRootfs, tempDir } from '../helpers/tar-fixtures.js';
import { listTar } from './import-save-load.test.js';

async function snapshot(store: ImageStore): Promise<string> {
  const blobs: string[] = [];
  for await (const b of store.content.list()) blobs.push(`${b.digest}:${b.size}`);
  const images = (await store.list()).map((i) => `${i.record.manifest.digest}=${i.tags.join(',')}`);
  return JSON.stringify({ blobs: blobs.sort(), images: images.sort() });
}

/** A store holding one image, and that image saved as an archive. */
async function setup(): Promise<{ store: ImageStore; archive: Map<string, Buffer> }> {
  const store = await openImageStore(tempDir('lade-hostile-'));
  await importRootfs(store, Readable.from([await sampleRootfs()]), { names: ['example/ok:1'] });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeArchive(store, await resolveForSave(store, ['example/ok:1']), out);
  return { store, archive: listTar(Buffer.concat(chunks)) };
}

async function expectRefused(store: ImageStore, input: Buffer, pattern: RegExp): Promise<void> {
  const before = await snapshot(store);
  await assert.rejects(loadArchive(store, Readable.from([input])), (err: unknown) => {
    assert.ok(isLadeError(err), `expected a LadeError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
  assert.equal(await snapshot(store), before, 'the store changed');
}

const tarOf = (members: Map<string, Buffer>, extra: { name: string; data?: Buffer | string; type?: 'symlink'; linkname?: string }[] = []) =>
  makeTar([...[...members].map(([name, data]) => ({ name, data })), ...extra]);

test('a blob whose content does not match its name', async () => {
  const { store, archive } = await setup();
  const layerName = [...archive.keys()].find((n) => n.startsWith('blobs/') && archive.get(n)!.length > 1000)!;
  const tampered = new Map(archive);
  const bytes = Buffer.from(tampered.get(layerName)!);
  bytes[600] = bytes[600]! ^ 0xff;
  tampered.set(layerName, bytes);
  await expectRefused(store, await tarOf(tampered), /does not match|digest/i);
});

test('a new layer whose content is not what the config says (diffID mismatch)', async () => {
  const { store, archive } = await setup();
  // Rewrite the image with a different layer but keep the config: the layer gets its own,
  // self-consistent blob name, so only the config's diff_ids can catch it.
  const other = await sampleRootfs('v2');
  const otherName = `blobs/sha256/${createHash('sha256').update(other).digest('hex')}`;
  const manifestJson = JSON.parse(archive.get('manifest.json')!.toString()) as { Layers: string[] }[];
  manifestJson[0]!.Layers = [otherName];
  const tampered = new Map(archive);
  tampered.set(otherName, other);
  tampered.set('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  tampered.delete('index.json');
  await expectRefused(store, await tarOf(tampered), /unpacks to sha256:[a-f0-9]+, but the config expects/);
});

test('more layers in manifest.json than in the config', async () => {
  const { store, archive } = await setup();
  const manifestJson = JSON.parse(archive.get('manifest.json')!.toString()) as { Layers: string[] }[];
  manifestJson[0]!.Layers.push(manifestJson[0]!.Layers[0]!);
  const tampered = new Map(archive).set('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  await expectRefused(store, await tarOf(tampered), /layers length mismatch/);
});

test('a layer path that leads outside the archive, or to nothing', async () => {
  const { store, archive } = await setup();
  const manifestJson = JSON.parse(archive.get('manifest.json')!.toString()) as { Layers: string[] }[];
  manifestJson[0]!.Layers = ['evil/layer.tar'];
  const tampered = new Map(archive).set('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  tampered.delete('index.json');
  for (const link of ['/etc/passwd', '../../../../etc/passwd']) {
    await expectRefused(store, await tarOf(tampered, [{ name: 'evil/layer.tar', type: 'symlink', linkname: link }]), /missing from the archive/);
  }
});

test('member names with ../ and absolute paths are only names: nothing is written outside the store', async () => {
  const { store, archive } = await setup();
  const before = await snapshot(store);
  const marker = join(tempDir('lade-outside-'), 'pwned');
  const input = await tarOf(archive, [
    { name: `../../../../../../..${marker}`, data: 'x' },
    { name: marker, data: 'x' },
  ]);
  await loadArchive(store, Readable.from([input]));
  assert.throws(() => readFileSync(marker), /ENOENT/);
  assert.equal(await snapshot(store), before, 'loading the same image again changes nothing');
});

test('a truncated archive', async () => {
  const { store, archive } = await setup();
  const whole = await tarOf(archive);
  const layerName = [...archive.keys()].find((n) => n.startsWith('blobs/') && archive.get(n)!.length > 1000)!;
  // Cut in the middle of the layer's body.
  const cut = whole.indexOf(archive.get(layerName)!.subarray(0, 64)) + 700;
  await expectRefused(store, whole.subarray(0, cut), /tar|truncat|end/i);
});

test('a corrupt gzip archive', async () => {
  const { store, archive } = await setup();
  const gz = gzipSync(await tarOf(archive));
  gz[Math.floor(gz.length / 2)] = gz[Math.floor(gz.length / 2)]! ^ 0x55;
  gz[Math.floor(gz.length / 2) + 1] = gz[Math.floor(gz.length / 2) + 1]! ^ 0xaa;
  await expectRefused(store, gz, /compress|gzip|corrupt|invalid/i);
});

test('not JSON, not an archive, no manifest at all', async () => {
  const { store, archive } = await setup();
  await expectRefused(store, await tarOf(new Map(archive).set('manifest.json', Buffer.from('{not json'))), /not valid JSON/);
  await expectRefused(store, Buffer.from('hello, I am not a tar file'.repeat(40)), /not a valid tar/);
  await expectRefused(store, await makeTar([{ name: 'readme.txt', data: 'hi' }]), /neither manifest.json nor index.json/);
});

test('a Docker 20.10 archive whose layer.tar was modified', async () => {
  const store = await openImageStore(tempDir('lade-hostile-'));
  const original = readFileSync(join(fixturesDir, 'docker-archive', 'two-images.tar'));
  const layer = listTar(original).get('fac8801d60a656940df8ed02d49165a3d0be5dc86041b71a37043a492800ad11/layer.tar')!;
  // Flip one byte of a file's content inside the layer, in place: the archive's own tar headers
  // stay valid, so only the diffID check can notice.
  const tampered = Buffer.from(original);
  const at = tampered.indexOf(layer) + layer.indexOf(Buffer.from('base\n'));
  tampered[at] = 0x42;
  await expectRefused(store, tampered, /unpacks to sha256:[a-f0-9]+, but the config expects/);
});

test('a gzip layer whose compressed stream is corrupt, under a name that matches its bytes', async () => {
  const { store, archive } = await setup();
  // Re-point the image at a gzip layer with a flipped byte in the middle of the deflate stream;
  // the blob's name is the digest of the corrupt bytes, so only decompression can notice.
  const { gzipSync: gz } = await import('node:zlib');
  const layer = gz(await sampleRootfs());
  layer[Math.floor(layer.length / 2)] = layer[Math.floor(layer.length / 2)]! ^ 0xff;
  const name = `blobs/sha256/${createHash('sha256').update(layer).digest('hex')}`;
  const manifestJson = JSON.parse(archive.get('manifest.json')!.toString()) as { Layers: string[] }[];
  manifestJson[0]!.Layers = [name];
  const tampered = new Map(archive).set(name, layer).set('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  tampered.delete('index.json');
  await expectRefused(store, await tarOf(tampered), /corrupt|invalid|unpacks to|not a valid tar/i);
});
