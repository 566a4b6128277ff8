/**
 * The snapshotter's contract (containerd's snapshots.Snapshotter, BuildKit's snapshot/): trees
 * of layers named by key, handed out as mounts described as data, never mounted by the
 * snapshotter itself except for the short-lived helpers (readFile needs no mount at all;
 * withMounted mounts, runs a callback, unmounts).
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../content/index.js';
import type { DiffOptions } from './same-entry.js';
import type { LayerMeasure } from '../layer/index.js';

export type { DiffOptions };

export type SnapshotDriver = 'overlay' | 'copy';

/** A mount as data (containerd's mount.Mount): what to mount, not mounted yet. */
export interface SnapshotMount {
  /** 'overlay', or 'bind' for a bind mount (the options then hold 'rbind'). */
  readonly type: string;
  readonly source: string;
  /**
   * containerd's mount options: flag words ('ro', 'rw', 'rbind', 'nosuid', …) and filesystem data
   * ('lowerdir=12/fs:11/fs', …). mountArguments() splits them into mount(2)'s flags and data.
   */
  readonly options: readonly string[];
  /** chdir here for mount(2), so relative lowerdirs resolve; '' for none. */
  readonly cwd: string;
}

/**
 * `committed`: read-only, can be a parent. `active`: writable, becomes committed by commit().
 * `view`: read-only look at a committed snapshot, never committed.
 */
export type SnapshotKind = 'committed' | 'active' | 'view';

export interface SnapshotInfo {
  readonly name: string;
  readonly kind: SnapshotKind;
  readonly parent: string | undefined;
  /** ISO 8601, when the snapshot was prepared or applied. */
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ApplySnapshotOptions {
  /**
   * The sha256 of the uncompressed tar (the image config's diff_id): when given, the snapshot is
   * committed only if the bytes read hash to it (DIGEST_MISMATCH otherwise, nothing kept).
   */
  diffId?: Digest;
  /**
   * The same check made by the caller instead, on the same bytes as they are read (a content
   * store writing an uncompressed layer blob, whose digest is its diff ID): the bytes are not
   * hashed again, and the snapshot is committed only once this resolves.
   */
  verifiedBy?: Promise<unknown>;
  /**
   * About how many bytes the layer is (a descriptor's size): a large one is unpacked on a worker
   * thread, so that whoever produces the bytes (a download) is not held up by file creation.
   */
  sizeHint?: number;
}

export interface SnapshotUsage {
  /** Bytes allocated on disk (st_blocks × 512), each hardlinked inode once. */
  size: number;
  /** Distinct inodes, the layer's root directory included. */
  inodes: number;
}

export interface Snapshotter {
  readonly driver: SnapshotDriver;
  /** `<root>/snapshots/<driver>`: where the layers live (the `cwd` of overlay mounts). */
  readonly dir: string;
  /** A writable snapshot `key` on committed `parent` (or empty); its mounts. */
  prepare(key: string, parent: string | undefined, labels?: Record<string, string>): Promise<SnapshotMount[]>;
  /** A read-only snapshot `key` showing committed `parent` (or an empty tree); its mounts. */
  view(key: string, parent: string | undefined, labels?: Record<string, string>): Promise<SnapshotMount[]>;
  /** The mounts of an active or view snapshot (or of a committed one, read-only). */
  mounts(key: string): Promise<SnapshotMount[]>;
  /** Active `key` becomes committed `name`; `key` disappears. */
  commit(name: string, key: string, labels?: Record<string, string>): Promise<void>;
  /** Removes a snapshot; refuses (SNAPSHOT_IN_USE) while other snapshots have it as parent. */
  remove(key: string): Promise<void>;
  stat(name: string): Promise<SnapshotInfo | undefined>;
  list(): Promise<SnapshotInfo[]>;
  /**
   * Unpacks an uncompressed OCI layer tar on committed `parent` and commits it as `name`.
   * Idempotent: when `name` is already committed on the same parent the layer is not read
   * (the source is closed). Crash-safe: nothing is recorded before the tree is synced to disk.
   * Returns what the layer unpacked to (Docker's Size of it), or undefined when it was not read.
   */
  apply(
    name: string,
    parent: string | undefined,
    layer: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
    options?: ApplySnapshotOptions,
  ): Promise<{ unpacked: number } | undefined>;
  /**
   * The changes of snapshot `key` against its parent, as an uncompressed OCI layer tar in the
   * shape BuildKit writes (see change-writer.ts). A Readable: errors surface on the stream.
   */
  diff(key: string, options?: DiffOptions): Readable;
  /** What diff(key, options) would stream, measured without a stream: its sha256 and sizes. */
  measureDiff(key: string, options?: DiffOptions): Promise<LayerMeasure>;
  /**
   * A file's bytes from the snapshot's merged view, without mounting (for /etc/passwd lookups);
   * undefined when the path does not exist. Symlinks are resolved inside the snapshot, as in a
   * chroot. A directory at the path is an error.
   */
  readFile(key: string, path: string): Promise<Buffer | undefined>;
  /** Mounts the snapshot's view at a temporary host directory, runs fn, always unmounts. */
  withMounted<T>(key: string, readonly: boolean, fn: (dir: string) => Promise<T>): Promise<T>;
  /**
   * The directory holding the snapshot's own layer (overlay: its upper directory; copy: its whole
   * tree). Only for writing an active snapshot that is not mounted anywhere, or reading a
   * committed one: never while an overlay mount uses it.
   */
  ownDir(key: string): Promise<string>;
  /** Disk usage of the snapshot's own layer (for the copy driver: its whole tree). */
  usage(key: string): Promise<SnapshotUsage>;
}
