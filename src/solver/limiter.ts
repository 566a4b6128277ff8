/**
 * A counting semaphore: at most `limit` holders at once, waiters served first come, first served.
 * A waiter whose signal is aborted leaves the queue and rejects, so nothing starts after a solve
 * has failed.
 */
export interface Limiter {
  /** Resolves with a release function once a slot is free; rejects with `signal.reason` on abort. */
  acquire(signal: AbortSignal): Promise<() => void>;
}

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`parallelism must be a positive integer, got ${limit}`);
  let active = 0;
  const waiters: Array<() => void> = [];

  const releaser = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiters.shift();
      // The slot passes straight to the next waiter, so `active` never drops and rises again.
      if (next !== undefined) next();
      else active--;
    };
  };

  return {
    acquire(signal) {
      if (signal.aborted) return Promise.reject(signal.reason);
      if (active < limit) {
        active++;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        const grant = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve(releaser());
        };
        const onAbort = (): void => {
          const i = waiters.indexOf(grant);
          if (i >= 0) waiters.splice(i, 1);
          reject(signal.reason);
        };
        waiters.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

