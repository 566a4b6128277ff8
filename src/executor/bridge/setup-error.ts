/** The error a failed setup step becomes: Docker-like text, with the helper's report kept as properties. */
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { ErrorCode, LadeError } from '../../errors/index.js';
import { SANDBOX_PROTOCOL_VERSION } from '../sandbox-spec.js';

/** A LadeError with code SandboxSetup and the helper's {step, errno, path}. */
export interface SandboxSetupError extends LadeError {
  readonly step: string;
  readonly errno: number;
  readonly path: string;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** `ENOENT` for 2; `E<n>` for a number Node does not name. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

/** strerror-like text ("No such file or directory") from libuv's table, which keys errors by their negative number. */
function errnoText(errno: number): string {
  const text = getSystemErrorMap().get(-errno)?.[1];
  if (text === undefined) return `error ${errno}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const HINTS: Record<string, string> = {
  exec: 'check the command exists in the image and is executable, and the image PATH',
  protocol: 'the sandbox helper and lade come from different builds: rebuild with `npm ci` (or `make -C native/sandbox`)',
  cgroup: 'check the cgroup exists and lade runs as root',
};

export function setupError(step: string, errno: number, path: string): SandboxSetupError {
  let message: string;
  if (step === 'protocol' && errno === constants.errno.EPROTO && /^\d+$/.test(path)) {
    message = `cannot start the container: the sandbox helper speaks protocol version ${path}, lade ${SANDBOX_PROTOCOL_VERSION}`;
  } else {
    const subject = path === '' ? step : `${step} ${path}`;
    message = `cannot start the container: ${subject}: ${errnoText(errno)} (step ${step}, errno ${errnoName(errno)})`;
  }
  const err = new LadeError(ErrorCode.SandboxSetup, message, { hint: HINTS[step] }) as LadeError & { step: string; errno: number; path: string };
  err.step = step;
  err.errno = errno;
  err.path = path;
  return err;
}
