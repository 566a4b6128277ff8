import { ErrorCode, LadeError } from '../../errors/index.js';
import { CH_BACKSLASH, CH_BACKTICK } from './chars.js';
import { expanderConfig, WordExpander } from './expander.js';
import type { ExpanderConfig, Expansion } from './expander.js';
import { ShellFailure } from './failure.js';
import { goQuote, replaceEscapedBytes } from '../gostrings/index.js';
import type { EnvGetter, LexOptions, ProcessWordResult, ShellLexer } from './types.js';

/** Go's unicode.IsSpace, as a character class for the fast path's split. */
const GO_SPACE_RUN = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

function splitOnSpace(word: string): string[] {
  return word.split(GO_SPACE_RUN).filter((w) => w !== '');
}

class Lexer implements ShellLexer {
  readonly options: Readonly<Required<LexOptions>>;
  private readonly config: ExpanderConfig;
  /**
   * Characters that make a word need the full lexer. A word without them expands to itself;
   * `<` changes only word splitting (`<< EOF` is one word). A leading byte-order mark is
   * dropped by BuildKit's scanner, so it is listed too.
   */
  private readonly needsLexer: RegExp;
  private readonly needsLexerForWords: RegExp;

  constructor(options: Readonly<Required<LexOptions>>) {
    this.options = options;
    const escape = options.escapeToken === '`' ? CH_BACKTICK : CH_BACKSLASH;
    this.config = expanderConfig(
      escape,
      options.rawQuotes,
      options.rawEscapes,
      !options.skipProcessQuotes,
      options.skipUnsetEnv,
    );
    const quotes = options.skipProcessQuotes ? '' : `'"`;
    const escapeClass = options.escapeToken === '`' ? '`' : '\\\\';
    this.needsLexer = new RegExp(`[$${escapeClass}${quotes}\\ufeff]`);
    this.needsLexerForWords = new RegExp(`[$<${escapeClass}${quotes}\\ufeff]`);
  }

  // Go's scanner decodes runes and writes an invalid byte back as U+FFFD, on every path.
  processWord(source: string, env: EnvGetter): string {
    const word = replaceEscapedBytes(source);
    if (!this.needsLexer.test(word)) return word;
    return this.run(word, env, false).expansion.text;
  }

  processWords(source: string, env: EnvGetter): string[] {
    const word = replaceEscapedBytes(source);
    if (!this.needsLexerForWords.test(word)) return splitOnSpace(word);
    return this.run(word, env, true).expansion.words;
  }

  processWordWithMatches(source: string, env: EnvGetter): ProcessWordResult {
    const word = replaceEscapedBytes(source);
    if (!this.needsLexerForWords.test(word)) {
      return { result: word, words: splitOnSpace(word), matched: new Set(), unmatched: new Set() };
    }
    const { expansion, expander } = this.run(word, env, true);
    return { result: expansion.text, words: expansion.words, matched: expander.matched, unmatched: expander.unmatched };
  }

  private run(word: string, env: EnvGetter, splitWords: boolean): { expansion: Expansion; expander: WordExpander } {
    const expander = new WordExpander(this.config, word, env, splitWords);
    try {
      return { expansion: expander.expand(), expander };
    } catch (err) {
      throw toLadeError(word, err);
    }
  }
}

function toLadeError(word: string, err: unknown): LadeError {
  if (err instanceof LadeError) return err;
  if (err instanceof ShellFailure) {
    // BuildKit wraps every lexer error the same way; lade keeps the wording so messages match.
    return new LadeError(ErrorCode.ShellExpansion, `failed to process ${goQuote(word)}: ${err.message}`);
  }
  // Resource limits rather than syntax: `${…}` operands are read recursively, so thousands of
  // nested `${V:-${W:-…}}` exhaust the call stack (BuildKit, with Go's growable stacks, would
  // expand them); and a `${V//p/r}` result can exceed the engine's longest string. An
  // EnvGetter that throws ends up here too.
  const detail =
    err instanceof RangeError && /call stack/i.test(err.message)
      ? 'substitutions nested too deeply'
      : err instanceof Error
        ? err.message
        : String(err);
  return new LadeError(ErrorCode.ShellExpansion, `failed to process ${goQuote(word)}: ${detail}`, { cause: err });
}

/** A lexer with BuildKit's `Lex` settings; unspecified flags are false, the escape token `\`. */
export function createShellLexer(options: LexOptions = {}): ShellLexer {
  const escapeToken = options.escapeToken ?? '\\';
  if (escapeToken !== '\\' && escapeToken !== '`') {
    throw new LadeError(ErrorCode.Internal, `invalid escape token ${JSON.stringify(escapeToken)}: must be \\ or \``);
  }
  return new Lexer(
    Object.freeze({
      escapeToken,
      rawQuotes: options.rawQuotes ?? false,
      rawEscapes: options.rawEscapes ?? false,
      skipProcessQuotes: options.skipProcessQuotes ?? false,
      skipUnsetEnv: options.skipUnsetEnv ?? false,
    }),
  );
}
