/** `lade import`: a root filesystem tarball (file or `-`) becomes an image, as `docker import`. */
import { ErrorCode, LadeError } from '../../../errors/index.js';
import { parseDockerfile, parseInstruction, type Instruction } from '../../../frontend/index.js';
import { importRootfs, type ContainerConfig } from '../../../image/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { openInputStream } from '../../read-input.js';
import { openStore, stringList } from './common.js';

/** The instructions `docker import --change` (and `docker commit --change`) accept. */
const CHANGE_KINDS = new Set(['cmd', 'entrypoint', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

function shellForm(cmdLine: string[], prependShell: boolean): string[] {
  return prependShell ? ['/bin/sh', '-c', cmdLine.join(' ')] : cmdLine;
}

function setEnv(env: string[], key: string, value: string): string[] {
  return [...env.filter((e) => e.split('=')[0] !== key), `${key}=${value}`];
}

/** Applies `--change` instructions to the execution defaults (`base`, by default none), in order. */
export function applyChanges(changes: readonly string[], base: ContainerConfig = {}): ContainerConfig {
  const config: ContainerConfig = structuredClone(base);
  for (const change of changes) {
    const parsed = parseDockerfile(change, { file: '--change' });
    for (const node of parsed.instructions) {
      const instruction: Instruction = parseInstruction(node, '--change');
      if (!CHANGE_KINDS.has(instruction.kind)) {
        throw new LadeError(ErrorCode.Usage, `${node.keyword.toUpperCase()} is not a valid change command`, {
          hint: 'Valid: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR.',
        });
      }
      switch (instruction.kind) {
        case 'cmd':
          config.Cmd = shellForm(instruction.cmdLine, instruction.prependShell);
          break;
        case 'entrypoint':
          config.Entrypoint = shellForm(instruction.cmdLine, instruction.prependShell);
          break;
        case 'env':
          for (const p of instruction.pairs) config.Env = setEnv(config.Env ?? [], p.key, p.value);
          break;
        case 'expose':
          config.ExposedPorts ??= {};
          for (const port of instruction.ports) config.ExposedPorts[port.includes('/') ? port : `${port}/tcp`] = {};
          break;
        case 'label':
          config.Labels ??= {};
          for (const p of instruction.pairs) config.Labels[p.key] = p.value;
          break;
        case 'onbuild':
          config.OnBuild = [...(config.OnBuild ?? []), instruction.expression];
          break;
        case 'stopsignal':
          config.StopSignal = instruction.signal;
          break;
        case 'user':
          config.User = instruction.user;
          break;
        case 'volume':
          config.Volumes ??= {};
          for (const v of instruction.volumes) config.Volumes[v] = {};
          break;
        case 'workdir':
          config.WorkingDir = instruction.path.startsWith('/') ? instruction.path : `${config.WorkingDir ?? '/'}/${instruction.path}`.replace(/\/+/g, '/');
          break;
        default:
          break;
      }
    }
  }
  return config;
}

export const importCommand: LeafCommand = {
  kind: 'leaf',
  name: 'import',
  usage: '[OPTIONS] file|- [REPOSITORY[:TAG]]',
  summary: 'Import the contents from a tarball to create a filesystem image',
  args: { min: 1, max: 2 },
  options: [
    { long: 'change', short: 'c', type: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { long: 'message', short: 'm', type: 'string', description: 'Set commit message for imported image' },
    { long: 'platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
  ],
  async run(ctx, args, options) {
    const platform = options['platform'];
    if (typeof platform === 'string' && platform !== '' && !/^linux\/(amd64|x86_64)$/.test(platform)) {
      throw new LadeError(ErrorCode.Usage, `unsupported platform ${JSON.stringify(platform)}: lade runs linux/amd64 images`);
    }
    const config = applyChanges(stringList(options, 'change'));
    const store = await openStore(ctx);
    const file = args[0]!;
    if (/^[a-z]+:\/\//i.test(file)) {
      throw new LadeError(ErrorCode.Usage, `importing from a URL is not supported: ${file}`, { hint: 'Download it first, then import the file.' });
    }
    const source = await openInputStream(file);
    const message = typeof options['message'] === 'string' ? options['message'] : undefined;
    const result = await importRootfs(store, source, {
      names: args[1] === undefined ? [] : [args[1]],
      config,
      ...(message === undefined ? {} : { message }),
    });
    ctx.out.stdout(`${result.id}\n`);
    return 0;
  },
};
