/**
 * Which cgroup layout the host has, decided from /proc/self/mountinfo as runc and systemd do:
 * - `v1`: controllers on cgroup (v1) hierarchies, no cgroup2 mount;
 * - `hybrid`: controllers on v1 hierarchies plus a cgroup2 mount holding none of them
 *   (systemd's /sys/fs/cgroup/unified); membership there is tracked, limits live on v1;
 * - `v2`: one cgroup2 hierarchy and no v1 controller (named v1 hierarchies such as
 *   `name=systemd` do not count);
 * - `none`: no cgroup filesystem at all.
 */
import { readFileSync } from 'node:fs';

export type CgroupLayoutKind = 'v1' | 'v2' | 'hybrid' | 'none';

export interface CgroupMount {
  /** Where the hierarchy is mounted. */
  readonly mountPoint: string;
  /** The cgroup the mount shows at its top (`/` unless a sub-tree was mounted or bound). */
  readonly root: string;
}

export interface CgroupLayout {
  readonly kind: CgroupLayoutKind;
  /** v1 hierarchies by controller (`memory`, `cpu`, …); co-mounted controllers share a mount. */
  readonly v1: Readonly<Record<string, CgroupMount>>;
  /** The cgroup2 mount, if any. */
  readonly unified: CgroupMount | undefined;
}

/** v1 controllers the kernel knows; other super options (`rw`, `xattr`, `name=…`) are not. */
const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'net_prio',
  'blkio', 'perf_event', 'hugetlb', 'pids', 'rdma', 'misc',
]);

/** mountinfo escapes space, tab, newline and backslash in paths as \ooo. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

interface MountEntry {
  readonly root: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly superOptions: readonly string[];
}

/** The fields of mountinfo lines that matter here (proc(5)); malformed lines are skipped. */
function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 4) continue;
    entries.push({
      root: unescapeMountPath(fields[3]!),
      mountPoint: unescapeMountPath(fields[4]!),
      fsType: fields[dash + 1]!,
      superOptions: fields[dash + 3]!.split(','),
    });
  }
  return entries;
}

/**
 * The layout described by a mountinfo text. When a hierarchy is mounted more than once, a
 * mount of its whole tree (root `/`) wins over a mounted sub-tree, then the first one listed.
 */
export function detectCgroupLayout(mountinfo: string): CgroupLayout {
  const v1: Record<string, CgroupMount> = {};
  let unified: CgroupMount | undefined;
  for (const entry of parseMountinfo(mountinfo)) {
    const mount = { mountPoint: entry.mountPoint, root: entry.root };
    if (entry.fsType === 'cgroup2') {
      if (unified === undefined || (unified.root !== '/' && mount.root === '/')) unified = mount;
    } else if (entry.fsType === 'cgroup') {
      for (const opt of entry.superOptions) {
        if (!V1_CONTROLLERS.has(opt)) continue;
        const known = v1[opt];
        if (known === undefined || (known.root !== '/' && mount.root === '/')) v1[opt] = mount;
      }
    }
  }
  const hasV1 = Object.keys(v1).length > 0;
  const kind: CgroupLayoutKind = hasV1 ? (unified !== undefined ? 'hybrid' : 'v1') : unified !== undefined ? 'v2' : 'none';
  return { kind, v1, unified };
}

export interface ProcCgroup {
  /** A process's cgroup in each v1 hierarchy, by controller. */
  readonly v1: Readonly<Record<string, string>>;
  /** Its cgroup in the cgroup2 hierarchy (the `0::` line), if listed. */
  readonly unified: string | undefined;
}

/** /proc/<pid>/cgroup: `hierarchy-id:controllers:path` lines (cgroups(7)). */
export function parseProcCgroup(text: string): ProcCgroup {
  const v1: Record<string, string> = {};
  let unified: string | undefined;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (line.slice(0, first) === '0' && controllers === '') unified = path;
    else for (const c of controllers.split(',')) if (c !== '') v1[c] = path;
  }
  return { v1, unified };
}

/** The running process's view: its mount table. */
export function readCgroupLayout(): CgroupLayout {
  return detectCgroupLayout(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** The running process's own cgroups. */
export function readOwnCgroup(): ProcCgroup {
  return parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
}
