// `create`: the image config and the run flags merged into the container's configuration, as
// the Docker CLI and daemon produce Config and HostConfig (docker inspect shows the same values).
// Every flag is parsed and checked here, so a bad flag fails before anything is created; the
// result is plain JSON, stored with the container and turned into a sandbox spec at each start.
import { ErrorCode, LadeError } from '../../errors/index.js';
import { normalizeCapabilities } from './capabilities.js';
import { resolveCommand, resolveWorkingDir } from './command.js';
import { mergeImageEnv, userEnvironment, type EnvLookup } from './env.js';
import type { NetworkMode } from './etc-files.js';
import { cleanPath } from './paths.js';
import { parseAddHost, parseNetwork, parseSecurityOpts, parseShmSize, validateOomScoreAdj, type ExtraHost, type RunFlags } from './run-flags.js';
import { validateStopSignal } from './signals.js';
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag, type MountRequest } from './volume-flags.js';

/** The image config's `config` fields lade uses. */
export interface ImageRunConfig {
  readonly Env?: readonly string[] | null;
  readonly Cmd?: readonly string[] | null;
  readonly Entrypoint?: readonly string[] | null;
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Volumes?: Readonly<Record<string, object>> | null;
  readonly StopSignal?: string;
  /** Ignored, as Docker ignores it: the hostname is the container's, never the image's. */
  readonly Hostname?: string;
}

/** Docker's container Config after the merge with the image. */
export interface ContainerConfig {
  readonly Hostname: string;
  readonly User: string;
  /** The user's variables then the image's (without PATH/HOSTNAME/TERM, which are added at start). */
  readonly Env: readonly string[];
  readonly Cmd: readonly string[];
  readonly Entrypoint: readonly string[];
  /** Absolute and cleaned, or '' for "/". */
  readonly WorkingDir: string;
  /** Anonymous volumes: the image's VOLUMEs and `-v /dst`. */
  readonly Volumes: Readonly<Record<string, object>>;
  readonly StopSignal: string;
  readonly Tty: boolean;
  readonly OpenStdin: boolean;
}

/** The HostConfig part lade acts on. */
export interface ContainerHostConfig {
  readonly NetworkMode: NetworkMode;
  readonly Privileged: boolean;
  /** Normalised (CAP_ prefixed, upper case, or ALL). */
  readonly CapAdd: readonly string[];
  readonly CapDrop: readonly string[];
  readonly GroupAdd: readonly string[];
  readonly ReadonlyRootfs: boolean;
  /** Bytes. */
  readonly ShmSize: number;
  readonly SecurityOpt: readonly string[];
  readonly NoNewPrivileges: boolean;
  /** `--security-opt systempaths=unconfined`. */
  readonly UnconfinedSystemPaths: boolean;
  readonly OomScoreAdj: number | null;
  readonly Init: boolean;
  /** Binds (-v), --mount and --tmpfs, in that order. */
  readonly Mounts: readonly MountRequest[];
  readonly ExtraHosts: readonly ExtraHost[];
}

export interface ResolvedContainer {
  readonly id: string;
  readonly config: ContainerConfig;
  readonly hostConfig: ContainerHostConfig;
}

export interface ResolveContainerInput {
  /** 64 hex digits; the default hostname is its first 12. */
  readonly id: string;
  readonly config: ImageRunConfig;
  readonly run: RunFlags;
  /** lade's own environment, for `-e KEY` and env-file `KEY` lines. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** The host's hostname: a host-network container takes it unless -h is given. */
  readonly hostHostname: string;
  /** Capabilities lade can grant (capabilitiesFromProcStatus); all known ones when omitted. */
  readonly availableCapabilities?: readonly number[];
}

export function lookupIn(environment: Readonly<Record<string, string | undefined>>): EnvLookup {
  return (key) => (Object.prototype.hasOwnProperty.call(environment, key) ? environment[key] : undefined);
}

