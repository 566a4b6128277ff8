/**
 * Changes → layer entries, in the shape of BuildKit's differ (containerd archive.ChangeWriter):
 *   - entries in walk order (depth first, names sorted by bytes), each preceded by those of its
 *     parent directories not written yet (read from the new tree), so the layer applies alone;
 *   - whole-second mtimes and, of the xattrs, only security.capability (BUILDKIT_ENTRY_OPTIONS);
 *   - a deletion is an empty regular file `.wh.<name>`, mode 0, owned by root. BuildKit stamps it
 *     with the time of the diff; lade stamps the epoch, so the same changes give the same bytes;
 *   - an opaque directory (overlay: a directory removed and made again) is its entry followed by
 *     `.wh..wh..opq`, as Docker's overlay2 driver writes it (mode of the directory, its owner);
 *   - a second path to an inode already written is a hardlink entry to the first.
 */
import { lstatSync } from 'node:fs';
import { BUILDKIT_ENTRY_OPTIONS, entryFromNode, FileBody, HardlinkTracker, makeEntry, type EntryOptions, type LayerSource, type WalkedNode } from '../layer/index.js';

export type Change =
  | { kind: 'add' | 'modify'; node: WalkedNode }
  | { kind: 'opaque'; node: WalkedNode }
  | { kind: 'delete'; path: string };

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Layer sources for `changes`; `root` is the new tree, where parent directories are read. */
export function* changeEntries(changes: Iterable<Change>, root: string, options: EntryOptions = BUILDKIT_ENTRY_OPTIONS): Generator<LayerSource, void, undefined> {
  const written = new Set<string>();
  const hardlinks = new HardlinkTracker();

  function* parents(path: string): Generator<LayerSource, void, undefined> {
    const missing: string[] = [];
    for (let dir = parentOf(path); dir !== '' && !written.has(dir); dir = parentOf(dir)) missing.push(dir);
    for (const dir of missing.reverse()) {
      const abs = `${root}/${dir}`;
      const entry = entryFromNode({ path: dir, abs, stat: lstatSync(abs, { bigint: true }) }, options);
      written.add(dir);
      if (entry !== undefined) yield { entry };
    }
  }

  for (const change of changes) {
    if (change.kind === 'delete') {
      yield* parents(change.path);
      const path = join(parentOf(change.path), `.wh.${baseOf(change.path)}`);
      yield { entry: makeEntry({ path, type: 'file', mode: 0, mtime: 0n }) };
      continue;
    }
    const { node } = change;
    const entry = entryFromNode(node, options);
    if (entry === undefined) continue; // sockets: no layer format records them
    yield* parents(node.path);
    if (entry.type === 'dir') {
      written.add(node.path);
      yield { entry };
      if (change.kind === 'opaque') {
        const marker = makeEntry({ path: `${node.path}/.wh..wh..opq`, type: 'file', mode: entry.mode & 0o777, uid: entry.uid, gid: entry.gid, mtime: 0n });
        yield { entry: marker };
      }
      continue;
    }
    const target = hardlinks.linkTarget(node);
    if (target !== undefined) yield { entry: { ...entry, type: 'hardlink', linkname: target, size: 0 } };
    else if (entry.type === 'file') yield { entry, body: new FileBody(node.abs, node.path, entry.size) };
    else yield { entry };
  }
}
