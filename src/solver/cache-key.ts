/**
 * Cache keys: what a vertex's result depends on, as one digest. Pure and versioned — a key is a
 * function of the op's definition, the keys of its inputs (in order) and the adapter's content key,
 * and of nothing else (`meta` — names, locations, cache policy — never enters it). The version tag
 * is part of the hashed data, so changing what goes into a key means bumping KEY_VERSION, which
 * retires every old cache entry at once instead of silently reusing results under a new meaning.
 * test/solver/cache-key.test.ts pins exact values so an accidental format change fails CI.
 */
import { canonicalJson, sha256Of, type Vertex } from '../graph/index.js';

export const KEY_VERSION = 'lade.cachekey.v1';

/** `sha256:<64 hex>`. */
export type CacheKey = string;

export function cacheKey(vertex: Vertex, inputKeys: readonly CacheKey[], contentKey: string | undefined): CacheKey {
  if (inputKeys.length !== vertex.inputs.length) {
    throw new TypeError(`cacheKey: ${vertex.inputs.length} inputs but ${inputKeys.length} input keys`);
  }
  return sha256Of(canonicalJson({ v: KEY_VERSION, op: vertex.op, inputs: inputKeys, content: contentKey ?? null }));
}
