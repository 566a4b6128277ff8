/**
 * Go's path semantics that exactness with BuildKit needs outside the frontend: `filepath.Match`
 * on UTF-8 bytes, fsutil's `containsWildcards`, and `path.Clean`/`Join`/`Split`/`Base`/`Dir`.
 */
export { compileGoPattern, containsWildcards, goMatch, goMatchString } from './match.js';
export type { GoPattern } from './match.js';
export { buildkitCleanPath, goBase, goClean, goDir, goJoin, goSplit } from './path.js';
