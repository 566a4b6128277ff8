/**
 * Turns the declarative command specs into a commander program and runs it. Commander does the
 * tokenising (combined short flags, `--flag=value`, `--`); lade does the rest the Docker way:
 * help layout, argument-count messages, exit statuses.
 */
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type {
  CommandSpec,
  GlobalOptions,
  GroupCommand,
  LeafCommand,
  OptionSpec,
  OptionValues,
} from './command-spec.js';
import { groupHelp, leafHelp, rootHelp } from './help.js';
import type { Output } from './output.js';
import { UsageError } from './usage-error.js';

export const PROGRAM = 'lade';
export const SUMMARY = 'A Dockerfile image builder and container runtime for Linux';
export const DEFAULT_ROOT = '/var/lib/lade';

export const globalOptionSpecs: readonly OptionSpec[] = [
  { long: 'debug', short: 'D', description: 'Enable debug mode: stack traces and internal detail' },
  {
    long: 'root',
    type: 'string',
    description: 'Directory for all of lade\'s state (env LADE_ROOT)',
    defaultValue: DEFAULT_ROOT,
  },
  { long: 'version', short: 'v', description: 'Print version information and quit' },
];

const helpSpec: OptionSpec = { long: 'help', short: 'h', description: 'Print usage', hidden: true };

export interface ProgramHooks {
  out: Output;
  env: NodeJS.ProcessEnv;
  versionText(): string;
  /** Receives the global options as soon as they are known, so errors can be rendered with --debug. */
  onGlobals?(global: GlobalOptions): void;
}

/** Hooks plus the exit status set by the leaf action (commander's parseAsync resolves with the program). */
interface RunState extends ProgramHooks {
  status: number;
}

function collect(value: string, previous: unknown): string[] {
  return Array.isArray(previous) ? [...(previous as string[]), value] : [value];
}

function toOption(spec: OptionSpec, hidden = spec.hidden === true): Option {
  const flags = `${spec.short === undefined ? '' : `-${spec.short}, `}--${spec.long}${spec.type === undefined ? '' : ' <value>'}`;
  const option = new Option(flags, spec.description);
  if (spec.type === 'list' || spec.type === 'stringArray' || spec.type === 'filter' || spec.type === 'mount') option.argParser(collect);
  if (hidden) option.hideHelp();
  return option;
}

/** Global flags are accepted after the command name too (`lade build --debug .`). */
function mergeGlobals(program: Command, local: OptionValues, env: NodeJS.ProcessEnv): GlobalOptions {
  const top = program.opts<OptionValues>();
  const root = local['root'] ?? top['root'] ?? env['LADE_ROOT'] ?? DEFAULT_ROOT;
  return {
    // Absolute: a relative root would move under anything that changes directory (overlay mounts
    // are made from inside the snapshot directory, whose relative lowerdirs they name).
    root: resolve(typeof root === 'string' && root !== '' ? root : DEFAULT_ROOT),
    debug: local['debug'] === true || top['debug'] === true,
  };
}

function checkArgs(path: string, cmd: LeafCommand, args: string[]): void {
  const { min, max } = cmd.args;
  let message: string | undefined;
  const noun = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  if (max !== undefined && min === max && args.length !== min) {
    message = min === 0 ? `"${path}" accepts no arguments.` : `"${path}" requires exactly ${noun(min)}.`;
  } else if (args.length < min) {
    message = `"${path}" requires at least ${noun(min)}.`;
  } else if (max !== undefined && args.length > max) {
    message = `"${path}" requires at most ${noun(max)}.`;
  }
  if (message !== undefined) {
    throw new UsageError(message, path, 1, `Usage:  ${path} ${cmd.usage}\n\n${cmd.summary}`);
  }
}

function checkChoices(path: string, cmd: LeafCommand, values: OptionValues): void {
  for (const spec of cmd.options) {
    const value = values[spec.long];
    if (spec.choices === undefined || typeof value !== 'string') continue;
    if (!spec.choices.includes(value)) {
      const allowed = spec.choices.map((c) => `"${c}"`).join(', ');
      throw new UsageError(`invalid argument "${value}" for "--${spec.long}" flag: must be one of ${allowed}`, path, 125);
    }
  }
}

/** Commander stores options under camelCase keys; specs use the flag's own spelling. */
function bySpecName(cmd: LeafCommand, raw: Record<string, unknown>): OptionValues {
  const values: OptionValues = {};
  const camel = (long: string) => long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  for (const spec of cmd.options) {
    let value = raw[camel(spec.long)];
    if (spec.long.startsWith('no-')) {
      // Commander reads `--no-X` as the negation of X: `X: false` when given, `X: true` by default
      // (and `--no-X <value>` as X's value).
      const negated = raw[camel(spec.long.slice(3))];
      value = spec.type === undefined ? (negated === false ? true : undefined) : negated === true ? undefined : negated;
    }
    values[spec.long] = value === undefined ? spec.defaultValue : (value as OptionValues[string]);
  }
  // Global defaults are applied in mergeGlobals, after the flag before the command and LADE_ROOT.
  for (const spec of globalOptionSpecs) values[spec.long] = raw[camel(spec.long)] as OptionValues[string];
  return values;
}

