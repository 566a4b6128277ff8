/**
 * packDirectory: a directory tree → an uncompressed layer tar holding every node under it (the
 * root itself is not recorded, as BuildKit does not record it), in walk order, with hardlinks
 * detected by (device, inode), xattrs read, devices and FIFOs recorded and sockets skipped.
 * Files are read only when the tar stream reaches them, in chunks, never whole.
 */
import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { ErrorCode, LadeError } from '../errors/index.js';
import { entryFromNode, HardlinkTracker, walkTree, type EntryOptions, type WalkedNode } from './walk.js';
import { writeLayer, type LayerSource } from './write-layer.js';

export type PackOptions = EntryOptions;

const READ_CHUNK = 1 << 20;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;

/**
 * Exactly `size` bytes of the file, read lazily. Reads are synchronous: the consumer pulls one
 * chunk at a time, and a page-cache read of a chunk takes microseconds.
 */
function* fileChunks(node: WalkedNode, size: number): Generator<Buffer, void, undefined> {
  let fd: number;
  try {
    fd = openSync(node.abs, OPEN_FLAGS);
  } catch (err) {
    throw new LadeError(ErrorCode.LayerPack, `cannot pack "${node.path}": ${(err as Error).message}`, { cause: err });
  }
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(left, READ_CHUNK));
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) throw new LadeError(ErrorCode.LayerPack, `"${node.path}" shrank while it was being packed`);
      left -= got;
      yield got === buf.length ? buf : buf.subarray(0, got);
    }
  } finally {
    closeSync(fd);
  }
}

function* sources(root: string, options: PackOptions): Generator<LayerSource, void, undefined> {
  const hardlinks = new HardlinkTracker();
  for (const node of walkTree(root)) {
    const entry = entryFromNode(node, options);
    if (entry === undefined) continue;
    const target = hardlinks.linkTarget(node);
    if (target !== undefined) {
      yield { entry: { ...entry, type: 'hardlink', linkname: target, size: 0 } };
    } else if (entry.type === 'file') {
      yield { entry, body: fileChunks(node, entry.size) };
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
