/**
 * Garbage collection of committed snapshots: every committed snapshot that no root needs — the
 * caller's roots (image layers, build cache results) and every active or view snapshot (running
 * builds, containers) — goes, with its parents when nothing else needs them. Children go before
 * their parents, as the snapshotter requires.
 */
import type { Snapshotter } from './types.js';

export interface CollectResult {
  removed: number;
  /** Bytes the removed snapshots held on disk (each hard-linked inode counted once per snapshot). */
  bytes: number;
}

export async function removeUnreferenced(snapshotter: Snapshotter, roots: Iterable<string>): Promise<CollectResult> {
  const infos = await snapshotter.list();
  const byName = new Map(infos.map((i) => [i.name, i]));
  const keep = new Set<string>();
  const mark = (name: string | undefined): void => {
    for (let n = name; n !== undefined && !keep.has(n); n = byName.get(n)?.parent) {
      if (!byName.has(n)) return;
      keep.add(n);
    }
  };
  for (const root of roots) mark(root);
  for (const info of infos) if (info.kind !== 'committed') mark(info.name);

  let removable = infos.filter((i) => !keep.has(i.name));
  const result: CollectResult = { removed: 0, bytes: 0 };
  // Leaves first: a snapshot can go once no remaining snapshot has it as parent.
  while (removable.length > 0) {
    const parents = new Set(removable.map((i) => i.parent).filter((p): p is string => p !== undefined));
    const leaves = removable.filter((i) => !parents.has(i.name));
    if (leaves.length === 0) break;
    for (const leaf of leaves) {
      const usage = await snapshotter.usage(leaf.name).catch(() => ({ size: 0 }));
      try {
        await snapshotter.remove(leaf.name);
        result.removed++;
        result.bytes += usage.size;
      } catch {
        // In use after all (a build started meanwhile): kept, and its parents with it.
        mark(leaf.name);
      }
    }
    const gone = new Set(leaves.map((l) => l.name));
    removable = removable.filter((i) => !gone.has(i.name) && !keep.has(i.name));
  }
  return result;
}
