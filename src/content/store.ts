/**
 * The content-addressed blob store: `<dir>/blobs/sha256/<hex>` holds blobs named by the sha256 of
 * their exact bytes (the OCI image-layout convention), `<dir>/ingest/` holds blobs being written.
 */
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, opendir, readdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { BlobWriter } from './blob-writer.js';
import { createBlobWriter, toBytes } from './blob-writer.js';
import type { Digest } from './digest.js';
import { digestAlgorithm, digestHex, requireSha256, sha256Digest } from './digest.js';
import { errnoCode, fsyncDir, ioError } from './fs-util.js';
import type { BlobInfo, ExpectedBlob, IngestPaths, WriteResult } from './ingest.js';
import { Ingest } from './ingest.js';
import { isAbandoned, STALE_AFTER_MS } from './temp-owner.js';
import { checkedStream, readVerified, verifiedStream } from './verified-read.js';
import { writeFileAtomic } from './atomic-file.js';
import { materializerFor, type DeferredRecipe } from './deferred.js';
import { readFile } from 'node:fs/promises';

interface DeferredRecord {
  size: number;
  recipe: DeferredRecipe;
}

/** Bytes or a stream of bytes. Chunks are kept by reference until written: do not modify them. */
export type BlobSource = Uint8Array | Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Default limit of readBytes: generous for manifests and configs (registries cap manifests at 4 MiB). */
export const DEFAULT_MAX_READ_BYTES = 16 << 20;

export interface ReadBytesOptions {
  /** Refuse blobs larger than this many bytes (BLOB_TOO_LARGE). */
  maxSize?: number;
}

export interface OpenReadOptions {
  /** false: a deferred blob is not stored on the way (default true). */
  keep?: boolean;
}

export interface CleanIngestOptions {
  /** Age after which a file whose writer cannot be judged (another PID namespace) is removed. */
  staleAfterMs?: number;
}

export interface ContentStore {
  /** The store's directory, `<root>/content`. */
  readonly dir: string;
  /** Whether a blob is stored under `d`. Does not verify its content. */
  has(d: Digest): Promise<boolean>;
  /** Digest and on-disk size, or undefined when absent. Does not verify the content. */
  info(d: Digest): Promise<BlobInfo | undefined>;
  /**
   * The file that holds `d`, for zero-copy readers (reflink/hardlink export, sendfile). The file may
   * not exist, and nothing here verifies it: such a reader must hash what it reads and reject a
   * mismatch itself, exactly as openRead does. Never write to it.
   */
  path(d: Digest): string;
  /** Every stored blob, in no particular order. */
  list(): AsyncIterable<BlobInfo>;
  /** Removes a blob; false when it was not there. */
  delete(d: Digest): Promise<boolean>;
  /**
   * The whole blob, hashed and checked against `d` before it is returned (for manifests and
   * configs). A blob whose bytes do not match is removed from the store and DIGEST_MISMATCH thrown.
   */
  readBytes(d: Digest, options?: ReadBytesOptions): Promise<Buffer>;
  /**
   * A stream of the blob that hashes as it reads and, instead of ending, errors with
   * DIGEST_MISMATCH if the bytes do not match `d` (the damaged blob is removed first). Data has
   * then already been delivered: consumers must stage their output and keep it only once the
   * stream has ended cleanly (`await pipeline(...)` resolving). BLOB_NOT_FOUND if absent. A
   * deferred blob is made and stored first, unless `keep` is false: then its bytes come straight
   * from its recipe, checked the same way, and nothing is stored (a reader that compresses them).
   */
  openRead(d: Digest, options?: OpenReadOptions): Promise<Readable>;
  /**
   * Stores content, checking `expected.size` and `expected.digest` when given; returns the digest
   * computed. When the blob is already stored the input is still read and verified, and nothing
   * is written. On mismatch (SIZE_MISMATCH, DIGEST_MISMATCH naming expected and actual) nothing
   * is left behind. Safe against concurrent writers of the same blob, in- or cross-process.
   */
  write(source: BlobSource, expected?: ExpectedBlob): Promise<WriteResult>;
  /** A Writable for producers that generate content; see BlobWriter. */
  createWriter(expected?: ExpectedBlob): BlobWriter;
  /**
   * Records that blob `d` (of `size` bytes) can be produced by `recipe` when it is first read,
   * without storing its bytes now (see deferred.ts). Durable, as a blob write is. A no-op when
   * the blob is stored already.
   */
  defer(d: Digest, size: number, recipe: DeferredRecipe): Promise<void>;
  /**
   * Removes temporary files of writers that were killed: those whose owning process is gone at
   * once, those whose owner cannot be judged once unmodified for `staleAfterMs` (10 minutes).
   * Files of live writers, in this or another lade process, are kept. Returns how many went.
   */
  cleanIngest(options?: CleanIngestOptions): Promise<number>;
}

