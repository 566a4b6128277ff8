/**
 * A tree a file operation reads or writes, and paths resolved inside it as BuildKit resolves them
 * (containerd/continuity fs.RootPath): every symlink met on the way is followed as if the root
 * were "/" (an absolute target restarts at the root, a relative one is joined to the link's
 * directory and cleaned lexically, so `..` never climbs above the root); a missing component is
 * kept as spelled, and so is everything after it; more than 255 links is an error.
 *
 * Unlike continuity, which lstats each joined path through the host (so a not yet re-walked
 * absolute link could be followed to the host's "/" before its next pass corrects the result),
 * every component is checked only once the components before it are known to be real
 * directories inside the root: nothing outside the root is ever looked at.
 *
 * Results are root-relative paths without a leading slash (`''` is the root) whose existing
 * components are all real (no symlinks), so creating or opening them cannot leave the root.
 */
import { lstatSync, readlinkSync, type BigIntStats } from 'node:fs';
import { ErrorCode, LadeError } from '../errors/index.js';
import { goClean, goJoin } from '../gopath/index.js';

export interface Scope {
  /** The host directory that is "/" for the operation. */
  readonly root: string;
  /** Source trees only: an entry it rejects (by real root-relative path) is absent. */
  readonly include?: ((rel: string) => boolean) | undefined;
}

const MAX_LINKS = 255;

export function absOf(scope: Scope, rel: string): string {
  return rel === '' ? scope.root : `${scope.root}/${rel}`;
}

/** The root-relative form of a cleaned absolute path ("/a/b" → "a/b", "/" → ""). */
export function relOf(clean: string): string {
  return clean === '/' ? '' : clean.slice(1);
}

/** How a root-relative path is shown in messages: as the operation sees it, never as a host path. */
export function shown(rel: string): string {
  return `/${rel}`;
}

export function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** The strerror part of a Node fs error ("ENOTDIR: not a directory"), without the host path. */
export function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = errnoOf(err);
  if (code === undefined) return err.message;
  const comma = err.message.indexOf(',');
  return comma < 0 ? err.message : err.message.slice(0, comma);
}

/** A LadeError for a failed fs call: missing things are FILEOP_NOT_FOUND, the rest FILEOP_FAILED. */
export function fsError(err: unknown, message: string): LadeError {
  if (err instanceof LadeError) return err;
  const code = errnoOf(err) === 'ENOENT' ? ErrorCode.FileopNotFound : ErrorCode.FileopFailed;
  return new LadeError(code, `${message}: ${reasonOf(err)}`, { cause: err });
}

/** Whether the scope's filter keeps `rel` and every directory above it. */
function visible(scope: Scope, rel: string): boolean {
  const include = scope.include;
  if (include === undefined || rel === '') return true;
  for (let slash = rel.indexOf('/'); slash >= 0; slash = rel.indexOf('/', slash + 1)) {
    if (!include(rel.slice(0, slash))) return false;
  }
  return include(rel);
}

/**
 * lstat inside the scope; undefined when the path does not exist or the scope's filter hides it.
 * A path through a non-directory is an error, as Go's os.Lstat makes it.
 */
export function lstatIn(scope: Scope, rel: string): BigIntStats | undefined {
  if (!visible(scope, rel)) return undefined;
  try {
    return lstatSync(absOf(scope, rel), { bigint: true });
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw fsError(err, `cannot stat "${shown(rel)}"`);
  }
}

/**
 * `path` (absolute or not; cleaned lexically first, as every BuildKit caller does) resolved inside
 * the scope. `followFinal` false leaves the last component as it is, which is fsutil's rootPath
 * without FollowLinks: a symlink named as a copy source is copied as a symlink.
 */
export function resolveIn(scope: Scope, path: string, followFinal: boolean): string {
  const cleaned = goClean(goJoin('/', path));
  let done: string[] = [];
  const todo = relOf(cleaned).split('/').filter((c) => c !== '').reverse();
  let links = 0;
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (todo.length === 0 && !followFinal) {
      done.push(name);
      break;
    }
    const rel = [...done, name].join('/');
    const stat = lstatIn(scope, rel);
    if (stat === undefined || !stat.isSymbolicLink()) {
      done.push(name);
      continue;
    }
    if (++links > MAX_LINKS) {
      throw new LadeError(ErrorCode.FileopFailed, `cannot resolve "${cleaned}": too many links`);
    }
    const target = readlinkSync(absOf(scope, rel), 'utf8');
    const joined = goClean(target.startsWith('/') ? target : `/${done.join('/')}/${target}`);
    done = [];
    todo.push(...relOf(joined).split('/').filter((c) => c !== '').reverse());
  }
  return done.join('/');
}

/** The parent of a root-relative path (`''` for a child of the root). */
export function parentRel(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

/** A root-relative path joined with a name and cleaned (a name of "/" or "." leaves it as it is). */
export function childRel(rel: string, name: string): string {
  return relOf(goJoin('/', rel, name));
}
