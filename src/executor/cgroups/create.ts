/**
 * createCgroup: one cgroup per container under a parent (`/lade` by default, as Docker's
 * cgroupfs driver uses `/docker`), in only the hierarchies its limits need, so a container
 * without limits costs one mkdir and one rmdir.
 *
 * - v1: each needed controller's hierarchy, plus the freezer (teardown freezes before killing);
 * - hybrid: the needed v1 hierarchies plus the cgroup2 tree, which shows membership and gives
 *   teardown cgroup.kill (no freezer needed);
 * - v2: one directory, with the needed controllers enabled in every ancestor's
 *   cgroup.subtree_control.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { ErrorCode, LadeError } from '../../errors/index.js';
import { cgroupIoError, makeCgroupDir, readCgroupFile, removeCgroupDir, writeCgroupFile } from './cgroup-fs.js';
import { cgroupHandle, checkCgroupId, type ContainerCgroup } from './container-cgroup.js';
import { readCgroupLayout, readOwnCgroup, type CgroupLayout, type CgroupMount, type ProcCgroup } from './layout.js';
import { neededControllers, planLimitWrites, validateLimits, type CgroupLimits, type LimitController } from './limits.js';

/** Docker's `--cgroup-parent` default is `/docker`; lade's is `/lade`. */
export const DEFAULT_CGROUP_PARENT = '/lade';

const FLAG_OF: Record<LimitController, string> = { memory: '--memory', cpu: '--cpus/--cpu-shares', pids: '--pids-limit' };

/**
 * The parent cgroup from LADE_CGROUP_PARENT. Absolute paths start at the top of each mounted
 * hierarchy; relative ones are below lade's own cgroup (runc's rule for relative cgroupsPath).
 */
export function cgroupParent(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env['LADE_CGROUP_PARENT'] ?? DEFAULT_CGROUP_PARENT;
  const clean = posix.normalize(raw);
  if (raw === '' || raw.split('/').includes('..') || clean === '.') {
    throw new LadeError(ErrorCode.CgroupInvalidLimit, `invalid cgroup parent ${JSON.stringify(raw)} (LADE_CGROUP_PARENT)`, {
      hint: 'Give a cgroup path such as /lade, or a relative one (below lade’s own cgroup) without "..".',
    });
  }
  return clean.replace(/\/+$/, '') || '/';
}

/** The directory of cgroup `parent` in a hierarchy mounted at `mount`. */
function parentDir(mount: CgroupMount, own: string | undefined, parent: string): string {
  if (parent.startsWith('/')) return join(mount.mountPoint, parent);
  const inside = own === undefined ? undefined : relative(mount.root, own);
  if (inside === undefined || inside.startsWith('..')) {
    throw new LadeError(ErrorCode.CgroupUnavailable, `cannot place relative cgroup parent ${parent}: lade's own cgroup is not visible under ${mount.mountPoint}`, {
      hint: 'Set LADE_CGROUP_PARENT to an absolute path such as /lade.',
    });
  }
  return join(mount.mountPoint, inside, parent);
}

interface Hierarchy {
  readonly key: string;
  readonly mount: CgroupMount;
  readonly own: string | undefined;
}

function missingController(c: LimitController, detail: string, hint: string): LadeError {
  return new LadeError(ErrorCode.CgroupUnavailable, `cannot apply ${FLAG_OF[c]}: ${detail}`, { hint });
}

/** Which hierarchies the container's cgroup goes in, by paths key. */
function chooseHierarchies(layout: CgroupLayout, own: ProcCgroup, needed: readonly LimitController[]): Hierarchy[] {
  if (layout.kind === 'none') {
    throw new LadeError(ErrorCode.CgroupUnavailable, 'no cgroup filesystem is mounted (nothing of type cgroup or cgroup2 in /proc/self/mountinfo)', {
      hint: 'Mount cgroup2 at /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup).',
    });
  }
  if (layout.kind === 'v2') return [{ key: 'unified', mount: layout.unified!, own: own.unified }];
  const keys: string[] = [];
  for (const c of needed) {
    if (layout.v1[c] === undefined) {
      throw missingController(c, `the ${c} cgroup controller is not mounted`, `Mount it (mount -t cgroup -o ${c} cgroup /sys/fs/cgroup/${c}) or drop ${FLAG_OF[c]}.`);
    }
    keys.push(c);
  }
  if (layout.kind === 'v1') {
    if (layout.v1['freezer'] !== undefined) keys.push('freezer');
    // Some hierarchy must hold the container, so teardown can find its processes.
    else if (keys.length === 0) keys.push(Object.keys(layout.v1)[0]!);
  }
  const hierarchies: Hierarchy[] = keys.map((key) => ({ key, mount: layout.v1[key]!, own: own.v1[key] }));
  if (layout.kind === 'hybrid') hierarchies.push({ key: 'unified', mount: layout.unified!, own: own.unified });
  return hierarchies;
}

