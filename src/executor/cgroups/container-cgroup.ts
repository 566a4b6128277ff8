/**
 * A container's cgroups once created: OOM status, usage, and teardown (kill everything left,
 * then remove the directories). Built by createCgroup, or by openCgroup from the `paths` a
 * container's state saved, so a later `lade rm` or a crashed run's cleanup can finish the job.
 */
import { existsSync } from 'node:fs';
import { basename, isAbsolute, join, normalize } from 'node:path';
import { ErrorCode, LadeError } from '../../errors/index.js';
import {
  cgroupPids,
  cgroupTree,
  killPid,
  pollUntil,
  readCgroupFile,
  readKeyedValue,
  removeCgroupDir,
  writeCgroupFile,
} from './cgroup-fs.js';
import { readCgroupLayout } from './layout.js';

export interface ContainerCgroup {
  /** The `cgroup.procs` files the container's first process is written to, one per hierarchy. */
  readonly procsFiles: string[];
  /**
   * The cgroup directories by hierarchy: v1 controller names (`memory`, `cpu`, `pids`,
   * `freezer`) and `unified` for the cgroup2 tree (the only key on v2). Save it to reopen.
   */
  readonly paths: Record<string, string>;
  /** True when the memory controller recorded an OOM kill in this cgroup (call before destroy). */
  oomKilled(): Promise<boolean>;
  /** SIGKILLs every process left (cgroup.kill on cgroup2, freezer then kill on v1), then removes the cgroups; idempotent. */
  destroy(): Promise<void>;
  /** Current memory use (bytes) and number of tasks, where the hierarchies tell. */
  stats(): Promise<{ memoryBytes?: number; pids?: number }>;
}

/** How long teardown waits for the kernel (freezing, processes dying) before giving up. */
const TEARDOWN_TIMEOUT_MS = 10_000;
const FREEZE_TIMEOUT_MS = 2_000;

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PATH_KEYS = new Set(['memory', 'cpu', 'pids', 'freezer', 'unified']);

/** Container IDs become directory names: one safe path component. */
export function checkCgroupId(id: string): void {
  if (!ID_RE.test(id) || id.length > 255) {
    throw new LadeError(ErrorCode.CgroupInvalidLimit, `invalid cgroup name ${JSON.stringify(id)}`, {
      hint: 'A container ID is letters, digits, `_`, `.` and `-`, starting with a letter or digit.',
    });
  }
}

class Cgroup implements ContainerCgroup {
  readonly procsFiles: string[];
  private destroying: Promise<void> | undefined;

  constructor(readonly paths: Record<string, string>) {
    this.procsFiles = [...new Set(Object.values(paths))].map((dir) => join(dir, 'cgroup.procs'));
  }

  private dirs(): string[] {
    return [...new Set(Object.values(this.paths))];
  }

  async oomKilled(): Promise<boolean> {
    const { memory, unified } = this.paths;
    // v1 memory.oom_control and v2 memory.events both count kills by any OOM killer (4.13+).
    if (memory !== undefined) return (readKeyedValue(join(memory, 'memory.oom_control'), 'oom_kill') ?? 0) > 0;
    if (unified !== undefined) return (readKeyedValue(join(unified, 'memory.events'), 'oom_kill') ?? 0) > 0;
    return false;
  }

  async stats(): Promise<{ memoryBytes?: number; pids?: number }> {
    const { memory, pids, unified } = this.paths;
    const out: { memoryBytes?: number; pids?: number } = {};
    const mem = memory !== undefined ? readCgroupFile(join(memory, 'memory.usage_in_bytes')) : unified !== undefined ? readCgroupFile(join(unified, 'memory.current')) : undefined;
    if (mem !== undefined) out.memoryBytes = Number(mem.trim());
    const current = pids !== undefined ? readCgroupFile(join(pids, 'pids.current')) : unified !== undefined ? readCgroupFile(join(unified, 'pids.current')) : undefined;
    if (current !== undefined) {
      out.pids = Number(current.trim());
    } else {
      // Without the pids controller, count tasks (threads, as pids.current does).
      const tasks = unified !== undefined ? readCgroupFile(join(unified, 'cgroup.threads')) : this.dirs()[0] !== undefined ? readCgroupFile(join(this.dirs()[0]!, 'tasks')) : undefined;
      if (tasks !== undefined) out.pids = tasks.split('\n').filter((l) => l !== '').length;
    }
    return out;
  }

