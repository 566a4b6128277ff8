/**
 * The bytes of one cache index entry. The first line carries a format tag and the sha256 of the
 * rest, so an entry that is torn, truncated or zero-filled (a power loss after a rename whose data
 * had not reached the disk) is recognised and read as a miss rather than trusted or thrown on.
 *
 *   lade-cache-entry 1 <sha256 hex of body>\n
 *   {"createdAt":…,"key":"sha256:…","name":…,"result":{…}}
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../graph/index.js';
import type { CacheKey } from './cache-key.js';
import type { OpResult } from './op-adapter.js';

export interface CacheEntry {
  key: CacheKey;
  result: OpResult;
  /** When the result was stored, in ms since the epoch. */
  createdAt: number;
  /** The progress name of the vertex that produced it, for people reading the index (GC, debugging). */
  name?: string;
}

const TAG = 'lade-cache-entry 1';
const HEADER_RE = /^lade-cache-entry 1 ([0-9a-f]{64})$/;

function hexSha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function encodeEntry(entry: CacheEntry): Buffer {
  // canonicalJson throws on values JSON cannot carry faithfully (NaN, Infinity), which a result
  // must not contain; `undefined` members are dropped as JSON.stringify would.
  const body = Buffer.from(canonicalJson(entry), 'utf8');
  return Buffer.concat([Buffer.from(`${TAG} ${hexSha256(body)}\n`, 'latin1'), body]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The entry stored under `key`, or undefined when `bytes` is anything but a whole, matching entry. */
export function decodeEntry(key: CacheKey, bytes: Buffer): CacheEntry | undefined {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) return undefined;
  const header = HEADER_RE.exec(bytes.subarray(0, newline).toString('latin1'));
  const body = bytes.subarray(newline + 1);
  if (header === null || header[1] !== hexSha256(body)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed)) return undefined;
  const { key: storedKey, result, createdAt, name } = parsed;
  // The key inside guards against a file copied or renamed under another key's name.
  if (storedKey !== key || !isPlainObject(result) || typeof createdAt !== 'number') return undefined;
  if (name !== undefined && typeof name !== 'string') return undefined;
  return name === undefined ? { key, result, createdAt } : { key, result, createdAt, name };
}
