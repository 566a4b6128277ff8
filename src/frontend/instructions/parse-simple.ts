/**
 * The instructions whose parsing is argument counting: ENV, LABEL, ARG, EXPOSE, VOLUME, USER,
 * WORKDIR, STOPSIGNAL, MAINTAINER. The order of the checks (arguments before or after flags,
 * flags not parsed at all for ARG and STOPSIGNAL) is BuildKit's, so the same input fails with
 * the same message.
 */
import {
  errAtLeastOneArgument,
  errBlankCommandNames,
  errExactlyOneArgument,
  errTooManyArguments,
  instructionError,
} from './errors.js';
import { trimSpace, type ParseRequest } from './request.js';
import type {
  ArgDeclaration,
  ArgInstruction,
  EnvInstruction,
  ExposeInstruction,
  KeyValuePair,
  LabelInstruction,
  MaintainerInstruction,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from './types.js';

function parseKeyValuePairs(args: readonly string[], command: string): KeyValuePair[] {
  if (args.length === 0) throw errAtLeastOneArgument(command);
  if (args.length % 3 !== 0) throw errTooManyArguments(command);
  const pairs: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const key = args[i]!;
    if (key === '') throw errBlankCommandNames(command);
    pairs.push({ key, value: args[i + 1]!, noDelim: args[i + 2] === '' });
  }
  return pairs;
}

export function parseEnv(req: ParseRequest): EnvInstruction {
  req.flags.parse();
  return { kind: 'env', ...req.base, pairs: parseKeyValuePairs(req.args, 'ENV') };
}

export function parseLabel(req: ParseRequest): LabelInstruction {
  req.flags.parse();
  return { kind: 'label', ...req.base, pairs: parseKeyValuePairs(req.args, 'LABEL') };
}

export function parseMaintainer(req: ParseRequest): MaintainerInstruction {
  if (req.args.length !== 1) throw errExactlyOneArgument('MAINTAINER');
  req.flags.parse();
  return { kind: 'maintainer', ...req.base, maintainer: req.args[0]! };
}

export function parseWorkdir(req: ParseRequest): WorkdirInstruction {
  if (req.args.length !== 1) throw errExactlyOneArgument('WORKDIR');
  req.flags.parse();
  return { kind: 'workdir', ...req.base, path: req.args[0]! };
}

export function parseUser(req: ParseRequest): UserInstruction {
  if (req.args.length !== 1) throw errExactlyOneArgument('USER');
  req.flags.parse();
  return { kind: 'user', ...req.base, user: req.args[0]! };
}

/** BuildKit never parses STOPSIGNAL's flags: `STOPSIGNAL --x SIGTERM` is accepted. */
export function parseStopSignal(req: ParseRequest): StopsignalInstruction {
  if (req.args.length !== 1) throw errExactlyOneArgument('STOPSIGNAL');
  return { kind: 'stopsignal', ...req.base, signal: req.args[0]! };
}

export function parseExpose(req: ParseRequest): ExposeInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('EXPOSE');
  req.flags.parse();
  return { kind: 'expose', ...req.base, ports: [...req.args].sort(compareBytes) };
}

export function parseVolume(req: ParseRequest): VolumeInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('VOLUME');
  req.flags.parse();
  const volumes: string[] = [];
  for (const raw of req.args) {
    const v = trimSpace(raw);
    if (v === '') throw instructionError('VOLUME specified can not be an empty string');
    volumes.push(v);
  }
  return { kind: 'volume', ...req.base, volumes };
}

/**
 * `ARG name` or `ARG name=default`, several per line. BuildKit never parses ARG's flags. The
 * default keeps its quotes: it is expanded when the stage is dispatched.
 */
export function parseArg(req: ParseRequest): ArgInstruction {
  if (req.args.length < 1) throw errAtLeastOneArgument('ARG');
  const args: ArgDeclaration[] = req.args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq < 0) return { key: arg };
    if (eq === 0) throw errBlankCommandNames('ARG');
    return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
  });
  return { kind: 'arg', ...req.base, args };
}

/** Go's sort order for strings: by UTF-8 bytes, which is code point order. */
export function compareBytes(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
