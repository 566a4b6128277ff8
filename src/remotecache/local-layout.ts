/**
 * A build cache in a directory (`type=local`), as BuildKit writes one: an OCI image layout —
 * `oci-layout`, `blobs/sha256/<hex>`, and `index.json` listing the cache manifest under its tag
 * (`org.opencontainers.image.ref.name`; a new export replaces the entry with the same tag). Blobs
 * are written through a temp file and renamed, so a kill leaves at most a temp file, and
 * index.json last, so it never names a blob that is not whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic, type Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { MediaType, parseIndex, withFileLock, type Descriptor, type ImageIndex, type ImageStore } from '../image/index.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

export function layoutBlobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

async function readIndex(dir: string): Promise<ImageIndex | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, 'index.json'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LadeError(ErrorCode.CacheInvalid, `cannot read ${join(dir, 'index.json')}: ${(err as Error).message}`);
  }
  try {
    return parseIndex(bytes);
  } catch (err) {
    throw new LadeError(ErrorCode.CacheInvalid, `${join(dir, 'index.json')} is not an OCI index: ${(err as Error).message}`, { cause: err });
  }
}

/** The descriptor `index.json` in `dir` lists under `tag`; undefined when there is none. */
export async function findInLayout(dir: string, tag: string): Promise<Descriptor | undefined> {
  const index = await readIndex(dir);
  return index?.manifests.find((d) => d.annotations?.[REF_NAME] === tag);
}

/** Whether the layout has a file for `d` of its size. */
export async function layoutHas(dir: string, d: Descriptor): Promise<boolean> {
  const st = await stat(layoutBlobPath(dir, d.digest)).catch(() => undefined);
  return st?.isFile() === true && st.size === d.size;
}

/** Copies a blob from the store into the layout unless a file of its size is there already. */
export async function copyToLayout(store: ImageStore, dir: string, d: Descriptor): Promise<void> {
  if (await layoutHas(dir, d)) return;
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const path = layoutBlobPath(dir, d.digest);
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // The store checks the bytes against the digest as they are read.
    await pipeline(await store.content.openRead(d.digest as Digest), createWriteStream(temp, { mode: 0o644 }));
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Writes bytes whose digest is not known yet into the layout, hashed on the way. */
export async function streamToLayout(dir: string, bytes: AsyncIterable<Uint8Array>): Promise<{ digest: Digest; size: number }> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const temp = join(dir, 'blobs', 'sha256', `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      async function* () {
        for await (const chunk of bytes) {
          hash.update(chunk);
          size += chunk.byteLength;
          yield chunk;
        }
      },
      createWriteStream(temp, { mode: 0o644 }),
    );
    const digest = `sha256:${hash.digest('hex')}` as Digest;
    await rename(temp, layoutBlobPath(dir, digest));
    return { digest, size };
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Lists `manifest` (its bytes written as a blob) under `tag` in the layout's index.json. */
export async function tagInLayout(dir: string, tag: string, manifest: Descriptor, bytes: Buffer): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFileAtomic(layoutBlobPath(dir, manifest.digest), bytes, { durable: false });
  await writeFileAtomic(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  // Two exports into one directory: each keeps the other's tags (BuildKit locks the same file).
  await withFileLock(join(dir, 'index.json.lock'), async () => {
    const index = (await readIndex(dir)) ?? { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
    const entry: Descriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, annotations: { [REF_NAME]: tag } };
    const manifests = [...index.manifests.filter((d) => d.annotations?.[REF_NAME] !== tag), entry];
    await writeFileAtomic(join(dir, 'index.json'), JSON.stringify({ ...index, manifests }));
  }, 60_000, `the cache directory ${dir}`);
}

/** A layout blob's bytes, for fetchLayers (which checks them against the digest as it stores them). */
export function layoutBlobs(dir: string): (d: Descriptor, received: (bytes: number) => void) => AsyncIterable<Buffer> {
  return (d, received) =>
    (async function* () {
      let got = 0;
      for await (const chunk of createReadStream(layoutBlobPath(dir, d.digest), { highWaterMark: 1 << 20 })) {
        got += (chunk as Buffer).length;
        received(got);
        yield chunk as Buffer;
      }
    })();
}
