// `lade exec [-u] [-w] [-e] [--env-file] [-t] [-i] [--privileged] CONTAINER CMD…`: a process
// joining a running container, as moby daemon/exec.go (ContainerExecCreate, ContainerExecStart)
// and exec_linux.go build it — the container's process settings with the exec's overrides.
import { ErrorCode, LadeError } from '../../errors/index.js';
import type { SandboxMonitor, SandboxSpec } from '../sandbox-spec.js';
import { allCapabilities, capabilitySets, resolveCapabilities } from './capabilities.js';
import { lookupIn, type ResolvedContainer } from './container-config.js';
import { daemonEnvironment, finalizeEnv, replaceOrAppendEnv, userEnvironment, type EnvFile } from './env.js';
import { cleanPath } from './paths.js';
import { homeForUid, resolveProcessUser } from './user.js';

export interface ExecFlags {
  /** The command and its arguments. */
  readonly args: readonly string[];
  /** `-u`, '' for the container's user. */
  readonly user: string;
  /** `-w`, '' for the container's working directory. */
  readonly workdir: string;
  readonly env: readonly string[];
  readonly envFiles: readonly EnvFile[];
  readonly tty: boolean;
  readonly interactive: boolean;
  readonly privileged: boolean;
}

export interface ExecPolicyInput {
  readonly container: ResolvedContainer;
  readonly exec: ExecFlags;
  /** The container's first process, whose namespaces the exec joins. */
  readonly joinPid: number;
  /** The container's /etc/passwd and /etc/group as they are now. */
  readonly passwd: string | undefined;
  readonly group: string | undefined;
  readonly cgroupProcs: readonly string[];
  readonly monitor: SandboxMonitor;
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly availableCapabilities?: readonly number[];
}

export function buildExecSpec(input: ExecPolicyInput): SandboxSpec {
  const { container: c, exec } = input;
  const { config, hostConfig: hc } = c;
  if (exec.args.length === 0) {
    throw new LadeError(ErrorCode.Usage, 'no command specified', { hint: 'give the command to run after the container name: lade exec CONTAINER COMMAND [ARG...]' });
  }
  if (!Number.isInteger(input.joinPid) || input.joinPid <= 0) {
    throw new LadeError(ErrorCode.Internal, `exec needs the container's process ID, got ${input.joinPid}`);
  }
  let cwd = exec.workdir !== '' ? exec.workdir : config.WorkingDir;
  if (cwd === '') cwd = '/';
  if (!cwd.startsWith('/')) {
    throw new LadeError(ErrorCode.Usage, `the working directory '${cwd}' is invalid, it needs to be an absolute path`, {
      hint: 'give -w an absolute path inside the container',
    });
  }
  const execEnv = userEnvironment(exec.envFiles, exec.env, lookupIn(input.environment));
  const user = resolveProcessUser(exec.user !== '' ? exec.user : config.User, hc.GroupAdd, input.passwd, input.group);
  // --privileged gives the exec every capability, whatever the container has (exec_linux.go).
  const caps = exec.privileged
    ? [...(input.availableCapabilities ?? allCapabilities())].sort((a, b) => a - b)
    : resolveCapabilities({ capAdd: hc.CapAdd, capDrop: hc.CapDrop, privileged: hc.Privileged }, input.availableCapabilities);
  const env = replaceOrAppendEnv(daemonEnvironment(config.Env, config.Hostname, exec.tty), execEnv);

  return {
    namespaces: [],
    joinPid: input.joinPid,
    rootfsPath: '',
    rootfsMounts: [],
    rootfsReadonly: false,
    mounts: [],
    devices: [],
    symlinks: [],
    maskedPaths: [],
    readonlyPaths: [],
    hostname: '',
    loopbackUp: false,
    rlimits: [],
    capabilities: capabilitySets(caps, user.uid),
    noNewPrivileges: hc.NoNewPrivileges,
    uid: user.uid,
    gid: user.gid,
    additionalGids: user.additionalGids,
    cwd: cleanPath(cwd),
    args: [...exec.args],
    env: finalizeEnv(env, homeForUid(user.uid, input.passwd)),
    terminal: exec.tty,
    stdin: exec.interactive,
    init: false,
    cgroupProcs: [...input.cgroupProcs],
    oomScoreAdj: hc.OomScoreAdj,
    monitor: input.monitor,
  };
}
