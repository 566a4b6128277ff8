/**
 * The decisions current BuildKit makes with a .dockerignore's rules, as moby/patternmatcher's
 * `PatternMatcher` and tonistiigi/fsutil's filtering walk make them. walk.ts combines them into
 * the list of paths the build context holds.
 *
 * Rules are tried in order and the last one that matches decides (`!` rules re-include). A rule
 * that cannot change the answer is not tried: an excluding rule once the path is excluded, an
 * exception while it is not. That shortcut is visible, because a directory passes down only the
 * rules it was actually tried against and matched (`MatchesUsingParentResults`).
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { compilePattern, matchPattern, type CompiledPattern } from './pattern.js';
import { checkGlobSyntax, patternError, quote, type IgnoreRule } from './rules.js';

/**
 * What a directory passes down to its entries: one byte per rule, 1 where the rule matched the
 * directory itself or was inherited from an ancestor (patternmatcher's `MatchInfo`).
 */
export type MatchInfo = Uint8Array;

export interface IgnoreMatcher {
  readonly rules: readonly IgnoreRule[];
  /** True when some rule is a `!` exception (patternmatcher's `Exclusions()`). */
  readonly hasExceptions: boolean;
  /**
   * `MatchesOrParentMatches`: do the rules exclude this context-relative path (forward slashes,
   * no leading `./`, no trailing slash), trying each rule on the path and on all its ancestors?
   * This is what BuildKit's Dockerfile linter asks about a COPY source. The context walk does
   * NOT use it; see matchesUsingParentResults.
   */
  matchesOrParentMatches(path: string): boolean;
  /**
   * `MatchesUsingParentResults`: the walk's question. `parent` is the MatchInfo its parent
   * directory filled in, or undefined for a top-level entry (then ancestors are tried as in
   * matchesOrParentMatches). For a directory pass `out` (from createMatchInfo) to get the
   * MatchInfo its entries need.
   */
  matchesUsingParentResults(path: string, parent: MatchInfo | undefined, out?: MatchInfo): boolean;
  createMatchInfo(): MatchInfo;
  /**
   * fsutil's shortcut for an excluded directory: true when the walk may skip it with everything
   * below it; false when it must walk in because an exception might re-include something there.
   */
  canSkipExcludedDir(dir: string): boolean;
}

interface CompiledRule {
  readonly exclusion: boolean;
  readonly pattern: CompiledPattern;
  readonly rule: IgnoreRule;
}

/** Characters that make fsutil walk into every excluded directory when an exception has one. */
const WILDCARD_CHARS = /[*[\]?^\\]/;

/**
 * Compiles every rule once. `file` names the ignore file in error locations. Rules that did not
 * come from `parseDockerignore` are checked the same way.
 */
export function createIgnoreMatcher(rules: readonly IgnoreRule[], file = '.dockerignore'): IgnoreMatcher {
  const frozen = Object.freeze(rules.map((r) => Object.freeze({ ...r })));
  const compiled = frozen.map((rule) => {
    if (rule.pattern === '') throw patternError(file, rule.line, 'empty pattern');
    checkGlobSyntax(rule.pattern, file, rule.line);
    return { exclusion: rule.exclusion, pattern: compilePattern(rule.pattern), rule };
  });
  return new Matcher(frozen, compiled, file);
}

/**
 * fsutil's `patternWithoutTrailingGlob`: the part of an exception that names a directory the
 * walk must enter (`!docs/**` and `!docs/*` both need `docs`).
 */
function withoutTrailingGlob(pattern: string): string {
  let p = pattern.endsWith('/**') ? pattern.slice(0, -3) : pattern;
  if (p.endsWith('/*')) p = p.slice(0, -2);
  return p;
}

class Matcher implements IgnoreMatcher {
  readonly hasExceptions: boolean;
  /**
   * `<exception without trailing glob>/` for each exception, when none has a wildcard; undefined
   * when one does, and fsutil then walks into every excluded directory.
   */
  private readonly exceptionDirs: readonly string[] | undefined;

  constructor(
    readonly rules: readonly IgnoreRule[],
    private readonly compiled: readonly CompiledRule[],
    private readonly file: string,
  ) {
    const exceptions = rules.filter((r) => r.exclusion).map((r) => withoutTrailingGlob(r.pattern));
    this.hasExceptions = exceptions.length > 0;
    this.exceptionDirs = exceptions.some((p) => WILDCARD_CHARS.test(p)) ? undefined : exceptions.map((p) => `${p}/`);
  }

  createMatchInfo(): MatchInfo {
    return new Uint8Array(this.compiled.length);
  }

  matchesOrParentMatches(path: string): boolean {
    return this.matchesUsingParentResults(path, undefined);
  }

  matchesUsingParentResults(path: string, parent: MatchInfo | undefined, out?: MatchInfo): boolean {
    const compiled = this.compiled;
    let matched = false;
    for (let i = 0; i < compiled.length; i++) {
      const r = compiled[i]!;
      let hit = parent !== undefined && parent[i] === 1;
      if (!hit) {
        if (r.exclusion !== matched) {
          if (out !== undefined) out[i] = 0;
          continue;
        }
        hit = this.test(r, path);
        if (!hit && parent === undefined) hit = ancestorMatches(r, path);
      }
      if (out !== undefined) out[i] = hit ? 1 : 0;
      if (hit) matched = !r.exclusion;
    }
    return matched;
  }

  canSkipExcludedDir(dir: string): boolean {
    const dirs = this.exceptionDirs;
    if (dirs === undefined) return false;
    const prefix = `${dir}/`;
    for (const d of dirs) if (d.startsWith(prefix)) return false;
    return true;
  }

  private test(r: CompiledRule, path: string): boolean {
    const hit = matchPattern(r.pattern, path);
    if (hit !== undefined) return hit;
    // BuildKit fails the transfer here ("failed to match excludepatterns: syntax error in
    // pattern"); lade names the line, which BuildKit does not.
    const reason = r.pattern.kind === 'invalid' ? r.pattern.reason : 'unknown';
    throw new LadeError(
      ErrorCode.DockerignorePattern,
      `invalid pattern ${quote(r.rule.pattern)}: syntax error in pattern (as a Go regexp: ${reason})`,
      { location: { file: this.file, line: r.rule.line } },
    );
  }
}

/** Ancestors of `a/b/c` are `a` and `a/b`; a pattern that fails to compile matches none. */
function ancestorMatches(r: CompiledRule, path: string): boolean {
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    if (matchPattern(r.pattern, path.slice(0, slash)) === true) return true;
  }
  return false;
}
