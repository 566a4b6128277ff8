/**
 * Go's time zones (time/zoneinfo*.go): Docker prints `CreatedAt` in the local zone with its
 * abbreviation (`2024-03-01 09:30:00 +0100 CET`), which JavaScript's Intl does not give in Go's
 * form, so the zone is read the way Go reads it: `TZ` unset → /etc/localtime, `TZ=""` → UTC,
 * `TZ=Area/City` → the TZif file under the zoneinfo directories, anything unreadable → UTC.
 * Times after a file's last transition follow its POSIX TZ footer, as Go's tzset does.
 */
import { readFileSync } from 'node:fs';

export interface ZoneInfo {
  /** Seconds east of UTC. */
  offset: number;
  /** The abbreviation Go prints for `MST` in a layout (`CET`, `UTC`, `+03`). */
  abbrev: string;
}

export interface Zone {
  readonly name: string;
  lookup(unixSeconds: number): ZoneInfo;
}

export const UTC: Zone = { name: 'UTC', lookup: () => ({ offset: 0, abbrev: 'UTC' }) };

export function fixedZone(abbrev: string, offsetSeconds: number): Zone {
  return { name: abbrev, lookup: () => ({ offset: offsetSeconds, abbrev }) };
}

interface ZoneType extends ZoneInfo {
  isDST: boolean;
}

const DAY = 86400;

