/** Blobs go to and from registries a few at a time: one connection each, in parallel. */

/**
 * Runs fn on every item with at most `limit` running at once; after the first failure no new
 * item starts, and that failure is thrown once the running ones end.
 */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (failed === undefined && next < items.length) {
        const item = items[next++]!;
        try {
          await fn(item);
        } catch (err) {
          failed ??= err;
        }
      }
    }),
  );
  if (failed !== undefined) throw failed;
}
