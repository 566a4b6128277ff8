/**
 * The `created_by` strings BuildKit's dockerfile2llb writes in history, with Go's formatting:
 * `%q` of a []string is `["a" "b"]`, `%v` is `[a b]`.
 */
import { goQuote } from '../gostrings/index.js';
import type { DeclaredArg } from '../stages/index.js';
import { HISTORY_COMMENT, type BuildImage } from './image-config.js';

export function goQuoteList(list: readonly string[]): string {
  return `[${list.map((s) => goQuote(s)).join(' ')}]`;
}

export function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

/**
 * BuildKit's commitToHistory. Steps that change the filesystem through the solver state get the
 * ` # buildkit` suffix (RUN, COPY, ADD); WORKDIR makes a layer without it.
 */
export function commitToHistory(image: BuildImage, createdBy: string, withLayer: boolean, buildkitSuffix = false): void {
  image.history.push({
    created_by: buildkitSuffix ? `${createdBy} # buildkit` : createdBy,
    comment: HISTORY_COMMENT,
    ...(withLayer ? {} : { empty_layer: true }),
  });
}

/**
 * BuildKit's runCommandString: the build args declared in the stage, with their values as the
 * RUN sees them (an ENV of the same name wins), prefixed `|N`, then the command.
 */
export function runCommandString(args: readonly string[], declared: readonly DeclaredArg[], env: ReadonlyMap<string, string>): string {
  const buildEnv = declared.map((a) => `${a.key}=${env.get(a.key) ?? a.value ?? ''}`);
  const parts = buildEnv.length > 0 ? [`|${buildEnv.length}`, ...buildEnv, ...args] : [...args];
  return parts.join(' ');
}
