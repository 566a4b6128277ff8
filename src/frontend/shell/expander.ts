import {
  CH_COLON,
  CH_DOLLAR,
  CH_DQUOTE,
  CH_HASH,
  CH_LBRACE,
  CH_LT,
  CH_MINUS,
  CH_PERCENT,
  CH_PLUS,
  CH_QUESTION,
  CH_RBRACE,
  CH_SLASH,
  CH_SQUOTE,
  EOF,
  isGoDigit,
  isHeredocBlank,
  isNameChar,
  isSpecialParam,
  runeToString,
} from './chars.js';
import { fail, ShellFailure } from './failure.js';
import { replaceAll, replaceFirst, trimPrefix, trimSuffix } from './pattern-ops.js';
import { RuneScanner, stopTable } from './scanner.js';
import type { EnvGetter } from './types.js';
import { WordBuffer, WordList } from './words.js';

/** Settings of one lexer, with the scan tables derived from them once. */
export interface ExpanderConfig {
  readonly escape: number;
  readonly rawQuotes: boolean;
  readonly rawEscapes: boolean;
  readonly processQuotes: boolean;
  readonly skipUnsetEnv: boolean;
  /** Characters that end a run of plain text at the top level, in `${V…}` and in `${V/p/…}`. */
  readonly plainStops: { readonly top: Uint8Array; readonly brace: Uint8Array; readonly slash: Uint8Array };
  readonly doubleQuoteStops: Uint8Array;
}

export function expanderConfig(
  escape: number,
  rawQuotes: boolean,
  rawEscapes: boolean,
  processQuotes: boolean,
  skipUnsetEnv: boolean,
): ExpanderConfig {
  const special = [CH_DOLLAR, CH_LT, escape];
  if (processQuotes) special.push(CH_SQUOTE, CH_DQUOTE);
  return {
    escape,
    rawQuotes,
    rawEscapes,
    processQuotes,
    skipUnsetEnv,
    plainStops: {
      top: stopTable(special),
      brace: stopTable([...special, CH_RBRACE]),
      slash: stopTable([...special, CH_SLASH]),
    },
    doubleQuoteStops: stopTable([CH_DQUOTE, CH_DOLLAR, escape]),
  };
}

export interface Expansion {
  readonly text: string;
  readonly words: string[];
}

function unsupportedModifier(modifier: string): never {
  return fail(`unsupported modifier (${modifier}) in substitution`);
}

/**
 * Expands one word; BuildKit's `shellWord`. One instance per call: it owns the scanner over the
 * word, the shared word buffer (see words.ts) and the found/missing name sets.
 */
export class WordExpander {
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private readonly config: ExpanderConfig;
  private readonly scanner: RuneScanner;
  private readonly env: EnvGetter;
  private readonly escapeText: string;
  /** Undefined when only the single-word result is wanted: splitting is then skipped. */
  private readonly wordBuffer: WordBuffer | undefined;
  /** Changes while reading `${V#p}`, `${V%p}` and `${V/p/r}` operands, which keep escapes. */
  private rawEscapes: boolean;

  constructor(config: ExpanderConfig, word: string, env: EnvGetter, splitWords: boolean) {
    this.config = config;
    this.scanner = new RuneScanner(word);
    this.env = env;
    this.escapeText = String.fromCodePoint(config.escape);
    this.wordBuffer = splitWords ? new WordBuffer() : undefined;
    this.rawEscapes = config.rawEscapes;
  }

  expand(): Expansion {
    return this.readUntil(EOF, this.config.rawEscapes);
  }