function notFound(d: Digest): LadeError {
  return new LadeError(ErrorCode.BlobNotFound, `blob ${d} not found in the content store`);
}

class FileContentStore implements ContentStore {
  private readonly paths: IngestPaths;
  private readonly deferredDir: string;

  constructor(readonly dir: string) {
    this.paths = { ingestDir: join(dir, 'ingest'), blobDir: join(dir, 'blobs', 'sha256') };
    this.deferredDir = join(dir, 'deferred', 'sha256');
  }

  private deferredPath(d: Digest): string {
    return join(this.deferredDir, digestHex(d));
  }

  private async deferred(d: Digest): Promise<DeferredRecord | undefined> {
    if (digestAlgorithm(d) !== 'sha256') return undefined;
    try {
      const record = JSON.parse(await readFile(this.deferredPath(d), 'utf8')) as DeferredRecord;
      return typeof record.size === 'number' && typeof record.recipe?.kind === 'string' ? record : undefined;
    } catch {
      return undefined;
    }
  }

  async defer(d: Digest, size: number, recipe: DeferredRecipe): Promise<void> {
    requireSha256(d, 'defer blob');
    if ((await this.info(d)) !== undefined) return;
    await mkdir(this.deferredDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.deferredPath(d), JSON.stringify({ size, recipe } satisfies DeferredRecord));
  }

  /** Produces a deferred blob's bytes and stores them; false when `d` is not deferred. */
  private async materialize(d: Digest): Promise<boolean> {
    const record = await this.deferred(d);
    if (record === undefined) return false;
    const materializer = materializerFor(record.recipe.kind);
    if (materializer === undefined) {
      throw new LadeError(ErrorCode.BlobNotFound, `blob ${d} is to be made from a ${record.recipe.kind}, which nothing here can make`, {
        hint: 'This is a bug in lade: report it with the command that failed.',
      });
    }
    await this.write(await materializer(record.recipe), { digest: d, size: record.size });
    await unlink(this.deferredPath(d)).catch(() => undefined);
    return true;
  }

  path(d: Digest): string {
    requireSha256(d, 'locate blob');
    return join(this.paths.blobDir, digestHex(d));
  }

  async has(d: Digest): Promise<boolean> {
    return (await this.info(d)) !== undefined;
  }

  async info(d: Digest): Promise<BlobInfo | undefined> {
    if (digestAlgorithm(d) !== 'sha256') return undefined;
    try {
      const st = await lstat(this.path(d));
      return st.isFile() ? { digest: d, size: st.size } : undefined;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw ioError('inspect', this.path(d), err);
    }
    const deferred = await this.deferred(d);
    return deferred === undefined ? undefined : { digest: d, size: deferred.size };
  }

