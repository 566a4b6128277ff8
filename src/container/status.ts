/**
 * A container's real state. state.json says what lade last knew; the monitor's exit record and
 * the process table say what happened since, possibly while no lade was running: a detached
 * container that ended shows as exited with its status.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxExitRecord } from '../executor/index.js';
import type { ContainerState } from './records.js';
import { sameProcess } from './process-check.js';

export const EXIT_RECORD = 'exit.json';
export const LOG_FILE = 'container.log';

export async function readExitRecord(dir: string): Promise<SandboxExitRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, EXIT_RECORD), 'utf8')) as SandboxExitRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function exited(state: ContainerState, exit: SandboxExitRecord): ContainerState {
  return { ...state, status: 'exited', pid: 0, pidStart: '', monitorPid: 0, monitorStart: '', exitCode: exit.exitCode, finishedAt: exit.finishedAt };
}

/** The state as it is now; `changed` says whether state.json should be rewritten. */
export async function observeState(dir: string, state: ContainerState): Promise<{ state: ContainerState; changed: boolean }> {
  if (state.status !== 'running') return { state, changed: false };
  const exit = await readExitRecord(dir);
  if (exit !== undefined) {
    return { state: exited(state, exit), changed: true };
  }
  if (sameProcess(state.pid, state.pidStart)) return { state, changed: false };
  // The process is gone but its monitor is still writing the exit record: not finished yet.
  if (sameProcess(state.monitorPid, state.monitorStart)) {
    const late = await readExitRecord(dir);
    if (late === undefined) return { state, changed: false };
    return { state: exited(state, late), changed: true };
  }
  // Gone without an exit record: its monitor was killed too, so the status is unknown. Docker
  // reports such containers with 255 after a daemon crash.
  return {
    state: {
      ...state,
      status: 'exited',
      pid: 0,
      pidStart: '',
      monitorPid: 0,
      monitorStart: '',
      exitCode: 255,
      finishedAt: new Date().toISOString(),
      error: 'the container process ended while its monitor was not running',
    },
    changed: true,
  };
}
