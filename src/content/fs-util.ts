/**
 * Small filesystem primitives for crash-safe writes. Every failure becomes a STORE_IO LadeError
 * naming the operation and path, with the system error as its cause.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { ErrorCode, LadeError } from '../errors/index.js';

/** Transfer unit for blob I/O: large enough that per-call overhead vanishes next to copying. */
export const CHUNK_SIZE = 1 << 20;

export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function ioError(operation: string, path: string, cause: unknown): LadeError {
  if (cause instanceof LadeError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const hint =
    errnoCode(cause) === 'ENOSPC' ? 'The disk holding the lade root is full; free space or use --root elsewhere.' : undefined;
  return new LadeError(ErrorCode.StoreIo, `cannot ${operation} ${path}: ${detail}`, { cause, hint });
}

/**
 * fsync on a directory makes the entries created or renamed in it durable: without it a rename
 * can be lost on power failure even though the file's data was synced.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    throw ioError('sync directory', dir, err);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** pwritev until every byte is written: the kernel may write less than asked. */
export async function writevAll(fh: FileHandle, buffers: readonly Uint8Array[], position: number): Promise<void> {
  let pending = buffers.slice();
  let pos = position;
  while (pending.length > 0) {
    const { bytesWritten } = await fh.writev(pending, pos);
    pos += bytesWritten;
    let skip = bytesWritten;
    while (pending.length > 0 && skip >= pending[0]!.byteLength) {
      skip -= pending[0]!.byteLength;
      pending.shift();
    }
    if (skip > 0) pending[0] = pending[0]!.subarray(skip);
    if (bytesWritten === 0 && pending.length > 0) throw new Error('write made no progress');
  }
}

/** Reads exactly `length` bytes from `position`, or fewer only at end of file. */
export async function readFully(fh: FileHandle, buffer: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < buffer.byteLength) {
    const { bytesRead } = await fh.read(buffer, done, buffer.byteLength - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
