/**
 * An exclusive lock between lade processes sharing one --root: flock(2) on a lock file. The
 * kernel releases it when its holder exits, however it exits, so a kill at any moment never
 * leaves the store locked, and no pid has to be guessed alive or dead.
 */
import { open } from 'node:fs/promises';
import { ErrorCode, LadeError } from '../../errors/index.js';
import { tryFlock } from '../../sys/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` holding the lock at `path`; waits up to `timeoutMs` for another holder. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 60_000, what = 'the image store'): Promise<T> {
  const handle = await open(path, 'a', 0o600);
  try {
    const deadline = Date.now() + timeoutMs;
    // Polling with a growing delay: a blocking flock would stall Node's event loop.
    for (let delay = 2; !tryFlock(handle.fd); delay = Math.min(delay * 2, 100)) {
      if (Date.now() > deadline) {
        throw new LadeError(ErrorCode.StoreLocked, `${what} is busy: another lade process has held its lock for a minute`, {
          hint: `Wait for the other lade command to finish (the lock is ${path}).`,
        });
      }
      await sleep(delay);
    }
    return await fn();
  } finally {
    // Closing the descriptor releases the lock.
    await handle.close();
  }
}
