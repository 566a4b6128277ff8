/**
 * Commands are declared as data and turned into a parser by program.ts; help text is rendered
 * from the same data (help.ts), so a flag cannot be documented differently from how it parses.
 */
import type { Output } from './output.js';

export interface GlobalOptions {
  /** Directory for all of lade's state (`--root`, `LADE_ROOT`). */
  root: string;
  /** Show stack traces and internal detail. */
  debug: boolean;
}

export interface OptionSpec {
  /** Long name without dashes, as the user types it. */
  long: string;
  short?: string;
  /** The value's type word as Docker's help shows it (`string`, `list`, `int`); absent for booleans. */
  type?: 'string' | 'list' | 'int' | 'bytes' | 'stringArray' | 'filter' | 'decimal' | 'mount';
  description: string;
  /** Shown as `(default "x")`. */
  defaultValue?: string;
  /** Accepted values; anything else is a usage error naming them. */
  choices?: readonly string[];
  hidden?: boolean;
}

export interface ArgsSpec {
  min: number;
  /** `undefined` means any number. */
  max?: number;
}

/** Option values after parsing: booleans for flags, strings for values, arrays for lists. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface RunContext {
  global: GlobalOptions;
  out: Output;
  /** The full command path as typed, e.g. `lade debug parse`. */
  commandPath: string;
}

export interface LeafCommand {
  kind: 'leaf';
  name: string;
  aliases?: readonly string[];
  /** Docker-style usage tail, e.g. `[OPTIONS] FILE`. */
  usage: string;
  summary: string;
  args: ArgsSpec;
  options: readonly OptionSpec[];
  hidden?: boolean;
  /**
   * Flags end at the first argument (`lade run IMAGE ls -l`: `-l` belongs to the container's
   * command), as Docker's commands that take a command line parse them.
   */
  stopAtFirstArg?: boolean;
  run(ctx: RunContext, args: string[], options: OptionValues): Promise<number> | number;
}

/** A command that only groups others (Docker's "management commands"). */
export interface GroupCommand {
  kind: 'group';
  name: string;
  summary: string;
  commands: readonly CommandSpec[];
  hidden?: boolean;
}

export type CommandSpec = LeafCommand | GroupCommand;

/** A management command's leaf under its top-level name (`image ls` → `images`), without its aliases. */
export function topLevelForm(command: LeafCommand, name: string): LeafCommand {
  const { aliases: _aliases, ...rest } = command;
  return { ...rest, name };
}
