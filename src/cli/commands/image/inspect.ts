/** `lade image inspect`: the JSON `docker image inspect` prints (Docker 25's shape), or --format. */
import { isLadeError } from '../../../errors/index.js';
import type { ContainerConfig, LoadedImage } from '../../../image/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { goStruct, renderInspect, type GoStruct } from '../../format/index.js';
import { openStore, splitName } from './common.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** A Go struct value: JSON keeps the field order (a plain object would print as a sorted map). */
const struct = (type: string, fields: Record<string, unknown>): GoStruct => goStruct(fields, { type });

/** Docker's container.Config with every field it always prints, in its field order. */
function dockerConfig(config: ContainerConfig | null | undefined): GoStruct {
  const c = config ?? {};
  const out: Record<string, unknown> = {
    Hostname: '',
    Domainname: '',
    User: c.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
  };
  if (c.ExposedPorts !== undefined && Object.keys(c.ExposedPorts).length > 0) out['ExposedPorts'] = c.ExposedPorts;
  Object.assign(out, { Tty: false, OpenStdin: false, StdinOnce: false, Env: c.Env ?? null, Cmd: c.Cmd ?? null });
  if (c.Healthcheck !== undefined) out['Healthcheck'] = c.Healthcheck;
  if (c.ArgsEscaped === true) out['ArgsEscaped'] = true;
  Object.assign(out, {
    Image: '',
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? null,
  });
  if (c.StopSignal !== undefined && c.StopSignal !== '') out['StopSignal'] = c.StopSignal;
  if (c.Shell !== undefined) out['Shell'] = c.Shell;
  return struct('container.Config', out);
}

export function inspectImage(image: LoadedImage): GoStruct {
  const config = image.config;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const out: Record<string, unknown> = {
    Id: image.record.id,
    RepoTags: image.tags.map((t) => {
      const { repository, tag } = splitName(t);
      return `${repository}:${tag}`;
    }),
    RepoDigests: (image.record.repoDigests ?? []).map((d) => {
      const [name, digest] = d.split('@');
      return `${splitName(`${name}:x`).repository}@${digest}`;
    }),
    Parent: '',
    Comment: str(config['comment']),
    Created: str(config.created) || ZERO_TIME,
    DockerVersion: str(config['docker_version']),
    Author: str(config.author),
    Config: dockerConfig(config.config),
    Architecture: config.architecture,
  };
  if (config.variant !== undefined && config.variant !== '') out['Variant'] = config.variant;
  out['Os'] = config.os;
  if (config['os.version'] !== undefined) out['OsVersion'] = config['os.version'];
  Object.assign(out, {
    Size: image.record.size,
    GraphDriver: struct('types.GraphDriverData', { Data: null, Name: 'lade' }),
    RootFS: struct('types.RootFS', { Type: 'layers', Layers: config.rootfs.diff_ids }),
    Metadata: struct('types.ImageMetadata', { LastTagTime: image.lastTagTime ?? ZERO_TIME }),
  });
  return struct('types.ImageInspect', out);
}

export const inspectCommand: LeafCommand = {
  kind: 'leaf',
  name: 'inspect',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  summary: 'Display detailed information on one or more images',
  args: { min: 1 },
  options: [{ long: 'format', short: 'f', type: 'string', description: 'Format the output using the given Go template' }],
  async run(ctx, args, options) {
    const store = await openStore(ctx);
    const found: GoStruct[] = [];
    const missing: string[] = [];
    for (const name of args) {
      try {
        found.push(inspectImage(await store.load(await store.find(name))));
      } catch (err) {
        if (!isLadeError(err) || err.code !== 'IMAGE_NOT_FOUND') throw err;
        missing.push(name);
      }
    }
    const format = typeof options['format'] === 'string' ? options['format'] : '';
    // Docker prints what it found (an empty list included) before the errors.
    const { output, errors } = renderInspect(format, found);
    ctx.out.stdout(output);
    for (const err of errors) ctx.out.stderr(`${err.message}\n`);
    for (const name of missing) ctx.out.stderr(`Error: No such image: ${name}\n`);
    return missing.length > 0 || errors.length > 0 ? 1 : 0;
  },
};