  /**
   * Reads up to `stop` (consumed) or the end of the word. Only the top level reads to the end;
   * a nested operand that meets the end fails, and its caller replaces the message.
   */
  private readUntil(stop: number, rawEscapes: boolean): Expansion {
    const scanner = this.scanner;
    const config = this.config;
    const words = this.wordBuffer === undefined ? undefined : new WordList(this.wordBuffer);
    const outerRawEscapes = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    const { plainStops } = config;
    const stops = stop === CH_RBRACE ? plainStops.brace : stop === CH_SLASH ? plainStops.slash : plainStops.top;
    let text = '';
    for (;;) {
      const plain = scanner.takeUntil(stops);
      if (plain !== '') {
        text += plain;
        words?.addSplittable(plain);
      }
      const ch = scanner.peek();
      if (ch === EOF) break;
      if (ch === stop) {
        scanner.next();
        this.rawEscapes = outerRawEscapes;
        return { text, words: words?.finish() ?? [] };
      }
      if (ch === CH_DOLLAR) {
        const value = this.expandDollar();
        text += value;
        words?.addSplittable(value);
        continue;
      }
      if (ch === CH_LT) {
        const marker = this.readPossibleHeredoc();
        text += marker;
        words?.addRaw(marker);
        continue;
      }
      if (ch === CH_SQUOTE || ch === CH_DQUOTE) {
        // Only in the stop table when quotes are processed.
        const quoted = ch === CH_SQUOTE ? this.readSingleQuoted() : this.readDoubleQuoted();
        text += quoted;
        words?.addRaw(quoted);
        continue;
      }
      // The escape character: the next character is taken literally and never splits a word.
      // At the very end it is dropped (kept with rawEscapes), which is how a trailing `\` ends
      // up silently ignored.
      scanner.next();
      if (this.rawEscapes) {
        text += this.escapeText;
        words?.addRaw(this.escapeText);
      }
      const escaped = scanner.next();
      if (escaped === EOF) break;
      const literal = String.fromCodePoint(escaped);
      text += literal;
      words?.addRaw(literal);
    }
    if (stop !== EOF) fail(`unexpected end of statement while looking for matching ${runeToString(stop)}`);
    this.rawEscapes = outerRawEscapes;
    return { text, words: words?.finish() ?? [] };
  }

  /** Everything up to the next `'` is literal; there is no way to escape a single quote. */
  private readSingleQuoted(): string {
    const scanner = this.scanner;
    scanner.next();
    const close = scanner.src.indexOf("'", scanner.pos);
    if (close < 0) {
      // Consumed to the end, as in BuildKit: an enclosing `${…}` then reports its missing `}`.
      scanner.pos = scanner.src.length;
      fail('unexpected end of statement while looking for matching single-quote');
    }
    const body = scanner.src.slice(scanner.pos, close);
    scanner.pos = close + 1;
    return this.config.rawQuotes ? `'${body}'` : body;
  }

  /**
   * `$` expands inside double quotes, and the escape character escapes only `"`, `$` and
   * itself; before anything else it stays. With rawEscapes such an escape character is written
   * twice (once kept, once as the literal it then is), exactly as BuildKit does.
   */
  private readDoubleQuoted(): string {
    const scanner = this.scanner;
    const escape = this.config.escape;
    scanner.next();
    let text = this.config.rawQuotes ? '"' : '';
    for (;;) {
      text += scanner.takeUntil(this.config.doubleQuoteStops);
      const ch = scanner.peek();
      if (ch === EOF) fail('unexpected end of statement while looking for matching double-quote');
      if (ch === CH_DQUOTE) {
        scanner.next();
        return this.config.rawQuotes ? text + '"' : text;
      }
      if (ch === CH_DOLLAR) {
        text += this.expandDollar();
        continue;
      }
      scanner.next();
      if (this.rawEscapes) text += this.escapeText;
      const following = scanner.peek();
      if (following === EOF) continue;
      if (following === CH_DQUOTE || following === CH_DOLLAR || following === escape) {
        scanner.next();
        text += String.fromCodePoint(following);
      } else {
        text += this.escapeText;
      }
    }
  }

  /**
   * BuildKit's lexer keeps `<<` and any blanks after it together, so that in words mode
   * `<< EOF` stays one word for the heredoc detection in the parser. A single `<` is plain text.
   */
  private readPossibleHeredoc(): string {
    const scanner = this.scanner;
    scanner.next();
    if (scanner.peek() !== CH_LT) return '<';
    scanner.next();
    const blanksFrom = scanner.pos;
    while (isHeredocBlank(scanner.peek())) scanner.next();
    return '<<' + scanner.src.slice(blanksFrom, scanner.pos);
  }

  /**
   * A parameter name: a run of digits (positional, `$001aaa` is `$001` then `aaa`), one special
   * parameter character, or letters, digits and underscores. Empty when none of these follows.
   */
  private readName(): string {
    const scanner = this.scanner;
    const from = scanner.pos;
    const first = scanner.peek();
    if (isGoDigit(first)) {
      while (isGoDigit(scanner.peek())) scanner.next();
    } else if (isSpecialParam(first)) {
      scanner.next();
    } else {
      while (isNameChar(scanner.peek())) scanner.next();
    }
    return scanner.src.slice(from, scanner.pos);
  }

