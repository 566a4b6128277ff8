/**
 * writeLayer: entries → an uncompressed layer tar, in the bytes Go's archive/tar writes with
 * `Format: tar.FormatPAX`, as BuildKit (containerd's archive.WriteDiff) and Docker do: a plain
 * USTAR header when everything fits, else a PAX record file (`PaxHeaders.0/<name>`, records
 * sorted by key) before a USTAR header; directories named with a trailing `/`; mode bits without
 * file-type bits (as BuildKit; Docker's legacy builder adds them); two zero blocks at the end and
 * no record padding. The same entries always give the same bytes.
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { ErrorCode, LadeError } from '../errors/index.js';
import { cleanName, PERMISSION_MASK, type EntryType, type LayerEntry } from './entry.js';
import { formatPaxRecords, formatPaxTime, type PaxRecords } from './pax.js';
import { FileBody } from './file-body.js';
import { BLOCK, encodeExtensionHeader, encodeHeader, fitsOctal, splitUstarName, TypeFlag, type HeaderFields } from './tar-header.js';

/**
 * An entry body: bytes, a file read when the writer reaches the entry, or chunks produced lazily
 * (also pulled only then).
 */
export type BodySource = Uint8Array | FileBody | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface LayerSource {
  entry: LayerEntry;
  /** Required for `file` entries with a non-zero size; must hold exactly `entry.size` bytes. */
  body?: BodySource | undefined;
}

const TYPEFLAGS: Record<EntryType, number> = {
  file: TypeFlag.Reg,
  dir: TypeFlag.Dir,
  symlink: TypeFlag.Symlink,
  hardlink: TypeFlag.Link,
  char: TypeFlag.Char,
  block: TypeFlag.Block,
  fifo: TypeFlag.Fifo,
};

const NS_PER_S = 1_000_000_000n;
export const ZEROS = Buffer.alloc(BLOCK * 2);
/** Go's maxSpecialFileSize: the largest PAX record file readers accept. */
const MAX_PAX_DATA = 1 << 20;
/** Output is coalesced into chunks of about this size: tiny files would otherwise cost a chunk each. */
const CHUNK = 1 << 16;

export function invalid(entry: LayerEntry, message: string): LadeError {
  return new LadeError(ErrorCode.LayerInvalidEntry, `cannot write layer entry "${entry.path}": ${message}`);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || c === 0) return false;
  }
  return true;
}

/** Go's toASCII: what a header field can hold once a PAX record carries the real value. */
function toAscii(s: string): Buffer {
  return Buffer.from(isAscii(s) ? s : [...s].filter((c) => c.charCodeAt(0) < 0x80 && c !== '\0').join(''), 'latin1');
}

const NO_BYTES = Buffer.alloc(0);

/** Most link targets and owner names of a layer are empty: no buffer for those. */
function latin1(s: string): Buffer {
  return s === '' ? NO_BYTES : Buffer.from(s, 'latin1');
}

