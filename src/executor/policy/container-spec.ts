// `start`: a resolved container (container-config.ts) and what exists at start time (the image's
// passwd/group files, the rootfs mounts, the generated /etc files, host paths) become the
// SandboxSpec the helper carries out — moby daemon/oci_linux.go createSpec, step by step.
import type { NamespaceKind, SandboxMonitor, SandboxMount, SandboxSpec } from '../sandbox-spec.js';
import { MS } from '../sandbox-spec.js';
import { capabilitySets, resolveCapabilities } from './capabilities.js';
import { commandArgs } from './command.js';
import { resolveContainerConfig, type ResolveContainerInput, type ResolvedContainer } from './container-config.js';
import { defaultDevices, defaultMaskedPaths, defaultMounts, defaultReadonlyPaths, defaultSymlinks } from './defaults.js';
import { daemonEnvironment, finalizeEnv } from './env.js';
import { bindMount, planMounts, sortByDepth, type SourceKind } from './mount-plan.js';
import { parseMountOptions } from './mount-options.js';
import { homeForUid, resolveProcessUser } from './user.js';

/** One mount of the snapshotter's rootfs, options in fstab form (`ro`, `rbind`, `lowerdir=…`). */
export interface RootfsMountInput {
  readonly type: string;
  readonly source: string;
  readonly options: readonly string[];
  readonly cwd: string;
}

/** What exists only at start time. */
export interface ContainerRuntimeInput {
  /** The image's /etc/passwd and /etc/group contents, undefined when missing. */
  readonly passwd: string | undefined;
  readonly group: string | undefined;
  readonly rootfsPath: string;
  readonly rootfsMounts: readonly RootfsMountInput[];
  /** Host paths of the files written from generateEtcFiles. */
  readonly etcFiles: { readonly hostname: string; readonly hosts: string; readonly resolvConf: string };
  anonymousVolumeDir(dest: string): string;
  statSource(path: string): SourceKind;
  /** Creates a missing `-v` source directory (Docker: mkdir -p, 0755, root), called once the spec is known to be valid. */
  createHostDir(path: string): void;
  readonly cgroupProcs: readonly string[];
  readonly monitor: SandboxMonitor;
  /** Capabilities lade can grant (capabilitiesFromProcStatus of its own status); all known ones when omitted. */
  readonly availableCapabilities?: readonly number[];
  /** The host's possible CPUs (parseCpuList of /sys/devices/system/cpu/possible), for the thermal_throttle masks. */
  readonly possibleCpus?: readonly number[];
}

export interface ContainerPolicyInput extends ResolveContainerInput, ContainerRuntimeInput {}

/** `run` in one step: resolveContainerConfig then buildContainerSpecFromConfig. */
export function buildContainerSpec(input: ContainerPolicyInput): SandboxSpec {
  return buildContainerSpecFromConfig(resolveContainerConfig(input), input);
}

/** Docker keeps these default mounts writable under --read-only (withMounts). */
const WRITABLE_UNDER_READONLY = new Set(['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev']);

export function rootfsMountsOf(mounts: readonly RootfsMountInput[]): SandboxMount[] {
  return mounts.map((m) => {
    const p = parseMountOptions(m.options);
    return { destination: '/', type: m.type, source: m.source, flags: p.flags, data: p.data, propagation: p.propagation, create: 'none', cwd: m.cwd };
  });
}

export function buildContainerSpecFromConfig(c: ResolvedContainer, rt: ContainerRuntimeInput): SandboxSpec {
  const { config, hostConfig: hc } = c;
  const user = resolveProcessUser(config.User, hc.GroupAdd, rt.passwd, rt.group);
  const caps = resolveCapabilities({ capAdd: hc.CapAdd, capDrop: hc.CapDrop, privileged: hc.Privileged }, rt.availableCapabilities);
  const plan = planMounts(hc.Mounts, Object.keys(config.Volumes), rt);

  const userDests = new Set(plan.mounts.map((m) => m.destination));
  const devIsUsers = userDests.has('/dev');
  const defaults: SandboxMount[] = [];
  for (const m of defaultMounts(hc.ShmSize)) {
    if (userDests.has(m.destination)) continue;
    if (devIsUsers && m.destination.startsWith('/dev/')) continue;
    let flags = m.flags;
    if (hc.ReadonlyRootfs && !WRITABLE_UNDER_READONLY.has(m.destination)) flags |= MS.RDONLY;
    if (hc.Privileged && m.destination === '/sys') flags &= ~MS.RDONLY;
    defaults.push({ ...m, flags });
  }

  // A user mount on one of these paths takes the place of the generated file (TrySetNetworkMount).
  const etc: SandboxMount[] = [];
  for (const [dest, source] of [
    ['/etc/resolv.conf', rt.etcFiles.resolvConf],
    ['/etc/hostname', rt.etcFiles.hostname],
    ['/etc/hosts', rt.etcFiles.hosts],
  ] as const) {
    if (userDests.has(dest)) continue;
    etc.push(bindMount(source, dest, { readOnly: hc.ReadonlyRootfs, recursive: true, propagation: 'rprivate', create: 'file' }));
  }

  // runc sets up no device nodes or /dev links when /dev is a bind from the host.
  const devBound = plan.mounts.some((m) => m.destination === '/dev' && (m.flags & MS.BIND) !== 0);
  const confined = !hc.Privileged && !hc.UnconfinedSystemPaths;
  const namespaces: NamespaceKind[] = ['mount', 'uts', 'ipc', 'pid'];
  if (hc.NetworkMode === 'none') namespaces.push('net');

  const spec: SandboxSpec = {
    namespaces,
    joinPid: 0,
    rootfsPath: rt.rootfsPath,
    rootfsMounts: rootfsMountsOf(rt.rootfsMounts),
    rootfsReadonly: hc.ReadonlyRootfs,
    mounts: [...defaults, ...sortByDepth([...plan.mounts, ...etc])],
    devices: devBound ? [] : defaultDevices(),
    symlinks: devBound ? [] : defaultSymlinks(),
    maskedPaths: confined ? defaultMaskedPaths(rt.possibleCpus) : [],
    readonlyPaths: confined ? defaultReadonlyPaths() : [],
    hostname: config.Hostname,
    loopbackUp: hc.NetworkMode === 'none',
    rlimits: [],
    capabilities: capabilitySets(caps, user.uid),
    noNewPrivileges: hc.NoNewPrivileges,
    uid: user.uid,
    gid: user.gid,
    additionalGids: user.additionalGids,
    cwd: config.WorkingDir === '' ? '/' : config.WorkingDir,
    args: commandArgs({ entrypoint: [...config.Entrypoint], cmd: [...config.Cmd] }),
    env: finalizeEnv(daemonEnvironment(config.Env, config.Hostname, config.Tty), homeForUid(user.uid, rt.passwd)),
    terminal: config.Tty,
    stdin: config.OpenStdin,
    init: hc.Init,
    cgroupProcs: [...rt.cgroupProcs],
    oomScoreAdj: hc.OomScoreAdj,
    monitor: rt.monitor,
  };
  for (const dir of plan.createHostDirs) rt.createHostDir(dir);
  return spec;
}
