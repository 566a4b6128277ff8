/**
 * The snapshots a build step works in: their names, reading their files, and the clean-up of
 * those a killed build left.
 * A step's active snapshot (and a read-only view of another stage) lives only while the step
 * runs; its name carries the builder's pid, so a later build can tell an abandoned one (its
 * process is gone) from one another build is using right now.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { alive } from '../../image/index.js';
import type { Snapshotter } from '../../snapshotter/index.js';

const SCRATCH = /^build-(?:run|file|view)-(\d+)-[0-9a-f]+$/;

export function scratchName(kind: 'run' | 'file' | 'view'): string {
  return `build-${kind}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Removes the step snapshots of builds whose process has died; returns how many. */
export async function removeAbandoned(snapshotter: Snapshotter): Promise<number> {
  let removed = 0;
  for (const info of await snapshotter.list()) {
    const m = SCRATCH.exec(info.name);
    if (m === null || info.kind === 'committed') continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    try {
      await snapshotter.remove(info.name);
      removed++;
    } catch {
      // Still mounted by the dead build, or already gone: the next build tries again.
    }
  }
  return removed;
}

const SCRATCH_DIR = /^build-(\d+)-[0-9a-f]+$/;

/** A build's own scratch directory under `parent`, named like its snapshots. */
export function scratchDirName(): string {
  return `build-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Removes the scratch directories under `parent` of builds whose process has died. */
export async function removeAbandonedDirs(parent: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const m = SCRATCH_DIR.exec(name);
    if (m === null || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    await rm(join(parent, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** A text file of a step's snapshot (/etc/passwd, /etc/group), or undefined when it has none. */
export async function readSnapshotText(snapshotter: Snapshotter, key: string, path: string): Promise<string | undefined> {
  try {
    return (await snapshotter.readFile(key, path))?.toString('utf8');
  } catch {
    return undefined;
  }
}
