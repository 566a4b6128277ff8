/**
 * Snapshots: layer trees handed out as mounts described as data (overlayfs, or plain copies
 * where overlayfs is unavailable), with diff and apply in OCI layer form.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { registerMaterializer } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { overlaySupported } from './mount.js';
import { openDirSnapshotter } from './snapshotter.js';
import type { Snapshotter, SnapshotDriver } from './types.js';

export type {
  ApplySnapshotOptions,
  DiffOptions,
  SnapshotDriver,
  SnapshotInfo,
  SnapshotKind,
  SnapshotMount,
  SnapshotUsage,
  Snapshotter,
} from './types.js';
export { mountArguments, mountAt, unmountAt, overlaySupported } from './mount.js';
export { MAX_OVERLAY_LOWERS } from './snapshotter.js';
export { chainIds, unpackImage } from './unpack-image.js';
export { removeUnreferenced } from './collect.js';
export type { CollectResult } from './collect.js';

const DRIVERS: readonly SnapshotDriver[] = ['overlay', 'copy'];

/**
 * The driver a root already holds snapshots of: the probe (a trial overlay mount) then costs
 * nothing on every later command, and a root never silently changes driver and loses its layers.
 */
async function usedDriver(root: string): Promise<SnapshotDriver | undefined> {
  for (const driver of DRIVERS) {
    try {
      await access(join(root, 'snapshots', driver, 'metadata.json'));
      return driver;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}

/**
 * The snapshotter under lade's `root` (data in `<root>/snapshots/<driver>/`). Without `driver`:
 * the environment's LADE_SNAPSHOTTER, else the driver the root already uses, else overlay where
 * overlayfs works, else copy.
 */
export async function openSnapshotter(root: string, driver?: SnapshotDriver): Promise<Snapshotter> {
  let chosen = driver;
  if (chosen === undefined) {
    const env = process.env['LADE_SNAPSHOTTER'];
    if (env !== undefined && env !== '') {
      if (!DRIVERS.includes(env as SnapshotDriver)) {
        throw new LadeError(ErrorCode.Usage, `LADE_SNAPSHOTTER=${env} names no snapshotter`, { hint: `Use one of: ${DRIVERS.join(', ')}.` });
      }
      chosen = env as SnapshotDriver;
    } else {
      chosen = (await usedDriver(root)) ?? ((await overlaySupported(join(root, 'snapshots'))) ? 'overlay' : 'copy');
    }
  }
  return openDirSnapshotter(chosen, join(root, 'snapshots', chosen));
}

/**
 * A deferred layer blob (content/deferred.ts) made from a committed snapshot: the diff of the
 * snapshot against its parents, as it was when the blob was measured. Committed snapshots never
 * change, so the bytes are the same; the content store verifies the digest all the same.
 */
export function layerDiffRecipe(snapshotter: Snapshotter, key: string, directoryTimes: boolean): { kind: string; driver: SnapshotDriver; dir: string; key: string; directoryTimes: boolean } {
  return { kind: 'snapshot-diff', driver: snapshotter.driver, dir: snapshotter.dir, key, directoryTimes };
}

registerMaterializer('snapshot-diff', async (recipe) => {
  const { driver, dir, key, directoryTimes } = recipe as ReturnType<typeof layerDiffRecipe>;
  if (!DRIVERS.includes(driver) || typeof dir !== 'string' || typeof key !== 'string') {
    throw new LadeError(ErrorCode.SnapshotNotFound, `cannot make a layer from ${JSON.stringify(recipe)}`);
  }
  const snapshotter = await openDirSnapshotter(driver, dir);
  if ((await snapshotter.stat(key))?.kind !== 'committed') {
    throw new LadeError(ErrorCode.SnapshotNotFound, `the layer is to be made from snapshot ${key}, which is gone`, {
      hint: 'Build the image again to make its layers anew.',
    });
  }
  return snapshotter.diff(key, { directoryTimes: directoryTimes === true });
});
