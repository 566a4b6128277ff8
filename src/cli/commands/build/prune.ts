/**
 * `lade builder prune`: the build cache removed — entries whose result no image uses (`-a`: every
 * entry) — then every snapshot that nothing needs any more (no image layer, no remaining cache
 * entry, no container or running build), the context file store's unlinked entries (`-a`: all),
 * and every blob no image references.
 */
import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../../../errors/index.js';
import { alive, openImageStore } from '../../../image/index.js';
import type { Digest } from '../../../content/index.js';
import { chainIds, openSnapshotter, removeUnreferenced } from '../../../snapshotter/index.js';
import { openCacheIndex } from '../../../solver/index.js';
import type { RootfsResult } from '../../../solver/ops/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { humanSize } from '../../format/index.js';
import { confirm } from '../image/index.js';

/** Pids of the builds whose scratch directory exists under `tmp` and whose process is alive. */
async function runningBuilds(tmp: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    const m = /^build-(\d+)-/.exec(name);
    if (m !== null && alive(Number(m[1]))) pids.push(Number(m[1]));
  }
  return pids;
}

export const builderPruneCommand: LeafCommand = {
  kind: 'leaf',
  name: 'prune',
  usage: '[OPTIONS]',
  summary: 'Remove build cache',
  args: { min: 0, max: 0 },
  options: [
    { long: 'all', short: 'a', description: 'Remove all unused build cache, not just dangling ones' },
    { long: 'force', short: 'f', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, _args, options) {
    const all = options['all'] === true;
    if (options['force'] !== true) {
      const what = all ? 'all build cache' : 'all dangling build cache';
      if (!(await confirm(ctx, `WARNING! This will remove ${what}.\nAre you sure you want to continue?`))) return 0;
    }
    const root = ctx.global.root;
    // A build holds results not yet in the cache index: pruning under it could take them away.
    const running = await runningBuilds(join(root, 'tmp'));
    if (running.length > 0) {
      throw new LadeError(ErrorCode.ImageConflict, `a build is running (pid ${running.join(', ')}): the build cache cannot be pruned under it`, {
        hint: 'Prune again once the build has finished.',
      });
    }
    const images = await openImageStore(root);
    const snapshotter = await openSnapshotter(root);
    const cache = await openCacheIndex(join(root, 'buildcache'));

    // The snapshots image layers are: chain IDs of every image's diff IDs.
    const imageLayers = new Set<string>();
    for (const stored of await images.list()) {
      const loaded = await images.load(stored);
      for (const id of chainIds((loaded.config.rootfs?.diff_ids ?? []) as Digest[])) imageLayers.add(id);
    }
    const roots = new Set(imageLayers);
    let entries = 0;
    for await (const entry of cache.entries()) {
      const snapshot = (entry.result as unknown as Partial<RootfsResult>).snapshot;
      const used = typeof snapshot === 'string' && imageLayers.has(snapshot);
      if (all || !used) {
        if (await cache.delete(entry.key)) entries++;
      } else if (typeof snapshot === 'string') {
        roots.add(snapshot);
      }
    }
    const snapshots = await removeUnreferenced(snapshotter, roots);
    let reclaimed = snapshots.bytes;
    // Records of copies whose layer is gone can never be reused.
    const records = join(root, 'buildcontext', 'copies');
    for (const name of await readdir(records).catch(() => [] as string[])) {
      const snapshot = await readFile(join(records, name), 'utf8').then((t) => (JSON.parse(t) as { snapshot?: unknown }).snapshot).catch(() => undefined);
      if (typeof snapshot !== 'string' || (await snapshotter.stat(snapshot)) === undefined) await rm(join(records, name), { force: true });
    }
    // The file store: entries no layer links to any more (all of them with -a: layers keep their
    // own links, and the next build copies the context in again).
    const files = join(root, 'buildcontext', 'files');
    for (const name of await readdir(files).catch(() => [] as string[])) {
      const path = join(files, name);
      const st = await lstat(path).catch(() => undefined);
      if (st === undefined) continue;
      if (all || st.nlink <= 1 || name.includes('.tmp-')) {
        await rm(path, { force: true });
        if (st.nlink <= 1) reclaimed += st.blocks * 512;
      }
    }
    // What cache exports remember of compressed layers (their digests): small, and worth keeping
    // unless everything goes.
    if (all) await rm(join(root, 'buildcache', 'compressed'), { recursive: true, force: true });
    // Layers of pruned steps no image uses (deferred blobs whose snapshot is gone, too).
    const blobs = await images.prune({ only: new Set() });
    ctx.out.stdout(`Deleted build cache objects: ${entries} cache entries, ${snapshots.removed} layers\n`);
    ctx.out.stdout(`Total reclaimed space: ${humanSize(reclaimed + blobs.reclaimedBytes)}\n`);
    return 0;
  },
};
