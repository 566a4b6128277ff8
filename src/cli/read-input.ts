import { readFile } from 'node:fs/promises';
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
