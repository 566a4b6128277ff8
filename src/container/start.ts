/**
 * Starting a container: its cgroup, the sandbox spec decided by the executor's policy, the
 * sandbox helper; and finishing one: the exit record into its state, the cgroup removed, and
 * `--rm` honoured.
 */
import { rename, rm } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, LadeError, isLadeError } from '../errors/index.js';
import { buildContainerSpecFromConfig, capabilitiesFromProcStatus, createCgroup, openCgroup, startSandbox, type CgroupLimits, type SandboxHandle } from '../executor/index.js';
import type { Snapshotter } from '../snapshotter/index.js';
import { copyPath } from './copy.js';
import { processStartTime } from './process-check.js';
import type { ContainerState } from './records.js';
import type { Runtime } from './runtime.js';
import { EXIT_RECORD, LOG_FILE, observeState } from './status.js';
import type { ContainerEntry } from './store.js';

export interface StartOptions {
  /** Stay attached: the helper writes to lade's own stdout/stderr, and the caller waits for the exit. */
  readonly attach: boolean;
  /** Relay lade's stdin to the container (`-i`). */
  readonly stdin: boolean;
}

function hasLimits(limits: CgroupLimits): boolean {
  return Object.values(limits).some((v) => v !== undefined);
}

function statSource(path: string): 'dir' | 'file' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * A new anonymous volume starts as a copy of what the image has at its path, owners and modes
 * kept (Docker's copy-up); later starts find it as the container left it.
 */
async function fillVolumes(snapshotter: Snapshotter, key: string, fresh: ReadonlyArray<{ dest: string; path: string }>): Promise<void> {
  if (fresh.length === 0) return;
  await snapshotter.withMounted(key, true, async (root) => {
    for (const { dest, path } of fresh) {
      // Built aside and renamed, so a failed copy is not mistaken for a filled volume next time.
      const staging = `${path}.filling`;
      await rm(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true, mode: 0o755 });
      try {
        await copyPath(root, `${dest}/.`, '/', staging, { followLink: false, archive: true, intoContainer: true });
      } catch (err) {
        // Nothing at that path in the image: the volume starts empty.
        if (!isLadeError(err) || err.code !== ErrorCode.FileRead) throw err;
      }
      await rename(staging, path);
    }
  });
}

/** What lade itself may grant: a container never gets a capability its creator lacks. */
function ownCapabilities(): number[] {
  return capabilitiesFromProcStatus(readFileSync('/proc/self/status', 'utf8'));
}

export async function startContainer(rt: Runtime, ref: string, options: StartOptions): Promise<{ entry: ContainerEntry; handle: SandboxHandle } | undefined> {
  return rt.containers.locked(async () => {
    const found = await rt.containers.find(ref);
    const { state: current } = await observeState(found.dir, found.state);
    if (current.status === 'running') return undefined;
    const { record, dir } = found;
    const snapshotter = await rt.snapshotter();
    const mounts = await snapshotter.mounts(record.snapshot.key);
    const [passwd, group] = await Promise.all([snapshotter.readFile(record.snapshot.key, '/etc/passwd'), snapshotter.readFile(record.snapshot.key, '/etc/group')]);
    await rm(join(dir, EXIT_RECORD), { force: true });
    const cgroup = hasLimits(record.limits) ? await createCgroup(record.id, record.limits) : undefined;
    const fresh: Array<{ dest: string; path: string }> = [];
    let handle: SandboxHandle;
    try {
      const spec = buildContainerSpecFromConfig(record.resolved, {
        passwd: passwd?.toString('utf8'),
        group: group?.toString('utf8'),
        rootfsPath: join(dir, 'rootfs'),
        rootfsMounts: mounts,
        etcFiles: { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') },
        anonymousVolumeDir: (dest: string) => {
          const path = join(dir, 'volumes', Buffer.from(dest).toString('hex'));
          if (!existsSync(path)) fresh.push({ dest, path });
          return path;
        },
        statSource,
        createHostDir: (path: string) => mkdirSync(path, { recursive: true, mode: 0o755 }),
        cgroupProcs: cgroup?.procsFiles ?? [],
        availableCapabilities: ownCapabilities(),
        monitor: {
          logPath: join(dir, LOG_FILE),
          exitPath: join(dir, EXIT_RECORD),
          attach: options.attach,
          detach: !options.attach,
          onExit: options.attach ? [] : [...rt.selfCommand, '--root', rt.root, 'container', 'reap', record.id],
        },
      });
      await fillVolumes(snapshotter, record.snapshot.key, fresh);
      handle = await startSandbox(spec, {
        // With -t the monitor also needs lade's terminal to copy its size, even when it relays no input.
        stdin: options.attach && (options.stdin || record.resolved.config.Tty) ? 'inherit' : 'ignore',
        stdout: options.attach ? 'inherit' : 'ignore',
        stderr: options.attach ? 'inherit' : 'ignore',
      });
    } catch (err) {
      await cgroup?.destroy();
      const failed: ContainerState = { ...current, status: 'exited', exitCode: exitCodeFor(err), error: err instanceof Error ? err.message : String(err), finishedAt: new Date().toISOString() };
      await rt.containers.saveState(record.id, failed);
      throw err;
    }
    const monitorPid = handle.monitorPid;
    const state: ContainerState = {
      ...current,
      status: 'running',
      pid: handle.pid,
      pidStart: processStartTime(handle.pid) ?? '',
      monitorPid,
      monitorStart: processStartTime(monitorPid) ?? '',
      startedAt: new Date().toISOString(),
      finishedAt: current.finishedAt,
      exitCode: 0,
      error: '',
      oomKilled: false,
      cgroupPaths: cgroup?.paths ?? null,
    };
    await rt.containers.saveState(record.id, state);
    return { entry: { ...found, state }, handle };
  });
}

/** Docker's exit statuses for a container that could not start: 127 not found, 126 not executable, 125 otherwise. */
export function exitCodeFor(err: unknown): number {
  const e = err as { step?: string; errno?: number };
  if (e.step === 'exec') return e.errno === 2 ? 127 : e.errno === 13 ? 126 : 125;
  return 125;
}

/**
 * Brings state.json up to date once the container's process has ended: the exit status, whether
 * the kernel OOM-killed it, the cgroup removed; a `--rm` container is removed entirely.
 * Returns the final state, or undefined when the container is gone (removed) or still running.
 */
export async function finalizeContainer(rt: Runtime, id: string, remove: (entry: ContainerEntry) => Promise<void>): Promise<ContainerState | undefined> {
  return rt.containers.locked(async () => {
    const entry = await rt.containers.get(id);
    if (entry === undefined) return undefined;
    const { state } = await observeState(entry.dir, entry.state);
    if (state.status === 'running') return undefined;
    let final = state;
    if (state.cgroupPaths !== null) {
      const cgroup = openCgroup(id, { ...state.cgroupPaths });
      final = { ...final, oomKilled: await cgroup.oomKilled(), cgroupPaths: null };
      await cgroup.destroy();
    }
    if (entry.record.autoRemove) {
      await remove({ ...entry, state: final });
      return final;
    }
    if (final !== entry.state) await rt.containers.saveState(id, final);
    return final;
  });
}

export function notRunning(ref: string): LadeError {
  return new LadeError(ErrorCode.ContainerConflict, `Container ${ref} is not running`);
}
