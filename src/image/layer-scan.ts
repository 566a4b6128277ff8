/**
 * One pass over a layer tar that proves it is a tar and measures what it unpacks to. Docker's
 * image `Size` is the size of the unpacked files: regular file contents plus symlink targets,
 * each hard-linked file once (a hard link entry adds nothing).
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { ErrorCode, LadeError } from '../errors/index.js';

export interface LayerScan {
  /** Bytes the layer unpacks to, as Docker counts them. */
  size: number;
  entries: number;
}

export async function scanLayer(stream: Readable, what: string): Promise<LayerScan> {
  const scan: LayerScan = { size: 0, entries: 0 };
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    scan.entries++;
    if (header.type === 'file' || header.type === 'contiguous-file') scan.size += header.size ?? 0;
    else if (header.type === 'symlink') scan.size += Buffer.byteLength(header.linkname ?? '');
    body.on('end', next);
    body.resume();
  });
  try {
    await pipeline(stream, extract);
  } catch (err) {
    if (err instanceof LadeError) throw err;
    throw new LadeError(ErrorCode.InvalidImage, `${what} is not a valid tar archive: ${(err as Error).message}`, { cause: err });
  }
  return scan;
}
