/**
 * `lade container inspect`, and `lade inspect`, which, like `docker inspect`, takes containers
 * and images alike: the JSON Docker prints (its field order), or --format.
 */
import { join } from 'node:path';
import { isLadeError } from '../../../errors/index.js';
import { LOG_FILE, dockerConfig, observeContainer, type ContainerEntry, type Runtime } from '../../../container/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { goStruct, renderInspect, type GoStruct } from '../../format/index.js';
import { inspectImage, openStore } from '../image/index.js';
import { pathAndArgs, runtime } from './common.js';

const struct = (type: string, fields: Record<string, unknown>): GoStruct => goStruct(fields, { type });

function hostConfig(entry: ContainerEntry): GoStruct {
  const hc = entry.record.resolved.hostConfig;
  const limits = entry.record.limits;
  const binds = entry.record.run.volumes.filter((v) => v.includes(':'));
  const tmpfs = entry.record.run.tmpfs;
  const list = (xs: readonly string[]) => (xs.length === 0 ? null : [...xs]);
  return struct('container.HostConfig', {
    Binds: list(binds),
    NetworkMode: hc.NetworkMode,
    AutoRemove: entry.record.autoRemove,
    CapAdd: list(hc.CapAdd),
    CapDrop: list(hc.CapDrop),
    GroupAdd: list(hc.GroupAdd),
    ExtraHosts: list(hc.ExtraHosts.map((h) => `${h.name}:${h.ip}`)),
    OomScoreAdj: hc.OomScoreAdj ?? 0,
    Privileged: hc.Privileged,
    ReadonlyRootfs: hc.ReadonlyRootfs,
    SecurityOpt: list(hc.SecurityOpt),
    Tmpfs: tmpfs.length === 0 ? null : Object.fromEntries(tmpfs.map((t) => (t.includes(':') ? [t.slice(0, t.indexOf(':')), t.slice(t.indexOf(':') + 1)] : [t, '']))),
    ShmSize: hc.ShmSize,
    Memory: limits.memory ?? 0,
    NanoCpus: Math.round((limits.cpus ?? 0) * 1e9),
    MemorySwap: limits.memorySwap ?? 0,
    PidsLimit: limits.pidsLimit ?? null,
    Init: hc.Init ? true : null,
  });
}

function containerConfig(entry: ContainerEntry): GoStruct {
  const c = dockerConfig(entry.record);
  const out: Record<string, unknown> = {
    Hostname: c.Hostname,
    Domainname: c.Domainname,
    User: c.User,
    AttachStdin: c.AttachStdin,
    AttachStdout: c.AttachStdout,
    AttachStderr: c.AttachStderr,
  };
  if (c.ExposedPorts !== undefined) out['ExposedPorts'] = c.ExposedPorts;
  Object.assign(out, {
    Tty: c.Tty,
    OpenStdin: c.OpenStdin,
    StdinOnce: c.StdinOnce,
    Env: c.Env,
    Cmd: c.Cmd,
  });
  if (c.Healthcheck !== undefined) out['Healthcheck'] = c.Healthcheck;
  Object.assign(out, {
    Image: c.Image,
    Volumes: c.Volumes,
    WorkingDir: c.WorkingDir,
    Entrypoint: c.Entrypoint,
    OnBuild: c.OnBuild,
    Labels: c.Labels,
  });
  if (c.StopSignal !== undefined) out['StopSignal'] = c.StopSignal;
  return struct('container.Config', out);
}

export function inspectContainer(entry: ContainerEntry): GoStruct {
  const { record, state, dir } = entry;
  const { path, args } = pathAndArgs(entry);
  return struct('types.ContainerJSON', {
    Id: record.id,
    Created: record.created,
    Path: path,
    Args: args,
    State: struct('types.ContainerState', {
      Status: state.status,
      Running: state.status === 'running',
      Paused: false,
      Restarting: false,
      OOMKilled: state.oomKilled,
      Dead: false,
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error,
      StartedAt: state.startedAt,
      FinishedAt: state.finishedAt,
    }),
    Image: record.image.id,
    ResolvConfPath: join(dir, 'resolv.conf'),
    HostnamePath: join(dir, 'hostname'),
    HostsPath: join(dir, 'hosts'),
    LogPath: join(dir, LOG_FILE),
    Name: `/${record.name}`,
    RestartCount: state.restartCount,
    Driver: record.snapshot.driver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfig(entry),
    GraphDriver: struct('types.GraphDriverData', { Data: null, Name: record.snapshot.driver }),
    Mounts: [],
    Config: containerConfig(entry),
    NetworkSettings: struct('types.NetworkSettings', { Networks: { [record.resolved.hostConfig.NetworkMode]: struct('network.EndpointSettings', {}) } }),
  });
}

async function findContainer(rt: Runtime, ref: string): Promise<GoStruct | undefined> {
  try {
    return inspectContainer(await observeContainer(rt, await rt.containers.find(ref)));
  } catch (err) {
    if (isLadeError(err) && err.code === 'CONTAINER_NOT_FOUND') return undefined;
    throw err;
  }
}

function inspectCommandFor(kind: 'container' | 'any'): LeafCommand {
  return {
    kind: 'leaf',
    name: 'inspect',
    usage: kind === 'container' ? '[OPTIONS] CONTAINER [CONTAINER...]' : '[OPTIONS] NAME|ID [NAME|ID...]',
    summary: kind === 'container' ? 'Display detailed information on one or more containers' : 'Return low-level information on lade objects',
    args: { min: 1 },
    options: [
      { long: 'format', short: 'f', type: 'string', description: 'Format the output using the given Go template' },
      ...(kind === 'any' ? [{ long: 'type', type: 'string' as const, description: 'Return JSON for specified type', choices: ['container', 'image'] }] : []),
    ],
    async run(ctx, args, options) {
      const rt = await runtime(ctx);
      const type = kind === 'container' ? 'container' : (options['type'] as string | undefined);
      const found: GoStruct[] = [];
      const missing: string[] = [];
      for (const ref of args) {
        let value = type === 'image' ? undefined : await findContainer(rt, ref);
        if (value === undefined && type !== 'container') {
          try {
            const store = await openStore(ctx);
            value = inspectImage(await store.load(await store.find(ref)));
          } catch (err) {
            if (!isLadeError(err) || err.code !== 'IMAGE_NOT_FOUND') throw err;
          }
        }
        if (value === undefined) missing.push(ref);
        else found.push(value);
      }
      const format = typeof options['format'] === 'string' ? options['format'] : '';
      const { output, errors } = renderInspect(format, found);
      ctx.out.stdout(output);
      for (const err of errors) ctx.out.stderr(`${err.message}\n`);
      const noun = type === 'image' ? 'image' : type === 'container' ? 'container' : 'object';
      for (const ref of missing) ctx.out.stderr(`Error: No such ${noun}: ${ref}\n`);
      return missing.length > 0 || errors.length > 0 ? 1 : 0;
    },
  };
}

export const containerInspectCommand = inspectCommandFor('container');
export const inspectAnyCommand = inspectCommandFor('any');
