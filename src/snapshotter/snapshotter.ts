/**
 * The snapshotter: layers as directories `<root>/snapshots/<driver>/<id>/fs` (plus `work` for an
 * active overlay snapshot), named by the records in metadata.ts.
 *
 * overlay (containerd's overlay snapshotter): a committed snapshot holds only its own changes;
 * an active one is an overlay of its parent chain (relative lowerdirs, `cwd` = the driver
 * directory) with its own upper and work directories. copy (containerd's native snapshotter):
 * every snapshot holds its whole tree; an active one is a bind mount of a copy of its parent.
 *
 * Crash safety: new trees are built in a staging directory owned by this process (owned-dir.ts),
 * synced, then, under the lock, renamed to a fresh id and recorded. A kill at any moment leaves
 * either the old records or the new ones, plus at worst a directory no record names; open()
 * removes those.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { cleanAtomicTemps, sha256Digest } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { applyLayer, applyLayerOnThread, measureLayer, writeLayer, type ApplyStats, type LayerMeasure, type LayerSource } from '../layer/index.js';
import { syncfs } from '../sys/index.js';
import { changeEntries } from './change-writer.js';
import { OVERLAY_ENTRY_OPTIONS, overlayChanges, treeChanges } from './diff-walk.js';
import type { DiffOptions } from './same-entry.js';
import { resolvePath, type LayerStack } from './merged-view.js';
import { infoOf, Metadata, notFound, parentChain, type MetadataDoc, type SnapshotRecord } from './metadata.js';
import { MOUNT_DATA_MAX, mountAt, OVERLAY_OPTIONS, unmountAt } from './mount.js';
import { cleanOwnedDirs, createOwnedDir } from './owned-dir.js';
import { copyTree, diskUsage } from './tree-util.js';
import type { ApplySnapshotOptions, Snapshotter, SnapshotDriver, SnapshotInfo, SnapshotMount, SnapshotUsage } from './types.js';

/** overlayfs's OVL_MAX_STACK: lower layers one mount can stack. */
export const MAX_OVERLAY_LOWERS = 500;

/** From this size a layer is unpacked on a worker thread (starting one costs about 30 ms). */
const APPLY_ON_THREAD_FROM = 16 << 20;

type Chain = ReturnType<typeof parentChain>;

function checkName(name: string, what: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('\0')) {
    throw new LadeError(ErrorCode.Internal, `invalid ${what} ${JSON.stringify(name)}: a snapshot name is a non-empty string without NUL`);
  }
}

function exists(name: string): LadeError {
  return new LadeError(ErrorCode.SnapshotExists, `snapshot ${JSON.stringify(name)} already exists`, {
    hint: 'Choose another key, or remove the existing snapshot first.',
  });
}

function wrongKind(name: string, kind: string, wanted: string): LadeError {
  return new LadeError(ErrorCode.SnapshotWrongKind, `snapshot ${JSON.stringify(name)} is ${kind}, not ${wanted}`, {
    hint: 'Only committed snapshots can be parents, and only active snapshots can be committed.',
  });
}