export function resolveContainerConfig(input: ResolveContainerInput): ResolvedContainer {
  const { run, config: image } = input;
  if (!/^[0-9a-f]{64}$/.test(input.id)) throw new LadeError(ErrorCode.Internal, `container ID is not 64 hex digits: ${input.id}`);

  // Client-side checks first, in the CLI's order.
  const lookup = lookupIn(input.environment);
  const userEnv = userEnvironment(run.envFiles, run.env, lookup);
  const binds: MountRequest[] = [];
  const volumes: Record<string, object> = {};
  // The CLI keeps -v values in a map: the same spec twice is one mount.
  for (const v of new Set(run.volumes)) {
    const req = parseVolumeFlag(v, run.cwd);
    if (req.kind === 'anonymous') volumes[req.destination] = {};
    else binds.push(req);
  }
  const mounts = run.mounts.map((m) => parseMountFlag(m, run.cwd));
  const tmpfs = new Map<string, MountRequest>();
  for (const t of run.tmpfs) {
    const req = parseTmpfsFlag(t);
    tmpfs.set(req.destination, req); // the CLI keeps --tmpfs in a map: the last one per path wins
  }
  const security = parseSecurityOpts(run.securityOpt);
  const extraHosts = run.addHost.map(parseAddHost);
  const shmSize = parseShmSize(run.shmSize);
  const oomScoreAdj = validateOomScoreAdj(run.oomScoreAdj);

  // Then the daemon's.
  const network = parseNetwork(run.network);
  const capAdd = run.privileged ? [...run.capAdd] : normalizeCapabilities(run.capAdd, input.availableCapabilities);
  const capDrop = run.privileged ? [...run.capDrop] : normalizeCapabilities(run.capDrop, input.availableCapabilities);
  const env = mergeImageEnv(userEnv, image.Env ?? []);
  for (const e of env) {
    if (e === '' || e.startsWith('=')) throw new LadeError(ErrorCode.Usage, `invalid environment variable: ${e}`, { hint: 'variables are NAME=VALUE' });
  }
  const command = resolveCommand({ imageEntrypoint: image.Entrypoint ?? undefined, imageCmd: image.Cmd ?? undefined, entrypoint: run.entrypoint, args: run.args });
  const workingDir = resolveWorkingDir(run.workdir, image.WorkingDir);
  const stopSignal = run.stopSignal !== '' ? run.stopSignal : (image.StopSignal ?? '');
  validateStopSignal(stopSignal);
  for (const dest of Object.keys(image.Volumes ?? {})) {
    const clean = cleanPath(dest);
    if (!clean.startsWith('/') || clean === '/') continue;
    volumes[clean] = {};
  }
  const hostname = run.hostname !== '' ? run.hostname : network === 'host' ? input.hostHostname : input.id.slice(0, 12);

  return {
    id: input.id,
    config: {
      Hostname: hostname,
      User: run.user !== '' ? run.user : (image.User ?? ''),
      Env: env,
      Cmd: command.cmd,
      Entrypoint: command.entrypoint,
      WorkingDir: workingDir,
      Volumes: volumes,
      StopSignal: stopSignal,
      Tty: run.tty,
      OpenStdin: run.interactive,
    },
    hostConfig: {
      NetworkMode: network,
      Privileged: run.privileged,
      CapAdd: capAdd,
      CapDrop: capDrop,
      GroupAdd: [...run.groupAdd],
      ReadonlyRootfs: run.readOnly,
      ShmSize: shmSize,
      SecurityOpt: [...run.securityOpt],
      NoNewPrivileges: security.noNewPrivileges,
      UnconfinedSystemPaths: security.unconfinedSystemPaths,
      OomScoreAdj: oomScoreAdj,
      Init: run.init,
      Mounts: [...binds, ...mounts, ...tmpfs.values()],
      ExtraHosts: extraHosts,
    },
  };
}
