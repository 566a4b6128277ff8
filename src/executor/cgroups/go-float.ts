/**
 * Go's strconv.ParseFloat(s, 64), which go-units' RAMInBytes applies to the number part of a
 * `--memory` value: decimal and hexadecimal (`0x1p20`, exponent required) forms, `Inf`/`NaN`,
 * and underscores between digits. Errors carry Go's text, since Docker shows it as is
 * (`strconv.ParseFloat: parsing "1.2.3": invalid syntax`).
 */

export type GoFloatResult = { readonly value: number } | { readonly error: string };

/** strconv.Quote for the strings that reach an error message. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function syntaxError(s: string): GoFloatResult {
  return { error: `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax` };
}

function rangeError(s: string): GoFloatResult {
  return { error: `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range` };
}

/** Go's `special`: a whole-string Inf/Infinity/NaN (case-insensitive, signs only on Inf). */
function special(s: string): number | undefined {
  const lower = s.toLowerCase();
  if (lower === 'nan') return NaN;
  const unsigned = lower[0] === '+' || lower[0] === '-' ? lower.slice(1) : lower;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower[0] === '-' ? -Infinity : Infinity;
  return undefined;
}

/** strconv's underscoreOK: underscores only between digits (a base prefix counts as one). */
function underscoreOK(str: string): boolean {
  let s = str;
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-f]/i.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const DECIMAL = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9][0-9_]*)?$/;
const HEX = /^([+-]?)0[xX]((?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+))[pP]([+-]?[0-9][0-9_]*)$/;

/** 2^exp for any exp, without overflowing an intermediate power. */
function scaleByPowerOfTwo(x: number, exp: number): number {
  let e = Math.max(-2200, Math.min(2200, exp));
  let v = x;
  while (e > 1000) {
    v *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    v *= 2 ** -1000;
    e += 1000;
  }
  return v * 2 ** e;
}

/**
 * A hexadecimal mantissa times 2^exp, rounded to nearest even: the mantissa is cut to 64
 * significant bits with a sticky bit, so Number() rounds it exactly once (results below the
 * normal range may round twice, which only matters for values far below 1).
 */
function hexValue(digits: string, fracDigits: number, exp: number): number {
  let mant = digits === '' ? 0n : BigInt(`0x${digits}`);
  let e = exp - 4 * fracDigits;
  if (mant === 0n) return 0;
  const bits = mant.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const sticky = (mant & ((1n << shift) - 1n)) !== 0n ? 1n : 0n;
    mant = (mant >> shift) | sticky;
    e += bits - 64;
  }
  return scaleByPowerOfTwo(Number(mant), e);
}

/** strconv.ParseFloat(s, 64). */
export function parseGoFloat(s: string): GoFloatResult {
  const sp = special(s);
  if (sp !== undefined) return { value: sp };
  if (s.includes('_') && !underscoreOK(s)) return syntaxError(s);
  let value: number;
  const hex = HEX.exec(s);
  if (hex !== null) {
    const mantissa = hex[2]!.replaceAll('_', '');
    const dot = mantissa.indexOf('.');
    const digits = mantissa.replace('.', '');
    if (digits === '') return syntaxError(s);
    // Go caps the exponent it accumulates at 10000, beyond any finite result.
    const exp = Math.max(-10000, Math.min(10000, Number(hex[3]!.replaceAll('_', ''))));
    const magnitude = hexValue(digits, dot < 0 ? 0 : mantissa.length - dot - 1, exp);
    value = hex[1] === '-' ? -magnitude : magnitude;
  } else {
    if (!DECIMAL.test(s)) return syntaxError(s);
    const clean = s.replaceAll('_', '');
    // The grammar allows a mantissa of only underscores and a dot; Go needs a digit.
    if (!/[0-9]/.test(clean.split(/[eE]/)[0]!)) return syntaxError(s);
    value = Number(clean);
  }
  if (!Number.isFinite(value)) return rangeError(s);
  return { value };
}
