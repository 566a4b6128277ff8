// A RUN step of a build as BuildKit's runc executor runs it (executor/oci/spec.go): the default
// mounts, devices, masks and capabilities of a container, hostname `buildkitsandbox`, /etc/hosts
// and /etc/resolv.conf bound from generated files, the user resolved in the step's own
// /etc/passwd and /etc/group, no terminal, no stdin, output attached to the caller.
import type { NamespaceKind, SandboxSpec } from '../sandbox-spec.js';
import { capabilitySets, resolveCapabilities } from './capabilities.js';
import { rootfsMountsOf, type RootfsMountInput } from './container-spec.js';
import { defaultDevices, defaultMaskedPaths, defaultMounts, defaultReadonlyPaths, defaultSymlinks } from './defaults.js';
import { bindMount } from './mount-plan.js';
import { homeForUid, resolveExecUser } from './user.js';

export const BUILD_HOSTNAME = 'buildkitsandbox';

export interface BuildStepInput {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  /** USER as the image config holds it ("" for root). */
  readonly user: string;
  readonly network: 'default' | 'none' | 'host';
  readonly passwd: string | undefined;
  readonly group: string | undefined;
  readonly rootfsPath: string;
  readonly rootfsMounts: readonly RootfsMountInput[];
  /** Host paths of the generated files bound over /etc/hosts and /etc/resolv.conf. */
  readonly etcFiles: { readonly hosts: string; readonly resolvConf: string };
  readonly availableCapabilities?: readonly number[];
  readonly possibleCpus?: readonly number[];
}

export function buildStepSpec(input: BuildStepInput): SandboxSpec {
  // BuildKit's runc executor gives a step the /etc/group memberships of a user named without a
  // group, not its primary gid again (Docker's `run` adds that): `id` shows `groups=100(users)`.
  const u = resolveExecUser(input.user, input.passwd, input.group);
  const user = { uid: u.uid, gid: u.gid, additionalGids: u.sgids };
  const caps = resolveCapabilities({ capAdd: [], capDrop: [], privileged: false }, input.availableCapabilities);
  const namespaces: NamespaceKind[] = ['mount', 'uts', 'ipc', 'pid'];
  // `default` shares the host's network, as BuildKit's host-network mode does; `none` isolates.
  if (input.network === 'none') namespaces.push('net');
  return {
    namespaces,
    joinPid: 0,
    rootfsPath: input.rootfsPath,
    rootfsMounts: rootfsMountsOf(input.rootfsMounts),
    rootfsReadonly: false,
    mounts: [
      ...defaultMounts(),
      bindMount(input.etcFiles.hosts, '/etc/hosts', { readOnly: false, recursive: true, propagation: 'rprivate', create: 'file' }),
      bindMount(input.etcFiles.resolvConf, '/etc/resolv.conf', { readOnly: false, recursive: true, propagation: 'rprivate', create: 'file' }),
    ],
    devices: defaultDevices(),
    symlinks: defaultSymlinks(),
    maskedPaths: defaultMaskedPaths(input.possibleCpus),
    readonlyPaths: defaultReadonlyPaths(),
    hostname: BUILD_HOSTNAME,
    loopbackUp: input.network === 'none',
    rlimits: [],
    capabilities: capabilitySets(caps, user.uid),
    noNewPrivileges: false,
    uid: user.uid,
    gid: user.gid,
    additionalGids: user.additionalGids,
    cwd: input.cwd === '' ? '/' : input.cwd,
    args: [...input.args],
    // The runtime adds HOME from the user's passwd entry when the step's environment has none.
    env: input.env.some((e) => e.startsWith('HOME=')) ? [...input.env] : [...input.env, `HOME=${homeForUid(user.uid, input.passwd)}`],
    terminal: false,
    stdin: false,
    init: false,
    cgroupProcs: [],
    oomScoreAdj: null,
    monitor: { logPath: '', exitPath: '', attach: true, detach: false, onExit: [] },
  };
}
