/**
 * Decompression through a helper program (`bzip2 -dc`, `xz -dc`) for the formats lade has no
 * library for. Docker accepts bzip2 and xz for whole `docker load` archives, so lade does too
 * when the program is installed, and otherwise says which package provides it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import { ErrorCode, LadeError } from '../errors/index.js';
import { CHUNK_SIZE } from './fs-util.js';

export type ExternalFormat = 'bzip2' | 'xz';

const PROGRAMS: Readonly<Record<ExternalFormat, { program: string; debianPackage: string }>> = {
  bzip2: { program: 'bzip2', debianPackage: 'bzip2' },
  xz: { program: 'xz', debianPackage: 'xz-utils' },
};

const STDERR_LIMIT = 4096;

function findProgram(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function unsupported(format: ExternalFormat): LadeError {
  const { program, debianPackage } = PROGRAMS[format];
  return new LadeError(
    ErrorCode.UnsupportedCompression,
    `cannot decompress ${format} data: the ${program} program is not installed`,
    { hint: `Install it (on Debian or Ubuntu: apt-get install ${debianPackage}), or decompress the file first.` },
  );
}

/**
 * A Duplex that feeds its input to the program and emits the program's output. It ends only when
 * the program exits with status 0; any other exit becomes CORRUPT_COMPRESSION with the program's
 * message, so truncated or damaged input never looks like a clean end.
 */
class ProcessDecompressor extends Duplex {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private stderr = '';

  constructor(
    private readonly format: ExternalFormat,
    path: string,
  ) {
    super({ readableHighWaterMark: CHUNK_SIZE, writableHighWaterMark: CHUNK_SIZE });
    this.child = spawn(path, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const { child } = this;
    // The program exits early on bad input; the broken pipe that follows is reported by its status.
    child.stdin.on('error', () => undefined);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += s;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.on('error', (err) => this.destroy(err));
    child.on('close', (code, signal) => {
      if (this.destroyed) return;
      if (code === 0) {
        this.push(null);
        return;
      }
      const detail = this.stderr.trim().split('\n').at(-1) ?? '';
      const status = code === null ? `killed by ${signal}` : `exit status ${code}`;
      this.destroy(
        new LadeError(ErrorCode.CorruptCompression, `${this.format} data is corrupt or truncated: ${detail || status}`),
      );
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.child.stdin.destroyed) {
      callback();
      return;
    }
    this.child.stdin.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    callback(err);
  }
}

export function externalDecompressor(format: ExternalFormat): Duplex {
  const path = findProgram(PROGRAMS[format].program);
  if (path === undefined) throw unsupported(format);
  return new ProcessDecompressor(format, path);
}
