/**
 * Where a build's Dockerfile and context come from, with the Docker CLI's rules: CONTEXT is a
 * directory, or `-` for standard input holding either a tar archive of the context (plain or
 * compressed) or a Dockerfile alone (then there is no context); `-f -` reads the Dockerfile from
 * standard input; a relative `-f` is looked up from the current directory, then in the context;
 * without `-f`, CONTEXT/Dockerfile, or CONTEXT/dockerfile when only that exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCode, LadeError } from '../../../errors/index.js';

export interface BuildInputs {
  /** The context directory (a private empty one when stdin held only a Dockerfile). */
  contextDir: string;
  /** The Dockerfile's bytes and the name messages use for it. */
  dockerfile: Buffer;
  dockerfileName: string;
  /** The path the .dockerignore lookup is based on (`<Dockerfile>.dockerignore`). */
  dockerfilePath: string;
}

function readStdinSync(): Buffer {
  return readFileSync(0);
}

function isArchive(bytes: Buffer): boolean {
  if (bytes.length >= 262 && bytes.subarray(257, 262).toString('latin1') === 'ustar') return true;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return true; // gzip
  if (bytes.subarray(0, 3).toString('latin1') === 'BZh') return true;
  if (bytes[0] === 0xfd && bytes.subarray(1, 6).toString('latin1') === '7zXZ\0') return true;
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return true; // zstd
  return false;
}

function extract(bytes: Buffer, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const archive = join(dir, '..', 'context.tar');
  writeFileSync(archive, bytes);
  // GNU tar detects the compression; ownership is reset as the Docker CLI resets it on send.
  const r = spawnSync('tar', ['-x', '-f', archive, '-C', dir, '--no-same-owner', '--no-same-permissions', '--delay-directory-restore'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new LadeError(ErrorCode.FileRead, `cannot read the build context from standard input: ${(r.stderr || r.error?.message || '').trim()}`, {
      hint: 'A context on stdin must be a tar archive (optionally gzip, bzip2, xz or zstd compressed), or a Dockerfile.',
    });
  }
}

function readDockerfile(path: string, shown: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LadeError(ErrorCode.FileRead, `failed to read dockerfile: open ${shown}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, {
      cause: err,
      hint: code === 'ENOENT' ? 'Give the Dockerfile with -f, or put one named Dockerfile in the context.' : undefined,
    });
  }
}

export function resolveInputs(context: string, file: string | undefined, scratchDir: string): BuildInputs {
  let contextDir: string;
  let stdinUsed = false;
  let stdinDockerfile: Buffer | undefined;
  if (context === '-') {
    if (file === '-') throw new LadeError(ErrorCode.Usage, 'invalid argument: can\'t use stdin for both build context and dockerfile');
    const bytes = readStdinSync();
    stdinUsed = true;
    contextDir = join(scratchDir, 'context');
    if (isArchive(bytes)) {
      extract(bytes, contextDir);
    } else {
      mkdirSync(contextDir, { recursive: true });
      stdinDockerfile = bytes;
    }
  } else {
    contextDir = resolve(context);
    let st;
    try {
      st = statSync(contextDir);
    } catch {
      throw new LadeError(ErrorCode.FileRead, `unable to prepare context: path ${JSON.stringify(context)} not found`);
    }
    if (!st.isDirectory()) {
      throw new LadeError(ErrorCode.FileRead, `unable to prepare context: ${JSON.stringify(context)} is not a directory`, {
        hint: 'lade builds from a local directory or from `-` (a tar archive or a Dockerfile on stdin).',
      });
    }
  }

  if (stdinDockerfile !== undefined) {
    if (file !== undefined) throw new LadeError(ErrorCode.Usage, 'invalid argument: -f cannot be used when the Dockerfile is read from stdin');
    return { contextDir, dockerfile: stdinDockerfile, dockerfileName: 'Dockerfile', dockerfilePath: join(contextDir, 'Dockerfile') };
  }
  if (file === '-') {
    if (stdinUsed) throw new LadeError(ErrorCode.Usage, "invalid argument: can't use stdin for both build context and dockerfile");
    return { contextDir, dockerfile: readStdinSync(), dockerfileName: 'Dockerfile', dockerfilePath: join(contextDir, 'Dockerfile') };
  }
  if (file !== undefined && file !== '') {
    let path = isAbsolute(file) ? file : resolve(file);
    if (!isAbsolute(file) && !existsSync(path) && existsSync(join(contextDir, file))) path = join(contextDir, file);
    return { contextDir, dockerfile: readDockerfile(path, file), dockerfileName: file, dockerfilePath: path };
  }
  const upper = join(contextDir, 'Dockerfile');
  const lower = join(contextDir, 'dockerfile');
  const path = !existsSync(upper) && existsSync(lower) ? lower : upper;
  return { contextDir, dockerfile: readDockerfile(path, path), dockerfileName: 'Dockerfile', dockerfilePath: upper };
}