  private lookup(name: string): string | undefined {
    const value = this.env.get(name);
    if (value === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return value;
  }

  /** Reads an operand of `${…}`; a failure that ran into the end of the word gets `eofMessage`. */
  private readOperand(stop: number, rawEscapes: boolean, eofMessage: string): string {
    try {
      return this.readUntil(stop, rawEscapes).text;
    } catch (err) {
      if (err instanceof ShellFailure && this.scanner.peek() === EOF) fail(eofMessage);
      throw err;
    }
  }

  private expandDollar(): string {
    const scanner = this.scanner;
    scanner.next();
    if (scanner.peek() !== CH_LBRACE) {
      // `$` before anything that cannot start a name is a literal dollar.
      const name = this.readName();
      if (name === '') return '$';
      const value = this.lookup(name);
      if (value === undefined && this.config.skipUnsetEnv) return '$' + name;
      return value ?? '';
    }
    scanner.next();
    const first = scanner.peek();
    if (first === EOF) fail("syntax error: missing '}'");
    if (first === CH_LBRACE || first === CH_RBRACE || first === CH_COLON) fail('syntax error: bad substitution');
    // The name may be empty here (`${+x}`, `${%x}`, `${/a/b}`): BuildKit then looks up "".
    const name = this.readName();
    let op = scanner.next();
    let modifier = runeToString(op);
    if (op === CH_RBRACE) {
      const value = this.lookup(name);
      if (value === undefined && this.config.skipUnsetEnv) return '${' + name + '}';
      return value ?? '';
    }
    if (op === CH_SLASH) return this.expandReplace(name);
    const nullIsUnset = op === CH_COLON;
    if (nullIsUnset) {
      // Whatever follows the colon, the operand is read before the modifier is checked, so
      // `${X:=y}` fails only after `y}` was consumed (and not at all under skipUnsetEnv when X
      // is unset: the reference is then returned as written).
      op = scanner.next();
      modifier += runeToString(op);
    } else if (op !== CH_PLUS && op !== CH_MINUS && op !== CH_QUESTION && op !== CH_HASH && op !== CH_PERCENT) {
      unsupportedModifier(modifier);
    }
    const trims = op === CH_HASH || op === CH_PERCENT;
    if (nullIsUnset && trims) unsupportedModifier(modifier);
    const word = this.readOperand(CH_RBRACE, trims, "syntax error: missing '}'");
    const value = this.lookup(name);
    if (value === undefined && this.config.skipUnsetEnv) return '${' + name + modifier + word + '}';
    const empty = value === undefined || (nullIsUnset && value === '');
    switch (op) {
      case CH_MINUS:
        return empty ? word : (value ?? '');
      case CH_PLUS:
        return empty ? '' : word;
      case CH_QUESTION:
        if (value === undefined) fail(`${name}: ${word === '' ? 'is not allowed to be unset' : word}`);
        if (empty) fail(`${name}: ${word === '' ? 'is not allowed to be empty' : word}`);
        return value;
      case CH_HASH:
      case CH_PERCENT: {
        // A doubled operator (`##`, `%%`) makes the stars greedy.
        const greedy = word.charCodeAt(0) === op;
        const pattern = greedy ? word.slice(1) : word;
        return op === CH_PERCENT ? trimSuffix(pattern, value ?? '', greedy) : trimPrefix(pattern, value ?? '', greedy);
      }
      default:
        return unsupportedModifier(modifier);
    }
  }

  /**
   * `${V/p/r}` and `${V//p/r}`. Both operands keep their escape characters, so `\/` in the
   * replacement stays `\/`. Under skipUnsetEnv an unset V is written back with a single `/`
   * even for `//`, as BuildKit does.
   */
  private expandReplace(name: string): string {
    const scanner = this.scanner;
    const all = scanner.peek() === CH_SLASH;
    if (all) scanner.next();
    const pattern = this.readOperand(CH_SLASH, true, "syntax error: missing '/' in ${}");
    const replacement = this.readOperand(CH_RBRACE, true, "syntax error: missing '}'");
    const value = this.lookup(name);
    if (value === undefined && this.config.skipUnsetEnv) return '${' + name + '/' + pattern + '/' + replacement + '}';
    return all ? replaceAll(value ?? '', pattern, replacement) : replaceFirst(value ?? '', pattern, replacement);
  }
}
