// A private dockerd for benchmarks that compare against Docker (when docker.io is installed):
// its own socket, data and exec roots under `dir`, no bridge and no iptables, so it coexists with
// anything else on the machine. $DOCKER_HOST, when set, is used instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export interface Docker {
  /** The `-H` value. */
  readonly host: string;
  stop(): void;
}

export async function startDocker(dir: string): Promise<Docker | undefined> {
  if (process.env['DOCKER_HOST'] !== undefined) return { host: process.env['DOCKER_HOST'], stop: () => {} };
  if (!existsSync('/usr/bin/docker') || !have('dockerd')) return undefined;
  mkdirSync(dir, { recursive: true });
  const host = `unix://${join(dir, 'docker.sock')}`;
  const daemon = spawn('dockerd', ['--host', host, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'pid'), '--bridge=none', '--iptables=false'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if (spawnSync('/usr/bin/docker', ['-H', host, 'version'], { stdio: 'ignore' }).status === 0) {
      return { host, stop: () => daemon.kill('SIGTERM') };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  daemon.kill('SIGKILL');
  return undefined;
}
