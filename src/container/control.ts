/** Signals and waiting: `stop`, `kill`, `wait`, and removal (`rm [-f]`). */
import { ErrorCode, LadeError } from '../errors/index.js';
import { parseKillSignal, stopSignal } from '../executor/index.js';
import { removeSnapshots } from './create.js';
import type { ContainerState } from './records.js';
import type { Runtime } from './runtime.js';
import { finalizeContainer, notRunning } from './start.js';
import { observeState } from './status.js';
import type { ContainerEntry } from './store.js';
import { sameProcess } from './process-check.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Docker's default stop timeout, in seconds. */
export const DEFAULT_STOP_TIMEOUT = 10;

async function current(rt: Runtime, ref: string): Promise<ContainerEntry> {
  const entry = await rt.containers.find(ref);
  const { state } = await observeState(entry.dir, entry.state);
  return { ...entry, state };
}

function signalProcess(state: ContainerState, signal: number): boolean {
  if (!sameProcess(state.pid, state.pidStart)) return false;
  try {
    process.kill(state.pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Waits until the container is no longer running, polling its state (the exit record or the
 * process table); resolves false when `timeoutMs` passes first.
 */
export async function waitUntilStopped(rt: Runtime, id: string, timeoutMs = Infinity): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const entry = await rt.containers.get(id);
    if (entry === undefined) return true;
    const { state } = await observeState(entry.dir, entry.state);
    if (state.status !== 'running') return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
  }
}

export async function killContainer(rt: Runtime, ref: string, signal: string | number = 'KILL'): Promise<ContainerEntry> {
  const entry = await current(rt, ref);
  if (entry.state.status !== 'running') {
    throw new LadeError(ErrorCode.ContainerConflict, `Cannot kill container: ${ref}: Container ${entry.record.id} is not running`);
  }
  const number = typeof signal === 'number' ? signal : parseKillSignal(signal);
  if (!signalProcess(entry.state, number)) throw notRunning(ref);
  return entry;
}

/** `docker stop`: the stop signal, then SIGKILL after `timeoutSeconds` (negative: wait forever). */
export async function stopContainer(rt: Runtime, ref: string, timeoutSeconds?: number): Promise<ContainerEntry> {
  const entry = await current(rt, ref);
  if (entry.state.status !== 'running') return entry;
  const timeout = timeoutSeconds ?? entry.record.stopTimeout ?? DEFAULT_STOP_TIMEOUT;
  if (signalProcess(entry.state, stopSignal(entry.record.resolved.config.StopSignal))) {
    const stopped = await waitUntilStopped(rt, entry.record.id, timeout < 0 ? Infinity : timeout * 1000);
    if (!stopped) signalProcess(entry.state, 9);
  }
  await waitUntilStopped(rt, entry.record.id);
  await finalizeContainer(rt, entry.record.id, (e) => removeFiles(rt, e));
  return entry;
}

/** Deletes a stopped container's snapshot and directory. */
export async function removeFiles(rt: Runtime, entry: ContainerEntry): Promise<void> {
  await removeSnapshots(await rt.snapshotter(), entry.record.id);
  await rt.containers.remove(entry.record.id);
}

export async function removeContainer(rt: Runtime, ref: string, options: { force?: boolean } = {}): Promise<ContainerEntry> {
  const entry = await current(rt, ref);
  if (entry.state.status === 'running') {
    if (options.force !== true) {
      throw new LadeError(
        ErrorCode.ContainerConflict,
        `You cannot remove a running container ${entry.record.id}. Stop the container before attempting removal or force remove`,
      );
    }
    signalProcess(entry.state, 9);
    await waitUntilStopped(rt, entry.record.id);
  }
  // Finalizing first removes the cgroup; the container then goes whether or not it had --rm.
  await finalizeContainer(rt, entry.record.id, async () => {});
  await rt.containers.locked(async () => {
    const still = await rt.containers.get(entry.record.id);
    if (still !== undefined) await removeFiles(rt, still);
  });
  return entry;
}

/** `docker wait`: the exit status once the container stops. */
export async function waitContainer(rt: Runtime, ref: string): Promise<number> {
  const entry = await rt.containers.find(ref);
  await waitUntilStopped(rt, entry.record.id);
  const final = await finalizeContainer(rt, entry.record.id, (e) => removeFiles(rt, e));
  if (final !== undefined) return final.exitCode;
  const after = await rt.containers.get(entry.record.id);
  return after?.state.exitCode ?? 0;
}
