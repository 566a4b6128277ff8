/** The flags `lade run` and `lade create` share, and their translation into the container's request. */
import { readFileSync } from 'node:fs';
import { ErrorCode, LadeError } from '../../../errors/index.js';
import type { CreateRequest } from '../../../container/index.js';
import { defaultRunFlags, parseCpus, parseMemoryBytes, parseMemorySwapBytes, type CgroupLimits, type RunFlags } from '../../../executor/index.js';
import type { OptionSpec, OptionValues } from '../../command-spec.js';
import { stringList } from '../image/index.js';

export const CREATE_OPTIONS: readonly OptionSpec[] = [
  { long: 'add-host', type: 'list', description: 'Add a custom host-to-IP mapping (host:ip)' },
  { long: 'cap-add', type: 'list', description: 'Add Linux capabilities' },
  { long: 'cap-drop', type: 'list', description: 'Drop Linux capabilities' },
  { long: 'cpus', type: 'decimal', description: 'Number of CPUs' },
  { long: 'entrypoint', type: 'string', description: 'Overwrite the default ENTRYPOINT of the image' },
  { long: 'env', short: 'e', type: 'list', description: 'Set environment variables' },
  { long: 'env-file', type: 'list', description: 'Read in a file of environment variables' },
  { long: 'group-add', type: 'list', description: 'Add additional groups to join' },
  { long: 'hostname', short: 'h', type: 'string', description: 'Container host name' },
  { long: 'init', description: 'Run an init inside the container that forwards signals and reaps processes' },
  { long: 'interactive', short: 'i', description: 'Keep STDIN open even if not attached' },
  { long: 'memory', short: 'm', type: 'bytes', description: 'Memory limit' },
  { long: 'memory-swap', type: 'bytes', description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  { long: 'mount', type: 'mount', description: 'Attach a filesystem mount to the container' },
  { long: 'name', type: 'string', description: 'Assign a name to the container' },
  {
    long: 'network',
    type: 'string',
    description: 'Connect a container to a network: host (the default until lade has bridge networking) or none',
    defaultValue: 'host',
  },
  { long: 'oom-score-adj', type: 'int', description: "Tune host's OOM preferences (-1000 to 1000)" },
  { long: 'pids-limit', type: 'int', description: 'Tune container pids limit (set -1 for unlimited)' },
  { long: 'privileged', description: 'Give extended privileges to this container' },
  { long: 'read-only', description: "Mount the container's root filesystem as read only" },
  { long: 'rm', description: 'Automatically remove the container when it exits' },
  { long: 'security-opt', type: 'list', description: 'Security Options' },
  { long: 'shm-size', type: 'bytes', description: 'Size of /dev/shm' },
  { long: 'stop-signal', type: 'string', description: 'Signal to stop the container' },
  { long: 'stop-timeout', type: 'int', description: 'Timeout (in seconds) to stop a container' },
  { long: 'tmpfs', type: 'list', description: 'Mount a tmpfs directory' },
  { long: 'tty', short: 't', description: 'Allocate a pseudo-TTY' },
  { long: 'user', short: 'u', type: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { long: 'volume', short: 'v', type: 'list', description: 'Bind mount a volume' },
  { long: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container' },
];

function str(options: OptionValues, name: string): string | undefined {
  const v = options[name];
  return typeof v === 'string' ? v : undefined;
}

function int(options: OptionValues, name: string, flag: string): number | undefined {
  const v = str(options, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new LadeError(ErrorCode.Usage, `invalid argument "${v}" for "${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

function limitsOf(options: OptionValues): CgroupLimits {
  const memory = str(options, 'memory');
  const swap = str(options, 'memory-swap');
  const cpus = str(options, 'cpus');
  const pids = int(options, 'pids-limit', '--pids-limit');
  const limits: { -readonly [K in keyof CgroupLimits]: CgroupLimits[K] } = {};
  if (memory !== undefined) limits.memory = parseMemoryBytes(memory);
  if (swap !== undefined) limits.memorySwap = parseMemorySwapBytes(swap);
  if (cpus !== undefined) limits.cpus = parseCpus(cpus);
  if (pids !== undefined && pids > 0) limits.pidsLimit = pids;
  return limits;
}

function readEnvFiles(files: readonly string[]): RunFlags['envFiles'] {
  return files.map((file) => {
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch (err) {
      throw new LadeError(ErrorCode.FileRead, `open ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, { cause: err });
    }
  });
}

/** `IMAGE [COMMAND] [ARG...]` and the flags → what createContainer needs. */
export function createRequest(args: readonly string[], options: OptionValues, attached: boolean): CreateRequest {
  const [imageRef, ...command] = args;
  const run = defaultRunFlags({
    entrypoint: str(options, 'entrypoint'),
    args: command,
    env: stringList(options, 'env'),
    envFiles: readEnvFiles(stringList(options, 'env-file')),
    workdir: str(options, 'workdir') ?? '',
    user: str(options, 'user') ?? '',
    groupAdd: stringList(options, 'group-add'),
    hostname: str(options, 'hostname') ?? '',
    tty: options['tty'] === true,
    interactive: options['interactive'] === true,
    init: options['init'] === true,
    readOnly: options['read-only'] === true,
    network: str(options, 'network') ?? 'host',
    volumes: stringList(options, 'volume'),
    mounts: stringList(options, 'mount'),
    tmpfs: stringList(options, 'tmpfs'),
    capAdd: stringList(options, 'cap-add'),
    capDrop: stringList(options, 'cap-drop'),
    privileged: options['privileged'] === true,
    shmSize: str(options, 'shm-size') ?? '',
    securityOpt: stringList(options, 'security-opt'),
    oomScoreAdj: int(options, 'oom-score-adj', '--oom-score-adj'),
    stopSignal: str(options, 'stop-signal') ?? '',
    addHost: stringList(options, 'add-host'),
    cwd: process.cwd(),
  });
  const name = str(options, 'name');
  const stopTimeout = int(options, 'stop-timeout', '--stop-timeout');
  return {
    imageRef: imageRef!,
    ...(name === undefined ? {} : { name }),
    run,
    limits: limitsOf(options),
    autoRemove: options['rm'] === true,
    ...(stopTimeout === undefined ? {} : { stopTimeout }),
    attached,
  };
}
