/**
 * Go's big.Rat.SetString, which Docker's `--cpus` parser (opts.ParseCPUs) applies: a fraction
 * `a/b` (each side decimal or with a 0b/0o/0x prefix; a leading 0 is octal there), or a
 * floating-point number with an optional base prefix (a leading 0 stays decimal), `.`, `e`/`p`
 * exponents and underscores between digits. The value is exact: numerator and denominator.
 */

export interface GoRat {
  readonly num: bigint;
  /** Always positive. */
  readonly den: bigint;
}

interface NatScan {
  readonly value: bigint;
  readonly base: number;
  /** Digits read; when a radix point was seen, minus the number of digits after it (<= 0). */
  readonly count: number;
  readonly end: number;
  readonly ok: boolean;
}

function digitValue(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 97 + 10;
  if (c >= 65 && c <= 90) return c - 65 + 10;
  return 99;
}

/** big's nat.scan with base 0 from `start`: the longest prefix that is a number. */
function scanNat(s: string, start: number, fracOkIn: boolean): NatScan {
  let fracOk = fracOkIn;
  let prev = '.';
  let invalSep = false;
  let i = start;
  let count = 0;
  let base = 10;
  let prefix = '';
  if (s[i] === '0') {
    prev = '0';
    count = 1;
    i++;
    const ch = s[i];
    if (ch !== undefined) {
      const lower = ch.toLowerCase();
      if (lower === 'b') [base, prefix] = [2, 'b'];
      else if (lower === 'o') [base, prefix] = [8, 'o'];
      else if (lower === 'x') [base, prefix] = [16, 'x'];
      else if (!fracOk) [base, prefix] = [8, '0'];
      if (prefix !== '') {
        count = 0;
        if (prefix !== '0') i++;
      }
    }
  }
  let value = 0n;
  const b = BigInt(base);
  let dp = -1;
  for (; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '.' && fracOk) {
      fracOk = false;
      if (prev === '_') invalSep = true;
      prev = '.';
      dp = count;
    } else if (ch === '_') {
      if (prev !== '0') invalSep = true;
      prev = '_';
    } else {
      const d = digitValue(ch);
      if (d >= base) break;
      prev = '0';
      count++;
      value = value * b + BigInt(d);
    }
  }
  const sepOk = !invalSep && prev !== '_';
  if (count === 0) {
    // Only the octal prefix "0" (maybe followed by digits > 7): decimal zero.
    if (prefix === '0') return { value: 0n, base: 10, count: 1, end: i, ok: sepOk };
    return { value: 0n, base, count, end: i, ok: false };
  }
  if (dp >= 0) count = dp - count;
  return { value, base, count, end: i, ok: sepOk };
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** big's scanExponent with base-2 exponents and separators allowed. */
function scanExponent(s: string, start: number): { exp: bigint; base: 2 | 10; end: number } | undefined {
  const marker = s[start];
  let base: 2 | 10;
  if (marker === 'e' || marker === 'E') base = 10;
  else if (marker === 'p' || marker === 'P') base = 2;
  else return { exp: 0n, base: 10, end: start };
  let i = start + 1;
  let digits = '';
  if (s[i] === '+' || s[i] === '-') {
    if (s[i] === '-') digits = '-';
    i++;
  }
  let prev = '.';
  let invalSep = false;
  let hasDigits = false;
  for (; i < s.length; i++) {
    const ch = s[i]!;
    if (ch >= '0' && ch <= '9') {
      digits += ch;
      prev = '0';
      hasDigits = true;
    } else if (ch === '_') {
      if (prev !== '0') invalSep = true;
      prev = '_';
    } else break;
  }
  if (!hasDigits) return undefined;
  const exp = BigInt(digits);
  if (exp < INT64_MIN || exp > INT64_MAX) return undefined;
  if (invalSep || prev === '_') return undefined;
  return { exp, base, end: i };
}

/** big.Int.SetString(s, 0). */
function parseGoInt(s: string): bigint | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    i = 1;
  }
  const n = scanNat(s, i, false);
  if (!n.ok || n.end !== s.length) return undefined;
  return neg ? -n.value : n.value;
}

/** big.Rat.SetString: undefined where Go reports failure. */
export function parseGoRat(s: string): GoRat | undefined {
  if (s === '') return undefined;
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const num = parseGoInt(s.slice(0, slash));
    if (num === undefined) return undefined;
    const den = scanNat(s, slash + 1, false);
    if (!den.ok || den.end !== s.length || den.value === 0n) return undefined;
    return { num, den: den.value };
  }
  let i = 0;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    i = 1;
  }
  const mant = scanNat(s, i, true);
  if (!mant.ok) return undefined;
  const exponent = scanExponent(s, mant.end);
  if (exponent === undefined || exponent.end !== s.length) return undefined;
  if (mant.value === 0n) return { num: 0n, den: 1n };

  let exp2 = 0n;
  let exp5 = 0n;
  if (mant.count < 0) {
    const d = BigInt(mant.count);
    if (mant.base === 10) [exp5, exp2] = [d, d];
    else if (mant.base === 2) exp2 = d;
    else if (mant.base === 8) exp2 = d * 3n;
    else exp2 = d * 4n;
  }
  if (exponent.base === 10) exp5 += exponent.exp;
  exp2 += exponent.exp;
  // Go refuses exponents this large rather than build enormous numbers.
  if (exp5 > 1_000_000n || exp5 < -1_000_000n) return undefined;
  if (exp2 > 10_000_000n || exp2 < -10_000_000n) return undefined;

  let num = mant.value;
  let den = 1n;
  if (exp5 > 0n) num *= 5n ** exp5;
  else if (exp5 < 0n) den = 5n ** -exp5;
  if (exp2 > 0n) num <<= exp2;
  else if (exp2 < 0n) den <<= -exp2;
  return { num: neg ? -num : num, den };
}
