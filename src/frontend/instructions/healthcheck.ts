/**
 * HEALTHCHECK NONE | HEALTHCHECK [--interval=d --timeout=d --start-period=d --start-interval=d
 * --retries=n] CMD command. Durations use Go's time.ParseDuration syntax (`30s`, `1m30s`,
 * `1.5h`); a non-zero duration below 1ms is an error, 0 means "inherit".
 */
import { goQuote } from '../gostrings/index.js';
import { errAtLeastOneArgument, instructionError } from './errors.js';
import type { StringFlag } from './flags.js';
import { parseGoDuration, parseGoInt } from './go-numbers.js';
import { commandLine, type ParseRequest } from './request.js';
import type { HealthcheckInstruction } from './types.js';

const MINIMUM_NANOS = 1_000_000;

/** The flag's duration in nanoseconds, 0 when not given. */
function parseOptInterval(name: string, flag: StringFlag): number {
  if (flag.value === '') return 0;
  const parsed = parseGoDuration(flag.value);
  if ('error' in parsed) throw instructionError(parsed.error, 'A duration is a number with a unit: 30s, 1m30s, 500ms.');
  if (parsed.nanos === 0) return 0;
  if (parsed.nanos < MINIMUM_NANOS) throw instructionError(`Interval ${goQuote(name)} cannot be less than 1ms`);
  return parsed.nanos;
}

export function parseHealthcheck(req: ParseRequest): HealthcheckInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('HEALTHCHECK');
  const type = req.args[0]!.toUpperCase();
  const args = req.args.slice(1);
  const zero = { interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };

  if (type === 'NONE') {
    // BuildKit does not parse the flags of HEALTHCHECK NONE: they are ignored.
    if (args.length !== 0) throw instructionError('HEALTHCHECK NONE takes no arguments');
    return { kind: 'healthcheck', ...req.base, health: { test: ['NONE'], ...zero } };
  }

  const interval = req.flags.string('interval');
  const timeout = req.flags.string('timeout');
  const startPeriod = req.flags.string('start-period');
  const startInterval = req.flags.string('start-interval');
  const retries = req.flags.string('retries');
  req.flags.parse();

  if (type !== 'CMD') {
    throw instructionError(
      `Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`,
      'Write HEALTHCHECK CMD <command> or HEALTHCHECK NONE.',
    );
  }
  const cmd = commandLine(args, req.json);
  if (cmd.length === 0) throw instructionError('Missing command after HEALTHCHECK CMD');
  const test = [req.json ? 'CMD' : 'CMD-SHELL', ...cmd];

  const health = {
    test,
    interval: parseOptInterval('interval', interval),
    timeout: parseOptInterval('timeout', timeout),
    startPeriod: parseOptInterval('start-period', startPeriod),
    startInterval: parseOptInterval('start-interval', startInterval),
    retries: 0,
  };
  if (retries.value !== '') {
    const parsed = parseGoInt(retries.value, 32);
    if ('error' in parsed) throw instructionError(parsed.error);
    if (parsed.value < 0) throw instructionError(`--retries cannot be negative (${parsed.value})`);
    health.retries = parsed.value;
  }
  return { kind: 'healthcheck', ...req.base, health };
}
