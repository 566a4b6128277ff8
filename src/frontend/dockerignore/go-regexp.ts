/**
 * Translates the Go regular expressions moby/patternmatcher builds (pattern.ts) into equivalent
 * JavaScript `u`-mode RegExps, or reports the error Go's `regexp.Compile` would report.
 *
 * Only part of Go's syntax can come out of a pattern: `. + ( ) $` are escaped, so the user
 * controls literals, `^`, `|`, `{n,m}`, `[...]` classes and `\` escapes (`\d`, `\pL`, `\Q…\E`,
 * `\x41`, …), interleaved with patternmatcher's own `[^/]*`, `[^/]`, `(.*\/)?` and `.*` — which
 * a class or `\Q` of the user's may swallow whole or in part (`[*]` becomes `[[^/]*]`, a class of
 * `[ ^ /` repeated, then a literal `]`). Flag and named groups (`(?`) and `+` cannot be
 * produced and are refused as a lade bug rather than translated.
 *
 * Matching is only ever a yes/no test, so greediness and captures do not matter: groups become
 * `(?:…)` and a lazy `?` after a repetition is dropped.
 */
import {
  addPerlClass,
  addUnicodeClass,
  charSetToJs,
  emptySet,
  GoRegexpError,
  jsCodePoint,
  parseClass,
  parseEscape,
  text,
} from './go-regexp-class.js';

export { GoRegexpError } from './go-regexp-class.js';

/** Go's repetition limit: `{n,m}` counts, and their products when nested, may not exceed this. */
const MAX_REPEAT = 1000;

const cp = (c: string): number => c.codePointAt(0)!;
const [STAR, PLUS, QUEST, LPAREN, RPAREN, BAR, CARET, DOLLAR, DOT, LBRACKET, LBRACE, BACKSLASH] = [
  ...'*+?()|^$.[{\\',
].map(cp);

/** A parsed piece. `need` is the smallest budget Go's `repeatIsValid` accepts for it. */
interface Piece {
  js: string;
  need: number;
}

interface Group {
  alternatives: string[];
  pieces: Piece[];
  need: number;
}

/** Returns the equivalent RegExp, or throws GoRegexpError with Go's reason. */
export function translateGoRegexp(source: string): RegExp {
  const js = new Parser(Array.from(source, cp)).parse();
  try {
    return new RegExp(js, 'u');
  } catch (err) {
    // Only constructs JavaScript accepts are emitted; reaching this is a lade bug.
    throw new Error(`translated expression ${JSON.stringify(js)} does not compile: ${String(err)}`);
  }
}

class Parser {
  private readonly stack: Group[] = [];
  private group: Group = newGroup();
  private i = 0;

  constructor(private readonly cps: readonly number[]) {}

  parse(): string {
    const cps = this.cps;
    let lastWasRepeat = false;
    while (this.i < cps.length) {
      const c = cps[this.i]!;
      let isRepeat = false;
      if ((c === LPAREN && cps[this.i + 1] === QUEST) || c === PLUS) {
        throw new Error(`lade bug: a dockerignore regexp cannot contain ${text(cps, this.i, this.i + 2)}`);
      } else if (c === LPAREN) {
        this.stack.push(this.group);
        this.group = newGroup();
        this.i++;
      } else if (c === RPAREN) {
        this.close();
      } else if (c === BAR) {
        endAlternative(this.group);
        this.i++;
      } else if (c === STAR || c === QUEST) {
        this.repeat(lastWasRepeat, String.fromCodePoint(c), 0, 0, this.i + 1);
        isRepeat = true;
      } else if (c === LBRACE && this.braceCounts() !== undefined) {
        const { min, max, next } = this.braceCounts()!;
        const quantifier = max === min ? `{${min}}` : max < 0 ? `{${min},}` : `{${min},${max}}`;
        this.repeat(lastWasRepeat, quantifier, min, max, next);
        isRepeat = true;
      } else if (c === CARET || c === DOLLAR) {
        // Go's default OneLine flag: `^` and `$` match only at the ends of the text, as in JS.
        this.push(`(?:${String.fromCodePoint(c)})`);
        this.i++;
      } else if (c === DOT) {
        // Go's `.` does not match `\n` but does match `\r` and U+2028, unlike JavaScript's.
        this.push('[^\\n]');
        this.i++;
      } else if (c === LBRACKET) {
        const cls = parseClass(cps, this.i);
        this.push(cls.js);
        this.i = cls.next;
      } else if (c === BACKSLASH) {
        this.parseBackslash();
      } else {
        // Includes `{` that does not start a valid count, which Go reads as a literal.
        this.push(jsCodePoint(c));
        this.i++;
      }
      lastWasRepeat = isRepeat;
    }
    if (this.stack.length > 0) throw new GoRegexpError('missing closing )');
    endAlternative(this.group);
    return this.group.alternatives.join('|');
  }

