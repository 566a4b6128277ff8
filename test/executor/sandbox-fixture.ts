/**
 * A Docker-like SandboxSpec built by hand for the helper's tests (the real one comes from
 * src/executor/policy): Docker's default mounts, devices, symlinks, masked and read-only paths and
 * capability set, over a busybox rootfs directory bind-mounted as the root.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { startSandbox, type SandboxExit, type StartedSandbox } from '../../src/executor/bridge/index.js';
import { MS, type SandboxMount, type SandboxSpec } from '../../src/executor/sandbox-spec.js';
import { writeBusyboxRootfs } from '../helpers/busybox.js';
import { tempDir } from '../helpers/tar-fixtures.js';

/** Docker's default capabilities (moby oci/caps/defaults.go), by number. */
export const DOCKER_CAPS = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31];

function mount(destination: string, type: string, source: string, flags: number, data = '', create: SandboxMount['create'] = 'dir'): SandboxMount {
  return { destination, type, source, flags, data, propagation: 0, create, cwd: '' };
}

export function defaultMounts(): SandboxMount[] {
  return [
    mount('/proc', 'proc', 'proc', MS.NOSUID | MS.NOEXEC | MS.NODEV),
    mount('/dev', 'tmpfs', 'tmpfs', MS.NOSUID | MS.STRICTATIME, 'mode=755,size=65536k'),
    mount('/dev/pts', 'devpts', 'devpts', MS.NOSUID | MS.NOEXEC, 'newinstance,ptmxmode=0666,mode=0620,gid=5'),
    mount('/sys', 'sysfs', 'sysfs', MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RDONLY),
    mount('/dev/mqueue', 'mqueue', 'mqueue', MS.NOSUID | MS.NOEXEC | MS.NODEV),
    mount('/dev/shm', 'tmpfs', 'shm', MS.NOSUID | MS.NOEXEC | MS.NODEV, 'mode=1777,size=65536k'),
  ];
}

/** A fresh busybox rootfs in a temporary directory. */
export function busyboxRoot(prefix = 'lade-sandbox-root-'): string {
  const dir = writeBusyboxRootfs(tempDir(prefix));
  // mkdtemp makes 0700; an image's root is 0755, and non-root users must get through it.
  chmodSync(dir, 0o755);
  return dir;
}

/** A spec running `args` in `rootfs` as root with Docker's defaults; `over` replaces fields. */
export function dockerLikeSpec(rootfs: string, args: string[], over: Partial<SandboxSpec> = {}): SandboxSpec {
  const chr = (path: string, major: number, minor: number) => ({ path, kind: 'c' as const, major, minor, mode: 0o666, uid: 0, gid: 0 });
  return {
    namespaces: ['mount', 'pid', 'uts', 'ipc', 'net', 'cgroup'],
    joinPid: 0,
    rootfsPath: rootfs,
    rootfsMounts: [{ destination: '', type: 'bind', source: rootfs, flags: MS.BIND | MS.REC, data: '', propagation: 0, create: 'none', cwd: '' }],
    rootfsReadonly: false,
    mounts: defaultMounts(),
    devices: [chr('/dev/null', 1, 3), chr('/dev/zero', 1, 5), chr('/dev/full', 1, 7), chr('/dev/random', 1, 8), chr('/dev/urandom', 1, 9), chr('/dev/tty', 5, 0)],
    symlinks: [
      { target: '/proc/self/fd', path: '/dev/fd' },
      { target: '/proc/self/fd/0', path: '/dev/stdin' },
      { target: '/proc/self/fd/1', path: '/dev/stdout' },
      { target: '/proc/self/fd/2', path: '/dev/stderr' },
      { target: 'pts/ptmx', path: '/dev/ptmx' },
    ],
    maskedPaths: ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'],
    readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    hostname: 'sandboxed',
    loopbackUp: true,
    rlimits: [],
    capabilities: { bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS, inheritable: [], ambient: [] },
    noNewPrivileges: false,
    uid: 0,
    gid: 0,
    additionalGids: [],
    cwd: '/',
    args,
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=sandboxed'],
    terminal: false,
    stdin: false,
    init: false,
    cgroupProcs: [],
    oomScoreAdj: null,
    monitor: { logPath: '', exitPath: '', attach: true, detach: false, onExit: [] },
    ...over,
  };
}

export function collect(stream: Readable | undefined): Promise<string> {
  if (stream === undefined) return Promise.resolve('');
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

export interface RunResult extends SandboxExit {
  stdout: string;
  stderr: string;
}

/** Runs a spec in the foreground with piped stdio and waits for the end. */
export async function runSpec(spec: SandboxSpec, input?: string): Promise<RunResult> {
  const h = await startSandbox(spec, { stdin: input === undefined ? 'ignore' : 'pipe', stdout: 'pipe', stderr: 'pipe' });
  return finishRun(h, input);
}

export async function finishRun(h: StartedSandbox, input?: string): Promise<RunResult> {
  if (input !== undefined) h.stdin?.end(input);
  const [stdout, stderr, exit] = await Promise.all([collect(h.stdout), collect(h.stderr), h.exit]);
  return { stdout, stderr, ...exit };
}

/** Polls `check` until it returns a value other than undefined, failing after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sh = (script: string): string[] => ['/bin/sh', '-c', script];
export { join };

/** Collects a stream and lets a test wait until some text has appeared in it. */
export function watch(stream: Readable | undefined): { text: () => string; until: (s: string) => Promise<void>; done: Promise<string> } {
  let text = '';
  const waiters: Array<{ s: string; resolve: () => void }> = [];
  stream?.setEncoding('utf8');
  stream?.on('data', (c: string) => {
    text += c;
    for (const w of waiters.splice(0)) if (text.includes(w.s)) w.resolve();
    else waiters.push(w);
  });
  const done = new Promise<string>((resolve, reject) => {
    if (stream === undefined) return resolve('');
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
  return {
    text: () => text,
    until: (s) =>
      text.includes(s)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ s, resolve });
            void done.then(() => (text.includes(s) ? resolve() : reject(new Error(`stream ended without ${JSON.stringify(s)}: ${JSON.stringify(text)}`))));
          }),
    done,
  };
}
