/**
 * Resolving paths inside a root as if the process were chrooted there (the semantics of
 * cyphar/filepath-securejoin and containerd's fs.RootPath, which Docker and BuildKit use for
 * extraction): symlinks are followed component by component, an absolute target restarts at the
 * root, `..` never climbs above the root, and more than 40 hops (Linux's MAXSYMLINKS) is ELOOP.
 * A layer's symlinks therefore can never lead a later entry outside the root.
 *
 * Results are cached because every entry resolves its parent; a caller that removes a directory
 * or a symlink inside the root must call invalidate(). Nothing else may change the tree while a
 * resolver is in use (the check is lexical on lstat results, not openat2-based).
 */
import { chmodSync, lchownSync, lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { ErrorCode, LadeError } from '../errors/index.js';

const MAX_SYMLINK_HOPS = 40;

/** A cache key to record once the symlink it names has been fully resolved. */
interface Resolved {
  key: string;
}

export function joinRel(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === code;
}

export interface ResolveOptions {
  /** Create missing directories (mode 0755, owned by root when `chown`), as Docker creates implied parents. */
  create: boolean;
  chown?: boolean;
  /** Told about each directory created. */
  onCreate?: (rel: string) => void;
}

export class RootResolver {
  /** Root-relative spelling (through real parents) → real root-relative directory path. */
  private readonly cache = new Map<string, string>();

  /** `root` must be an absolute, symlink-free path (a realpath). */
  constructor(readonly root: string) {}

  abs(rel: string): string {
    return rel === '' ? this.root : `${this.root}/${rel}`;
  }

  invalidate(): void {
    this.cache.clear();
  }

  /**
   * The real root-relative path of directory `rel` (clean, relative; `''` is the root), or
   * undefined when a component is missing and `create` is off. Throws LAYER_APPLY when a
   * component is not a directory, a symlink dangles while creating, or links loop.
   */
  resolveDir(rel: string, options: ResolveOptions): string | undefined {
    if (rel === '') return '';
    const hit = this.cache.get(rel);
    if (hit !== undefined) return hit;

    const todo: Array<string | Resolved> = rel.split('/').reverse();
    let current = '';
    let hops = 0;
    let insideLink = 0;
    while (todo.length > 0) {
      const item = todo.pop()!;
      if (typeof item !== 'string') {
        this.cache.set(item.key, current);
        insideLink--;
        continue;
      }
      if (item === '' || item === '.') continue;
      if (item === '..') {
        current = parentOf(current);
        continue;
      }
      const next = joinRel(current, item);
      const cached = this.cache.get(next);
      if (cached !== undefined) {
        current = cached;
        continue;
      }
      const abs = this.abs(next);
      let stat;
      try {
        stat = lstatSync(abs);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
        if (!options.create) return undefined;
        // Creating through a dangling symlink would invent the link's target; Docker's
        // MkdirAll fails there too.
        if (insideLink > 0) throw this.error(rel, `"${next}" is missing: a symlink on the way dangles`);
        mkdirSync(abs, 0o755);
        chmodSync(abs, 0o755);
        if (options.chown === true) lchownSync(abs, 0, 0);
        options.onCreate?.(next);
        this.cache.set(next, next);
        current = next;
        continue;
      }
      if (stat.isDirectory()) {
        this.cache.set(next, next);
        current = next;
      } else if (stat.isSymbolicLink()) {
        if (++hops > MAX_SYMLINK_HOPS) throw this.error(rel, 'too many levels of symbolic links');
        const target = readlinkSync(abs, 'utf8');
        todo.push({ key: next });
        insideLink++;
        if (target.startsWith('/')) current = '';
        const parts = target.split('/');
        for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
      } else {
        throw this.error(rel, `"${next}" is not a directory`);
      }
    }
    this.cache.set(rel, current);
    return current;
  }

  private error(rel: string, message: string): LadeError {
    return new LadeError(ErrorCode.LayerApply, `cannot resolve directory "${rel}" inside the layer root: ${message}`);
  }
}
