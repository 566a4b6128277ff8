/**
 * readLayer: an uncompressed layer tar → validated entries with streaming bodies.
 *
 * Header handling follows Go's archive/tar reader (what Docker and containerd use): PAX local
 * records (long names, linkpath, large uid/gid/size, sub-second mtime, SCHILY.xattr.*), GNU long
 * names, base-256 numbers, signed checksums; PAX global headers are skipped as Docker skips them;
 * header-only types (links, directories, devices, FIFOs) carry no data whatever their size field.
 * Stricter than Go on purpose: the archive must end with its end-of-archive block, so a layer cut
 * at a block boundary is an error rather than a shorter layer.
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import { ByteSource } from './byte-source.js';
import { cleanName, PERMISSION_MASK, type EntryType, type LayerEntry } from './entry.js';
import { parsePaxInteger, parsePaxRecords, parsePaxTime, type PaxRecords } from './pax.js';
import { BLOCK, decodeHeader, isZeroBlock, TypeFlag, type RawHeader } from './tar-header.js';

/** An entry's data. Read it before asking for the next entry; whatever is left is skipped then. */
export interface LayerBody extends AsyncIterable<Buffer> {
  readonly size: number;
}

export interface LayerRecord {
  entry: LayerEntry;
  body: LayerBody;
}

/** Go's limit on PAX and GNU long-name data (maxSpecialFileSize). */
const MAX_SPECIAL_FILE = 1 << 20;
/** Largest body slice handed out at once. */
const MAX_CHUNK = 1 << 20;
const XATTR_PREFIX = 'SCHILY.xattr.';
const utf8 = new TextDecoder('utf-8', { fatal: true });

const ENTRY_TYPES = new Map<number, EntryType>([
  [TypeFlag.Reg, 'file'],
  [TypeFlag.Link, 'hardlink'],
  [TypeFlag.Symlink, 'symlink'],
  [TypeFlag.Char, 'char'],
  [TypeFlag.Block, 'block'],
  [TypeFlag.Dir, 'dir'],
  [TypeFlag.Fifo, 'fifo'],
]);

const UNSUPPORTED_NAMES = new Map<number, string>([
  [TypeFlag.Cont, 'contiguous file'],
  [0x53, 'GNU sparse file'], // 'S'
  [0x44, 'GNU dump directory'], // 'D'
  [0x4d, 'GNU multi-volume continuation'], // 'M'
  [0x56, 'GNU volume label'], // 'V'
  [0x4e, 'old GNU long name'], // 'N'
]);

function truncated(message: string): LadeError {
  return new LadeError(ErrorCode.LayerTruncated, `layer tar is truncated: ${message}`);
}

function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

function decodeName(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new LadeError(
      ErrorCode.LayerUnsafePath,
      `${what} ${JSON.stringify(bytes.toString('latin1'))} is not valid UTF-8 (lade handles UTF-8 names only)`,
    );
  }
}

function typeName(flag: number): string {
  const known = UNSUPPORTED_NAMES.get(flag);
  const char = flag >= 0x20 && flag < 0x7f ? `'${String.fromCharCode(flag)}'` : `0x${flag.toString(16)}`;
  return known === undefined ? `type ${char}` : `type ${char} (${known})`;
}

class Body implements LayerBody {
  private remaining: number;
  private done = false;

  constructor(
    private readonly source: ByteSource,
    readonly size: number,
    private readonly path: string,
  ) {
    this.remaining = size;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    if (this.done) throw new LadeError(ErrorCode.Internal, `body of "${this.path}" read after the reader moved on`);
    while (this.remaining > 0) {
      const chunk = await this.source.readSome(Math.min(this.remaining, MAX_CHUNK));
      if (chunk.length === 0) throw this.cut();
      this.remaining -= chunk.length;
      yield chunk;
    }
  }

  private cut(): LadeError {
    return truncated(`the data of "${this.path}" stops after ${this.size - this.remaining} of ${this.size} bytes`);
  }