function translateCommanderError(err: CommanderError, path: string): UsageError | undefined {
  switch (err.code) {
    case 'commander.unknownOption': {
      const flag = /'([^']*)'/.exec(err.message)?.[1] ?? err.message;
      return new UsageError(`unknown ${flag.startsWith('--') ? 'flag' : 'shorthand flag'}: ${flag}`, path, 125);
    }
    case 'commander.optionMissingArgument': {
      const flag = /'([^']*)'/.exec(err.message)?.[1] ?? '';
      return new UsageError(`flag needs an argument: ${flag.split(/[ ,]+/).pop() ?? flag}`, path, 125);
    }
    default:
      return undefined;
  }
}

function attachErrors(command: Command, path: string): Command {
  return command
    .exitOverride((err) => {
      throw translateCommanderError(err, path) ?? err;
    })
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
}

function addLeaf(parent: Command, path: string, spec: LeafCommand, program: Command, hooks: RunState): void {
  const full = `${path} ${spec.name}`;
  const command = new Command(spec.name).helpOption(false).helpCommand(false).allowExcessArguments(true);
  for (const alias of spec.aliases ?? []) command.alias(alias);
  if (spec.stopAtFirstArg === true) command.passThroughOptions();
  command.argument('[args...]');
  // Docker's run and create use -h for --hostname; their help is --help alone.
  const help = spec.options.some((o) => o.short === 'h') ? { long: helpSpec.long, description: helpSpec.description, hidden: true } : helpSpec;
  for (const option of [...spec.options, help]) command.addOption(toOption(option));
  // Global flags after the command name: accepted, not listed (Docker lists them only at the top).
  for (const option of globalOptionSpecs.filter((o) => o.long !== 'version')) {
    command.addOption(toOption({ ...option, defaultValue: undefined }, true));
  }
  attachErrors(command, full);
  command.action(async (args: string[], raw: Record<string, unknown>) => {
    const values = bySpecName(spec, raw);
    const global = mergeGlobals(program, values, hooks.env);
    hooks.onGlobals?.(global);
    if (raw['help'] === true) {
      hooks.out.stdout(leafHelp(full, spec));
      return;
    }
    checkArgs(full, spec, args);
    checkChoices(full, spec, values);
    hooks.status = await spec.run({ global, out: hooks.out, commandPath: full }, args, values);
  });
  parent.addCommand(command);
}

function addGroup(parent: Command, path: string, spec: GroupCommand, program: Command, hooks: RunState): void {
  const full = `${path} ${spec.name}`;
  const command = new Command(spec.name)
    .helpOption(false)
    .helpCommand(false)
    .enablePositionalOptions()
    .allowExcessArguments(true);
  command.addOption(toOption(helpSpec)).argument('[command]');
  attachErrors(command, full);
  command.action((name: string | undefined) => {
    hooks.onGlobals?.(mergeGlobals(program, {}, hooks.env));
    if (name !== undefined && name !== 'help') {
      throw new UsageError(`'${name}' is not a ${full} command.`, full, 1);
    }
    hooks.out.stdout(groupHelp(full, spec));
  });
  for (const child of spec.commands) addChild(command, full, child, program, hooks);
  parent.addCommand(command);
}

function addChild(parent: Command, path: string, spec: CommandSpec, program: Command, hooks: RunState): void {
  if (spec.kind === 'leaf') addLeaf(parent, path, spec, program, hooks);
  else addGroup(parent, path, spec, program, hooks);
}

function findHelpTarget(words: string[], commands: readonly CommandSpec[], path: string): string | undefined {
  let list = commands;
  let current = path;
  let found: CommandSpec | undefined;
  for (const word of words) {
    found = list.find((c) => c.name === word || (c.kind === 'leaf' && c.aliases?.includes(word) === true));
    if (found === undefined) return undefined;
    current = `${current} ${found.name}`;
    list = found.kind === 'group' ? found.commands : [];
  }
  if (found === undefined) return undefined;
  return found.kind === 'leaf' ? leafHelp(current, found) : groupHelp(current, found);
}

export async function runProgram(argv: string[], commands: readonly CommandSpec[], hooks: ProgramHooks): Promise<number> {
  const state: RunState = { ...hooks, status: 0 };
  const program = new Command(PROGRAM)
    .helpOption(false)
    .helpCommand(false)
    .enablePositionalOptions()
    .allowExcessArguments(true)
    .argument('[command...]');
  for (const option of [...globalOptionSpecs, helpSpec]) program.addOption(toOption(option));
  attachErrors(program, PROGRAM);
  const showRoot = () => hooks.out.stdout(rootHelp(PROGRAM, SUMMARY, globalOptionSpecs, commands));
  program.action((words: string[], raw: Record<string, unknown>) => {
    hooks.onGlobals?.(mergeGlobals(program, {}, hooks.env));
    if (raw['version'] === true) {
      hooks.out.stdout(hooks.versionText());
      return;
    }
    const [first, ...rest] = words;
    if (first === undefined || raw['help'] === true) {
      showRoot();
      return;
    }
    if (first === 'help') {
      if (rest.length === 0) return showRoot();
      const text = findHelpTarget(rest, commands, PROGRAM);
      if (text === undefined) throw new UsageError(`unknown help topic: ${rest.join(' ')}`, PROGRAM, 1);
      hooks.out.stdout(text);
      return;
    }
    throw new UsageError(`'${first}' is not a ${PROGRAM} command.`, PROGRAM, 1);
  });
  for (const spec of commands) addChild(program, PROGRAM, spec, program, state);
  await program.parseAsync(argv, { from: 'user' });
  return state.status;
}
