/**
 * Test helpers: run a shell that first writes its own PID into a cgroup's procs files (as the
 * sandbox helper does before any setup step), and wait on kernel state by polling with a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Ran {
  readonly child: ChildProcess;
  /** Resolves with the exit status, signal and stderr once the shell ends. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>;
}

/** `/bin/sh -c script` placed in the cgroups of `procsFiles` before it runs `script`. */
export function runInCgroup(procsFiles: readonly string[], script: string): Ran {
  const child = spawn('/bin/sh', ['-c', `for f in "$@"; do echo $$ > "$f" || exit 97; done; ${script}`, 'sh', ...procsFiles], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout })),
  );
  return { child, done };
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function pidsIn(dir: string): number[] {
  try {
    return readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter((l) => l !== '').map(Number);
  } catch {
    return [];
  }
}

/** True once `pid` has exited (gone, or a zombie nobody reaped yet). */
export function isDead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
