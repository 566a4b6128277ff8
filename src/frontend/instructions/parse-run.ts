/**
 * RUN, CMD, ENTRYPOINT and SHELL: the instructions whose arguments are a command line, in exec
 * form (a JSON array, run as is) or shell form (one string, run by the stage's shell).
 */
import { goQuote } from '../gostrings/index.js';
import { parseDevice } from './device.js';
import { errAtLeastOneArgument, errNotJson, instructionError } from './errors.js';
import { parseMount } from './mount.js';
import { commandLine, type ParseRequest } from './request.js';
import type {
  CmdInstruction,
  EntrypointInstruction,
  NetworkMode,
  RunInstruction,
  SecurityMode,
  ShellInstruction,
  ShellInlineFile,
} from './types.js';

const NETWORK_MODES: readonly NetworkMode[] = ['default', 'none', 'host'];
const SECURITY_MODES: readonly SecurityMode[] = ['insecure', 'sandbox'];

export function parseRun(req: ParseRequest): RunInstruction {
  // Declared in BuildKit's hook order (device, mount, network, security), which is also the
  // order in which their values are checked below.
  const deviceFlag = req.flags.strings('device');
  const mountFlag = req.flags.strings('mount');
  const networkFlag = req.flags.string('network', 'default');
  const securityFlag = req.flags.string('security', 'sandbox');
  req.flags.parse();

  const files: ShellInlineFile[] = req.heredocs.map((doc) => ({ name: doc.name, data: doc.content, chomp: doc.chomp }));
  const devices = deviceFlag.values.map(parseDevice);
  const mounts = [...mountFlag.values];
  for (const spec of mounts) parseMount(spec);
  const network = networkFlag.value;
  if (!(NETWORK_MODES as readonly string[]).includes(network)) {
    throw instructionError(`invalid network mode ${goQuote(network)}`, 'The network mode is one of default, none, host.');
  }
  const security = securityFlag.value;
  if (!(SECURITY_MODES as readonly string[]).includes(security)) {
    throw instructionError(`security ${goQuote(security)} is not valid`, 'The security mode is one of sandbox, insecure.');
  }
  return {
    kind: 'run',
    ...req.base,
    cmdLine: commandLine(req.args, req.json),
    prependShell: !req.json,
    files,
    mounts,
    network: network as NetworkMode,
    security: security as SecurityMode,
    devices,
    flagsUsed: req.flags.used(),
  };
}

export function parseCmd(req: ParseRequest): CmdInstruction {
  req.flags.parse();
  return { kind: 'cmd', ...req.base, cmdLine: commandLine(req.args, req.json), prependShell: !req.json };
}

export function parseEntrypoint(req: ParseRequest): EntrypointInstruction {
  req.flags.parse();
  return { kind: 'entrypoint', ...req.base, cmdLine: commandLine(req.args, req.json), prependShell: !req.json };
}

export function parseShell(req: ParseRequest): ShellInstruction {
  req.flags.parse();
  const shell = commandLine(req.args, req.json);
  if (shell.length === 0) throw errAtLeastOneArgument('SHELL');
  if (!req.json) throw errNotJson('SHELL');
  return { kind: 'shell', ...req.base, shell };
}
