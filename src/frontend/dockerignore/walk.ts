/**
 * The build context as current BuildKit sends it: tonistiigi/fsutil's filtering walk
 * (`filterFS.Walk`) over `filepath.WalkDir`, with a .dockerignore's rules.
 *
 * - Entries are visited depth first, each directory's names in byte order (Go sorts ReadDir).
 *   The context root itself is not an entry. Symlinks are entries and are never followed.
 * - An entry is excluded when `matchesUsingParentResults` says so, given its parent's MatchInfo.
 *   An excluded file is left out. An excluded directory is skipped with everything below it
 *   when `canSkipExcludedDir` allows; otherwise the walk goes in, looking for re-included paths.
 * - An excluded directory is sent only once something below it is sent, just before that
 *   entry (it and every unsent ancestor). So `build` + `!build/out/app.js` sends `build/`,
 *   `build/out/` and the file, and `build` + `!build/nothing` sends nothing of `build`.
 *
 * Docker 20.10 sent such a directory whether or not anything in it was re-included; see
 * test/fixtures/dockerignore/exception-walk-quirks.
 */
import type { IgnoreMatcher, MatchInfo } from './matcher.js';

/** One name in a directory listing. Node's `fs.Dirent` fits. */
export interface DirEntryLike {
  readonly name: string;
  /** False for a symlink, even one to a directory: the walk does not follow links. */
  isDirectory(): boolean;
}

/**
 * Lists a context directory, given its context-relative path ('' for the root). The order does
 * not matter. Errors propagate, except a permission error on an excluded directory the walk
 * only entered to look for exceptions, which BuildKit ignores.
 */
export type ListDir<E extends DirEntryLike> = (dir: string) => Iterable<E>;

export interface ContextEntry<E extends DirEntryLike> {
  /** Context-relative, `/`-separated, no leading `./` or trailing `/`. */
  readonly path: string;
  readonly entry: E;
}

interface Frame<E extends DirEntryLike> {
  /** '' for the root. */
  readonly path: string;
  /** `path/`, or '' for the root: what entry names are appended to. */
  readonly prefix: string;
  readonly entry: E | undefined;
  readonly info: MatchInfo | undefined;
  readonly entries: readonly E[];
  index: number;
}

/**
 * Yields the entries of the build context in the order BuildKit sends them. Without a matcher
 * (no ignore file, or one without rules) every entry is sent.
 *
 * Cost per entry: one path string, the rules tried (compiled once in the matcher), and for a
 * directory one MatchInfo. Skipped directories are never listed.
 */
export function* walkContext<E extends DirEntryLike>(
  listDir: ListDir<E>,
  matcher?: IgnoreMatcher,
): Generator<ContextEntry<E>, void, undefined> {
  const stack: Array<Frame<E>> = [frame('', undefined, undefined, list(listDir, '', false))];
  // stack[0 .. sent) have been yielded (the root counts); the rest are excluded directories
  // waiting for something inside them to be sent.
  let sent = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.index === top.entries.length) {
      stack.pop();
      if (sent > stack.length) sent = stack.length;
      continue;
    }
    const entry = top.entries[top.index++]!;
    const path = top.prefix + entry.name;
    const isDir = entry.isDirectory();
    let info: MatchInfo | undefined;
    let excluded = false;
    if (matcher !== undefined) {
      if (isDir) info = matcher.createMatchInfo();
      // The root's entries have no parent MatchInfo: fsutil never sees the root itself.
      excluded = matcher.matchesUsingParentResults(path, top.info, info);
      if (excluded && isDir && matcher.canSkipExcludedDir(path)) continue;
    }
    if (!excluded) {
      for (; sent < stack.length; sent++) {
        const pending = stack[sent]!;
        yield { path: pending.path, entry: pending.entry! };
      }
      yield { path, entry };
    }
    if (isDir) {
      stack.push(frame(path, entry, info, list(listDir, path, excluded)));
      if (!excluded) sent = stack.length;
    }
  }
}

function frame<E extends DirEntryLike>(
  path: string,
  entry: E | undefined,
  info: MatchInfo | undefined,
  entries: E[],
): Frame<E> {
  entries.sort((a, b) => compareNames(a.name, b.name));
  return { path, prefix: path === '' ? '' : `${path}/`, entry, info, entries, index: 0 };
}

/** A copy of the listing (read in full here, so a lazy iterable's errors are caught too). */
function list<E extends DirEntryLike>(listDir: ListDir<E>, path: string, excluded: boolean): E[] {
  try {
    return Array.from(listDir(path));
  } catch (err) {
    // fsutil: `if skip && errors.Is(walkErr, os.ErrPermission) { return nil }`.
    if (excluded && isPermissionError(err)) return [];
    throw err;
  }
}

function isPermissionError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return true;
  }
  return false;
}

/**
 * Go's string order: UTF-8 bytes, which is code point order. JavaScript's `<` compares UTF-16
 * units, which puts U+10000 and above (surrogates) before U+E000–U+FFFF; this corrects that.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? codeOrder(x) - codeOrder(y) : x - y;
  }
  return a.length - b.length;
}

/** Moves surrogates (D800–DFFF) above E000–FFFF, keeping each range's own order. */
function codeOrder(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
