/**
 * The per-context index: path → (size, mtime, ctime, inode, device, mode) → sha256, so that a
 * file unchanged since the last build is not read again.
 *
 * File format (`<indexDir>/index`): one header line `lade-context-index 1 <sha256 hex of the
 * body>\n`, then the body, JSON: `{ dir, writtenAtNs, entries: [[path, statKey, hex], …] }`
 * (statKey as file-hash.ts makes it; one string, so that loading parses no numbers but the
 * two times the racy check needs: 10,000 entries load in ~5 ms). Anything that does not check
 * out — another version, a checksum mismatch (a torn or foreign write), bad JSON, an entry of the
 * wrong shape, another context's index — is ignored as a whole: the index is a cache, and a
 * build must never fail or go wrong because of it.
 *
 * Writes go to a temp file renamed over the index, so a reader sees an old or a new index,
 * never a mix; concurrent builds of one context each write a whole index and the last rename
 * wins. No fsync: after a crash the checksum rejects a file the rename exposed before its data.
 *
 * "Racy" entries (git's term): an index written in the same timestamp granule as a change to
 * a file can hold the old digest next to a stat that the change did not alter. So an entry whose
 * mtime or ctime is within the racy window (2 s) of the write time is dropped when the index is
 * loaded, and the file is read again next time it is needed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { changedAtNs, type StatKey } from './file-hash.js';

const MAGIC = 'lade-context-index';
const VERSION = 1;
const FILE = 'index';
const TEMP_PREFIX = 'index.tmp.';
/** Coarser than any timestamp granule lade may meet (FAT's 2 s). */
export const DEFAULT_RACY_WINDOW_MS = 2000;

export interface IndexEntry {
  readonly stat: StatKey;
  /** `sha256:<hex>`. */
  readonly digest: string;
}

export type LoadedIndex =
  | { status: 'missing' | 'invalid'; entries: Map<string, IndexEntry>; racy: 0 }
  | { status: 'loaded'; entries: Map<string, IndexEntry>; racy: number };

type RawEntry = [path: string, stat: StatKey, hex: string];

const ENTRY_STAT = /^\d+:\d+:\d+:\d+:\d+:\d+$/;
const HEX64 = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * Reads the index of the context `dir` (its realpath); never throws. Entries whose file changed
 * less than `racyWindowMs` before the index was written are left out.
 */
export async function loadIndex(indexDir: string, dir: string, racyWindowMs = DEFAULT_RACY_WINDOW_MS): Promise<LoadedIndex> {
  const path = join(indexDir, FILE);
  let data: Buffer;
  let fileMtimeNs: bigint;
  try {
    const handle = await open(path, 'r');
    try {
      fileMtimeNs = (await handle.stat({ bigint: true })).mtimeNs;
      data = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch {
    return { status: 'missing', entries: new Map(), racy: 0 };
  }
  const invalid: LoadedIndex = { status: 'invalid', entries: new Map(), racy: 0 };
  const newline = data.indexOf(0x0a);
  if (newline < 0) return invalid;
  const header = data.subarray(0, newline).toString('latin1').split(' ');
  const body = data.subarray(newline + 1);
  if (header.length !== 3 || header[0] !== MAGIC || header[1] !== String(VERSION)) return invalid;
  if (createHash('sha256').update(body).digest('hex') !== header[2]) return invalid;
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return invalid;
  }
  if (typeof doc !== 'object' || doc === null) return invalid;
  const { dir: indexedDir, writtenAtNs, entries } = doc as Record<string, unknown>;
  if (indexedDir !== dir || typeof writtenAtNs !== 'string' || !DECIMAL.test(writtenAtNs) || !Array.isArray(entries)) {
    return invalid;
  }
  // The earlier of the two clocks that stamped the write: ours, and the filesystem's (which also
  // stamps the files: on a network filesystem the two may differ).
  const writtenAt = Math.min(Number(writtenAtNs), Number(fileMtimeNs));
  const window = Math.max(0, racyWindowMs) * 1e6;
  const out = new Map<string, IndexEntry>();
  let racy = 0;
  for (const raw of entries) {
    const entry = parseEntry(raw);
    if (entry === undefined) return invalid;
    const [path, e] = entry;
    if (changedAtNs(e.stat) + window > writtenAt) racy++;
    else out.set(path, e);
  }
  return { status: 'loaded', entries: out, racy };
}

function parseEntry(raw: unknown): [string, IndexEntry] | undefined {
  if (!Array.isArray(raw) || raw.length !== 3) return undefined;
  const [path, stat, hex] = raw as RawEntry;
  if (typeof path !== 'string' || typeof stat !== 'string' || typeof hex !== 'string') return undefined;
  if (!ENTRY_STAT.test(stat) || !HEX64.test(hex)) return undefined;
  return [path, { stat, digest: `sha256:${hex}` }];
}

/** Writes the index atomically (temp file + rename). Throws on I/O errors; the caller decides what they cost. */
export async function writeIndex(indexDir: string, dir: string, entries: Iterable<[string, IndexEntry]>): Promise<number> {
  await mkdir(indexDir, { recursive: true });
  await removeDeadTemps(indexDir);
  const rows: RawEntry[] = [];
  for (const [path, { stat, digest }] of entries) rows.push([path, stat, digest.slice('sha256:'.length)]);
  // Taken after every digest was computed: whatever changed after this is caught by the racy check or the stat.
  // Sub-millisecond (Date.now() would round down by up to 1 ms): with a window of 0, a file
  // changed before this write is never taken for one changed after it.
  const writtenAtNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  const body = Buffer.from(JSON.stringify({ dir, writtenAtNs: String(writtenAtNs), entries: rows }), 'utf8');
  const header = `${MAGIC} ${VERSION} ${createHash('sha256').update(body).digest('hex')}\n`;
  const temp = join(indexDir, `${TEMP_PREFIX}${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temp, Buffer.concat([Buffer.from(header, 'latin1'), body]), { mode: 0o600 });
    await rename(temp, join(indexDir, FILE));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return rows.length;
}

/** Temp files of writers that died before their rename (a live writer's are left alone). */
async function removeDeadTemps(indexDir: string): Promise<void> {
  for (const name of await readdir(indexDir)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const pid = Number(name.slice(TEMP_PREFIX.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) await rm(join(indexDir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
