/**
 * Deferred blobs: content the store can produce on demand instead of keeping it. A build step's
 * layer is already on disk as a committed snapshot; writing its tar into the store as well would
 * double the bytes every build writes (Docker keeps no layer tar for the images it builds either).
 * Only its digest and size are recorded, with a recipe; the first read of the blob asks the
 * materializer registered for the recipe's kind for the bytes, stores them (verified against the
 * digest, as any write) and serves them from then on.
 */
import type { Readable } from 'node:stream';

/** How to produce a deferred blob's bytes; `kind` picks the materializer. JSON-serialisable. */
export interface DeferredRecipe {
  kind: string;
  [field: string]: unknown;
}

export type Materializer = (recipe: DeferredRecipe) => Promise<Readable>;

const materializers = new Map<string, Materializer>();

/** Called by the module that can produce blobs of `kind` (the snapshotter, for layer diffs). */
export function registerMaterializer(kind: string, materializer: Materializer): void {
  materializers.set(kind, materializer);
}

export function materializerFor(kind: string): Materializer | undefined {
  return materializers.get(kind);
}
