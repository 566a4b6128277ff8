/** Variables visible to an expansion. Names are case-sensitive (lade builds Linux images only). */
export interface EnvGetter {
  /** The value, or `undefined` when the variable is unset (which differs from set-but-empty). */
  get(name: string): string | undefined;
  /** The names, for suggestions in lint messages. */
  keys(): string[];
}

/** BuildKit's `Lex` settings. Every flag defaults to false and the escape token to `\`. */
export interface LexOptions {
  /** The Dockerfile's escape character (`# escape=` directive). */
  escapeToken?: '\\' | '`';
  /** Keep quote characters in the output instead of removing them. */
  rawQuotes?: boolean;
  /** Keep escape characters in the output instead of removing them. */
  rawEscapes?: boolean;
  /** Treat `'` and `"` as ordinary characters. */
  skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written (`$X`, `${X}`, `${X:-d}` …). */
  skipUnsetEnv?: boolean;
}

export interface ProcessWordResult {
  /** The expansion as one word (spaces between words kept). */
  result: string;
  /** The expansion split into words, as {@link ShellLexer.processWords} returns it. */
  words: string[];
  /** Names that were looked up and found (used for build-arg usage tracking). */
  matched: Set<string>;
  /** Names that were looked up and not set (used by the UndefinedVar lint). */
  unmatched: Set<string>;
}

/**
 * Expands Dockerfile words like BuildKit's shell lexer. Every method throws a LadeError with
 * code ShellExpansion, and BuildKit's message, when the word cannot be expanded.
 */
export interface ShellLexer {
  readonly options: Readonly<Required<LexOptions>>;
  /** Expands a single word, without word splitting. */
  processWord(word: string, env: EnvGetter): string;
  /** Expands and splits into words: only unquoted whitespace separates them. */
  processWords(word: string, env: EnvGetter): string[];
  /** Like {@link processWord}, and also reports which variable names were found or not. */
  processWordWithMatches(word: string, env: EnvGetter): ProcessWordResult;
}
