/**
 * The content key of a COPY/ADD's context sources: sha256 over a canonical listing of what they
 * select. Its format is versioned; a change to what goes in is a change of KEY_VERSION, so keys
 * from an older lade can never be mistaken for current ones.
 *
 * One JSON line per record, in order:
 *   ["lade-context-key", KEY_VERSION, sourceCount]
 *   ["source", source]                       each source as given (sources are part of the key)
 *   ["match", pathFromBase]                  per match: its path relative to the source's wildcard
 *                                            base, '.' for a source without wildcard
 *   [pathFromMatch, type, mode, size, link, devMajor, devMinor, digest]
 *                                            per entry: '.' for the match itself; size for regular
 *                                            files only (a directory's size is the filesystem's);
 *                                            null where a field does not apply
 * Left out on purpose: mtimes (fsutil sends them, but they are not content), inode numbers,
 * owners (COPY chowns to 0:0 or --chown), the context's own path.
 * Not covered yet: extended attributes (fsutil sends them and COPY copies them, but reading them
 * needs src/sys, which this folder does not import) and hard links among the selected files
 * (fsutil sends the second name as a link; here both are regular files with the same digest).
 */
import { createHash } from 'node:crypto';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { Selection } from './select.js';

export const KEY_VERSION = 1;

export function contentKey(sources: readonly string[], selections: readonly Selection[]): string {
  const hash = createHash('sha256');
  // Lines are handed to the hash in batches: one update per entry costs more than the hashing.
  let pending = '';
  const line = (record: unknown): void => {
    pending += `${JSON.stringify(record)}\n`;
    if (pending.length > 1 << 16) {
      hash.update(pending);
      pending = '';
    }
  };
  line(['lade-context-key', KEY_VERSION, sources.length]);
  sources.forEach((source, i) => {
    line(['source', source]);
    const { base, matches } = selections[i]!;
    for (const m of matches) {
      line(['match', base === undefined ? '.' : relative(base, m.path)]);
      for (const e of m.entries) {
        if (e.type === 'file' && e.digest === undefined) throw new LadeError(ErrorCode.Internal, `content key: ${e.path} was not hashed`);
        line([
          relative(m.source.path, e.path),
          e.type,
          e.mode,
          e.type === 'file' ? e.size : null,
          e.linkTarget ?? null,
          e.devMajor ?? null,
          e.devMinor ?? null,
          e.digest ?? null,
        ]);
      }
    }
  });
  return `sha256:${hash.update(pending).digest('hex')}`;
}

/** `path` below `root` (context paths, '' or '.' for the root), '.' for `root` itself. */
function relative(root: string, path: string): string {
  if (root === '' || root === '.') return path;
  if (path === root) return '.';
  return path.slice(root.length + 1);
}
