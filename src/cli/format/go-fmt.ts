/**
 * Go's fmt printing of template values: the verbs, flags and widths applied to each kind of
 * value, with the error forms Go produces for a verb that does not fit (`%!d(string=x)`), and
 * Sprint and Sprintln. text/template prints every action's value this way (`{{.}}` is
 * fmt.Fprint); Sprintf's format parsing is in go-printf.ts.
 *
 * Not covered: `%#v` (printed as `%v`) and `%p`; pointers to structs below the top level print
 * as `&{…}` where Go prints an address.
 */
import { type FloatVerb, formatFloat, formatFloatBinary } from './go-float.js';
import { canBackquote, escapeRune, goQuote, isPrint, runeCount, utf8Bytes } from './go-strings.js';
import { isGoMethod, isGoStruct, kindOf, numberOf, sortedEntries, typeName } from './go-value.js';

export interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number | undefined;
  prec: number | undefined;
}

export const noFlags = (): Flags => ({
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  plusV: false,
  sharpV: false,
  wid: undefined,
  prec: undefined,
});

export class Printer {
  out = '';
  f: Flags = noFlags();

  private padding(n: number): string {
    return n > 0 ? (this.f.zero ? '0' : ' ').repeat(n) : '';
  }

  /** fmt.pad: width counts runes; `-` pads on the right. */
  pad(s: string): void {
    const { wid, minus } = this.f;
    if (wid === undefined || wid === 0) {
      this.out += s;
      return;
    }
    const fill = this.padding(wid - runeCount(s));
    this.out += minus ? s + fill : fill + s;
  }

  printArg(arg: unknown, verb: string): void {
    if (arg === undefined || arg === null) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    this.printValue(arg, verb, 0);
  }

  printValue(v: unknown, verb: string, depth: number): void {
    const kind = kindOf(v);
    switch (kind) {
      case 'invalid':
      case 'nil':
        // A nil inside a slice, map or struct is a nil interface: `<nil>` whatever the verb.
        if (depth === 0 && verb !== 'v') this.badVerb(verb, v);
        else this.out += '<nil>';
        return;
      case 'bool':
        if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
        else this.badVerb(verb, v);
        return;
      case 'int':
      case 'uint':
        this.fmtInteger(numberOf(v), verb, v);
        return;
      case 'float':
        this.fmtFloat(numberOf(v), verb, v);
        return;
      case 'string':
        this.fmtString(v as string, verb);
        return;
      case 'slice': {
        this.out += '[';
        (v as unknown[]).forEach((e, i) => {
          if (i > 0) this.out += ' ';
          this.printValue(e, verb, depth + 1);
        });
        this.out += ']';
        return;
      }
      case 'map': {
        this.out += 'map[';
        sortedEntries(v as object).forEach(([k, e], i) => {
          if (i > 0) this.out += ' ';
          this.printValue(k, verb, depth + 1);
          this.out += ':';
          this.printValue(e, verb, depth + 1);
        });
        this.out += ']';
        return;
      }
      case 'struct':
      case 'ptr': {
        if (!isGoStruct(v)) return;
        if (kind === 'ptr') this.out += '&';
        this.out += '{';
        Object.entries(v.fields)
          .filter(([, e]) => !isGoMethod(e))
          .forEach(([name, e], i) => {
          if (i > 0) this.out += ' ';
          if (this.f.plusV) this.out += name + ':';
          this.printValue(e, verb, depth + 1);
        });
        this.out += '}';
        return;
      }
      case 'func':
        // fmt prints a func as its address, which has no stable equivalent here.
        this.out += '0x0';
        return;
    }
  }

  badVerb(verb: string, v: unknown): void {
    this.out += '%!' + verb + '(';
    if (v === undefined || v === null) this.out += '<nil>';
    else {
      this.out += typeName(v) + '=';
      this.printArg(v, 'v');
    }
    this.out += ')';
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  private truncate(s: string): string {
    const prec = this.f.prec;
    if (prec === undefined) return s;
    return [...s].slice(0, prec).join('');
  }

  fmtString(s: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        this.fmtS(s);
        return;
      case 'x':
      case 'X':
        this.fmtSx(s, verb === 'X');
        return;
      case 'q':
        this.fmtQ(s);
        return;
      default:
        this.badVerb(verb, s);
    }
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad('`' + s + '`');
    else this.pad(goQuote(s, this.f.plus));
  }

  /** fmt.fmtSbx: hex of the UTF-8 bytes, `% x` spaced, `%#x` prefixed. */
  private fmtSx(s: string, upper: boolean): void {
    const bytes = utf8Bytes(s);
    let length = bytes.length;
    const { prec, space, sharp, wid, minus } = this.f;
    if (prec !== undefined && prec < length) length = prec;
    let width = 2 * length;
    if (width === 0) {
      if (wid !== undefined) this.out += this.padding(wid);
      return;
    }
    if (space) {
      if (sharp) width *= 2;
      width += length - 1;
    } else if (sharp) width += 2;
    const prefix = upper ? '0X' : '0x';
    let body = sharp ? prefix : '';
    for (let i = 0; i < length; i++) {
      if (space && i > 0) body += ' ' + (sharp ? prefix : '');
      const h = bytes[i]!.toString(16).padStart(2, '0');
      body += upper ? h.toUpperCase() : h;
    }
    const fill = wid !== undefined && wid > width ? this.padding(wid - width) : '';
    this.out += minus ? body + fill : fill + body;
  }

