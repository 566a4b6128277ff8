/**
 * Go's strconv float formatting ('e', 'f', 'g' with and without precision).
 *
 * JavaScript's toFixed/toPrecision round exact ties away from zero; Go rounds them to even
 * (`%.2f` of 0.125 is `0.12`, `%.0f` of 2.5 is `2`), and go-units' sizes go through `%.3g`, so the
 * decimal expansion is computed exactly here (a double is m·2^e, which BigInt expands without
 * loss) and rounded the way strconv's decimal type rounds.
 */

/** A decimal `0.d1d2d3… × 10^dp`, with no trailing zeros in `d` (empty for zero). */
interface Decimal {
  d: string;
  dp: number;
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  return trim({ d: digits, dp });
}

function trim(a: Decimal): Decimal {
  let n = a.d.length;
  while (n > 0 && a.d[n - 1] === '0') n--;
  return n === a.d.length ? a : { d: a.d.slice(0, n), dp: n === 0 ? 0 : a.dp };
}

/** Rounds to `nd` digits as strconv's decimal.Round: ties (exactly half) go to even. */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return nd < 0 ? { d: '', dp: 0 } : a;
  const next = a.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) return trim({ d: a.d.slice(0, nd), dp: a.dp });
  let i = nd - 1;
  while (i >= 0 && a.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return trim({ d: a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), dp: a.dp });
}

/** The shortest digits that read back as `x` (JavaScript and Go agree on these). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const [mantissa = '', exponent = '0'] = x.toExponential().split('e');
  return trim({ d: mantissa.replace('.', ''), dp: Number(exponent) + 1 });
}

function fmtE(a: Decimal, prec: number, e: 'e' | 'E'): string {
  let out = a.d.length > 0 ? a.d[0]! : '0';
  if (prec > 0) out += '.' + a.d.slice(1, prec + 1).padEnd(prec, '0');
  let exp = a.d.length === 0 ? 0 : a.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return out + e + sign + (exp < 10 ? '0' : '') + String(exp);
}

function fmtF(a: Decimal, prec: number): string {
  let out = a.dp > 0 ? a.d.slice(0, a.dp).padEnd(a.dp, '0') : '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = a.dp + i;
      out += j >= 0 && j < a.d.length ? a.d[j] : '0';
    }
  }
  return out;
}

export type FloatVerb = 'e' | 'E' | 'f' | 'g' | 'G';

/**
 * strconv.FormatFloat(x, verb, prec, 64); `prec < 0` means the shortest representation.
 * Infinities and NaN print as `+Inf`, `-Inf` and `NaN`.
 */
export function formatFloat(x: number, verb: FloatVerb, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const shortest = prec < 0;
  let digs: Decimal;
  if (shortest) {
    digs = shortestDecimal(abs);
    if (verb === 'e' || verb === 'E') prec = Math.max(digs.d.length - 1, 0);
    else if (verb === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const exact = exactDecimal(abs);
    if (verb === 'f') digs = roundDecimal(exact, exact.dp + prec);
    else if (verb === 'e' || verb === 'E') digs = roundDecimal(exact, prec + 1);
    else {
      if (prec === 0) prec = 1;
      digs = roundDecimal(exact, prec);
    }
  }
  return (neg ? '-' : '') + formatDigits(digs, shortest, prec, verb);
}

function formatDigits(digs: Decimal, shortest: boolean, prec: number, verb: FloatVerb): string {
  switch (verb) {
    case 'e':
    case 'E':
      return fmtE(digs, prec, verb);
    case 'f':
      return fmtF(digs, prec);
    case 'g':
    case 'G': {
      const nd = digs.d.length;
      let eprec = prec;
      if (eprec > nd && nd >= digs.dp) eprec = nd;
      // Go decides between %e and %f with precision 6 when printing the shortest form, which is
      // why fmt prints float64(1000000) as 1e+06.
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > nd) prec = nd;
        return fmtE(digs, prec - 1, verb === 'g' ? 'e' : 'E');
      }
      if (prec > digs.dp) prec = nd;
      return fmtF(digs, Math.max(prec - digs.dp, 0));
    }
  }
}

/** encoding/json's float format: plain digits, or the exponent form below 1e-6 and from 1e21 (`1e-7`, `1e+21`). */
export function formatJsonFloat(x: number): string {
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // json uses 'e' with the shortest digits and trims a two-digit negative exponent's zero.
    let s = formatFloat(x, 'e', -1);
    const n = s.length;
    if (n >= 4 && s[n - 4] === 'e' && s[n - 3] === '-' && s[n - 2] === '0') s = s.slice(0, n - 2) + s.slice(n - 1);
    return s;
  }
  return formatFloat(x, 'f', -1);
}

const MASK64 = (1n << 64n) - 1n;

/** The mantissa (with its implicit bit) and unbiased exponent of a double, as strconv splits it. */
function splitDouble(x: number): { neg: boolean; mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const neg = hi >>> 31 === 1;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  let exp = (hi >>> 20) & 0x7ff;
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { neg, mant, exp: exp - 1023 };
}

/** strconv's 'b' (`4503599627370496p-52`) and 'x'/'X' (`0x1.8p+00`) formats. */
export function formatFloatBinary(x: number, verb: 'b' | 'x' | 'X', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const split = splitDouble(x);
  let { mant, exp } = split;
  const sign = split.neg ? '-' : '';
  if (verb === 'b') {
    exp -= 52;
    return `${sign}${mant}p${exp >= 0 ? '+' : ''}${exp}`;
  }
  if (mant === 0n) exp = 0;
  mant <<= 8n;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = (n: bigint): string => (verb === 'X' ? n.toString(16).toUpperCase() : n.toString(16));
  let out = `${sign}0${verb}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & MASK64;
  if (prec < 0 && mant !== 0n) {
    out += '.';
    for (; mant !== 0n; mant = (mant << 4n) & MASK64) out += hex((mant >> 60n) & 15n);
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++, mant = (mant << 4n) & MASK64) out += hex((mant >> 60n) & 15n);
  }
  out += verb === 'x' ? 'p' : 'P';
  out += exp < 0 ? '-' : '+';
  return out + String(Math.abs(exp)).padStart(2, '0');
}