  destroy(): Promise<void> {
    this.destroying ??= this.teardown().catch((err: unknown) => {
      this.destroying = undefined;
      throw err;
    });
    return this.destroying;
  }

  private allPids(): number[] {
    return this.dirs().flatMap((dir) => cgroupTree(dir).flatMap((d) => cgroupPids(d)));
  }

  private async teardown(): Promise<void> {
    const dirs = this.dirs().filter((d) => existsSync(d));
    if (dirs.length === 0) return;
    const { unified, freezer } = this.paths;
    if (unified !== undefined && existsSync(join(unified, 'cgroup.kill'))) {
      // cgroup.kill (5.14+) kills the whole sub-tree at once; on hybrid hosts every container
      // process is in the unified tree too, so this covers the v1 hierarchies as well.
      writeCgroupFile(join(unified, 'cgroup.kill'), '1');
    } else if (freezer !== undefined && existsSync(freezer)) {
      await this.freezeAndKill(join(freezer, 'freezer.state'), 'FROZEN', 'THAWED', () => readCgroupFile(join(freezer, 'freezer.state'))?.trim() === 'FROZEN');
    } else if (unified !== undefined && existsSync(join(unified, 'cgroup.freeze'))) {
      await this.freezeAndKill(join(unified, 'cgroup.freeze'), '1', '0', () => readKeyedValue(join(unified, 'cgroup.events'), 'frozen') === 1);
    }
    // Kill whatever is still listed until nothing is: the only strategy left without a freezer,
    // and the wait for the kernel to finish the kills started above.
    const emptied = await pollUntil(() => {
      const pids = this.allPids();
      for (const pid of pids) killPid(pid);
      return pids.length === 0;
    }, TEARDOWN_TIMEOUT_MS);
    if (!emptied) throw this.stuck(dirs[0]!);
    for (const dir of dirs) {
      for (const sub of cgroupTree(dir)) {
        if (!(await pollUntil(() => removeCgroupDir(sub), TEARDOWN_TIMEOUT_MS))) throw this.stuck(sub);
      }
    }
  }

  /**
   * Freezes the cgroup so nothing forks while the PIDs are read and killed, then thaws it:
   * frozen tasks only act on SIGKILL once thawed.
   */
  private async freezeAndKill(file: string, freeze: string, thaw: string, frozen: () => boolean): Promise<void> {
    writeCgroupFile(file, freeze);
    try {
      // A task that cannot be frozen (stuck in the kernel) leaves the state at FREEZING; kill
      // anyway, and the final loop keeps at it.
      await pollUntil(frozen, FREEZE_TIMEOUT_MS);
      for (const pid of this.allPids()) killPid(pid);
    } finally {
      writeCgroupFile(file, thaw);
    }
  }

  private stuck(dir: string): LadeError {
    return new LadeError(ErrorCode.CgroupIo, `cgroup ${dir} still has processes ${TEARDOWN_TIMEOUT_MS / 1000}s after SIGKILL`, {
      hint: 'A process may be stuck in uninterruptible sleep (state D, e.g. on a hung mount); remove the container again later.',
    });
  }
}

/** The handle for cgroups createCgroup just made. */
export function cgroupHandle(paths: Record<string, string>): ContainerCgroup {
  return new Cgroup({ ...paths });
}

/**
 * Reopens a container's cgroups from saved `paths`. Each path must be a directory named `id`
 * inside a mounted cgroup filesystem, so a damaged state file cannot make destroy() kill or
 * remove anything else.
 */
export function openCgroup(id: string, paths: Record<string, string>): ContainerCgroup {
  checkCgroupId(id);
  const layout = readCgroupLayout();
  const mounts = [...Object.values(layout.v1), ...(layout.unified !== undefined ? [layout.unified] : [])].map((m) => m.mountPoint);
  for (const [key, dir] of Object.entries(paths)) {
    const ok =
      PATH_KEYS.has(key) &&
      isAbsolute(dir) &&
      normalize(dir) === dir &&
      basename(dir) === id &&
      mounts.some((m) => dir.startsWith(m.endsWith('/') ? m : `${m}/`));
    if (!ok) {
      throw new LadeError(ErrorCode.CgroupIo, `saved cgroup path ${key}=${dir} is not a cgroup of container ${id}`, {
        hint: 'The container state is damaged; remove the cgroup by hand (kill its processes, then rmdir).',
      });
    }
  }
  return cgroupHandle(paths);
}

