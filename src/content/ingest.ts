/**
 * One blob being written: a temporary file under `ingest/`, hashed as bytes arrive, verified,
 * synced and renamed under its digest.
 *
 * Crash safety: a blob's final name is created only by rename(2) of a complete, verified,
 * fdatasync'ed file, and the directory is fsync'ed after it; a SIGKILL at any moment leaves at
 * worst a temporary file in `ingest/`, which the final-name lookups never see and cleanIngest
 * removes. Two processes writing the same digest both rename complete, identical files, so
 * whichever rename lands last, the name always points at a good blob.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { Digest } from './digest.js';
import { digestHex, requireSha256 } from './digest.js';
import { CHUNK_SIZE, errnoCode, fsyncDir, ioError, writevAll } from './fs-util.js';
import { tempFileName } from './temp-owner.js';

export interface BlobInfo {
  readonly digest: Digest;
  /** Bytes. */
  readonly size: number;
}

export interface WriteResult extends BlobInfo {
  /** True when this write stored the blob; false when the store already held it (input still verified). */
  readonly created: boolean;
}

/** What the caller knows about the content in advance; each given field is checked. */
export interface ExpectedBlob {
  digest?: Digest | undefined;
  size?: number | undefined;
}

/** The store's layout as an ingest needs it. */
export interface IngestPaths {
  readonly ingestDir: string;
  readonly blobDir: string;
}

export const INGEST_SUFFIX = '.partial';

/**
 * Every this many bytes a background fdatasync starts writeback of what is written so far, so the
 * final sync before the rename has little left to do and disk time overlaps hashing.
 */
const EARLY_SYNC_BYTES = 32 << 20;

export function checkExpected(expected: ExpectedBlob): void {
  if (expected.digest !== undefined) requireSha256(expected.digest, 'write a blob with digest');
  const size = expected.size;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new LadeError(ErrorCode.Internal, `expected blob size must be a non-negative integer, got ${size}`);
  }
}

function describe(expected: ExpectedBlob): string {
  return expected.digest ?? 'blob';
}

export class Ingest {
  private readonly hash = createHash('sha256');
  private size = 0;
  private position = 0;
  private queue: Uint8Array[] = [];
  private queued = 0;
  /** The one write in flight; hashing of the next batch overlaps it. Never rejects. */
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  /** An early fdatasync in flight, and where the next one is due; see flushQueue. */
  private syncing: Promise<void> | undefined;
  private nextSyncAt = EARLY_SYNC_BYTES;

  private constructor(
    private readonly paths: IngestPaths,
    private readonly expected: ExpectedBlob,
    /** Undefined when the blob exists already and the input only needs verifying. */
    private fh: FileHandle | undefined,
    readonly tempPath: string | undefined,
  ) {}

  static async open(paths: IngestPaths, expected: ExpectedBlob): Promise<Ingest> {
    checkExpected(expected);
    if (expected.digest !== undefined && expected.size !== undefined) {
      const existing = await lstat(join(paths.blobDir, digestHex(expected.digest))).catch(() => undefined);
      // A same-size file is taken as present (readers verify it); a different size means it is
      // damaged, and this write replaces it.
      if (existing?.isFile() === true && existing.size === expected.size) {
        return new Ingest(paths, expected, undefined, undefined);
      }
    }
    const tempPath = join(paths.ingestDir, tempFileName('', INGEST_SUFFIX));
    try {
      // O_EXCL: a temporary file belongs to exactly one writer. Blobs are immutable, so 0444.
      const fh = await open(tempPath, 'wx', 0o444);
      return new Ingest(paths, expected, fh, tempPath);
    } catch (err) {
      throw ioError('create', tempPath, err);
    }
  }

  get bytesWritten(): number {
    return this.size;
  }