/** Parses TZif data (RFC 8536, versions 1 to 4). Throws on malformed data. */
export function zoneFromTzif(name: string, data: Uint8Array): Zone {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const text = (from: number, to: number): string => String.fromCharCode(...data.subarray(from, to));
  if (data.length < 44 || text(0, 4) !== 'TZif') throw new Error(`${name}: not a TZif file`);
  const counts = (at: number): number[] => [0, 1, 2, 3, 4, 5].map((i) => view.getUint32(at + 20 + 4 * i));
  let at = 0;
  let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(0) as [number, number, number, number, number, number];
  let timeSize = 4;
  if (data[4]! >= 0x32) {
    // Version 2+: skip the 32-bit block to the 64-bit one, which covers all times.
    at = 44 + timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
    [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(at) as [number, number, number, number, number, number];
    timeSize = 8;
  }
  let p = at + 44;
  const when: number[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize) when.push(timeSize === 8 ? Number(view.getBigInt64(p)) : view.getInt32(p));
  const index = [...data.subarray(p, p + timecnt)];
  p += timecnt;
  const rawTypes: Array<{ offset: number; isDST: boolean; abbrIndex: number }> = [];
  for (let i = 0; i < typecnt; i++, p += 6) rawTypes.push({ offset: view.getInt32(p), isDST: data[p + 4] !== 0, abbrIndex: data[p + 5]! });
  const chars = text(p, p + charcnt);
  p += charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt;
  const types: ZoneType[] = rawTypes.map((t) => ({ offset: t.offset, isDST: t.isDST, abbrev: chars.slice(t.abbrIndex, chars.indexOf('\0', t.abbrIndex)) }));
  const footer = timeSize === 8 && data[p] === 0x0a ? text(p + 1, data.indexOf(0x0a, p + 1)) : '';
  if (types.length === 0) throw new Error(`${name}: no zone types`);
  if (when.length === 0) {
    // Go adds a transition at the beginning of time for zones that have none (Etc/GMT+3).
    when.push(-Infinity);
    index.push(0);
  }
  const first = firstZone(types, index);
  return {
    name,
    lookup(sec) {
      if (sec < when[0]!) return types[first]!;
      let lo = 0;
      let hi = when.length;
      while (hi - lo > 1) {
        const m = (lo + hi) >>> 1;
        if (sec < when[m]!) hi = m;
        else lo = m;
      }
      if (lo === when.length - 1 && footer !== '') {
        const rule = tzset(footer, sec);
        if (rule !== undefined) return rule;
      }
      return types[index[lo]!]!;
    },
  };
}

/** Location.lookupFirstZone: the zone in effect before the first transition. */
function firstZone(types: ZoneType[], index: number[]): number {
  if (!index.includes(0)) return 0;
  if (index.length > 0 && types[index[0]!]!.isDST) {
    for (let z = index[0]! - 1; z >= 0; z--) if (!types[z]!.isDST) return z;
  }
  const std = types.findIndex((t) => !t.isDST);
  return std >= 0 ? std : 0;
}

function parseName(s: string): [string, string] | undefined {
  if (s.startsWith('<')) {
    const end = s.indexOf('>');
    return end < 0 ? undefined : [s.slice(1, end), s.slice(end + 1)];
  }
  const m = /^[^0-9,+-]*/.exec(s)![0];
  return m.length < 3 ? undefined : [m, s.slice(m.length)];
}

/** tzsetOffset: `[+-]hh[:mm[:ss]]` in seconds, as written (positive west of Greenwich). */
function parseOffset(s: string): [number, string] | undefined {
  const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(s);
  if (m === null || Number(m[2]) > 24 * 7) return undefined;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return [m[1] === '-' ? -secs : secs, s.slice(m[0].length)];
}

type Rule =
  | { kind: 'julian'; day: number; time: number }
  | { kind: 'doy'; day: number; time: number }
  | { kind: 'mwd'; mon: number; week: number; day: number; time: number };

function parseRule(s: string): [Rule, string] | undefined {
  let m: RegExpExecArray | null;
  let rule: Rule;
  if ((m = /^J(\d{1,3})/.exec(s)) !== null) rule = { kind: 'julian', day: Number(m[1]), time: 7200 };
  else if ((m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(s)) !== null) rule = { kind: 'mwd', mon: Number(m[1]), week: Number(m[2]), day: Number(m[3]), time: 7200 };
  else if ((m = /^(\d{1,3})/.exec(s)) !== null) rule = { kind: 'doy', day: Number(m[1]), time: 7200 };
  else return undefined;
  let rest = s.slice(m[0].length);
  if (rest.startsWith('/')) {
    const off = parseOffset(rest.slice(1));
    if (off === undefined) return undefined;
    [rule.time, rest] = off;
  }
  return [rule, rest];
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** tzruleTime: seconds from the start of `year` (UTC) to the rule's moment, `off` in effect. */
function ruleTime(year: number, r: Rule, off: number): number {
  let day: number;
  if (r.kind === 'julian') day = r.day - 1 + (isLeap(year) && r.day >= 60 ? 1 : 0);
  else if (r.kind === 'doy') day = r.day;
  else {
    const firstDow = new Date(Date.UTC(year, r.mon - 1, 1)).getUTCDay();
    const daysInMonth = new Date(Date.UTC(year, r.mon, 0)).getUTCDate();
    let d = (r.day - firstDow + 7) % 7;
    for (let i = 1; i < r.week && d + 7 < daysInMonth; i++) d += 7;
    day = (Date.UTC(year, r.mon - 1, 1 + d) - Date.UTC(year, 0, 1)) / 1000 / DAY;
  }
  return day * DAY + r.time - off;
}

/** Go's tzset: the zone a POSIX TZ string gives for `sec`, or undefined if it does not parse. */
export function tzset(tz: string, sec: number): ZoneInfo | undefined {
  const std = parseName(tz);
  if (std === undefined) return undefined;
  const stdOff = parseOffset(std[1]);
  if (stdOff === undefined) return undefined;
  let stdName = std[0];
  let stdOffset = -stdOff[0];
  let s = stdOff[1];
  if (s === '' || s[0] === ',') return { offset: stdOffset, abbrev: stdName };
  const dst = parseName(s);
  if (dst === undefined) return undefined;
  let dstName = dst[0];
  s = dst[1];
  let dstOffset = stdOffset + 3600;
  if (s !== '' && s[0] !== ',') {
    const off = parseOffset(s);
    if (off === undefined) return undefined;
    dstOffset = -off[0];
    s = off[1];
  }
  if (s === '') s = ',M3.2.0,M11.1.0';
  if (s[0] !== ',' && s[0] !== ';') return undefined;
  const start = parseRule(s.slice(1));
  if (start === undefined || !start[1].startsWith(',')) return undefined;
  const end = parseRule(start[1].slice(1));
  if (end === undefined || end[1] !== '') return undefined;
  const year = new Date(sec * 1000).getUTCFullYear();
  const ysec = sec - Date.UTC(year, 0, 1) / 1000;
  let startSec = ruleTime(year, start[0], stdOffset);
  let endSec = ruleTime(year, end[0], dstOffset);
  if (endSec < startSec) {
    // Southern hemisphere: the year starts and ends in DST.
    [startSec, endSec] = [endSec, startSec];
    [stdName, dstName] = [dstName, stdName];
    [stdOffset, dstOffset] = [dstOffset, stdOffset];
  }
  if (ysec < startSec || ysec >= endSec) return { offset: stdOffset, abbrev: stdName };
  return { offset: dstOffset, abbrev: dstName };
}

const ZONEINFO_DIRS = ['/usr/share/zoneinfo/', '/usr/share/lib/zoneinfo/', '/usr/lib/locale/TZ/', '/etc/zoneinfo/'];

/** time.LoadLocation for a zone name (`Europe/Berlin`), from the system zoneinfo directories. */
export function loadZone(name: string, env: NodeJS.ProcessEnv = process.env): Zone {
  if (name === '' || name === 'UTC') return UTC;
  if (name.includes('..') || name.startsWith('/') || name.includes('\\')) throw new Error(`time: invalid location name ${name}`);
  const dirs = env.ZONEINFO !== undefined ? [env.ZONEINFO.replace(/\/?$/, '/'), ...ZONEINFO_DIRS] : ZONEINFO_DIRS;
  for (const dir of dirs) {
    let data: Buffer;
    try {
      data = readFileSync(dir + name);
    } catch {
      continue;
    }
    return zoneFromTzif(name, data);
  }
  throw new Error(`unknown time zone ${name}`);
}

/** time.Local as Go initialises it from the environment; UTC when the zone cannot be read. */
export function localZone(env: NodeJS.ProcessEnv = process.env): Zone {
  let tz = env.TZ;
  try {
    if (tz === undefined) return zoneFromTzif('Local', readFileSync('/etc/localtime'));
    if (tz.startsWith(':')) tz = tz.slice(1);
    if (tz === '' || tz === 'UTC') return UTC;
    if (tz.startsWith('/')) return zoneFromTzif(tz, readFileSync(tz));
    // Go's initLocal searches the system directories only; ZONEINFO is for LoadLocation.
    return loadZone(tz, {});
  } catch {
    return UTC;
  }
}
