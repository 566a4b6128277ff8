/**
 * The few Go number parsers BuildKit applies to instruction values: strconv.ParseBool,
 * ParseUint/ParseInt with a bit size, time.ParseDuration and go-units' RAMInBytes. Each returns
 * undefined (or an error message) exactly where Go fails.
 */
import { goQuote } from '../gostrings/index.js';

/** strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  switch (s) {
    case '1':
    case 't':
    case 'T':
    case 'true':
    case 'TRUE':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'false':
    case 'FALSE':
    case 'False':
      return false;
    default:
      return undefined;
  }
}

const DIGITS: Record<number, RegExp> = { 8: /^[0-7]+$/, 10: /^[0-9]+$/ };

/** strconv.ParseUint(s, base, bits) for base 8 or 10; undefined on syntax or range error. */
export function parseGoUint(s: string, base: 8 | 10, bits: number): number | undefined {
  if (!DIGITS[base]!.test(s)) return undefined;
  const value = BigInt(base === 8 ? `0o${s}` : s);
  if (value >= 1n << BigInt(bits)) return undefined;
  return Number(value);
}

/** strconv.ParseInt(s, 10, bits), with Go's error message. */
export function parseGoInt(s: string, bits: number): { value: number } | { error: string } {
  const m = /^([+-]?)([0-9]+)$/.exec(s);
  if (m === null) return { error: `strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax` };
  const value = BigInt(m[2]!) * (m[1] === '-' ? -1n : 1n);
  const limit = 1n << BigInt(bits - 1);
  if (value >= limit || value < -limit) return { error: `strconv.ParseInt: parsing ${goQuote(s)}: value out of range` };
  return { value: Number(value) };
}

const NANOS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n],
  ['\u03bcs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX_INT64 = (1n << 63n) - 1n;
const TWO_63 = 1n << 63n;

/**
 * time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, in nanoseconds. The result is a
 * number, exact up to 2^53 ns (about 104 days), which covers any sensible health check.
 */
export function parseGoDuration(orig: string): { nanos: number } | { error: string } {
  const invalid = { error: `time: invalid duration ${goQuote(orig)}` };
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { nanos: 0 };
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) return invalid;
    const intPart = /^[0-9]*/.exec(s)![0];
    let v = 0n;
    for (const c of intPart) {
      if (v > TWO_63 / 10n) return invalid;
      v = v * 10n + BigInt(c.charCodeAt(0) - 48);
      if (v > TWO_63) return invalid;
    }
    s = s.slice(intPart.length);
    const pre = intPart.length > 0;
    let post = false;
    let f = 0n;
    let scale = 1;
    if (s.startsWith('.')) {
      s = s.slice(1);
      const frac = /^[0-9]*/.exec(s)![0];
      post = frac.length > 0;
      let overflow = false;
      for (const c of frac) {
        if (overflow) continue;
        if (f > MAX_INT64 / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(c.charCodeAt(0) - 48);
        if (y > TWO_63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      s = s.slice(frac.length);
    }
    if (!pre && !post) return invalid;
    const unitMatch = /^[^0-9.]*/.exec(s)![0];
    if (unitMatch === '') return { error: `time: missing unit in duration ${goQuote(orig)}` };
    s = s.slice(unitMatch.length);
    const unit = NANOS_PER_UNIT.get(unitMatch);
    if (unit === undefined) return { error: `time: unknown unit ${goQuote(unitMatch)} in duration ${goQuote(orig)}` };
    if (v > TWO_63 / unit) return invalid;
    v *= unit;
    if (f > 0n) {
      // Go computes this part in float64, as here.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) return invalid;
    }
    total += v;
    if (total > TWO_63) return invalid;
  }
  if (neg) return { nanos: -Number(total) };
  if (total > MAX_INT64) return invalid;
  return { nanos: Number(total) };
}

const BINARY_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const GO_FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** go-units RAMInBytes: `64m`, `1.5GiB`, `512 kb`, `100`; undefined when it does not parse. */
export function ramInBytes(size: string): number | undefined {
  let sep = -1;
  for (let i = size.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(size[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep < 0) return undefined;
  const num = size[sep] === ' ' ? size.slice(0, sep) : size.slice(0, sep + 1);
  let suffix = size.slice(sep + 1);
  if (!GO_FLOAT.test(num)) return undefined;
  let value = Number(num);
  if (value < 0) return undefined;
  if (suffix === '') return Math.trunc(value);
  if (suffix.length > 3) return undefined;
  suffix = suffix.toLowerCase();
  if (suffix[0] === 'b') return suffix.length > 1 ? undefined : Math.trunc(value);
  const multiplier = BINARY_UNITS[suffix[0]!];
  if (multiplier === undefined) return undefined;
  value *= multiplier;
  if (suffix.length === 2 && suffix[1] !== 'b') return undefined;
  if (suffix.length === 3 && suffix.slice(1) !== 'ib') return undefined;
  return Math.trunc(value);
}