  async append(chunk: Uint8Array): Promise<void> {
    if (this.closed) throw new LadeError(ErrorCode.Internal, 'write to a finished or discarded blob ingest');
    if (chunk.byteLength === 0) return;
    this.size += chunk.byteLength;
    const limit = this.expected.size;
    if (limit !== undefined && this.size > limit) {
      throw new LadeError(
        ErrorCode.SizeMismatch,
        `size mismatch for ${describe(this.expected)}: expected ${limit} bytes, got more than ${limit}`,
      );
    }
    this.hash.update(chunk);
    if (this.fh === undefined) return;
    this.queue.push(chunk);
    this.queued += chunk.byteLength;
    if (this.queued >= CHUNK_SIZE) await this.flushQueue();
  }

  private async flushQueue(): Promise<void> {
    await this.pending;
    this.throwIfFailed();
    const fh = this.fh;
    if (fh === undefined || this.queued === 0) return;
    const buffers = this.queue;
    const at = this.position;
    this.position += this.queued;
    this.queue = [];
    this.queued = 0;
    this.pending = writevAll(fh, buffers, at).catch((err: unknown) => {
      this.failure ??= err;
    });
    if (this.position >= this.nextSyncAt && this.syncing === undefined) {
      this.nextSyncAt = this.position + EARLY_SYNC_BYTES;
      const written = this.pending;
      this.syncing = written
        .then(() => fh.datasync())
        .catch((err: unknown) => {
          this.failure ??= err;
        })
        .finally(() => {
          this.syncing = undefined;
        });
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw ioError('write', this.tempPath ?? this.paths.ingestDir, this.failure);
  }

  /** Writes out everything appended; after this only commit() or discard() are valid. */
  async drain(): Promise<void> {
    await this.flushQueue();
    await this.pending;
    await this.syncing;
    this.throwIfFailed();
  }

  /**
   * Verifies size (first, per descriptor.md) and digest, syncs the data and renames it under its
   * digest. On any error the caller must discard().
   */
  async commit(): Promise<WriteResult> {
    await this.drain();
    this.closed = true;
    const digest = `sha256:${this.hash.digest('hex')}` as Digest;
    const { expected, size } = this;
    if (expected.size !== undefined && size !== expected.size) {
      throw new LadeError(
        ErrorCode.SizeMismatch,
        `size mismatch for ${describe(expected)}: expected ${expected.size} bytes, got ${size}`,
      );
    }
    if (expected.digest !== undefined && digest !== expected.digest) {
      throw new LadeError(
        ErrorCode.DigestMismatch,
        `digest mismatch: expected ${expected.digest}, got ${digest} (${size} bytes)`,
      );
    }
    const finalPath = join(this.paths.blobDir, digestHex(digest));
    const fh = this.fh;
    if (fh === undefined) {
      if ((await lstat(finalPath).catch(() => undefined)) === undefined) {
        throw new LadeError(ErrorCode.BlobNotFound, `blob ${digest} was deleted while its input was being verified; write it again`);
      }
      // A concurrent writer may have renamed it in without having synced the directory yet, and
      // the caller is about to rely on it.
      await fsyncDir(this.paths.blobDir);
      return { digest, size, created: false };
    }
    const temp = this.tempPath!;
    const existing = await lstat(finalPath).catch(() => undefined);
    if (existing?.isFile() === true && existing.size === size) {
      this.fh = undefined;
      await fh.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      await fsyncDir(this.paths.blobDir);
      return { digest, size, created: false };
    }
    try {
      // Data before name: after a crash the final name must never point at unwritten blocks.
      await fh.datasync();
      this.fh = undefined;
      await fh.close();
    } catch (err) {
      throw ioError('sync', temp, err);
    }
    try {
      await rename(temp, finalPath);
    } catch (err) {
      throw ioError('store', finalPath, err);
    }
    await fsyncDir(this.paths.blobDir);
    return { digest, size, created: true };
  }

  /** Removes the temporary file; safe to call more than once and after a failed commit. */
  async discard(): Promise<void> {
    this.closed = true;
    this.queue = [];
    this.queued = 0;
    await this.pending;
    await this.syncing;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
    if (this.tempPath !== undefined) {
      await unlink(this.tempPath).catch((err: unknown) => {
        if (errnoCode(err) !== 'ENOENT') throw ioError('remove', this.tempPath!, err);
      });
    }
  }
}
