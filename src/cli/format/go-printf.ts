/**
 * fmt.Sprintf: the format string's verbs, flags (`#0+- `), widths and precisions (also `*` from
 * the arguments), explicit argument indexes (`%[2]d`), and Go's in-band error forms:
 * `%!d(MISSING)`, `%!(EXTRA type=value)`, `%!(NOVERB)`, `%!d(BADINDEX)`, `%!(BADWIDTH)`.
 */
import { Printer, noFlags } from './go-fmt.js';
import { kindOf, numberOf, typeName } from './go-value.js';

function isIntArg(v: unknown): boolean {
  const k = kindOf(v);
  return k === 'int' || k === 'uint';
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const end = format.length;

  // `[n]` before a width, precision or verb selects argument n (1-based).
  const argNumber = (at: number): { at: number; ok: boolean; found: boolean } => {
    if (at >= end || format[at] !== '[') return { at, ok: true, found: false };
    reordered = true;
    const close = format.indexOf(']', at + 1);
    if (close < 0) return { at: at + 1, ok: false, found: false };
    const text = format.slice(at + 1, close);
    if (!/^[0-9]{1,6}$/.test(text)) return { at: close + 1, ok: false, found: false };
    const n = Number(text);
    if (n < 1 || n > args.length) return { at: close + 1, ok: false, found: true };
    argNum = n - 1;
    return { at: close + 1, ok: true, found: true };
  };
  const parseNum = (at: number): { n: number | undefined; at: number } => {
    let j = at;
    while (j < end && j - at < 7 && format[j]! >= '0' && format[j]! <= '9') j++;
    return j === at ? { n: undefined, at } : { n: Number(format.slice(at, j)), at: j };
  };

  while (i < end) {
    let goodArgNum = true;
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      p.out += format.slice(i);
      break;
    }
    p.out += format.slice(i, pct);
    i = pct + 1;
    p.f = noFlags();
    const f = p.f;
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    let r = argNumber(i);
    i = r.at;
    goodArgNum &&= r.ok;
    let afterIndex = r.found;
    if (i < end && format[i] === '*') {
      i++;
      const a = args[argNum];
      if (argNum < args.length && isIntArg(a)) {
        f.wid = numberOf(a);
        if (f.wid < 0) {
          f.wid = -f.wid;
          f.minus = true;
          f.zero = false;
        }
      } else p.out += '%!(BADWIDTH)';
      if (argNum < args.length) argNum++;
      afterIndex = false;
    } else {
      const w = parseNum(i);
      f.wid = w.n;
      i = w.at;
      if (afterIndex && f.wid !== undefined) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      r = argNumber(i);
      i = r.at;
      goodArgNum &&= r.ok;
      afterIndex = r.found;
      if (i < end && format[i] === '*') {
        i++;
        const a = args[argNum];
        if (argNum < args.length && isIntArg(a) && numberOf(a) >= 0) f.prec = numberOf(a);
        else p.out += '%!(BADPREC)';
        if (argNum < args.length) argNum++;
        afterIndex = false;
      } else {
        const pr = parseNum(i);
        f.prec = pr.n ?? 0;
        i = pr.at;
      }
    }
    if (!afterIndex) {
      r = argNumber(i);
      i = r.at;
      goodArgNum &&= r.ok;
    }
    if (i >= end) {
      p.out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') {
      p.out += '%';
    } else if (!goodArgNum) {
      p.out += '%!' + verb + '(BADINDEX)';
    } else if (argNum >= args.length) {
      p.out += '%!' + verb + '(MISSING)';
    } else {
      if (verb === 'v') {
        f.sharpV = f.sharp;
        f.sharp = false;
        f.plusV = f.plus;
        f.plus = false;
      }
      p.printArg(args[argNum], verb);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    p.f = noFlags();
    p.out += '%!(EXTRA ';
    args.slice(argNum).forEach((arg, j) => {
      if (j > 0) p.out += ', ';
      if (arg === undefined || arg === null) p.out += '<nil>';
      else {
        p.out += typeName(arg) + '=';
        p.printArg(arg, 'v');
      }
    });
    p.out += ')';
  }
  return p.out;
}
