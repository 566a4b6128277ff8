/**
 * 512-byte tar header blocks: decoding V7, USTAR, STAR and GNU headers, and encoding USTAR and
 * PAX headers byte for byte as Go's archive/tar writes them, which is what Docker and BuildKit
 * (containerd's archive package, `tar.FormatPAX`) produce.
 */
import { ErrorCode, LadeError } from '../errors/index.js';

export const BLOCK = 512;

/** Header-only typeflags and the extension headers, by their ASCII character. */
export const TypeFlag = {
  RegA: 0x00,
  Reg: 0x30, // '0'
  Link: 0x31, // '1'
  Symlink: 0x32, // '2'
  Char: 0x33, // '3'
  Block: 0x34, // '4'
  Dir: 0x35, // '5'
  Fifo: 0x36, // '6'
  Cont: 0x37, // '7'
  PaxLocal: 0x78, // 'x'
  PaxGlobal: 0x67, // 'g'
  GnuLongName: 0x4c, // 'L'
  GnuLongLink: 0x4b, // 'K'
} as const;

/** Field offsets and widths shared by every format (V7 layout plus the USTAR additions). */
const F = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
  starPrefix: [345, 131],
  starTrailer: [508, 4],
} as const satisfies Record<string, readonly [number, number]>;

const MAGIC_USTAR = Buffer.from('ustar\0', 'latin1');
const VERSION_USTAR = Buffer.from('00', 'latin1');
const MAGIC_GNU = Buffer.from('ustar ', 'latin1');
const VERSION_GNU = Buffer.from(' \0', 'latin1');
const TRAILER_STAR = Buffer.from('tar\0', 'latin1');

export type HeaderFormat = 'v7' | 'ustar' | 'star' | 'gnu';

