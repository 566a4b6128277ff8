/**
 * Small operations on cgroup filesystems. They are synchronous on purpose: each is one short
 * kernel call on a pseudo-file, cheaper than a trip through the thread pool.
 */
import { closeSync, mkdirSync, openSync, constants as fsConstants, readdirSync, readFileSync, rmdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../../errors/index.js';

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

const PERMISSION_HINT =
  'lade needs root and a writable cgroup filesystem; inside a container, run it with a private cgroup namespace and cgroupfs mounted read-write.';

export function cgroupIoError(what: string, path: string, err: unknown, hint?: string): LadeError {
  const code = errnoOf(err);
  const reason = err instanceof Error ? err.message : String(err);
  return new LadeError(ErrorCode.CgroupIo, `${what} ${path}: ${reason}`, {
    cause: err,
    hint: hint ?? (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? PERMISSION_HINT : undefined),
  });
}

/**
 * Writes `value` in one write(2), as cgroup files parse each write on its own. O_WRONLY
 * without O_CREAT or O_TRUNC: some files (cgroup.kill) refuse reading, none may be created.
 */
export function writeCgroupFile(path: string, value: string): void {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_WRONLY);
  } catch (err) {
    throw cgroupIoError('cannot open', path, err);
  }
  try {
    writeSync(fd, value);
  } catch (err) {
    throw cgroupIoError(`cannot write ${JSON.stringify(value)} to`, path, err);
  } finally {
    closeSync(fd);
  }
}

/** The file's text, or undefined when it (or its cgroup) does not exist. */
export function readCgroupFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENODEV') return undefined;
    throw cgroupIoError('cannot read', path, err);
  }
}

/** A `key value` line of a flat-keyed file (memory.events, memory.oom_control, cgroup.events). */
export function readKeyedValue(path: string, key: string): number | undefined {
  const text = readCgroupFile(path);
  if (text === undefined) return undefined;
  for (const line of text.split('\n')) {
    const [k, v] = line.split(' ');
    if (k === key && v !== undefined) return Number(v);
  }
  return undefined;
}

/** The PIDs listed in a cgroup's cgroup.procs; empty when the cgroup is gone. */
export function cgroupPids(dir: string): number[] {
  const text = readCgroupFile(join(dir, 'cgroup.procs')) ?? '';
  return text.split('\n').filter((l) => l !== '').map(Number);
}

/** `dir` and every cgroup below it, deepest first (the order rmdir needs); empty when absent. */
export function cgroupTree(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw cgroupIoError('cannot list', dir, err);
  }
  return [...names.flatMap((n) => cgroupTree(join(dir, n))), dir];
}

/** Creates a cgroup directory; true when it was created, false when it already existed. */
export function makeCgroupDir(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw cgroupIoError('cannot create cgroup', dir, err);
  }
}

/** rmdir that reports EBUSY (processes or child cgroups left) as false; an absent dir is removed. */
export function removeCgroupDir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT') return true;
    if (code === 'EBUSY') return false;
    throw cgroupIoError('cannot remove cgroup', dir, err);
  }
}

export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if (errnoOf(err) !== 'ESRCH') throw cgroupIoError('cannot kill process', String(pid), err);
  }
}

/**
 * Polls `done` until it holds or `timeoutMs` passes, backing off from 1 ms to 50 ms. Used for
 * kernel state that has no notification lade can wait on (a frozen cgroup, an emptied one).
 */
export async function pollUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 50);
  }
}
