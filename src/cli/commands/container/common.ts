/** What the container commands share: the runtime, Docker's status words, the command column. */
import { openRuntime, type ContainerEntry, type ContainerState, type Runtime } from '../../../container/index.js';
import type { RunContext } from '../../command-spec.js';
import { humanDuration } from '../../format/index.js';

export function runtime(ctx: RunContext): Promise<Runtime> {
  return openRuntime(ctx.global.root);
}

const ZERO = '0001-01-01T00:00:00Z';

/** Docker's container/state.go String(): `Up 3 seconds`, `Exited (0) 2 minutes ago`, `Created`. */
export function statusText(state: ContainerState, now = Date.now()): string {
  if (state.status === 'running') return `Up ${humanDuration(now - Date.parse(state.startedAt))}`;
  if (state.startedAt === ZERO) return 'Created';
  if (state.finishedAt === ZERO) return '';
  return `Exited (${state.exitCode}) ${humanDuration(now - Date.parse(state.finishedAt))} ago`;
}

/** Path and Args as `docker inspect` shows them: the first word of entrypoint+cmd, then the rest. */
export function pathAndArgs(entry: ContainerEntry): { path: string; args: string[] } {
  const argv = [...entry.record.resolved.config.Entrypoint, ...entry.record.resolved.config.Cmd];
  return { path: argv[0] ?? '', args: argv.slice(1) };
}

/** The COMMAND column's text before quoting: Path and Args, an argument with a space in single quotes (moby daemon/list.go). */
export function commandLine(entry: ContainerEntry): string {
  const { path, args } = pathAndArgs(entry);
  return args.length === 0 ? path : `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/** docker/cli's Ellipsis: at most `max` runes, the last one `…` when cut. */
export function ellipsis(s: string, max: number): string {
  const runes = [...s];
  if (runes.length <= max) return s;
  return `${runes.slice(0, max - 1).join('')}…`;
}
