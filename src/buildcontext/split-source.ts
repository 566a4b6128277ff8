/** fsutil's wildcard split of a COPY source, as a context-relative base and the rest. */
import { containsWildcards, goClean } from '../gopath/index.js';

/**
 * A COPY source split as `splitWildcards` splits it, after the cleaning BuildKit applies
 * (`filepath.Join("/", src)`): `base` is the context path before the first component with a
 * wildcard ('' for the root), `rest` the components from there on ('' when there is no
 * wildcard). `..` cannot climb above the context root. Escapes in `base` are NOT undone:
 * fsutil looks `a\*` up as a name with a backslash in it.
 */
export function splitWildcards(source: string): { base: string; rest: string } {
  const parts = goClean(`/${source}`).split('/').filter((p) => p !== '');
  const at = parts.findIndex(containsWildcards);
  if (at < 0) return { base: parts.join('/'), rest: '' };
  return { base: parts.slice(0, at).join('/'), rest: parts.slice(at).join('/') };
}
