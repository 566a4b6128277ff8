/**
 * An exclusive lock between lade processes sharing one --root: a lock file created with O_EXCL
 * holding the owner's pid. A lock left by a killed process (its pid no longer alive) is taken
 * over, so a kill at any moment never blocks the store for good.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { ErrorCode, LadeError } from '../../errors/index.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` holding the lock at `path`; waits up to `timeoutMs` for another holder. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const holder = Number.parseInt(text, 10);
    // An empty file is a holder killed between create and write, or one writing right now: it is
    // broken only once it is old enough that no live writer can still be about to fill it.
    const stale =
      Number.isInteger(holder) && holder > 0
        ? holder !== process.pid && !alive(holder)
        : Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now()) > 5000;
    if (stale) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new LadeError(ErrorCode.StoreLocked, `the image store is locked by another lade process${Number.isInteger(holder) ? ` (pid ${holder})` : ''}`, {
        hint: `If no lade process is running, remove ${path}.`,
      });
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 200);
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
