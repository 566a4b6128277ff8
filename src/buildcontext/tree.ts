/**
 * The scanned context as a tree that COPY resolution walks: lookups by path, subtrees, and
 * symlink resolution bounded by the context root — what continuity's `fs.RootPath` does on the
 * snapshot BuildKit received, done here on the listing instead of the disk.
 *
 * The walk is depth first with each directory's names in byte order, so a directory's subtree
 * is the run of entries right after it: selecting a directory is a slice, never a search.
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import type { ContextFile } from './types.js';

/** continuity's RootPath gives up after this many links (Linux's own limit is 40). */
const MAX_LINKS = 255;

/**
 * The context root as COPY sees it. fsutil never sends the root itself; the receiving
 * snapshot's root directory is created by the snapshotter, 0755, so that is what a COPY of
 * the whole context copies onto a directory it creates.
 */
export const ROOT_ENTRY: ContextFile = Object.freeze({ path: '.', type: 'dir', mode: 0o755, size: 0, mtimeMs: 0 });

export class ContextTree {
  readonly #order: readonly ContextFile[];
  readonly #index = new Map<string, number>();

  constructor(order: readonly ContextFile[]) {
    this.#order = order;
    order.forEach((f, i) => this.#index.set(f.path, i));
  }

  /** The entry at a context path ('.' or '' for the root), or undefined. */
  get(path: string): ContextFile | undefined {
    if (path === '' || path === '.') return ROOT_ENTRY;
    const i = this.#index.get(path);
    return i === undefined ? undefined : this.#order[i];
  }

  /** Everything below a directory (not the directory itself), in walk order. */
  below(dir: ContextFile): readonly ContextFile[] {
    if (dir.type !== 'dir') return [];
    if (dir === ROOT_ENTRY) return this.#order;
    const start = this.#index.get(dir.path);
    if (start === undefined) return [];
    const prefix = `${dir.path}/`;
    let end = start + 1;
    while (end < this.#order.length && this.#order[end]!.path.startsWith(prefix)) end++;
    return this.#order.slice(start + 1, end);
  }

  /**
   * `fs.RootPath`: the context path a path names once every symlink on the way is followed,
   * the last component included when `followLast`. Links are read as if the context root were
   * '/': an absolute target starts again from the root and `..` stops there, so resolution never
   * leaves the context. `..` in a target applies to the resolved path, as the kernel applies it.
   * Components that do not exist are kept as written. Returns '' for the root.
   */
  resolve(path: string, followLast: boolean): string {
    const pending = path.split('/').filter((c) => c !== '' && c !== '.').reverse();
    const resolved: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name === '..') {
        resolved.pop();
        continue;
      }
      resolved.push(name);
      if (pending.length === 0 && !followLast) continue;
      const entry = this.get(resolved.join('/'));
      if (entry?.type !== 'symlink') continue;
      if (++links > MAX_LINKS) {
        throw new LadeError(ErrorCode.FileRead, `cannot resolve ${path} in the build context: too many levels of symbolic links`);
      }
      resolved.pop();
      const target = entry.linkTarget ?? '';
      if (target.startsWith('/')) resolved.length = 0;
      for (const c of target.split('/').reverse()) if (c !== '' && c !== '.') pending.push(c);
    }
    return resolved.join('/');
  }
}
