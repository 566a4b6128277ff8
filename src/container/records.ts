/** What lade keeps per container: the record written at create and the state that changes. */
import type { CgroupLimits, ResolvedContainer, RunFlags } from '../executor/index.js';
import type { ContainerConfig } from '../image/index.js';

/** Docker's zero time, which inspect shows for "never". */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  readonly created: string;
  readonly image: {
    /** The reference as the user gave it (`docker ps` shows it). */
    readonly ref: string;
    /** The image ID (config digest). */
    readonly id: string;
    readonly manifest: string;
  };
  /** The run flags resolved against the image at create (Docker reads the environment once, then). */
  readonly resolved: ResolvedContainer;
  /** The image's own config (labels, and what `commit` starts from). */
  readonly imageConfig: ContainerConfig;
  /** The flags as given, for inspect. */
  readonly run: RunFlags;
  /** Docker's AttachStdin/AttachStdout/AttachStderr: what `run` attached to. */
  readonly attach: { readonly stdin: boolean; readonly stdout: boolean; readonly stderr: boolean };
  readonly limits: CgroupLimits;
  readonly snapshot: { readonly driver: string; readonly key: string; readonly parent: string | undefined };
  readonly autoRemove: boolean;
  readonly stopTimeout: number | undefined;
}

export type ContainerStatus = 'created' | 'running' | 'exited';

export interface ContainerState {
  readonly status: ContainerStatus;
  /** The container's first process as the host sees it; 0 when not running. */
  readonly pid: number;
  /** Its start time (see process-check.ts), so a reused pid is not mistaken for it. */
  readonly pidStart: string;
  /** The sandbox monitor, which writes the exit record when the process ends. */
  readonly monitorPid: number;
  readonly monitorStart: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly exitCode: number;
  readonly error: string;
  readonly oomKilled: boolean;
  /** Cgroup directories of the current or last run, for cleanup. */
  readonly cgroupPaths: Readonly<Record<string, string>> | null;
  readonly restartCount: number;
}

export function initialState(): ContainerState {
  return {
    status: 'created',
    pid: 0,
    pidStart: '',
    monitorPid: 0,
    monitorStart: '',
    startedAt: ZERO_TIME,
    finishedAt: ZERO_TIME,
    exitCode: 0,
    error: '',
    oomKilled: false,
    cgroupPaths: null,
    restartCount: 0,
  };
}
