/**
 * Runs `fn` on every item, at most `limit` at a time: a copy's files (each mostly waiting on the
 * disk and Node's thread pool), a pull's or a push's blobs (one connection each). After the first
 * failure no new item starts, and every running one finishes before that failure is thrown:
 * nothing of the operation may still be writing once it has failed.
 */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        stop = true;
        throw err;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