  async *list(): AsyncIterable<BlobInfo> {
    const dir = await opendir(this.paths.blobDir).catch((err: unknown) => {
      throw ioError('list', this.paths.blobDir, err);
    });
    for await (const entry of dir) {
      if (!/^[a-f0-9]{64}$/.test(entry.name)) continue;
      const info = await this.info(sha256Digest(entry.name));
      if (info !== undefined) yield info;
    }
    let deferred: string[] = [];
    try {
      deferred = await readdir(this.deferredDir);
    } catch {
      // None deferred yet.
    }
    for (const name of deferred) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      const d = sha256Digest(name);
      // Materialized meanwhile: listed above already.
      if ((await lstat(this.path(d)).catch(() => undefined)) !== undefined) continue;
      const record = await this.deferred(d);
      if (record !== undefined) yield { digest: d, size: record.size };
    }
  }

  async delete(d: Digest): Promise<boolean> {
    let deleted = false;
    if (digestAlgorithm(d) === 'sha256') deleted = await unlink(this.deferredPath(d)).then(() => true, () => false);
    try {
      await unlink(this.path(d));
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return deleted;
      throw ioError('delete', this.path(d), err);
    }
  }

  private async openBlob(d: Digest): Promise<FileHandle> {
    requireSha256(d, 'read blob');
    const path = this.path(d);
    try {
      // Like has(), which counts only regular files, a symlink planted in the store is not a blob.
      return await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ELOOP') throw notFound(d);
      throw ioError('open', path, err);
    }
  }

  /**
   * Removes a blob found corrupt so that has() stops reporting it and the next write repairs it.
   * Only if the name still points at the file that was read: a concurrent writer may already
   * have renamed a good copy over it.
   */
  private quarantine(d: Digest): (fh: FileHandle) => Promise<void> {
    return async (fh) => {
      const path = this.path(d);
      const [read, named] = await Promise.all([fh.stat(), lstat(path).catch(() => undefined)]);
      if (named !== undefined && named.ino === read.ino && named.dev === read.dev) {
        await unlink(path).catch(() => undefined);
      }
    };
  }

  /** openBlob, producing a deferred blob first. */
  private async openOrMaterialize(d: Digest): Promise<FileHandle> {
    try {
      return await this.openBlob(d);
    } catch (err) {
      if (!(err instanceof LadeError) || err.code !== ErrorCode.BlobNotFound || !(await this.materialize(d))) throw err;
      return await this.openBlob(d);
    }
  }

  async readBytes(d: Digest, options: ReadBytesOptions = {}): Promise<Buffer> {
    const fh = await this.openOrMaterialize(d);
    try {
      return await readVerified(fh, this.path(d), d, options.maxSize ?? DEFAULT_MAX_READ_BYTES, this.quarantine(d));
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  async openRead(d: Digest, options: OpenReadOptions = {}): Promise<Readable> {
    if (options.keep === false && !(await this.isStored(d))) {
      const record = await this.deferred(d);
      const materializer = record === undefined ? undefined : materializerFor(record.recipe.kind);
      if (materializer !== undefined) return checkedStream(await materializer(record!.recipe), d, record!.size, `the recipe of ${d}`);
    }
    const fh = await this.openOrMaterialize(d);
    return await verifiedStream(fh, this.path(d), d, this.quarantine(d));
  }

  /** Whether `d` is a file in the store (not only a deferred record). */
  private async isStored(d: Digest): Promise<boolean> {
    try {
      return (await lstat(this.path(d))).isFile();
    } catch {
      return false;
    }
  }

  async write(source: BlobSource, expected: ExpectedBlob = {}): Promise<WriteResult> {
    const ingest = await Ingest.open(this.paths, expected);
    try {
      if (source instanceof Uint8Array) {
        await ingest.append(source);
      } else {
        for await (const chunk of source) await ingest.append(toBytes(chunk));
      }
      return await ingest.commit();
    } catch (err) {
      await ingest.discard();
      throw err;
    }
  }

  createWriter(expected: ExpectedBlob = {}): BlobWriter {
    return createBlobWriter(this.paths, expected);
  }

  async cleanIngest(options: CleanIngestOptions = {}): Promise<number> {
    const dir = this.paths.ingestDir;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      throw ioError('list', dir, err);
    }
    const now = Date.now();
    let removed = 0;
    for (const name of names) {
      const path = join(dir, name);
      try {
        const st = await lstat(path);
        if (!isAbandoned(name, st.mtimeMs, now, options.staleAfterMs ?? STALE_AFTER_MS)) continue;
        await unlink(path);
        removed++;
      } catch {
        // Gone already (its writer finished, or another cleaner ran), or not a plain file.
      }
    }
    return removed;
  }
}

/**
 * Opens (creating if needed) the store in `dir`, normally `<root>/content`. Directories created
 * here are made durable in their parents, so a blob renamed into them cannot vanish with them.
 */
export async function openContentStore(dir: string): Promise<ContentStore> {
  const store = new FileContentStore(dir);
  for (const sub of [join(dir, 'blobs', 'sha256'), join(dir, 'ingest')]) {
    let created: string | undefined;
    try {
      created = await mkdir(sub, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw ioError('create', sub, err);
    }
    if (created === undefined) continue;
    // mkdir -p reports the topmost directory it created; sync each new entry into its parent.
    for (let d = sub; d.length >= created.length; d = dirname(d)) await fsyncDir(dirname(d));
  }
  return store;
}