/** A header block as stored: names still raw bytes (a PAX record may replace them). */
export interface RawHeader {
  format: HeaderFormat;
  typeflag: number;
  name: Buffer;
  linkname: Buffer;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Whole seconds: the header field has no sub-second part. */
  mtime: bigint;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

function field(block: Buffer, [offset, width]: readonly [number, number]): Buffer {
  return block.subarray(offset, offset + width);
}

/** Bytes up to the first NUL (Go's parseString). */
function cString(bytes: Buffer): Buffer {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

function badHeader(offset: number, message: string): LadeError {
  return new LadeError(ErrorCode.LayerFormat, `invalid tar header at byte ${offset}: ${message}`);
}

/**
 * A numeric field: octal text padded with spaces or NULs, or GNU base-256 (high bit set, two's
 * complement big-endian) for values too large for octal.
 */
function parseNumber(bytes: Buffer, what: string, offset: number): bigint {
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) {
    const negative = (bytes[0]! & 0x40) !== 0;
    let value = 0n;
    for (let i = 0; i < bytes.length; i++) {
      let byte = negative ? bytes[i]! ^ 0xff : bytes[i]!;
      if (i === 0) byte &= 0x7f;
      value = (value << 8n) | BigInt(byte);
    }
    if (value >= 1n << 63n) throw badHeader(offset, `${what} overflows`);
    return negative ? -value - 1n : value;
  }
  let start = 0;
  let end = bytes.length;
  while (start < end && (bytes[start] === 0x20 || bytes[start] === 0)) start++;
  while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
  const digits = cString(bytes.subarray(start, end));
  if (digits.length === 0) return 0n;
  let value = 0;
  for (const byte of digits) {
    if (byte < 0x30 || byte > 0x37) throw badHeader(offset, `${what} field ${JSON.stringify(digits.toString('latin1'))} is not octal`);
    value = value * 8 + (byte - 0x30);
  }
  // Twelve-byte fields hold up to 11 digits (2^33): far inside a double's exact range.
  return Number.isSafeInteger(value) ? BigInt(value) : BigInt(`0o${digits.toString('latin1')}`);
}

/**
 * A non-negative numeric field as a number. Plain octal (every writer's usual form) is read in
 * place; anything else takes parseNumber's full rules.
 */
function parseSmall(block: Buffer, [start, width]: readonly [number, number], what: string, offset: number): number {
  const end = start + width;
  let i = start;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  let value = 0;
  for (; i < end; i++) {
    const byte = block[i]!;
    if (byte < 0x30 || byte > 0x37) break;
    value = value * 8 + (byte - 0x30);
  }
  let plain = i === end || block[i] === 0;
  if (!plain && block[i] === 0x20) {
    plain = true;
    for (let j = i; j < end; j++) if (block[j] !== 0x20 && block[j] !== 0) plain = false;
  }
  if (plain) return value;
  const slow = parseNumber(block.subarray(start, end), what, offset);
  if (slow < 0n || slow > BigInt(Number.MAX_SAFE_INTEGER)) throw badHeader(offset, `${what} ${slow} out of range`);
  return Number(slow);
}

/** Sums with the checksum field read as spaces, bytes taken unsigned and signed (old tars). */
function checksums(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 8 * 0x20;
  let high = 0;
  for (let i = 0; i < BLOCK; i++) {
    if (i === 148) i = 156;
    const byte = block[i]!;
    unsigned += byte;
    if (byte >= 0x80) high++;
  }
  // Each byte ≥ 0x80 counts 256 less when taken as signed.
  return { unsigned, signed: unsigned - high * 0x100 };
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function compressionHint(block: Buffer): string {
  if (block[0] === 0x1f && block[1] === 0x8b) return ' (the data is gzip-compressed: decompress it first)';
  if (block.readUInt32LE(0) === 0xfd2fb528) return ' (the data is zstd-compressed: decompress it first)';
  return '';
}

/** Decodes one non-zero header block; `offset` (its position in the stream) goes into messages. */
export function decodeHeader(block: Buffer, offset: number): RawHeader {
  const sums = checksums(block);
  let stored: bigint | undefined;
  try {
    stored = parseNumber(field(block, F.chksum), 'checksum', offset);
  } catch {
    // Unreadable: reported as a mismatch, which is what it is for non-tar data.
  }
  if (stored !== BigInt(sums.unsigned) && stored !== BigInt(sums.signed)) {
    throw badHeader(offset, `checksum mismatch${compressionHint(block)}`);
  }
  const magic = field(block, F.magic);
  let format: HeaderFormat = 'v7';
  if (magic.equals(MAGIC_USTAR)) format = field(block, F.starTrailer).equals(TRAILER_STAR) ? 'star' : 'ustar';
  else if (magic.equals(MAGIC_GNU) && field(block, F.version).equals(VERSION_GNU)) format = 'gnu';

  let name = cString(field(block, F.name));
  if (format === 'ustar' || format === 'star') {
    const prefix = cString(field(block, format === 'star' ? F.starPrefix : F.prefix));
    if (prefix.length > 0) name = Buffer.concat([prefix, Buffer.from('/'), name]);
  }
  const v7 = format === 'v7';
  return {
    format,
    typeflag: block[156]!,
    name,
    linkname: cString(field(block, F.linkname)),
    mode: parseSmall(block, F.mode, 'mode', offset),
    uid: parseSmall(block, F.uid, 'uid', offset),
    gid: parseSmall(block, F.gid, 'gid', offset),
    size: parseSmall(block, F.size, 'size', offset),
    // Base-256 mtimes may be negative (before 1970); octal ones read in place.
    mtime: (block[F.mtime[0]]! & 0x80) !== 0 ? parseNumber(field(block, F.mtime), 'mtime', offset) : BigInt(parseSmall(block, F.mtime, 'mtime', offset)),
    uname: v7 ? '' : cString(field(block, F.uname)).toString('utf8'),
    gname: v7 ? '' : cString(field(block, F.gname)).toString('utf8'),
    devmajor: v7 ? 0 : parseSmall(block, F.devmajor, 'devmajor', offset),
    devminor: v7 ? 0 : parseSmall(block, F.devminor, 'devminor', offset),
  };
}

// ---- encoding ----

/** Go's fitsInOctal: width-1 digits plus a terminator (every width here keeps that below 2^53). */
export function fitsOctal(width: number, value: number): boolean {
  return value >= 0 && value < OCTAL_LIMIT[width]!;
}

/** 8 ** (width - 1) for each field width, computed once: a layer encodes thousands of headers. */
const OCTAL_LIMIT = Array.from({ length: 13 }, (_, width) => 8 ** (width - 1));

/** Zero-padded octal with a NUL terminator; 0 when the value does not fit (a PAX record holds it). */
function putOctal(block: Buffer, [offset, width]: readonly [number, number], value: number): void {
  let v = fitsOctal(width, value) ? value : 0;
  block[offset + width - 1] = 0;
  for (let i = offset + width - 2; i >= offset; i--) {
    block[i] = 0x30 + (v % 8);
    v = Math.floor(v / 8);
  }
}

/**
 * Go's formatString: the bytes, truncated to the field; a NUL after them when shorter. A name
 * cut at a slash loses that slash so old readers do not take a file for a directory.
 */
function putString(block: Buffer, [offset, width]: readonly [number, number], bytes: Buffer): void {
  bytes.copy(block, offset, 0, Math.min(bytes.length, width));
  if (bytes.length < width) block[offset + bytes.length] = 0;
  if (bytes.length > width && block[offset + width - 1] === 0x2f) {
    let n = width;
    while (n > 0 && block[offset + n - 1] === 0x2f) n--;
    block[offset + n] = 0;
  }
}

/** Go's checksum field: six octal digits, a NUL, then a space. */
function finish(block: Buffer): Buffer {
  putOctal(block, [148, 7], checksums(block).unsigned);
  block[155] = 0x20;
  return block;
}

/** The fields a writer sets; strings already reduced to what the chosen format can hold. */
export interface HeaderFields {
  typeflag: number;
  name: Buffer;
  /** USTAR only: the directory part of a long name. */
  prefix?: Buffer;
  linkname: Buffer;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Whole seconds. */
  mtime: number;
  uname: Buffer;
  gname: Buffer;
  devmajor: number;
  devminor: number;
}

/** A USTAR-magic header as Go's templateV7Plus fills it (used for both USTAR and PAX entries). */
export function encodeHeader(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  block[156] = fields.typeflag;
  putString(block, F.name, fields.name);
  putString(block, F.linkname, fields.linkname);
  putOctal(block, F.mode, fields.mode);
  putOctal(block, F.uid, fields.uid);
  putOctal(block, F.gid, fields.gid);
  putOctal(block, F.size, fields.size);
  putOctal(block, F.mtime, fields.mtime);
  putString(block, F.uname, fields.uname);
  putString(block, F.gname, fields.gname);
  putOctal(block, F.devmajor, fields.devmajor);
  putOctal(block, F.devminor, fields.devminor);
  if (fields.prefix !== undefined) putString(block, F.prefix, fields.prefix);
  MAGIC_USTAR.copy(block, F.magic[0]);
  VERSION_USTAR.copy(block, F.version[0]);
  return finish(block);
}

/**
 * The header of a PAX extended-header record file, as Go's writeRawFile writes it: only name,
 * zero mode/uid/gid/mtime, the size and the typeflag; uname, gname and device fields stay NUL.
 */
export function encodeExtensionHeader(typeflag: number, name: Buffer, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  block[156] = typeflag;
  putString(block, F.name, name);
  putOctal(block, F.mode, 0);
  putOctal(block, F.uid, 0);
  putOctal(block, F.gid, 0);
  putOctal(block, F.size, size);
  putOctal(block, F.mtime, 0);
  MAGIC_USTAR.copy(block, F.magic[0]);
  VERSION_USTAR.copy(block, F.version[0]);
  return finish(block);
}

/** Go's splitUSTARPath: a long ASCII name split at a slash into prefix (≤155) and name (≤100). */
export function splitUstarName(name: Buffer): { prefix: Buffer; name: Buffer } | undefined {
  let length = name.length;
  if (length <= 100) return undefined;
  if (length > 156) length = 156;
  else if (name[length - 1] === 0x2f) length--;
  const slash = name.subarray(0, length).lastIndexOf(0x2f);
  const nlen = name.length - slash - 1;
  if (slash <= 0 || nlen > 100 || nlen === 0 || slash > 155) return undefined;
  return { prefix: name.subarray(0, slash), name: name.subarray(slash + 1) };
}
