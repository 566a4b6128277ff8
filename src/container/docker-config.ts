/** The container Config Docker shows in inspect and stores in a committed image. */
import type { ContainerConfig } from '../image/index.js';
import type { ContainerRecord } from './records.js';

export interface DockerContainerConfig extends ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[];
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild: string[] | null;
  Labels: Record<string, string>;
}

export function dockerConfig(record: ContainerRecord): DockerContainerConfig {
  const c = record.resolved.config;
  const out: DockerContainerConfig = {
    Hostname: c.Hostname,
    Domainname: '',
    User: c.User,
    AttachStdin: record.attach.stdin,
    AttachStdout: record.attach.stdout,
    AttachStderr: record.attach.stderr,
    Tty: c.Tty,
    OpenStdin: c.OpenStdin,
    // Docker sets StdinOnce for an attached -i: stdin closes when the client detaches.
    StdinOnce: c.OpenStdin && record.attach.stdin,
    Env: [...c.Env],
    Cmd: [...c.Cmd],
    Image: record.image.ref,
    Volumes: Object.keys(c.Volumes).length === 0 ? null : { ...c.Volumes },
    WorkingDir: c.WorkingDir,
    Entrypoint: c.Entrypoint.length === 0 ? null : [...c.Entrypoint],
    OnBuild: record.imageConfig.OnBuild ?? null,
    Labels: { ...(record.imageConfig.Labels ?? {}) },
  };
  if (record.imageConfig.ExposedPorts !== undefined) out.ExposedPorts = record.imageConfig.ExposedPorts;
  if (c.StopSignal !== '') out.StopSignal = c.StopSignal;
  if (record.imageConfig.Healthcheck !== undefined) out.Healthcheck = record.imageConfig.Healthcheck;
  return out;
}
