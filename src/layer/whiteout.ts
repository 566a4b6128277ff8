/**
 * What an entry name means to a layer applier (image-spec layer.md "Whiteouts"; Docker's
 * pkg/archive/whiteouts.go): an ordinary entry, a whiteout of a sibling, an opaque marker for
 * its directory, or reserved AUFS metadata to skip.
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import { splitPath } from './entry.js';

export const WHITEOUT_PREFIX = '.wh.';
/** `.wh..wh.` names are metadata, never files (`.wh..wh.plnk/` was AUFS's hardlink store). */
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';

export type EntryRole =
  | { kind: 'root' }
  | { kind: 'meta' }
  | { kind: 'opaque'; dir: string }
  | { kind: 'whiteout'; dir: string; name: string }
  | { kind: 'plain' };

/** Classifies a clean entry path. A whiteout of `.`, `..` or nothing is refused (it would escape its directory). */
export function classifyEntry(path: string): EntryRole {
  if (path === '.') return { kind: 'root' };
  if (!path.includes(WHITEOUT_PREFIX)) return { kind: 'plain' };
  const { parent, base } = splitPath(path);
  if (parent.split('/').some((part) => part.startsWith(WHITEOUT_META_PREFIX))) return { kind: 'meta' };
  if (base === WHITEOUT_OPAQUE) return { kind: 'opaque', dir: parent };
  if (base.startsWith(WHITEOUT_META_PREFIX)) return { kind: 'meta' };
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'plain' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') {
    throw new LadeError(ErrorCode.LayerUnsafePath, `invalid whiteout "${path}": it names no file in its directory`);
  }
  return { kind: 'whiteout', dir: parent, name };
}
