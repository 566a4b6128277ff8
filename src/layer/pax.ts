/**
 * PAX extended-header records (POSIX.1-2001 pax format), parsed and formatted as Go's
 * archive/tar does, since Go's reader and writer are what Docker and BuildKit use.
 * Values stay raw bytes: `SCHILY.xattr.*` values are binary (security.capability is a struct).
 */
import { ErrorCode, LadeError } from '../errors/index.js';

export type PaxRecords = Map<string, Buffer>;

const SPACE = 0x20;
const EQUALS = 0x3d;
const NEWLINE = 0x0a;

/** Keys whose values are names: a NUL in them is an error (Go's validPAXRecord). */
const NAME_KEYS = new Set(['path', 'linkpath', 'uname', 'gname']);

function corrupt(message: string): LadeError {
  return new LadeError(ErrorCode.LayerFormat, `malformed PAX header: ${message}`);
}

/** Parses `"<len> <key>=<value>\n"` records. Keys are UTF-8; values are kept as bytes. */
export function parsePaxRecords(data: Buffer): PaxRecords {
  const records: PaxRecords = new Map();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(SPACE, pos);
    if (space < 0) throw corrupt('record without a length');
    const lenText = data.toString('latin1', pos, space);
    if (!/^[0-9]+$/.test(lenText)) throw corrupt(`bad record length ${JSON.stringify(lenText)}`);
    const len = Number(lenText);
    const end = pos + len;
    if (len < 5 || end > data.length || end <= space + 1) throw corrupt('record length out of range');
    if (data[end - 1] !== NEWLINE) throw corrupt('record not terminated by a newline');
    const eq = data.indexOf(EQUALS, space + 1);
    if (eq < 0 || eq >= end - 1) throw corrupt('record without "="');
    const key = data.toString('utf8', space + 1, eq);
    const value = data.subarray(eq + 1, end - 1);
    if (key === '' || key.includes('\0')) throw corrupt('empty key or NUL in key');
    if (NAME_KEYS.has(key) && value.includes(0)) throw corrupt(`NUL in ${key}`);
    // Copy: the block buffer the record sits in belongs to the input stream.
    records.set(key, Buffer.from(value));
    pos = end;
  }
  return records;
}

/** One record with its self-inclusive decimal length prefix. */
export function formatPaxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let size = body.length + String(body.length).length;
  if (String(size).length + body.length !== size) size = String(size).length + body.length;
  return Buffer.concat([Buffer.from(String(size), 'latin1'), body]);
}

/** Records sorted by key bytes, as Go sorts its map keys, so equal entries give equal bytes. */
export function formatPaxRecords(records: PaxRecords): Buffer {
  const keys = [...records.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Buffer.concat(keys.map((key) => formatPaxRecord(key, records.get(key)!)));
}

const NS_PER_S = 1_000_000_000n;

/** `"1700000000.5"` → nanoseconds. Digits beyond nanoseconds are dropped, as Go drops them. */
export function parsePaxTime(text: string): bigint {
  const match = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(text);
  if (match === null) throw corrupt(`bad time ${JSON.stringify(text)}`);
  const negative = match[1] === '-';
  const seconds = BigInt(match[2]!);
  const nanos = BigInt((match[3] ?? '').padEnd(9, '0').slice(0, 9));
  const magnitude = seconds * NS_PER_S + nanos;
  return negative ? -magnitude : magnitude;
}

/** Whole seconds when there is no fraction, else trailing zeros trimmed (Go's formatPAXTime). */
export function formatPaxTime(ns: bigint): string {
  const negative = ns < 0n;
  const magnitude = negative ? -ns : ns;
  const seconds = magnitude / NS_PER_S;
  const nanos = magnitude % NS_PER_S;
  const sign = negative ? '-' : '';
  if (nanos === 0n) return `${sign}${seconds}`;
  return `${sign}${seconds}.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}`;
}

/** A decimal PAX number (`uid`, `gid`, `size`). */
export function parsePaxInteger(key: string, value: Buffer): number {
  const text = value.toString('latin1');
  if (!/^[0-9]+$/.test(text)) throw corrupt(`bad ${key} ${JSON.stringify(text)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw corrupt(`${key} ${text} is too large`);
  return n;
}
