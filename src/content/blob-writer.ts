/**
 * The Writable face of an ingest, for producers that generate content (compressing a layer while
 * it is hashed, say): pipe into it, then commit() or abort().
 */
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ErrorCode, LadeError } from '../errors/index.js';
import { CHUNK_SIZE } from './fs-util.js';
import type { ExpectedBlob, IngestPaths, WriteResult } from './ingest.js';
import { checkExpected, Ingest } from './ingest.js';

/**
 * A Writable of blob bytes. Ending it (or a pipeline ending it) only writes the data out;
 * `commit()` verifies size and digest and publishes the blob; `abort()` or any error removes the
 * temporary file. Chunks are kept by reference until written: do not modify a chunk after
 * writing it.
 */
export interface BlobWriter extends Writable {
  /** Bytes accepted so far. */
  readonly bytesWritten: number;
  /** Ends the stream if needed, then verifies and stores the blob. Rejects if the writer failed. */
  commit(): Promise<WriteResult>;
  /** Discards everything written; the store is left as before. */
  abort(): Promise<void>;
}

export function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new LadeError(ErrorCode.Internal, `blob content must be bytes, got ${typeof chunk}`);
}

class IngestWriter extends Writable implements BlobWriter {
  private ingest: Ingest | undefined;
  private committed: Promise<WriteResult> | undefined;
  private aborted = false;

  constructor(
    private readonly paths: IngestPaths,
    private readonly expected: ExpectedBlob,
  ) {
    super({ highWaterMark: CHUNK_SIZE });
  }

  get bytesWritten(): number {
    return this.ingest?.bytesWritten ?? 0;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    Ingest.open(this.paths, this.expected).then(
      (ingest) => {
        this.ingest = ingest;
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let bytes: Uint8Array;
    try {
      bytes = toBytes(chunk);
    } catch (err) {
      callback(err as Error);
      return;
    }
    this.ingest!.append(bytes).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ingest!.drain().then(() => callback(), callback);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    // The destroy that follows a clean 'finish' keeps the data for commit(); any other discards it.
    if (err === null && this.writableFinished && !this.aborted) {
      callback(null);
      return;
    }
    const discarded = this.ingest?.discard() ?? Promise.resolve();
    discarded.then(
      () => callback(err),
      (discardErr: Error) => callback(err ?? discardErr),
    );
  }

  commit(): Promise<WriteResult> {
    this.committed ??= this.doCommit();
    return this.committed;
  }

  private async doCommit(): Promise<WriteResult> {
    if (this.aborted) throw new LadeError(ErrorCode.Internal, 'commit() of an aborted blob writer');
    if (!this.writableEnded && !this.destroyed) this.end();
    try {
      await finished(this);
      if (this.ingest === undefined) throw new LadeError(ErrorCode.Internal, 'blob writer finished without an ingest');
      return await this.ingest.commit();
    } catch (err) {
      // Settle only once the temporary file is gone, so a caller that saw the failure never
      // finds it in ingest/.
      await this.whenClosed();
      await this.ingest?.discard();
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (this.committed !== undefined) {
      throw new LadeError(ErrorCode.Internal, 'abort() after commit() of a blob writer');
    }
    this.aborted = true;
    const closed = this.whenClosed();
    this.destroy();
    await closed;
    // Covers a writer that had already finished and closed with its data kept for commit().
    await this.ingest?.discard();
  }

  private whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.once('close', () => resolve()));
  }
}

export function createBlobWriter(paths: IngestPaths, expected: ExpectedBlob): BlobWriter {
  checkExpected(expected);
  return new IngestWriter(paths, expected);
}
