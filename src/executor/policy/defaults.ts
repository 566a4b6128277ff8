// What every Docker container gets without asking: moby daemon/pkg/oci/defaults.go
// (DefaultLinuxSpec mounts, masked and read-only paths) plus what runc adds on its own for an
// OCI spec (the default device nodes and /dev symlinks, libcontainer/rootfs_linux.go).
import type { SandboxDevice, SandboxMount, SandboxSymlink } from '../sandbox-spec.js';
import { parseMountOptions } from './mount-options.js';

/** Docker's default --shm-size: 64 MiB (daemon config.DefaultShmSize). */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** PATH when the image sets none (moby oci.DefaultPathEnv). */
export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function kernelMount(destination: string, type: string, source: string, options: readonly string[]): SandboxMount {
  const p = parseMountOptions(options);
  return { destination, type, source, flags: p.flags, data: p.data, propagation: p.propagation, create: 'dir', cwd: '' };
}

/**
 * The default mounts in Docker's order. /sys/fs/cgroup is left out: on this cgroup v1 host Docker
 * mounts one cgroup hierarchy per controller, which the helper does not do (yet).
 * `/dev/shm` takes its size in bytes, as Docker writes it (`size=67108864`).
 */
export function defaultMounts(shmSize: number = DEFAULT_SHM_SIZE): SandboxMount[] {
  return [
    kernelMount('/proc', 'proc', 'proc', ['nosuid', 'noexec', 'nodev']),
    kernelMount('/dev', 'tmpfs', 'tmpfs', ['nosuid', 'strictatime', 'mode=755', 'size=65536k']),
    kernelMount('/dev/pts', 'devpts', 'devpts', ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']),
    kernelMount('/sys', 'sysfs', 'sysfs', ['nosuid', 'noexec', 'nodev', 'ro']),
    kernelMount('/dev/mqueue', 'mqueue', 'mqueue', ['nosuid', 'noexec', 'nodev']),
    kernelMount('/dev/shm', 'tmpfs', 'shm', ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`]),
  ];
}

function charDevice(path: string, major: number, minor: number): SandboxDevice {
  return { path, kind: 'c', major, minor, mode: 0o666, uid: 0, gid: 0 };
}

/** runc's default devices (the OCI runtime spec's "default devices"); /dev/console is the helper's, with -t. */
export function defaultDevices(): SandboxDevice[] {
  return [
    charDevice('/dev/null', 1, 3),
    charDevice('/dev/zero', 1, 5),
    charDevice('/dev/full', 1, 7),
    charDevice('/dev/random', 1, 8),
    charDevice('/dev/urandom', 1, 9),
    charDevice('/dev/tty', 5, 0),
  ];
}

/** runc's /dev symlinks (setupDevSymlinks) and /dev/ptmx pointing at the devpts instance. */
export function defaultSymlinks(): SandboxSymlink[] {
  return [
    { target: '/proc/self/fd', path: '/dev/fd' },
    { target: '/proc/self/fd/0', path: '/dev/stdin' },
    { target: '/proc/self/fd/1', path: '/dev/stdout' },
    { target: '/proc/self/fd/2', path: '/dev/stderr' },
    { target: '/proc/kcore', path: '/dev/core' },
    { target: 'pts/ptmx', path: '/dev/ptmx' },
  ];
}

/**
 * moby's default masked paths. Docker adds /sys/devices/system/cpu/cpuN/thermal_throttle for each
 * possible CPU whose directory exists (GHSA-6fw5-f8r9-fgfm); lade lists them for the CPUs given
 * and relies on the helper skipping a masked path that does not exist, as runc does.
 */
export function defaultMaskedPaths(possibleCpus: readonly number[] = []): string[] {
  return [
    '/proc/acpi',
    '/proc/asound',
    '/proc/interrupts',
    '/proc/kcore',
    '/proc/keys',
    '/proc/latency_stats',
    '/proc/sched_debug',
    '/proc/scsi',
    '/proc/timer_list',
    '/proc/timer_stats',
    '/sys/devices/virtual/powercap',
    '/sys/firmware',
    ...possibleCpus.map((n) => `/sys/devices/system/cpu/cpu${n}/thermal_throttle`),
  ];
}

export function defaultReadonlyPaths(): string[] {
  return ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
}

/** Parses /sys/devices/system/cpu/possible (`0-3,5`) into CPU numbers, for defaultMaskedPaths. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let n = lo; n <= hi && n - lo < 8192; n++) out.push(n);
  }
  return out;
}
