import { createReadStream, type ReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ErrorCode, LadeError } from '../errors/index.js';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads a file named on the command line; `-` is standard input (Docker's convention). */
export async function readInputFile(path: string): Promise<{ name: string; bytes: Buffer }> {
  if (path === '-') return { name: '<stdin>', bytes: await readStdin() };
  try {
    return { name: path, bytes: await readFile(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
    throw new LadeError(ErrorCode.FileRead, `cannot read ${path}: ${reason}`, { cause: err });
  }
}

/**
 * A stream of a file named on the command line (`-` is standard input), opened before it is
 * returned so that a missing file is a clear error before any work starts.
 */
export async function openInputStream(path: string): Promise<Readable> {
  if (path === '-') return process.stdin;
  const stream: ReadStream = createReadStream(path, { highWaterMark: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: Error) => reject(new LadeError(ErrorCode.FileRead, `open ${path}: ${err.message}`, { cause: err })));
  });
  return stream;
}
