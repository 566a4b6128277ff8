// `lade run`/`create` flags as the CLI collects them (raw strings, in order), and the parsers for
// the flags whose checks are not elsewhere: --network, --security-opt, --shm-size,
// --oom-score-adj, --add-host. Docker's messages come from docker/cli
// cli/command/container/opts.go and moby daemon/daemon_unix.go (parseSecurityOpt).
import { ErrorCode, LadeError } from '../../errors/index.js';
import { DEFAULT_SHM_SIZE } from './defaults.js';
import type { EnvFile } from './env.js';
import type { NetworkMode } from './etc-files.js';
import { formatIp, parseIp } from './ip.js';
import { ramInBytes } from './mount-options.js';

export interface RunFlags {
  /** `--entrypoint`: undefined when not given, '' to reset the image's. */
  readonly entrypoint: string | undefined;
  /** The arguments after the image. */
  readonly args: readonly string[];
  /** `-e` values, in order. */
  readonly env: readonly string[];
  /** `--env-file` files, already read, in order. */
  readonly envFiles: readonly EnvFile[];
  /** `-w`, '' when not given. */
  readonly workdir: string;
  /** `-u`, '' when not given. */
  readonly user: string;
  readonly groupAdd: readonly string[];
  /** `-h`, '' when not given. */
  readonly hostname: string;
  readonly tty: boolean;
  readonly interactive: boolean;
  readonly init: boolean;
  readonly readOnly: boolean;
  /** `--network`: lade has `host` and `none`. */
  readonly network: string;
  readonly volumes: readonly string[];
  readonly mounts: readonly string[];
  readonly tmpfs: readonly string[];
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  readonly privileged: boolean;
  /** `--shm-size`, '' for Docker's 64m. */
  readonly shmSize: string;
  readonly securityOpt: readonly string[];
  readonly oomScoreAdj: number | undefined;
  /** `--stop-signal`, '' when not given. */
  readonly stopSignal: string;
  /** `--add-host name:ip` values. */
  readonly addHost: readonly string[];
  /** The CLI's working directory: `-v ./dir:/x` and `--mount src=./dir` are relative to it. */
  readonly cwd: string | undefined;
}

/**
 * Flags as `lade run IMAGE` without options sets them. The network defaults to host: lade has no
 * bridge network, and host is the closest to Docker's default (the container reaches the network).
 */
export function defaultRunFlags(overrides: Partial<RunFlags> = {}): RunFlags {
  return {
    entrypoint: undefined,
    args: [],
    env: [],
    envFiles: [],
    workdir: '',
    user: '',
    groupAdd: [],
    hostname: '',
    tty: false,
    interactive: false,
    init: false,
    readOnly: false,
    network: 'host',
    volumes: [],
    mounts: [],
    tmpfs: [],
    capAdd: [],
    capDrop: [],
    privileged: false,
    shmSize: '',
    securityOpt: [],
    oomScoreAdj: undefined,
    stopSignal: '',
    addHost: [],
    cwd: undefined,
    ...overrides,
  };
}

export function parseNetwork(value: string): NetworkMode {
  if (value === 'host' || value === 'none') return value;
  throw new LadeError(ErrorCode.ContainerUnsupported, `network ${value} is not supported yet: lade has host and none networks; bridge networking arrives later`, {
    hint: 'use --network host (the default) or --network none',
  });
}

export interface SecurityOptions {
  readonly noNewPrivileges: boolean;
  /** `systempaths=unconfined`: no masked or read-only /proc and /sys paths. */
  readonly unconfinedSystemPaths: boolean;
}

/** Go's strconv.ParseBool. */
function goParseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/**
 * `--security-opt` values. no-new-privileges[=bool] and systempaths=unconfined take effect;
 * label and apparmor options are accepted and have no effect (lade applies no LSM profile), as is
 * seccomp=unconfined (lade applies no seccomp filter at all); a seccomp profile is refused.
 */
export function parseSecurityOpts(opts: readonly string[]): SecurityOptions {
  let noNewPrivileges = false;
  let unconfinedSystemPaths = false;
  for (const opt of opts) {
    if (opt === 'no-new-privileges') {
      noNewPrivileges = true;
      continue;
    }
    if (opt === 'systempaths=unconfined') {
      unconfinedSystemPaths = true;
      continue;
    }
    if (opt === 'writable-cgroups' || opt === 'disable') continue;
    let sep = opt.indexOf('=');
    if (sep < 0) sep = opt.indexOf(':');
    const k = sep < 0 ? opt : opt.slice(0, sep);
    const v = sep < 0 ? '' : opt.slice(sep + 1);
    if (sep < 0 || v === '') {
      throw new LadeError(ErrorCode.Usage, `invalid --security-opt: "${opt}"`, { hint: 'security options are KEY=VALUE, e.g. no-new-privileges=true' });
    }
    switch (k) {
      case 'no-new-privileges':
      case 'writable-cgroups': {
        const b = goParseBool(v);
        if (b === undefined) throw new LadeError(ErrorCode.Usage, `invalid --security-opt 2: "${opt}"`);
        if (k === 'no-new-privileges') noNewPrivileges = b;
        break;
      }
      case 'label':
      case 'apparmor':
        break;
      case 'seccomp':
        if (v !== 'unconfined') {
          throw new LadeError(ErrorCode.ContainerUnsupported, 'seccomp profiles are not supported yet: lade runs containers without a seccomp filter', {
            hint: 'leave the option out (or use seccomp=unconfined, which is what lade does)',
          });
        }
        break;
      default:
        throw new LadeError(ErrorCode.Usage, `invalid --security-opt 2: "${opt}"`);
    }
  }
  return { noNewPrivileges, unconfinedSystemPaths };
}

/** `--shm-size` in bytes; '' or 0 is Docker's 64 MiB. */
export function parseShmSize(value: string): number {
  if (value === '') return DEFAULT_SHM_SIZE;
  const n = ramInBytes(value);
  if (n < 0) throw new LadeError(ErrorCode.Usage, 'SHM size can not be less than 0');
  return n === 0 ? DEFAULT_SHM_SIZE : n;
}

export function validateOomScoreAdj(value: number | undefined): number | null {
  if (value === undefined) return null;
  if (!Number.isInteger(value) || value < -1000 || value > 1000) {
    throw new LadeError(ErrorCode.Usage, `Invalid value ${value}, range for oom score adj is [-1000, 1000]`);
  }
  return value;
}

export interface ExtraHost {
  readonly name: string;
  readonly ip: string;
}

/**
 * `--add-host host:ip` or `host=ip` (docker/cli opts.ValidateExtraHost); an IPv6 address may be
 * bracketed. Docker's `host-gateway` needs a bridge, which lade does not have.
 */
export function parseAddHost(value: string): ExtraHost {
  let sep = value.indexOf('=');
  if (sep < 0) sep = value.indexOf(':');
  const name = sep < 0 ? '' : value.slice(0, sep);
  let ip = sep < 0 ? '' : value.slice(sep + 1);
  if (sep < 0 || name === '' || name.includes(':')) throw new LadeError(ErrorCode.Usage, `bad format for add-host: "${value}"`, { hint: 'use --add-host NAME:IP' });
  if (ip === 'host-gateway') {
    throw new LadeError(ErrorCode.ContainerUnsupported, 'host-gateway is not supported yet: lade has host and none networks', { hint: 'give the IP address' });
  }
  if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const parsed = parseIp(ip);
  if (parsed === undefined) throw new LadeError(ErrorCode.Usage, `invalid IP address in add-host: "${ip}"`);
  return { name, ip: formatIp(parsed) };
}