async function closeSource(layer: AsyncIterable<unknown> | NodeJS.ReadableStream): Promise<void> {
  const readable = layer as Partial<Readable>;
  if (typeof readable.destroy === 'function') readable.destroy();
  else await (layer as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
}

class DirSnapshotter implements Snapshotter {
  private readonly meta: Metadata;
  private readonly stagingDir: string;
  private readonly mountsDir: string;

  constructor(readonly driver: SnapshotDriver, readonly dir: string) {
    this.meta = new Metadata(dir, driver);
    this.stagingDir = join(dir, 'staging');
    this.mountsDir = join(dir, 'mounts');
  }

  private fsOf(record: SnapshotRecord): string {
    return join(this.dir, String(record.id), 'fs');
  }

  private record(doc: MetadataDoc, name: string): SnapshotRecord {
    const record = doc.snapshots[name];
    if (record === undefined) throw notFound(name);
    return record;
  }

  /** Checks that `key` is free and `parent` a committed snapshot shallow enough to stack on. */
  private checkNew(doc: MetadataDoc, key: string, parent: string | undefined): void {
    if (doc.snapshots[key] !== undefined) throw exists(key);
    if (parent === undefined) return;
    const record = doc.snapshots[parent];
    if (record === undefined) throw notFound(parent, 'parent snapshot');
    if (record.kind !== 'committed') throw wrongKind(parent, record.kind, 'committed');
    const depth = parentChain(doc, parent).length + 1;
    if (this.driver === 'overlay' && depth > MAX_OVERLAY_LOWERS) throw tooDeep(parent, depth);
  }

  /** Moves a finished staging tree to a fresh id. Runs under the lock; the caller records it. */
  private install(doc: MetadataDoc, staging: string): number {
    const id = doc.nextId++;
    const target = join(this.dir, String(id));
    // Synchronous, under the records' lock: small, and a trip through the thread pool costs more.
    rmSync(target, { recursive: true, force: true }); // debris of a process killed while installing
    renameSync(staging, target);
    return id;
  }

  private async create(key: string, parent: string | undefined, kind: 'active' | 'view', labels: Record<string, string>): Promise<SnapshotMount[]> {
    checkName(key, 'snapshot key');
    const before = await this.meta.read();
    this.checkNew(before, key, parent);
    const staging = await createOwnedDir(this.stagingDir);
    try {
      const tree = join(staging.path, 'fs');
      if (this.driver === 'copy' && kind === 'active' && parent !== undefined) {
        await copyTree(this.fsOf(this.record(before, parent)), tree);
        syncfs(tree);
      } else {
        mkdirSync(tree, { mode: 0o755 });
      }
      if (this.driver === 'overlay' && kind === 'active') mkdirSync(join(staging.path, 'work'), { mode: 0o700 });
      await this.meta.change(async (doc) => {
        this.checkNew(doc, key, parent);
        const id = this.install(doc, staging.path);
        doc.snapshots[key] = { id, kind, ...(parent === undefined ? {} : { parent }), created: new Date().toISOString(), labels: { ...labels } };
        return { write: true, result: undefined };
      });
    } finally {
      await staging.release();
    }
    return this.mounts(key);
  }

  prepare(key: string, parent: string | undefined, labels: Record<string, string> = {}): Promise<SnapshotMount[]> {
    return this.create(key, parent, 'active', labels);
  }

  view(key: string, parent: string | undefined, labels: Record<string, string> = {}): Promise<SnapshotMount[]> {
    return this.create(key, parent, 'view', labels);
  }

  async mounts(key: string): Promise<SnapshotMount[]> {
    const doc = await this.meta.read();
    const record = this.record(doc, key);
    const chain = parentChain(doc, key);
    const bind = (record_: SnapshotRecord, mode: 'rw' | 'ro'): SnapshotMount[] => [
      { type: 'bind', source: this.fsOf(record_), options: ['rbind', mode], cwd: '' },
    ];
    if (this.driver === 'copy') {
      if (record.kind === 'view' && chain.length > 0) return bind(chain[0]!.record, 'ro');
      return bind(record, record.kind === 'active' ? 'rw' : 'ro');
    }
    if (record.kind === 'active') {
      if (chain.length === 0) return bind(record, 'rw');
      return [this.overlay(key, chain, [`upperdir=${record.id}/fs`, `workdir=${record.id}/work`])];
    }
    // Read-only: a committed snapshot shows itself over its parents; a view shows its parents.
    const layers = record.kind === 'committed' ? [{ name: key, record }, ...chain] : chain;
    if (layers.length === 0) return bind(record, 'ro');
    if (layers.length === 1) return bind(layers[0]!.record, 'ro');
    return [this.overlay(key, layers, ['ro'])];
  }

  private overlay(key: string, lowers: Chain, extra: string[]): SnapshotMount {
    if (lowers.length > MAX_OVERLAY_LOWERS) throw tooDeep(key, lowers.length);
    const options = [...OVERLAY_OPTIONS, `lowerdir=${lowers.map((l) => `${l.record.id}/fs`).join(':')}`, ...extra];
    const data = options.filter((o) => o !== 'ro').join(',');
    if (Buffer.byteLength(data) > MOUNT_DATA_MAX) {
      throw new LadeError(ErrorCode.SnapshotTooDeep, `snapshot ${JSON.stringify(key)} stacks ${lowers.length} layers whose overlay options take ${Buffer.byteLength(data)} bytes; the kernel takes at most ${MOUNT_DATA_MAX}`, {
        hint: 'Squash the image (fewer layers), or use the copy driver (LADE_SNAPSHOTTER=copy).',
      });
    }
    return { type: 'overlay', source: 'overlay', options, cwd: this.dir };
  }

  async commit(name: string, key: string, labels: Record<string, string> = {}): Promise<void> {
    checkName(name, 'snapshot name');
    const before = this.record(await this.meta.read(), key);
    if (before.kind === 'active') syncfs(this.fsOf(before));
    await this.meta.change(async (doc) => {
      const record = this.record(doc, key);
      if (record.kind !== 'active') throw wrongKind(key, record.kind, 'active');
      if (doc.snapshots[name] !== undefined) throw exists(name);
      delete doc.snapshots[key];
      doc.snapshots[name] = { ...record, kind: 'committed', labels: { ...record.labels, ...labels } };
      return { write: true, result: undefined };
    });
  }

  async remove(key: string): Promise<void> {
    const record = await this.meta.change(async (doc) => {
      const found = this.record(doc, key);
      const children = Object.entries(doc.snapshots)
        .filter(([, r]) => r.parent === key)
        .map(([n]) => n);
      if (children.length > 0) {
        const shown = children.slice(0, 3).map((c) => JSON.stringify(c)).join(', ');
        throw new LadeError(ErrorCode.SnapshotInUse, `cannot remove snapshot ${JSON.stringify(key)}: ${children.length} snapshot(s) are built on it (${shown}${children.length > 3 ? ', …' : ''})`, {
          hint: 'Remove the snapshots built on it first.',
        });
      }
      delete doc.snapshots[key];
      return { write: true, result: found };
    });
    // Recorded as gone first: if this removal is cut short, the next open finishes it.
    await rm(join(this.dir, String(record.id)), { recursive: true, force: true }).catch(() => undefined);
  }

  async stat(name: string): Promise<SnapshotInfo | undefined> {
    const record = (await this.meta.read()).snapshots[name];
    return record === undefined ? undefined : infoOf(name, record);
  }

  async list(): Promise<SnapshotInfo[]> {
    const doc = await this.meta.read();
    return Object.entries(doc.snapshots).map(([name, record]) => infoOf(name, record));
  }

  async apply(
    name: string,
    parent: string | undefined,
    layer: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
    options: ApplySnapshotOptions = {},
  ): Promise<{ unpacked: number } | undefined> {
    checkName(name, 'snapshot name');
    const sameCommitted = (doc: MetadataDoc): boolean => {
      const found = doc.snapshots[name];
      if (found === undefined) return false;
      if (found.kind !== 'committed' || found.parent !== parent) throw exists(name);
      return true;
    };
    const before = await this.meta.read();
    if (sameCommitted(before)) {
      await closeSource(layer);
      return undefined;
    }
    this.checkNew(before, name, parent);
    const staging = await createOwnedDir(this.stagingDir);
    try {
      const tree = join(staging.path, 'fs');
      if (this.driver === 'copy' && parent !== undefined) await copyTree(this.fsOf(this.record(before, parent)), tree);
      else await mkdir(tree, { mode: 0o755 });
      const needHash = options.verifiedBy === undefined;
      const applyOptions = { whiteouts: this.driver === 'overlay' ? 'overlay' : 'delete' } as const;
      let sha256: string | undefined;
      let stats: ApplyStats;
      if ((options.sizeHint ?? 0) >= APPLY_ON_THREAD_FROM) {
        // The worker hashes what it unpacks: the thread feeding it (a download, its own hashing
        // and its copy into the store) is the busier one.
        ({ sha256, ...stats } = await applyLayerOnThread(tree, layer as AsyncIterable<Uint8Array>, applyOptions, { hash: needHash }));
      } else {
        const hash = needHash ? createHash('sha256') : undefined;
        async function* hashed(): AsyncGenerator<Uint8Array> {
          for await (const chunk of layer as AsyncIterable<Uint8Array | string>) {
            const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            hash?.update(bytes);
            yield bytes;
          }
        }
        stats = await applyLayer(tree, hash === undefined ? (layer as AsyncIterable<Uint8Array>) : hashed(), applyOptions);
        sha256 = hash?.digest('hex');
      }
      if (!needHash) await options.verifiedBy;
      else {
        const diffId = sha256Digest(sha256!);
        if (options.diffId !== undefined && options.diffId !== diffId) {
          throw new LadeError(ErrorCode.DigestMismatch, `layer for snapshot ${JSON.stringify(name)} has diff ID ${diffId}, expected ${options.diffId}`, {
            hint: 'The layer blob does not match the image config: pull or load the image again.',
          });
        }
      }
      // The tree must be on disk before the record that names it: otherwise a power failure can
      // leave a committed snapshot with files missing (containerd's data-loss reports, and its
      // opt-in image_pull_with_sync_fs, which does this).
      syncfs(tree);
      await this.meta.change(async (doc) => {
        if (sameCommitted(doc)) return { write: false, result: undefined }; // another process won
        this.checkNew(doc, name, parent);
        const id = this.install(doc, staging.path);
        doc.snapshots[name] = { id, kind: 'committed', ...(parent === undefined ? {} : { parent }), created: new Date().toISOString(), labels: {} };
        return { write: true, result: undefined };
      });
      return { unpacked: stats.unpacked };
    } finally {
      await staging.release();
    }
  }

  diff(key: string, options: DiffOptions = {}): Readable {
    return writeLayer(this.diffSources(key, options));
  }

  measureDiff(key: string, options: DiffOptions = {}): Promise<LayerMeasure> {
    return measureLayer(this.diffSources(key, options));
  }

  private async *diffSources(key: string, options: DiffOptions): AsyncGenerator<LayerSource, void, undefined> {
    const doc = await this.meta.read();
    const record = this.record(doc, key);
    if (record.kind === 'view') return;
    const chain = parentChain(doc, key);
    const own = this.fsOf(record);
    if (this.driver === 'overlay') {
      const lower = chain.length === 0 ? undefined : { layers: chain.map((c) => this.fsOf(c.record)), overlay: true };
      yield* changeEntries(overlayChanges(own, lower, options), own, OVERLAY_ENTRY_OPTIONS);
    } else {
      yield* changeEntries(treeChanges(chain.length === 0 ? undefined : this.fsOf(chain[0]!.record), own, options), own);
    }
  }

  /** The layer directories whose merge is the snapshot's tree, top-most first. */
  private stack(doc: MetadataDoc, key: string): LayerStack {
    const record = this.record(doc, key);
    const chain = parentChain(doc, key).map((c) => this.fsOf(c.record));
    if (this.driver === 'copy') return { layers: [record.kind === 'view' && chain.length > 0 ? chain[0]! : this.fsOf(record)], overlay: false };
    if (record.kind === 'view' && chain.length > 0) return { layers: chain, overlay: true };
    return { layers: [this.fsOf(record), ...chain], overlay: true };
  }

  async readFile(key: string, path: string): Promise<Buffer | undefined> {
    const found = resolvePath(this.stack(await this.meta.read(), key), path);
    if (found.kind === 'missing') return undefined;
    if (found.kind === 'dir' || !found.stat.isFile()) {
      throw new LadeError(ErrorCode.SnapshotIo, `cannot read ${JSON.stringify(path)} in snapshot ${JSON.stringify(key)}: it is ${found.kind === 'dir' ? 'a directory' : 'not a regular file'}`);
    }
    return readFile(found.abs);
  }

  async withMounted<T>(key: string, readonly: boolean, fn: (dir: string) => Promise<T>): Promise<T> {
    const mounts = await this.mounts(key);
    const target = await createOwnedDir(this.mountsDir, false);
    let mounted = 0;
    try {
      for (const m of mounts) {
        mountAt(readonly ? { ...m, options: [...m.options.filter((o) => o !== 'rw'), 'ro'] } : m, target.path);
        mounted++;
      }
      return await fn(target.path);
    } finally {
      try {
        for (; mounted > 0; mounted--) unmountAt(target.path);
      } finally {
        await target.release();
      }
    }
  }

  async ownDir(key: string): Promise<string> {
    return this.fsOf(this.record(await this.meta.read(), key));
  }

  async usage(key: string): Promise<SnapshotUsage> {
    return diskUsage(this.fsOf(this.record(await this.meta.read(), key)));
  }

  /** Removes what killed processes left: unrecorded layer directories, staging trees, mount points, temp files. */
  async cleanup(): Promise<void> {
    await this.meta.locked(async () => {
      const doc = await this.meta.read();
      const ids = new Set(Object.values(doc.snapshots).map((r) => String(r.id)));
      for (const name of await readdir(this.dir)) {
        if (/^[0-9]+$/.test(name) && !ids.has(name)) await rm(join(this.dir, name), { recursive: true, force: true });
      }
      await cleanOwnedDirs(this.stagingDir);
      await cleanOwnedDirs(this.mountsDir, true);
      await cleanAtomicTemps(this.dir);
    });
  }
}

function tooDeep(name: string, depth: number): LadeError {
  return new LadeError(ErrorCode.SnapshotTooDeep, `snapshot ${JSON.stringify(name)} would stack ${depth} layers; overlayfs stacks at most ${MAX_OVERLAY_LOWERS}`, {
    hint: 'Squash the image (fewer layers), or use the copy driver (LADE_SNAPSHOTTER=copy).',
  });
}

/** A snapshotter over `dir` (`<root>/snapshots/<driver>`), cleaned of a killed process's debris. */
export async function openDirSnapshotter(driver: SnapshotDriver, dir: string): Promise<Snapshotter> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const snapshotter = new DirSnapshotter(driver, dir);
  await snapshotter.cleanup();
  return snapshotter;
}