  /** Skips what the consumer left unread and the block padding. */
  async finish(): Promise<void> {
    this.done = true;
    if (this.remaining > 0) {
      const skipped = await this.source.skip(this.remaining);
      this.remaining -= skipped;
      if (this.remaining > 0) throw this.cut();
    }
    const pad = padding(this.size);
    if ((await this.source.skip(pad)) !== pad) throw truncated(`the padding after "${this.path}" is missing`);
  }
}

interface HeaderChain {
  raw: RawHeader;
  offset: number;
  pax: PaxRecords | undefined;
  longName: Buffer | undefined;
  longLink: Buffer | undefined;
}

async function readSpecial(source: ByteSource, raw: RawHeader, offset: number): Promise<Buffer> {
  if (raw.size > MAX_SPECIAL_FILE) {
    throw new LadeError(ErrorCode.LayerFormat, `extension header at byte ${offset} is larger than 1 MiB (${raw.size} bytes)`);
  }
  const data = await source.read(raw.size);
  if (data.length < raw.size) throw truncated(`an extension header at byte ${offset} stops early`);
  const pad = padding(raw.size);
  if ((await source.skip(pad)) !== pad) throw truncated(`the padding of an extension header at byte ${offset} is missing`);
  return data;
}

/** Reads extension headers up to the next real entry header; undefined at end of archive. */
async function readHeaderChain(source: ByteSource): Promise<HeaderChain | undefined> {
  let pax: PaxRecords | undefined;
  let longName: Buffer | undefined;
  let longLink: Buffer | undefined;
  for (;;) {
    const offset = source.position;
    const block = await source.read(BLOCK);
    if (block.length === 0) throw truncated(`it ends at byte ${offset} without the end-of-archive blocks`);
    if (block.length < BLOCK) throw truncated(`it ends inside the header at byte ${offset}`);
    if (isZeroBlock(block)) {
      // Go accepts one zero block then EOF, or two zero blocks; a partial second block is a
      // cut archive and a non-zero one a corrupt archive.
      const second = await source.read(BLOCK);
      if (second.length === 0 || (second.length === BLOCK && isZeroBlock(second))) return undefined;
      if (second.length < BLOCK) throw truncated(`it ends inside the end-of-archive blocks at byte ${offset + BLOCK}`);
      throw new LadeError(ErrorCode.LayerFormat, `invalid tar header at byte ${offset + BLOCK}: data after a zero block`);
    }
    const raw = decodeHeader(block, offset);
    switch (raw.typeflag) {
      case TypeFlag.PaxLocal:
        pax = parsePaxRecords(await readSpecial(source, raw, offset));
        continue;
      case TypeFlag.PaxGlobal:
        // Docker ignores global headers; Go ends the pending header chain at one.
        await readSpecial(source, raw, offset);
        pax = longName = longLink = undefined;
        continue;
      case TypeFlag.GnuLongName:
        longName = cString(await readSpecial(source, raw, offset));
        continue;
      case TypeFlag.GnuLongLink:
        longLink = cString(await readSpecial(source, raw, offset));
        continue;
      default:
        return { raw, offset, pax, longName, longLink };
    }
  }
}

function cString(data: Buffer): Buffer {
  const nul = data.indexOf(0);
  return Buffer.from(nul < 0 ? data : data.subarray(0, nul));
}

/** A PAX record's value, unless absent or empty (Go keeps the header field for empty ones). */
function paxValue(pax: PaxRecords | undefined, key: string): Buffer | undefined {
  const value = pax?.get(key);
  return value === undefined || value.length === 0 ? undefined : value;
}