  private push(js: string, need = 0): void {
    this.group.pieces.push({ js, need });
  }

  private close(): void {
    const outer = this.stack.pop();
    if (outer === undefined) throw new GoRegexpError('unexpected )');
    endAlternative(this.group);
    const inner = this.group;
    this.group = outer;
    this.push(`(?:${inner.alternatives.join('|')})`, inner.need);
    this.i++;
  }

  /**
   * Applies a repetition to the piece before it. Go rejects a repetition with nothing to repeat
   * (at the start, after `(` or `|`) and one stacked directly on another (`a**`, `a*{2}`), but
   * accepts a repeated assertion (`^*`), which JavaScript only allows inside a group.
   */
  private repeat(lastWasRepeat: boolean, quantifier: string, min: number, max: number, next: number): void {
    let end = next;
    if (this.cps[end] === QUEST) end++; // non-greedy: cannot change whether anything matches
    const op = text(this.cps, this.i, end);
    if (lastWasRepeat) throw new GoRegexpError(`invalid nested repetition operator: ${op}`);
    const sub = this.group.pieces.pop();
    if (sub === undefined) throw new GoRegexpError(`missing argument to repetition operator: ${op}`);
    let need = sub.need;
    if (quantifier.startsWith('{')) {
      const m = max >= 0 ? max : min;
      need = m === 0 ? 0 : Math.min(Math.max(m, m * sub.need), Number.MAX_SAFE_INTEGER);
      if ((min >= 2 || max >= 2) && need > MAX_REPEAT) throw new GoRegexpError(`invalid repeat count: ${op}`);
    }
    this.push(`(?:${sub.js})${quantifier}`, need);
    this.i = end;
  }

  /**
   * Go's `parseRepeat`: `{n}`, `{n,}` or `{n,m}` with decimal counts without leading zeros.
   * Anything else leaves `{` a literal. A count above 1000, or min > max, is an error.
   */
  private braceCounts(): { min: number; max: number; next: number } | undefined {
    const cps = this.cps;
    let i = this.i + 1;
    const int = (): number | undefined => {
      const start = i;
      while (i < cps.length && cps[i]! >= 0x30 && cps[i]! <= 0x39) i++;
      if (i === start || (i - start >= 2 && cps[start] === 0x30)) return undefined;
      return Number(text(cps, start, i));
    };
    const min = int();
    if (min === undefined) return undefined;
    let max: number | undefined = min;
    if (cps[i] === 0x2c /* , */) {
      i++;
      max = cps[i] === 0x7d /* } */ ? -1 : int();
      if (max === undefined) return undefined;
    }
    if (cps[i] !== 0x7d) return undefined;
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
      throw new GoRegexpError(`invalid repeat count: ${text(cps, this.i, i + 1)}`);
    }
    return { min, max, next: i + 1 };
  }

  /** Everything Go reads after a `\` outside a class. */
  private parseBackslash(): void {
    const cps = this.cps;
    const at = this.i;
    const letter = cps[at + 1];
    const assertion = letter === undefined ? undefined : ASSERTIONS.get(letter);
    if (assertion !== undefined) {
      this.push(assertion);
      this.i = at + 2;
      return;
    }
    if (letter === cp('C')) throw new GoRegexpError('invalid escape sequence: \\C');
    if (letter === cp('Q')) {
      // \Q…\E quotes literally up to \E or the end, swallowing even the closing `$`.
      let i = at + 2;
      while (i < cps.length && !(cps[i] === BACKSLASH && cps[i + 1] === cp('E'))) this.push(jsCodePoint(cps[i++]!));
      this.i = Math.min(i + 2, cps.length);
      return;
    }
    const set = emptySet();
    const afterUnicode = addUnicodeClass(cps, at, set);
    if (afterUnicode >= 0) {
      this.push(charSetToJs(set, false));
      this.i = afterUnicode;
      return;
    }
    if (addPerlClass(cps, at, set)) {
      this.push(charSetToJs(set, false));
      this.i = at + 2;
      return;
    }
    const escape = parseEscape(cps, at);
    this.push(jsCodePoint(escape.code));
    this.i = escape.next;
  }
}

const ASSERTIONS: ReadonlyMap<number, string> = new Map([
  [cp('A'), '(?:^)'],
  [cp('z'), '(?:$)'],
  [cp('b'), '(?:\\b)'],
  [cp('B'), '(?:\\B)'],
]);

function newGroup(): Group {
  return { alternatives: [], pieces: [], need: 0 };
}

function endAlternative(g: Group): void {
  g.alternatives.push(g.pieces.map((p) => p.js).join(''));
  for (const p of g.pieces) g.need = Math.max(g.need, p.need);
  g.pieces = [];
}
