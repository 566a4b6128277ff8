/**
 * Scanning a build context: one walk that lstats every entry BuildKit would send, and no reads.
 * Content is hashed lazily, only for files a COPY/ADD source selects, and only when the index
 * cannot vouch for them; `saveIndex` records what was learnt for the next build.
 *
 * The walk is the frontend's (fsutil's filtering walk with .dockerignore semantics); the
 * Dockerfile and the .dockerignore are entries like any other unless ignored, as in BuildKit.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readlinkSync, type BigIntStats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ErrorCode, LadeError } from '../errors/index.js';
import { walkContextDir } from '../frontend/dockerignore/index.js';
import { contentKey } from './content-key.js';
import { hashFileSync, READ_CHUNK, statKey, statSize, type FileHash, type StatKey } from './file-hash.js';
import { hashFilesOnThread, nextIndex } from './hash-thread.js';
import { loadIndex, writeIndex, type IndexEntry } from './index-file.js';
import { selectSource } from './select.js';
import { ContextTree } from './tree.js';
import type { ContextFile, ContextFileType, ContextMatch, ContextScan, SaveIndexResult, ScanOptions, ScanStats } from './types.js';

/** Longest stretch of hashing without letting the event loop run. */
const SLICE_MS = 20;
/** Bytes to hash from which half of them go to a second thread (which costs about 30 ms to start). */
const THREAD_FROM_BYTES = 32 << 20;

type MutableFile = { -readonly [K in keyof ContextFile]: ContextFile[K] };

/** What the scan knows of one regular file besides its ContextFile. */
interface Slot {
  readonly file: MutableFile;
  readonly stat: StatKey;
  /** The index's entry, when its stat is this file's. */
  readonly indexed: IndexEntry | undefined;
  /** A digest read in this build from a file that held still while it was read. */
  fresh?: IndexEntry;
  pending?: Promise<void>;
}

/** Where lade keeps the index of the context `dir`: one directory per context realpath. */
export async function contextIndexDir(ladeRoot: string, dir: string): Promise<string> {
  const real = await realpath(dir);
  return join(ladeRoot, 'buildcontext', createHash('sha256').update(real).digest('hex'));
}

export async function scanContext(dir: string, options: ScanOptions = {}): Promise<ContextScan> {
  const real = await contextRealpath(dir);
  const index = options.indexDir === undefined ? undefined : await loadIndex(options.indexDir, real, options.racyWindowMs);
  const order: MutableFile[] = [];
  const slots = new Map<string, Slot>();
  for (const { path } of walkContextDir(real, options.ignore)) {
    const abs = join(real, path);
    let st: BigIntStats;
    try {
      st = lstatSync(abs, { bigint: true });
    } catch (err) {
      // fsutil skips what vanished between its readdir and its lstat.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new LadeError(ErrorCode.FileRead, `cannot read ${abs}: ${(err as Error).message}`, { cause: err });
    }
    const file = contextFile(path, abs, st);
    order.push(file);
    if (file.type === 'file') {
      const key = statKey(st);
      const entry = index?.entries.get(path);
      slots.set(path, { file, stat: key, indexed: entry?.stat === key ? entry : undefined });
    }
  }
  const stats: ScanStats = {
    entries: order.length,
    hashed: 0,
    hashedBytes: 0,
    hashedOnThread: 0,
    reused: 0,
    index: index?.status ?? 'none',
    racy: index?.racy ?? 0,
  };
  return new Scan(real, order, slots, stats, options, index?.entries.size);
}

