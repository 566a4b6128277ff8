/**
 * packDirectory: a directory tree → an uncompressed layer tar holding every node under it (the
 * root itself is not recorded, as BuildKit does not record it), in walk order, with hardlinks
 * detected by (device, inode), xattrs read, devices and FIFOs recorded and sockets skipped.
 * Files are read only when the tar stream reaches them, in chunks, never whole.
 */
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { ErrorCode, LadeError } from '../errors/index.js';
import { FileBody } from './file-body.js';
import { entryFromNode, HardlinkTracker, walkTree, type EntryOptions } from './walk.js';
import { writeLayer, type LayerSource } from './write-layer.js';

export type PackOptions = EntryOptions;

function* sources(root: string, options: PackOptions): Generator<LayerSource, void, undefined> {
  const hardlinks = new HardlinkTracker();
  for (const node of walkTree(root)) {
    const entry = entryFromNode(node, options);
    if (entry === undefined) continue;
    const target = hardlinks.linkTarget(node);
    if (target !== undefined) {
      yield { entry: { ...entry, type: 'hardlink', linkname: target, size: 0 } };
    } else if (entry.type === 'file') {
      yield { entry, body: new FileBody(node.abs, node.path, entry.size) };
    } else {
      yield { entry };
    }
  }
}

/** Streams a layer tar of the tree under `root`. Errors (LAYER_PACK) surface on the stream. */
export function packDirectory(root: string, options: PackOptions = {}): Readable {
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new LadeError(ErrorCode.LayerPack, `cannot pack ${root}: ${(err as Error).message}`, { cause: err });
  }
  return writeLayer(sources(root, options));
}
