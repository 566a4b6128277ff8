/**
 * The snapshotter's records: one JSON document (`metadata.json`) replaced atomically, changed
 * only under an flock(2) on `lock`, so several lade processes can share a root. Reads need no
 * lock: a reader sees one whole version. Directories are written before the record naming them
 * (see snapshotter.ts), so a kill at any moment leaves at worst a directory no record names,
 * which the next open removes. The file is small and read several times per build step, so it is
 * read and written synchronously: a trip through Node's thread pool costs more than the I/O.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFileSync } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { tryFlock } from '../sys/index.js';
import type { SnapshotDriver, SnapshotInfo, SnapshotKind } from './types.js';

export interface SnapshotRecord {
  /** The directory `<dir>/<id>`; ids are never reused. */
  id: number;
  kind: SnapshotKind;
  parent?: string;
  created: string;
  labels: Record<string, string>;
}

export interface MetadataDoc {
  version: 1;
  driver: SnapshotDriver;
  /** The next id to allocate: every directory with a number at or above it is debris. */
  nextId: number;
  snapshots: Record<string, SnapshotRecord>;
}

const LOCK_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function infoOf(name: string, record: SnapshotRecord): SnapshotInfo {
  return { name, kind: record.kind, parent: record.parent, created: record.created, labels: { ...record.labels } };
}

export function notFound(name: string, what = 'snapshot'): LadeError {
  return new LadeError(ErrorCode.SnapshotNotFound, `${what} ${JSON.stringify(name)} does not exist`, {
    hint: 'It was removed or never created: prepare or apply it first (an image is unpacked again when it is next used).',
  });
}

export class Metadata {
  readonly path: string;
  private readonly lockPath: string;

  constructor(readonly dir: string, private readonly driver: SnapshotDriver) {
    this.path = join(dir, 'metadata.json');
    this.lockPath = join(dir, 'lock');
  }

  async read(): Promise<MetadataDoc> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, driver: this.driver, nextId: 1, snapshots: {} };
      throw new LadeError(ErrorCode.SnapshotIo, `cannot read the snapshot records ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    let doc: MetadataDoc;
    try {
      doc = JSON.parse(text) as MetadataDoc;
    } catch (err) {
      throw new LadeError(ErrorCode.SnapshotIo, `the snapshot records ${this.path} are not valid JSON`, {
        cause: err,
        hint: 'The file is replaced atomically, so it was edited by hand or the disk is damaged; remove the snapshots directory to start over.',
      });
    }
    if (doc === null || typeof doc !== 'object' || doc.version !== 1 || typeof doc.snapshots !== 'object' || !Number.isSafeInteger(doc.nextId)) {
      throw new LadeError(ErrorCode.SnapshotIo, `the snapshot records ${this.path} have an unknown format`, {
        hint: 'They were written by another version of lade; use that version.',
      });
    }
    return doc;
  }

  /** Runs fn holding the lock; fn may change `doc`, which is written back when fn returns true. */
  async change<T>(fn: (doc: MetadataDoc) => Promise<{ write: boolean; result: T }>): Promise<T> {
    return this.locked(async () => {
      const doc = await this.read();
      const { write, result } = await fn(doc);
      // Atomic but not fsynced: snapshot trees are synced before they are recorded, and a record lost
      // to a power loss only leaves a directory that open() removes (the layer is unpacked again).
      if (write) replaceFileSync(this.path, `${JSON.stringify(doc, null, 1)}\n`);
      return result;
    });
  }

  /** Runs fn holding the lock (the kernel drops it if this process dies). */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    const fd = openSync(this.lockPath, 'a', 0o600);
    try {
      const deadline = Date.now() + LOCK_TIMEOUT_MS;
      // Polling: a blocking flock would stall Node's event loop.
      for (let delay = 1; !tryFlock(fd); delay = Math.min(delay * 2, 50)) {
        if (Date.now() > deadline) {
          throw new LadeError(ErrorCode.SnapshotLocked, 'the snapshotter is busy: another lade process has held its lock for a minute', {
            hint: `Wait for the other lade command to finish (the lock is ${this.lockPath}).`,
          });
        }
        await sleep(delay);
      }
      return await fn();
    } finally {
      closeSync(fd);
    }
  }
}

/** The parent chain of `name`, nearest first (not including `name`). */
export function parentChain(doc: MetadataDoc, name: string): Array<{ name: string; record: SnapshotRecord }> {
  const chain: Array<{ name: string; record: SnapshotRecord }> = [];
  const seen = new Set<string>([name]);
  let parent = doc.snapshots[name]?.parent;
  while (parent !== undefined) {
    const record = doc.snapshots[parent];
    if (record === undefined || seen.has(parent)) {
      throw new LadeError(ErrorCode.Internal, `snapshot records are inconsistent: ${JSON.stringify(parent)} is missing or loops`);
    }
    seen.add(parent);
    chain.push({ name: parent, record });
    parent = record.parent;
  }
  return chain;
}