async function contextRealpath(dir: string): Promise<string> {
  try {
    const real = await realpath(dir);
    if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
    return real;
  } catch (err) {
    throw new LadeError(ErrorCode.FileRead, `cannot read the build context ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

function contextFile(path: string, abs: string, st: BigIntStats): MutableFile {
  const type = fileType(st);
  const file: MutableFile = { path, type, mode: Number(st.mode & 0o7777n), size: Number(st.size), mtimeMs: Number(st.mtimeNs) / 1e6, mtimeNs: st.mtimeNs, nlink: Number(st.nlink) };
  if (type === 'symlink') {
    try {
      file.linkTarget = readlinkSync(abs);
    } catch (err) {
      throw new LadeError(ErrorCode.FileRead, `cannot read the symlink ${abs}: ${(err as Error).message}`, { cause: err });
    }
  } else if (type === 'char-device' || type === 'block-device') {
    // Linux's dev_t: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31 (glibc's gnu_dev_major/minor).
    const rdev = st.rdev;
    file.devMajor = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
    file.devMinor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  }
  return file;
}

function fileType(st: BigIntStats): ContextFileType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char-device';
  return 'block-device';
}

class Scan implements ContextScan {
  readonly files: ReadonlyMap<string, ContextFile>;
  readonly #tree: ContextTree;

  constructor(
    readonly dir: string,
    order: readonly MutableFile[],
    private readonly slots: ReadonlyMap<string, Slot>,
    readonly stats: ScanStats,
    private readonly options: ScanOptions,
    /** Entries in the loaded index, undefined when none was loaded. */
    private readonly loadedEntries: number | undefined,
  ) {
    this.files = new Map(order.map((f) => [f.path, f]));
    this.#tree = new ContextTree(order);
  }

  matches(source: string): ContextMatch[] {
    return [...selectSource(this.#tree, source).matches];
  }

  select(source: string): ContextFile[] {
    return selectSource(this.#tree, source).matches.flatMap((m) => m.entries);
  }

  async hash(files: Iterable<ContextFile>): Promise<void> {
    const waits: Array<Promise<void>> = [];
    const queue: Slot[] = [];
    for (const f of files) {
      if (f.type !== 'file' || f.digest !== undefined) continue;
      const slot = this.slots.get(f.path);
      if (slot?.file !== f) throw new LadeError(ErrorCode.Internal, `${f.path} is not a file of this build context scan`);
      if (slot.pending !== undefined) waits.push(slot.pending);
      else if (slot.indexed !== undefined) {
        slot.file.digest = slot.indexed.digest;
        this.stats.reused++;
      } else queue.push(slot);
    }
    if (queue.length > 0) {
      const batch = this.#hashBatch(queue);
      for (const slot of queue) slot.pending = batch;
      waits.push(batch);
    }
    await Promise.all(waits);
  }

  /**
   * Hashes one file after another, giving the event loop a turn every SLICE_MS (progress output,
   * other build steps). For a large batch a worker thread hashes beside this one, both taking the
   * next file from a shared counter.
   */
  async #hashBatch(queue: readonly Slot[]): Promise<void> {
    // Runs after the caller has marked the batch pending, and lets a caller's timers go first.
    await yieldToEventLoop();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    let there: Promise<void> | undefined;
    const total = queue.reduce((sum, slot) => sum + Number(statSize(slot.stat)), 0);
    if (total >= THREAD_FROM_BYTES && queue.length >= 2) {
      there = hashFilesOnThread(
        queue.map((slot) => join(this.dir, slot.file.path)),
        counter,
      ).then((outcomes) => {
        for (const [i, outcome] of outcomes) {
          const slot = queue[i]!;
          if ('error' in outcome) throw new LadeError(ErrorCode.FileRead, `cannot read ${join(this.dir, slot.file.path)}: ${outcome.error}`);
          this.#record(slot, outcome.hash);
          this.stats.hashedOnThread++;
        }
      });
      // Awaited below; until then a failure must not count as unhandled.
      there.catch(() => undefined);
    }
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    let sliceStart = performance.now();
    for (let i = nextIndex(counter); i < queue.length; i = nextIndex(counter)) {
      this.#hashOne(queue[i]!, buffer);
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    await there;
  }

  #hashOne(slot: Slot, buffer: Buffer): void {
    const abs = join(this.dir, slot.file.path);
    let result;
    try {
      result = hashFileSync(abs, buffer);
    } catch (err) {
      throw new LadeError(ErrorCode.FileRead, `cannot read ${abs}: ${(err as Error).message}`, { cause: err });
    }
    this.#record(slot, result);
  }

  #record(slot: Slot, result: FileHash): void {
    slot.file.digest = result.digest;
    this.stats.hashed++;
    this.stats.hashedBytes += result.bytes;
    // A file that changed since the scan, or while it was read, is not vouched for next time.
    if (result.stable && result.stat === slot.stat) slot.fresh = { stat: slot.stat, digest: result.digest };
  }

  async contentKey(sources: readonly string[]): Promise<string> {
    const selections = sources.map((s) => selectSource(this.#tree, s));
    const files = new Set<ContextFile>();
    for (const { matches } of selections) for (const m of matches) for (const e of m.entries) if (e.type === 'file') files.add(e);
    await this.hash(files);
    return contentKey(sources, selections);
  }

  async saveIndex(): Promise<SaveIndexResult> {
    const indexDir = this.options.indexDir;
    if (indexDir === undefined) return { written: false, entries: 0 };
    const entries: Array<[string, IndexEntry]> = [];
    let fresh = 0;
    for (const [path, slot] of this.slots) {
      const entry = slot.fresh ?? slot.indexed;
      if (entry === undefined) continue;
      entries.push([path, entry]);
      if (slot.fresh !== undefined) fresh++;
    }
    // Nothing learnt and nothing dropped: the index on disk is this one.
    if (fresh === 0 && entries.length === this.loadedEntries) return { written: false, entries: entries.length };
    try {
      return { written: true, entries: await writeIndex(indexDir, this.dir, entries) };
    } catch (err) {
      return { written: false, entries: 0, error: err as Error };
    }
  }
}
