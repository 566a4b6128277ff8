// Signal names and numbers for Linux x86_64, and Docker's parsing rules (moby/sys/signal
// ParseSignal and SignalMap; moby daemon/kill.go and container.StopSignal).
import { ErrorCode, LadeError } from '../../errors/index.js';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** moby/sys/signal's Linux SignalMap (names without SIG), aliases included. */
const SIGNALS: ReadonlyMap<string, number> = new Map<string, number>([
  ['ABRT', 6], ['ALRM', 14], ['BUS', 7], ['CHLD', 17], ['CLD', 17], ['CONT', 18], ['FPE', 8], ['HUP', 1],
  ['ILL', 4], ['INT', 2], ['IO', 29], ['IOT', 6], ['KILL', 9], ['PIPE', 13], ['POLL', 29], ['PROF', 27],
  ['PWR', 30], ['QUIT', 3], ['SEGV', 11], ['STKFLT', 16], ['STOP', 19], ['SYS', 31], ['TERM', 15],
  ['TRAP', 5], ['TSTP', 20], ['TTIN', 21], ['TTOU', 22], ['URG', 23], ['USR1', 10], ['USR2', 12],
  ['VTALRM', 26], ['WINCH', 28], ['XCPU', 24], ['XFSZ', 25],
  ['RTMIN', SIGRTMIN],
  ...Array.from({ length: 15 }, (_, i) => [`RTMIN+${i + 1}`, SIGRTMIN + i + 1] as [string, number]),
  ...Array.from({ length: 14 }, (_, i) => [`RTMAX-${14 - i}`, SIGRTMAX - 14 + i] as [string, number]),
  ['RTMAX', SIGRTMAX],
]);

/** The preferred name of each number (the first in the table above wins over its aliases). */
const NAME_BY_NUMBER = new Map<number, string>();
for (const [name, num] of SIGNALS) if (!NAME_BY_NUMBER.has(num)) NAME_BY_NUMBER.set(num, name);

export const SIGTERM = 15;
export const SIGKILL = 9;

function invalid(raw: string): LadeError {
  return new LadeError(ErrorCode.Usage, `invalid signal: ${raw}`, {
    hint: 'give a signal name (TERM, SIGTERM, SIGRTMIN+3) or number (15)',
  });
}

/**
 * moby ParseSignal: a decimal number is taken as it is (0 is refused; validity is a separate
 * check), otherwise the name, case-insensitive, with or without SIG.
 */
export function parseSignal(raw: string): number {
  if (/^[+-]?\d+$/.test(raw)) {
    const n = Number(raw);
    if (n === 0 || !Number.isSafeInteger(n)) throw invalid(raw);
    return n;
  }
  const upper = raw.toUpperCase();
  const num = SIGNALS.get(upper.startsWith('SIG') ? upper.slice(3) : upper);
  if (num === undefined) throw invalid(raw);
  return num;
}

/** Whether the number is a Linux signal Docker knows (ValidSignalForPlatform). */
export function isValidSignal(num: number): boolean {
  return NAME_BY_NUMBER.has(num);
}

/** `15` → `SIGTERM`, `37` → `SIGRTMIN+3`; undefined for an unknown number. */
export function signalName(num: number): string | undefined {
  const n = NAME_BY_NUMBER.get(num);
  return n === undefined ? undefined : `SIG${n}`;
}

/**
 * `lade kill -s`: SIGKILL when empty; a parsed signal that Linux has
 * (`the linux daemon does not support signal 99` otherwise, as dockerd says).
 */
export function parseKillSignal(raw: string): number {
  if (raw === '') return SIGKILL;
  const num = parseSignal(raw);
  if (!isValidSignal(num)) {
    throw new LadeError(ErrorCode.Usage, `the linux daemon does not support signal ${num}`, { hint: 'Linux signals are numbered 1 to 64' });
  }
  return num;
}

/** `--stop-signal` / the image's StopSignal at create: must parse (an empty one is the default). */
export function validateStopSignal(raw: string): void {
  if (raw !== '') parseSignal(raw);
}

/** The signal `stop` sends (container.StopSignal): the configured one when it parses to > 0, else SIGTERM. */
export function stopSignal(raw: string | undefined): number {
  if (raw === undefined || raw === '') return SIGTERM;
  try {
    const n = parseSignal(raw);
    return n > 0 ? n : SIGTERM;
  } catch {
    return SIGTERM;
  }
}
