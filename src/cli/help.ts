/**
 * Help text in the layout of the Docker CLI (cobra's docker templates), so that `lade --help`
 * reads like `docker --help` to the people switching.
 */
import type { CommandSpec, GroupCommand, LeafCommand, OptionSpec } from './command-spec.js';

export function optionTerm(option: OptionSpec): string {
  const short = option.short === undefined ? '    ' : `-${option.short}, `;
  return `${short}--${option.long}${option.type === undefined ? '' : ` ${option.type}`}`;
}

function optionLines(options: readonly OptionSpec[]): string[] {
  const visible = options.filter((o) => o.hidden !== true);
  const width = Math.max(0, ...visible.map((o) => optionTerm(o).length));
  return visible.map((o) => {
    const def = o.defaultValue === undefined ? '' : ` (default ${JSON.stringify(o.defaultValue)})`;
    return `  ${optionTerm(o).padEnd(width)}   ${o.description}${def}`;
  });
}

function commandLines(commands: readonly CommandSpec[]): string[] {
  return commands.filter((c) => c.hidden !== true).map((c) => `  ${c.name.padEnd(11)} ${c.summary}`);
}

export function leafHelp(path: string, cmd: LeafCommand): string {
  const parts = ['', `Usage:  ${path} ${cmd.usage}`.trimEnd(), '', cmd.summary];
  if (cmd.aliases !== undefined && cmd.aliases.length > 0) {
    const parent = path.slice(0, path.length - cmd.name.length);
    parts.push('', 'Aliases:', `  ${[cmd.name, ...cmd.aliases].map((a) => parent + a).join(', ')}`);
  }
  const opts = optionLines(cmd.options);
  if (opts.length > 0) parts.push('', 'Options:', ...opts);
  return parts.join('\n') + '\n';
}

export function groupHelp(path: string, group: GroupCommand): string {
  return [
    '',
    `Usage:  ${path} COMMAND`,
    '',
    group.summary,
    '',
    'Commands:',
    ...commandLines(group.commands),
    '',
    `Run '${path} COMMAND --help' for more information on a command.`,
    '',
  ].join('\n');
}

export function rootHelp(
  name: string,
  summary: string,
  globalOptions: readonly OptionSpec[],
  commands: readonly CommandSpec[],
): string {
  const management = commands.filter((c) => c.kind === 'group');
  const plain = commands.filter((c) => c.kind === 'leaf');
  const parts = ['', `Usage:  ${name} [OPTIONS] COMMAND`, '', summary, '', 'Options:', ...optionLines(globalOptions)];
  if (management.length > 0) parts.push('', 'Management Commands:', ...commandLines(management));
  if (plain.length > 0) parts.push('', 'Commands:', ...commandLines(plain));
  parts.push('', `Run '${name} COMMAND --help' for more information on a command.`, '');
  return parts.join('\n');
}
