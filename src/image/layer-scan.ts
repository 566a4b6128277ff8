/**
 * One pass over a layer tar that proves it is a tar and measures what it unpacks to. Docker's
 * image `Size` is the size of the unpacked files: regular file contents plus symlink targets,
 * each hard-linked file once (a hard link entry adds nothing).
 */
import type { Readable } from 'node:stream';
import { ErrorCode, LadeError } from '../errors/index.js';
import { readLayer } from '../layer/index.js';

export interface LayerScan {
  /** Bytes the layer unpacks to, as Docker counts them. */
  size: number;
  entries: number;
}

export async function scanLayer(stream: Readable, what: string): Promise<LayerScan> {
  const scan: LayerScan = { size: 0, entries: 0 };
  try {
    // Bodies left unread are skipped by the reader, which still consumes every byte.
    for await (const { entry } of readLayer(stream)) {
      scan.entries++;
      if (entry.type === 'file') scan.size += entry.size;
      else if (entry.type === 'symlink') scan.size += Buffer.byteLength(entry.linkname);
    }
  } catch (err) {
    // Errors of the bytes themselves (corrupt compression, digest mismatch) say so already.
    if (err instanceof LadeError && !err.code.startsWith('LAYER_')) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new LadeError(ErrorCode.InvalidImage, `${what} is not a valid tar archive: ${detail}`, { cause: err });
  }
  return scan;
}