function toEntry({ raw, offset, pax, longName, longLink }: HeaderChain): LayerEntry {
  const rawName = decodeName(longName ?? paxValue(pax, 'path') ?? raw.name, 'entry name');
  let flag = raw.typeflag;
  if (flag === TypeFlag.RegA) flag = rawName.endsWith('/') ? TypeFlag.Dir : TypeFlag.Reg;
  const type = ENTRY_TYPES.get(flag);
  if (type === undefined) {
    throw new LadeError(
      ErrorCode.LayerUnsupportedEntry,
      `entry "${rawName}" at byte ${offset} has unsupported ${typeName(flag)}; layers may hold only files, directories, links, devices and FIFOs`,
    );
  }
  const named = cleanName(rawName, 'entry name');
  if (named.root && type !== 'dir') {
    throw new LadeError(ErrorCode.LayerUnsafePath, `entry name ${JSON.stringify(rawName)} at byte ${offset} is empty after cleaning`);
  }

  const entry: LayerEntry = {
    path: named.path,
    type,
    mode: raw.mode & PERMISSION_MASK,
    uid: raw.uid,
    gid: raw.gid,
    uname: raw.uname,
    gname: raw.gname,
    size: type === 'file' ? raw.size : 0,
    mtime: raw.mtime * 1_000_000_000n,
    linkname: '',
    devmajor: type === 'char' || type === 'block' ? raw.devmajor : 0,
    devminor: type === 'char' || type === 'block' ? raw.devminor : 0,
    xattrs: new Map(),
  };

  if (pax !== undefined) {
    for (const [key, value] of pax) {
      if (key.startsWith(XATTR_PREFIX)) {
        const name = key.slice(XATTR_PREFIX.length);
        if (name === '') throw new LadeError(ErrorCode.LayerFormat, `entry "${entry.path}" has an xattr record without a name`);
        entry.xattrs.set(name, value);
      } else if (key.startsWith('GNU.sparse.')) {
        throw new LadeError(ErrorCode.LayerUnsupportedEntry, `entry "${entry.path}" is a PAX sparse file, which layers must not use`);
      }
    }
    const uid = paxValue(pax, 'uid');
    if (uid !== undefined) entry.uid = parsePaxInteger('uid', uid);
    const gid = paxValue(pax, 'gid');
    if (gid !== undefined) entry.gid = parsePaxInteger('gid', gid);
    const size = paxValue(pax, 'size');
    if (size !== undefined && type === 'file') entry.size = parsePaxInteger('size', size);
    const mtime = paxValue(pax, 'mtime');
    if (mtime !== undefined) entry.mtime = parsePaxTime(mtime.toString('latin1'));
    const uname = paxValue(pax, 'uname');
    if (uname !== undefined) entry.uname = uname.toString('utf8');
    const gname = paxValue(pax, 'gname');
    if (gname !== undefined) entry.gname = gname.toString('utf8');
  }

  if (type === 'symlink' || type === 'hardlink') {
    const link = decodeName(longLink ?? paxValue(pax, 'linkpath') ?? raw.linkname, `link target of "${entry.path}"`);
    if (type === 'symlink') {
      if (link === '') throw new LadeError(ErrorCode.LayerUnsafePath, `symlink "${entry.path}" has an empty target`);
      entry.linkname = link;
    } else {
      const target = cleanName(link, `hardlink target of "${entry.path}"`);
      if (target.root) throw new LadeError(ErrorCode.LayerUnsafePath, `hardlink "${entry.path}" points at the layer root`);
      entry.linkname = target.path;
    }
  }
  return entry;
}

/**
 * Iterates the entries of an uncompressed layer tar. Each body must be consumed (or abandoned)
 * before the next entry is requested. Stopping early, or an error, releases the input; reaching
 * the end reads the input to its end so upstream stages (digests, decompressors) finish.
 */
export async function* readLayer(tar: AsyncIterable<Uint8Array>): AsyncGenerator<LayerRecord, void, undefined> {
  const source = new ByteSource(tar);
  let complete = false;
  try {
    for (;;) {
      const chain = await readHeaderChain(source);
      if (chain === undefined) break;
      const entry = toEntry(chain);
      const body = new Body(source, entry.size, entry.path);
      yield { entry, body };
      await body.finish();
    }
    await source.drain();
    complete = true;
  } finally {
    if (!complete) await source.close();
  }
}
