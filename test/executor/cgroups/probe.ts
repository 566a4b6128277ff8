/**
 * Run by cgroups-root.test.ts inside a private mount namespace whose /sys/fs/cgroup was
 * rearranged into another layout (pure v1, pure v2): creates a cgroup with the limits in
 * argv[3], starts a shell with three sleeps in it, destroys the cgroup, and prints one JSON
 * line of what happened.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCgroup, readCgroupLayout, type CgroupLimits } from '../../../src/executor/cgroups/index.js';
import { isDead, pidsIn, runInCgroup, waitFor } from './in-cgroup.js';

async function main(): Promise<void> {
  const id = process.argv[2]!;
  const limits = JSON.parse(process.argv[3] ?? '{}') as CgroupLimits;
  const kind = readCgroupLayout().kind;
  let cg;
  try {
    cg = await createCgroup(id, limits);
  } catch (err) {
    const e = err as Error & { code?: string };
    console.log(JSON.stringify({ kind, error: { code: e.code, message: e.message } }));
    return;
  }
  const files: Record<string, string> = {};
  for (const [key, dir] of Object.entries(cg.paths)) {
    for (const f of ['pids.max', 'cpu.cfs_quota_us', 'cpu.max', 'memory.limit_in_bytes', 'memory.max']) {
      if (existsSync(join(dir, f))) files[`${key}/${f}`] = readFileSync(join(dir, f), 'utf8').trim();
    }
  }
  const ran = runInCgroup(cg.procsFiles, 'for i in 1 2 3; do sleep 1000 >/dev/null 2>&1 & done; wait');
  const first = Object.values(cg.paths)[0]!;
  await waitFor('four processes in the cgroup', () => pidsIn(first).length === 4);
  const pids = pidsIn(first);
  const stats = await cg.stats();
  await cg.destroy();
  const exit = await ran.done;
  await waitFor('the sleeps to die', () => pids.every(isDead));
  const dirsLeft = Object.values(cg.paths).filter((d) => existsSync(d));
  console.log(JSON.stringify({ kind, paths: cg.paths, files, stats, pids: pids.length, signal: exit.signal, dirsLeft }));
}

await main();