/**
 * Creates `dir`'s missing ancestors from `top` down, enabling `controllers` in the
 * cgroup.subtree_control of each level so that `dir` gets their files (cgroup v2).
 */
function prepareV2Parent(top: string, base: string, controllers: readonly LimitController[]): void {
  const steps = relative(top, base).split('/').filter((s) => s !== '');
  let dir = top;
  for (let i = 0; ; i++) {
    const available = (readCgroupFile(join(dir, 'cgroup.controllers')) ?? '').trim().split(/\s+/);
    const enabled = (readCgroupFile(join(dir, 'cgroup.subtree_control')) ?? '').trim().split(/\s+/);
    const missing = controllers.filter((c) => !enabled.includes(c));
    for (const c of missing) {
      if (!available.includes(c)) {
        throw missingController(c, `the ${c} controller is not available in ${join(dir, 'cgroup.controllers')}`,
          'Enable it in the parent cgroup’s cgroup.subtree_control, or set LADE_CGROUP_PARENT to a cgroup where it is delegated.');
      }
    }
    if (missing.length > 0) {
      try {
        writeCgroupFile(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
      } catch (err) {
        // EBUSY: the kernel's "no internal processes" rule — this cgroup holds processes itself.
        throw cgroupIoError('cannot enable controllers in', join(dir, 'cgroup.subtree_control'), (err as LadeError).cause ?? err,
          'The parent cgroup must not hold processes itself; set LADE_CGROUP_PARENT to an absolute path such as /lade.');
      }
    }
    const next = steps[i];
    if (next === undefined) return;
    dir = join(dir, next);
    makeCgroupDir(dir);
  }
}

/** Creates the container's cgroups and applies `limits`; on failure nothing is left behind. */
export async function createCgroup(id: string, limits: CgroupLimits): Promise<ContainerCgroup> {
  checkCgroupId(id);
  validateLimits(limits);
  const parent = cgroupParent();
  const layout = readCgroupLayout();
  const own = parent.startsWith('/') ? { v1: {}, unified: undefined } : readOwnCgroup();
  const needed = neededControllers(limits);
  const hierarchies = chooseHierarchies(layout, own, needed);

  const paths: Record<string, string> = {};
  const created: string[] = [];
  try {
    for (const h of hierarchies) {
      const base = parentDir(h.mount, h.own, parent);
      const dir = join(base, id);
      paths[h.key] = dir;
      if (created.includes(dir)) continue; // co-mounted controllers share a hierarchy
      if (layout.kind === 'v2') {
        prepareV2Parent(parent.startsWith('/') ? h.mount.mountPoint : base, base, needed);
      } else {
        try {
          mkdirSync(base, { recursive: true });
        } catch (err) {
          throw cgroupIoError('cannot create cgroup', base, err);
        }
      }
      if (!makeCgroupDir(dir)) {
        throw new LadeError(ErrorCode.CgroupIo, `cgroup ${dir} already exists`, {
          hint: 'Another container has this ID, or a crashed one left its cgroup: remove that container first.',
        });
      }
      created.push(dir);
    }
    const v2 = layout.kind === 'v2';
    const memoryDir = v2 ? paths['unified'] : paths['memory'];
    const swapAccounting = memoryDir !== undefined && existsSync(join(memoryDir, v2 ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes'));
    for (const w of planLimitWrites(limits, v2 ? 'v2' : 'v1', swapAccounting)) {
      const dir = v2 ? paths['unified']! : paths[w.controller]!;
      const file = join(dir, w.file);
      if (!existsSync(file)) {
        throw missingController(w.controller, `${file} does not exist`, 'This kernel does not support the limit; drop it.');
      }
      writeCgroupFile(file, w.value);
    }
  } catch (err) {
    for (const dir of created) {
      try {
        removeCgroupDir(dir);
      } catch {
        // The original error says more; an empty cgroup that cannot be removed is harmless.
      }
    }
    throw err;
  }
  return cgroupHandle(paths);
}
