/**
 * Starting the sandbox helper: spawn it with the encoded spec on fd 3 and the report pipe on
 * fd 4, wait for "started" (or the failed step), and hand back a handle on the running process.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { ErrorCode, LadeError } from '../../errors/index.js';
import type { SandboxSpec } from '../sandbox-spec.js';
import { sandboxHelperPath } from './helper-path.js';
import { encodeSpec, parseReport, type WireReport } from './protocol.js';
import { setupError } from './setup-error.js';

export interface SandboxExit {
  /** Docker's exit code: the status, or 128+N when signal N ended the process. */
  readonly exitCode: number;
  /** The signal that ended the process, or 0. */
  readonly signal: number;
}

export interface SandboxHandle {
  /** The monitor (the helper process that stays with the container; for a detached run, the forked one). */
  readonly monitorPid: number;
  /** The container's first process as the host sees it. */
  readonly pid: number;
  /**
   * Resolves when the monitor has ended (after any onExit program), with the container's status.
   * For a detached run it never resolves: the caller reads the exit record instead.
   */
  readonly exit: Promise<SandboxExit>;
  /** Sends a signal to the monitor, which forwards it to the container's first process. */
  kill(signal: NodeJS.Signals | number): void;
}

export type SandboxStdio = 'inherit' | 'pipe' | 'ignore';

export interface SandboxIo {
  readonly stdin: SandboxStdio;
  readonly stdout: SandboxStdio;
  readonly stderr: SandboxStdio;
}

export interface StartedSandbox extends SandboxHandle {
  /** The monitor's stdin when io.stdin is 'pipe' (relayed to the container when spec.stdin). */
  readonly stdin?: Writable;
  /** The monitor's stdout / stderr when 'pipe' (the container's output when spec.monitor.attach). */
  readonly stdout?: Readable;
  readonly stderr?: Readable;
}

export interface StartOptions {
  /** The helper binary; sandboxHelperPath() when absent. */
  readonly helperPath?: string;
}

function signalNumber(name: string | null): number {
  if (name === null) return 0;
  return (constants.signals as Record<string, number>)[name] ?? 0;
}

/**
 * Runs `spec` under a new helper. Resolves once the command has been exec'd; rejects with
 * SandboxSetup (carrying `step`, `errno`, `path`) when a setup step failed, SandboxHelperMissing
 * when the helper cannot run, SandboxSpecInvalid when the spec cannot be encoded.
 */
export function startSandbox(spec: SandboxSpec, io: SandboxIo, options: StartOptions = {}): Promise<StartedSandbox> {
  const bytes = encodeSpec(spec);
  const helper = options.helperPath ?? sandboxHelperPath();
  // In a session of its own, so a terminal's Ctrl-C or hang-up reaches lade alone, which forwards
  // it once (Docker's sig-proxy); in lade's process group the container would get it twice.
  const child = spawn(helper, [], { stdio: [io.stdin, io.stdout, io.stderr, 'pipe', 'pipe'], detached: true });
  const specPipe = child.stdio[3] as Writable;
  const reports = child.stdio[4] as Readable;
  // The helper reads the spec to EOF before anything else; a helper that died early makes this EPIPE, reported below.
  specPipe.on('error', () => {});
  specPipe.end(bytes);
  // Input written after the container closed its stdin (or ended) is dropped, as Docker drops it; not a crash.
  child.stdin?.on('error', () => {});

  let pid = 0;
  let monitorPid = child.pid ?? 0;
  let exitReport: SandboxExit | undefined;
  let processExit: SandboxExit | undefined;
  let reportsEnded = false;
  let spawnError: Error | undefined;
  let failure: Error | undefined;
  let settle: ((outcome: { ok: true } | { ok: false; error: Error }) => void) | undefined;
  const outcome = new Promise<{ ok: true } | { ok: false; error: Error }>((resolve) => (settle = resolve));
  let resolveExit: (e: SandboxExit) => void = () => {};
  const exit = new Promise<SandboxExit>((resolve) => (resolveExit = resolve));

  let started = false;
  const finishIfDone = (): void => {
    if (!reportsEnded) return;
    // A failed setup settles once the pipe closes: by then the exit record is written.
    if (failure !== undefined) settle?.({ ok: false, error: failure });
    if (processExit === undefined) return;
    if (!started && failure === undefined) {
      settle?.({
        ok: false,
        error:
          spawnError !== undefined
            ? new LadeError(ErrorCode.SandboxHelperMissing, `cannot run the sandbox helper ${helper}: ${spawnError.message}`, { cause: spawnError, hint: 'build it with `npm ci` (or `make -C native/sandbox`)' })
            : new LadeError(ErrorCode.SandboxSetup, `cannot start the container: the sandbox helper ended without starting it (exit status ${processExit.exitCode})`, { hint: 'run with --debug and report this as a bug' }),
      });
    }
    // Detached: the helper we spawned left at once and the monitor closed the pipe after "started".
    if (!spec.monitor.detach) resolveExit(exitReport ?? processExit);
  };

  const onReport = (r: WireReport): void => {
    switch (r.type) {
      case 'pid':
        pid = r.pid;
        monitorPid = r.monitorPid;
        break;
      case 'started':
        started = true;
        settle?.({ ok: true });
        break;
      case 'error':
        failure = setupError(r.step, r.errno, r.path);
        break;
      case 'exit':
        exitReport = { exitCode: r.exitCode, signal: r.signal };
        break;
    }
  };

  let pending = '';
  reports.setEncoding('utf8');
  reports.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const report = parseReport(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      if (report !== undefined) onReport(report);
    }
  });
  reports.on('error', () => {});
  reports.on('close', () => {
    reportsEnded = true;
    finishIfDone();
  });
  child.on('error', (err) => {
    spawnError = err;
    processExit ??= { exitCode: 127, signal: 0 };
    reportsEnded = true;
    finishIfDone();
  });
  child.on('exit', (code, signal) => {
    const n = signalNumber(signal);
    processExit = n !== 0 ? { exitCode: 128 + n, signal: n } : { exitCode: code ?? 0, signal: 0 };
    finishIfDone();
  });

  return outcome.then((o) => {
    if (!o.ok) throw o.error;
    let ended = false;
    void exit.then(() => (ended = true));
    const handle: StartedSandbox = {
      monitorPid,
      pid,
      exit,
      kill(signal: NodeJS.Signals | number): void {
        if (ended) return;
        try {
          process.kill(monitorPid, signal);
        } catch (err) {
          // The monitor has just ended: nothing left to signal.
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
        }
      },
      ...(child.stdin !== null ? { stdin: child.stdin } : {}),
      ...(child.stdout !== null ? { stdout: child.stdout } : {}),
      ...(child.stderr !== null ? { stderr: child.stderr } : {}),
    };
    return handle;
  });
}
