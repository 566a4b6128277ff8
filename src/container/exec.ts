/** `lade exec`: a new process inside a running container's namespaces and cgroup. */
import { buildExecSpec, startSandbox, type ExecFlags, type SandboxHandle } from '../executor/index.js';
import type { Runtime } from './runtime.js';
import { notRunning } from './start.js';
import { observeState } from './status.js';

export interface ExecOptions {
  readonly flags: ExecFlags;
  readonly attach: boolean;
  readonly stdin: boolean;
}

export async function execInContainer(rt: Runtime, ref: string, options: ExecOptions): Promise<SandboxHandle> {
  const entry = await rt.containers.find(ref);
  const { state } = await observeState(entry.dir, entry.state);
  if (state.status !== 'running') throw notRunning(ref);
  const snapshotter = await rt.snapshotter();
  const [passwd, group] = await Promise.all([
    snapshotter.readFile(entry.record.snapshot.key, '/etc/passwd'),
    snapshotter.readFile(entry.record.snapshot.key, '/etc/group'),
  ]);
  const procs = Object.values(state.cgroupPaths ?? {}).map((p) => `${p}/cgroup.procs`);
  const spec = buildExecSpec({
    container: entry.record.resolved,
    exec: options.flags,
    joinPid: state.pid,
    passwd: passwd?.toString('utf8'),
    group: group?.toString('utf8'),
    cgroupProcs: procs,
    environment: process.env,
    monitor: { logPath: '', exitPath: '', attach: options.attach, detach: !options.attach, onExit: [] },
  });
  return startSandbox(spec, {
    stdin: options.attach && (options.stdin || options.flags.tty) ? 'inherit' : 'ignore',
    stdout: options.attach ? 'inherit' : 'ignore',
    stderr: options.attach ? 'inherit' : 'ignore',
  });
}