function isUint(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function validate(entry: LayerEntry): void {
  if (TYPEFLAGS[entry.type] === undefined) throw invalid(entry, `unknown type ${JSON.stringify(entry.type)}`);
  let clean: string;
  try {
    clean = cleanName(entry.path, 'entry name').path;
  } catch (err) {
    throw invalid(entry, (err as Error).message);
  }
  if (clean !== entry.path) throw invalid(entry, `the path is not clean (it would read back as "${clean}")`);
  if (entry.path === '.' && entry.type !== 'dir') throw invalid(entry, 'only a directory can stand for the layer root');
  if (!Number.isInteger(entry.mode) || entry.mode < 0 || entry.mode > PERMISSION_MASK) {
    throw invalid(entry, `mode ${entry.mode} is not a set of permission bits`);
  }
  if (typeof entry.mtime !== 'bigint') throw invalid(entry, 'mtime must be a bigint of nanoseconds');
  if (!isUint(entry.uid) || !isUint(entry.gid)) throw invalid(entry, `uid ${entry.uid} / gid ${entry.gid} out of range`);
  if (!isUint(entry.size)) throw invalid(entry, `size ${entry.size} out of range`);
  if (entry.type !== 'file' && entry.size !== 0) throw invalid(entry, `a ${entry.type} entry has no data but size is ${entry.size}`);
  if (entry.type === 'symlink' && entry.linkname === '') throw invalid(entry, 'a symlink needs a target');
  if (entry.type === 'hardlink') {
    const target = entry.linkname === '' ? undefined : cleanName(entry.linkname, 'hardlink target');
    if (target === undefined || target.root || target.path !== entry.linkname) {
      throw invalid(entry, `hardlink target ${JSON.stringify(entry.linkname)} must be a clean root-relative path`);
    }
  } else if (entry.type !== 'symlink' && entry.linkname !== '') {
    throw invalid(entry, `a ${entry.type} entry cannot have a link target`);
  }
  if (entry.linkname.includes('\0') || entry.uname.includes('\0') || entry.gname.includes('\0')) {
    throw invalid(entry, 'NUL byte in a link target or owner name');
  }
  if (!isUint(entry.devmajor) || !isUint(entry.devminor) || !fitsOctal(8, entry.devmajor) || !fitsOctal(8, entry.devminor)) {
    throw invalid(entry, `device ${entry.devmajor}:${entry.devminor} out of range`);
  }
  for (const name of entry.xattrs.keys()) {
    if (name === '' || name.includes('\0') || name.includes('=')) throw invalid(entry, `xattr name ${JSON.stringify(name)} cannot be recorded`);
  }
}

/** The header block(s) of one entry: optional PAX record file (with padding), then the header. */
export function encodeEntryHeader(entry: LayerEntry): Buffer {
  validate(entry);
  const tarName = entry.path === '.' ? './' : entry.type === 'dir' ? `${entry.path}/` : entry.path;
  const size = entry.type === 'file' ? entry.size : 0;
  const isDevice = entry.type === 'char' || entry.type === 'block';
  const records: PaxRecords = new Map();
  let ustar = true;
  let preferPax = false;

  const text = (value: string, width: number, key: string): void => {
    if (value.length <= width && isAscii(value)) return;
    const bytes = Buffer.from(value, 'utf8');
    if (key !== 'path' || !isAscii(value) || splitUstarName(bytes) === undefined) ustar = false;
    records.set(key, bytes);
  };
  const number = (value: number, width: number, key: string): void => {
    if (fitsOctal(width, value)) return;
    ustar = false;
    records.set(key, Buffer.from(String(value), 'latin1'));
  };
  text(tarName, 100, 'path');
  text(entry.linkname, 100, 'linkpath');
  text(entry.uname, 32, 'uname');
  text(entry.gname, 32, 'gname');
  number(entry.uid, 8, 'uid');
  number(entry.gid, 8, 'gid');
  number(size, 12, 'size');

  // Floor division, so that a negative time keeps a positive sub-second part.
  let wholeSeconds = entry.mtime / NS_PER_S;
  if (entry.mtime < 0n && wholeSeconds * NS_PER_S !== entry.mtime) wholeSeconds -= 1n;
  // Exact as a double: an int64 of nanoseconds spans ±9.3e9 seconds.
  const seconds = Number(wholeSeconds);
  const fits = fitsOctal(12, seconds);
  if (!fits) ustar = false;
  if (!fits || wholeSeconds * NS_PER_S !== entry.mtime) {
    preferPax = true;
    records.set('mtime', Buffer.from(formatPaxTime(entry.mtime), 'latin1'));
  }
  for (const [name, value] of entry.xattrs) {
    ustar = false;
    records.set(`SCHILY.xattr.${name}`, Buffer.from(value));
  }

  // One object, its strings filled per format below: a layer encodes thousands of headers.
  const common: HeaderFields = {
    name: NO_BYTES,
    linkname: NO_BYTES,
    uname: NO_BYTES,
    gname: NO_BYTES,
    typeflag: TYPEFLAGS[entry.type],
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    size,
    mtime: seconds,
    devmajor: isDevice ? entry.devmajor : 0,
    devminor: isDevice ? entry.devminor : 0,
  };
  if (ustar && !preferPax) {
    const nameBytes = Buffer.from(tarName, 'latin1');
    const split = splitUstarName(nameBytes);
    common.name = split?.name ?? nameBytes;
    if (split !== undefined) common.prefix = split.prefix;
    common.linkname = latin1(entry.linkname);
    common.uname = latin1(entry.uname);
    common.gname = latin1(entry.gname);
    return encodeHeader(common);
  }

  const data = formatPaxRecords(records);
  if (data.length > MAX_PAX_DATA) throw invalid(entry, `its PAX records take ${data.length} bytes; readers (Go's, lade's) stop at 1 MiB`);
  const slash = tarName.lastIndexOf('/');
  const recordName = posix.join(tarName.slice(0, slash + 1), 'PaxHeaders.0', tarName.slice(slash + 1));
  let paxName = toAscii(recordName).subarray(0, 100);
  let end = paxName.length;
  while (end > 0 && paxName[end - 1] === 0x2f) end--;
  paxName = paxName.subarray(0, end);
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return Buffer.concat([
    encodeExtensionHeader(TypeFlag.PaxLocal, paxName, data.length),
    data,
    ZEROS.subarray(0, pad),
    encodeHeader({
      ...common,
      name: toAscii(tarName),
      linkname: toAscii(entry.linkname),
      uname: toAscii(entry.uname),
      gname: toAscii(entry.gname),
    }),
  ]);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
}

export async function* bodyChunks(body: BodySource | undefined): AsyncGenerator<Uint8Array, void, undefined> {
  if (body === undefined) return;
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  if (body instanceof FileBody) {
    yield* body.chunks();
    return;
  }
  if (isAsyncIterable(body)) yield* body;
  else yield* body;
}

async function* generate(entries: Iterable<LayerSource> | AsyncIterable<LayerSource>): AsyncGenerator<Buffer, void, undefined> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const flush = (): Buffer => {
    const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingSize);
    pending = [];
    pendingSize = 0;
    return out;
  };

  for await (const { entry, body } of entries) {
    pending.push(encodeEntryHeader(entry));
    pendingSize += pending[pending.length - 1]!.length;
    if (entry.type === 'file') {
      let written = 0;
      for await (const chunk of bodyChunks(body)) {
        written += chunk.length;
        if (written > entry.size) throw invalid(entry, `the body is longer than the ${entry.size} bytes the entry declares`);
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        if (buf.length >= CHUNK) {
          if (pendingSize > 0) yield flush();
          yield buf;
        } else {
          pending.push(buf);
          pendingSize += buf.length;
        }
        if (pendingSize >= CHUNK) yield flush();
      }
      if (written !== entry.size) throw invalid(entry, `the body has ${written} bytes, the entry declares ${entry.size}`);
      const pad = (BLOCK - (entry.size % BLOCK)) % BLOCK;
      if (pad > 0) {
        pending.push(ZEROS.subarray(0, pad));
        pendingSize += pad;
      }
    }
    if (pendingSize >= CHUNK) yield flush();
  }
  pending.push(Buffer.alloc(BLOCK * 2));
  pendingSize += BLOCK * 2;
  yield flush();
}

/**
 * Streams a layer tar of `entries`, in order. Bodies are pulled only when the writer reaches
 * their entry, so a directory walk can feed it without holding files in memory. An invalid entry
 * (unclean path, size mismatch) makes the stream fail with LAYER_INVALID_ENTRY.
 */
export function writeLayer(entries: Iterable<LayerSource> | AsyncIterable<LayerSource>): Readable {
  // A high-water mark of one coalesced chunk: a consumer's read() then takes single chunks and
  // Readable never has to concatenate (copy) its buffer.
  return Readable.from(generate(entries), { objectMode: false, highWaterMark: CHUNK });
}
