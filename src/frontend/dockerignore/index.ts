// .dockerignore with current Docker/BuildKit semantics (moby/patternmatcher and the filtering
// walk of tonistiigi/fsutil that sends the build context): reading the file, choosing between
// `<Dockerfile>.dockerignore` and `<context>/.dockerignore`, and listing what the context keeps.
export { parseDockerignore, MAX_LINE_BYTES } from './rules.js';
export type { IgnoreRule } from './rules.js';
export { createIgnoreMatcher } from './matcher.js';
export type { IgnoreMatcher, MatchInfo } from './matcher.js';
export { walkContext, compareNames } from './walk.js';
export type { ContextEntry, DirEntryLike, ListDir } from './walk.js';
export { walkContextDir } from './walk-fs.js';
export { loadDockerignore } from './load.js';