  private fmtInteger(n: number, verb: string, original: unknown): void {
    switch (verb) {
      case 'v':
      case 'd':
        this.fmtIntegerBase(n, 10, verb, false);
        return;
      case 'b':
        this.fmtIntegerBase(n, 2, verb, false);
        return;
      case 'o':
      case 'O':
        this.fmtIntegerBase(n, 8, verb, false);
        return;
      case 'x':
      case 'X':
        this.fmtIntegerBase(n, 16, verb, verb === 'X');
        return;
      case 'c':
        this.pad(runeOf(n));
        return;
      case 'q': {
        const ch = runeOf(n);
        this.pad("'" + escapeRune(ch, "'", this.f.plus) + "'");
        return;
      }
      case 'U': {
        // fmt.fmtUnicode: the value as a uint64, at least four (or precision) hex digits.
        const u = n < 0 ? BigInt.asUintN(64, BigInt(n)) : BigInt(n);
        let s = 'U+' + u.toString(16).toUpperCase().padStart(Math.max(this.f.prec ?? 4, 4), '0');
        if (this.f.sharp && n >= 0 && n <= 0x10ffff && isPrint(runeOf(n))) s += " '" + runeOf(n) + "'";
        const zero = this.f.zero;
        this.f.zero = false;
        this.pad(s);
        this.f.zero = zero;
        return;
      }
      default:
        this.badVerb(verb, original);
    }
  }

  /** fmt.fmtInteger: precision is a minimum digit count; `0` with a width pads with zeros. */
  private fmtIntegerBase(n: number, base: number, verb: string, upper: boolean): void {
    const f = this.f;
    const negative = n < 0;
    let digits = Math.abs(n).toString(base);
    if (upper) digits = digits.toUpperCase();
    let prec = 0;
    if (f.prec !== undefined) {
      prec = f.prec;
      if (prec === 0 && n === 0) {
        const zero = f.zero;
        f.zero = false;
        this.out += this.padding(f.wid ?? 0);
        f.zero = zero;
        return;
      }
    } else if (f.zero && f.wid !== undefined) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    digits = digits.padStart(prec, '0');
    if (f.sharp) {
      if (base === 2) digits = '0b' + digits;
      else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (f.plus) digits = '+' + digits;
    else if (f.space) digits = ' ' + digits;
    const zero = f.zero;
    f.zero = false;
    this.pad(digits);
    f.zero = zero;
  }

  private fmtFloat(x: number, verb: string, original: unknown): void {
    let v: FloatVerb | 'b' | 'x' | 'X';
    let prec: number;
    switch (verb) {
      case 'v':
        v = 'g';
        prec = -1;
        break;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        v = verb;
        prec = -1;
        break;
      case 'e':
      case 'E':
      case 'f':
        v = verb;
        prec = 6;
        break;
      case 'F':
        v = 'f';
        prec = 6;
        break;
      default:
        this.badVerb(verb, original);
        return;
    }
    const f = this.f;
    if (f.prec !== undefined) prec = f.prec;
    let num = v === 'b' || v === 'x' || v === 'X' ? formatFloatBinary(x, v, prec) : formatFloat(x, v, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const zero = f.zero;
      f.zero = false;
      if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
      this.pad(num);
      f.zero = zero;
      return;
    }
    if (f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
    if (f.plus || num[0] !== '+') {
      if (f.zero && f.wid !== undefined && f.wid > num.length) {
        this.out += num[0] + this.padding(f.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }
}

/** `%#g` and friends keep a decimal point and trailing zeros (fmt.fmtFloat's sharp branch). */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
  let tail = '';
  const e = num.search(verb === 'x' || verb === 'X' ? /[pP]/ : /[eE]/);
  if (e >= 0) {
    tail = num.slice(e);
    num = num.slice(0, e);
  }
  let sawNonzero = false;
  for (const ch of num.slice(1)) {
    if (ch === '.') continue;
    if (ch !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!num.includes('.')) {
    if (num.length === 2 && num[1] === '0') digits--;
    num += '.';
  }
  return num + '0'.repeat(Math.max(digits, 0)) + tail;
}

function runeOf(n: number): string {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : '\ufffd';
}

/** fmt.Sprint: operands are separated by a space when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.out += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.out;
}

/** fmt.Sprintln: always spaces, and a trailing newline. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.out += ' ';
    p.printArg(arg, 'v');
  });
  return p.out + '\n';
}

/** The `%v` text of one value: what `{{.}}` prints. */
export function formatValue(v: unknown): string {
  const p = new Printer();
  p.printArg(v, 'v');
  return p.out;
}
