/** Decoding the monitor's framed log (LOG_RECORD in ../sandbox-spec.ts). */
import { LOG_RECORD } from '../sandbox-spec.js';

export interface LogRecord {
  /** 1 stdout, 2 stderr. */
  readonly stream: number;
  /** Nanoseconds since the epoch, when the monitor read the bytes. */
  readonly timeNs: bigint;
  readonly data: Buffer;
}

/**
 * The whole records in `buf`, and how many bytes they took: a record still being appended (a
 * tail read mid-write) is left for the next read.
 */
export function decodeLogRecords(buf: Buffer): { records: LogRecord[]; consumed: number } {
  const records: LogRecord[] = [];
  let at = 0;
  while (buf.length - at >= LOG_RECORD.headerSize) {
    const len = buf.readUInt32LE(at + 9);
    const end = at + LOG_RECORD.headerSize + len;
    if (end > buf.length) break;
    records.push({ stream: buf[at]!, timeNs: buf.readBigUInt64LE(at + 1), data: buf.subarray(at + LOG_RECORD.headerSize, end) });
    at = end;
  }
  return { records, consumed: at };
}
