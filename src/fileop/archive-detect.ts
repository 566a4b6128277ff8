/**
 * Whether an ADD source is an archive, as BuildKit decides (solver/llbsolver/file/unpack.go
 * isArchivePath): a regular file whose content, once moby/go-archive's DecompressStream has
 * undone gzip, bzip2, xz or zstd (recognised by magic bytes), starts with a tar header that Go's
 * archive/tar accepts. Anything else, including a compressed file that is not a tar or whose
 * compressed data is damaged, is copied as it is.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { openDecompressed } from '../content/index.js';
import { ErrorCode, isLadeError } from '../errors/index.js';

const BLOCK = 512;
const CHECKSUM_START = 148;
const CHECKSUM_END = 156;

/**
 * Go's tar reader check on the first header block: not all zeros (a zero block means an empty
 * archive or a corrupt one, never an entry) and a stored octal checksum equal to the block's
 * byte sum with the checksum field read as spaces, counting bytes unsigned or signed (old tars).
 */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  let unsigned = 0;
  let signed = 0;
  let zero = true;
  for (let i = 0; i < BLOCK; i++) {
    const raw = block[i]!;
    if (raw !== 0) zero = false;
    const b = i >= CHECKSUM_START && i < CHECKSUM_END ? 0x20 : raw;
    unsigned += b;
    signed += b >= 0x80 ? b - 0x100 : b;
  }
  if (zero) return false;
  const field = Buffer.from(block.subarray(CHECKSUM_START, CHECKSUM_END)).toString('latin1').replace(/^[ \0]+|[ \0]+$/g, '');
  let stored = 0;
  if (field !== '') {
    const digits = field.split('\0')[0]!;
    if (!/^[0-7]+$/.test(digits)) return false;
    stored = parseInt(digits, 8);
  }
  return stored === unsigned || stored === signed;
}

/** A missing bzip2 or xz program is not "not an archive": BuildKit would have unpacked it. */
function rethrowIfUnsupported(err: unknown): void {
  if (isLadeError(err) && err.code === ErrorCode.UnsupportedCompression) throw err;
}

/** An archive's decompressed tar, read from its start; close() releases the file and any decompressor. */
export interface OpenedArchive {
  tar: AsyncIterable<Uint8Array>;
  close(): void;
}

/**
 * The decompressed tar of `abs` when it is an archive, else undefined. The file is read once:
 * the bytes looked at are replayed in front of the rest.
 */
export async function openArchive(abs: string): Promise<OpenedArchive | undefined> {
  const file = createReadStream(abs);
  let stream: Readable;
  try {
    stream = (await openDecompressed(file)).stream;
  } catch (err) {
    file.destroy();
    rethrowIfUnsupported(err);
    return undefined;
  }
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const head: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < BLOCK) {
      const next = await it.next();
      if (next.done === true) break;
      head.push(next.value);
      length += next.value.byteLength;
    }
  } catch (err) {
    stream.destroy();
    rethrowIfUnsupported(err);
    return undefined;
  }
  const first = Buffer.concat(head);
  if (!isTarHeader(first)) {
    stream.destroy();
    return undefined;
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield first;
    for (;;) {
      const next = await it.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { tar: replay(), close: () => stream.destroy() };
}
