/**
 * Turning mounts-as-data into mount(2) calls (containerd's mount.Mount.Mount), and the overlayfs
 * probe. The executor performs its rootfs mount itself, in the container's mount namespace, from
 * the same data and with the same translation (mountArguments).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../errors/index.js';
import { isSysError, mount, MountFlag, umount, UmountFlag } from '../sys/index.js';
import type { SnapshotMount } from './types.js';

/** Flag words of containerd's mount options; anything else is filesystem data. */
const FLAG_WORDS: Record<string, { set: number; clear?: boolean }> = {
  ro: { set: MountFlag.RDONLY },
  rw: { set: MountFlag.RDONLY, clear: true },
  bind: { set: MountFlag.BIND },
  rbind: { set: MountFlag.BIND | MountFlag.REC },
  nosuid: { set: MountFlag.NOSUID },
  suid: { set: MountFlag.NOSUID, clear: true },
  nodev: { set: MountFlag.NODEV },
  dev: { set: MountFlag.NODEV, clear: true },
  noexec: { set: MountFlag.NOEXEC },
  exec: { set: MountFlag.NOEXEC, clear: true },
};

/**
 * Options that keep an overlay's upper directory a plain change set that diff can read: no
 * redirect xattrs for renamed directories (rename falls back to copy, as with Docker's overlay2),
 * no metadata-only copy-ups (a chmod copies the data up too), no inode index (a lower layer can
 * back many mounts). Kernels from 4.19 know all three; the probe uses them, so an older kernel
 * falls back to the copy driver rather than produce wrong diffs.
 */
export const OVERLAY_OPTIONS: readonly string[] = ['index=off', 'metacopy=off', 'redirect_dir=off'];

/** The kernel copies at most one page of mount data (the string and its NUL). */
export const MOUNT_DATA_MAX = 4095;

/** mount(2)'s flags and data for a SnapshotMount. */
export function mountArguments(m: SnapshotMount): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const option of m.options) {
    const word = FLAG_WORDS[option];
    if (word === undefined) data.push(option);
    else if (word.clear === true) flags &= ~word.set;
    else flags |= word.set;
  }
  return { flags, data: data.join(',') };
}

/**
 * Mounts `m` at `target`. A read-only bind needs a second, remounting call: the kernel ignores
 * MS_RDONLY on the bind itself.
 */
export function mountAt(m: SnapshotMount, target: string): void {
  const { flags, data } = mountArguments(m);
  try {
    if ((flags & MountFlag.BIND) !== 0) {
      mount(m.source, target, '', flags & (MountFlag.BIND | MountFlag.REC), '', m.cwd);
      const extra = flags & ~(MountFlag.BIND | MountFlag.REC);
      if (extra !== 0) mount('', target, '', MountFlag.BIND | MountFlag.REMOUNT | extra);
      return;
    }
    mount(m.source, target, m.type, flags, data, m.cwd);
  } catch (err) {
    const detail = isSysError(err) ? `${err.code} from ${err.syscall}` : (err as Error).message;
    throw new LadeError(ErrorCode.SnapshotIo, `cannot mount the snapshot (${m.type} ${m.source}) at ${target}: ${detail}`, {
      cause: err,
      hint: 'Mounting needs root (CAP_SYS_ADMIN); overlayfs cannot stack on overlayfs (set LADE_SNAPSHOTTER=copy there).',
    });
  }
}

/** Unmounts `target`; when something still holds it busy, detaches it instead (MNT_DETACH). */
export function unmountAt(target: string): void {
  try {
    umount(target, UmountFlag.NOFOLLOW);
  } catch (err) {
    if (isSysError(err) && err.code === 'EBUSY') {
      umount(target, UmountFlag.DETACH | UmountFlag.NOFOLLOW);
      return;
    }
    throw new LadeError(ErrorCode.SnapshotIo, `cannot unmount ${target}: ${(err as Error).message}`, { cause: err });
  }
}

async function probe(dir: string): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  const base = await mkdtemp(join(dir, '.overlay-probe-'));
  let mounted = false;
  try {
    for (const d of ['l1', 'l2', 'upper', 'work', 'merged']) await mkdir(join(base, d));
    await writeFile(join(base, 'l2', 'f'), 'lower');
    const options = [...OVERLAY_OPTIONS, 'lowerdir=l1:l2', 'upperdir=upper', 'workdir=work'];
    mountAt({ type: 'overlay', source: 'overlay', options, cwd: base }, join(base, 'merged'));
    mounted = true;
    await writeFile(join(base, 'merged', 'f'), 'upper');
    return (await readFile(join(base, 'upper', 'f'), 'utf8')) === 'upper' && (await readFile(join(base, 'l2', 'f'), 'utf8')) === 'lower';
  } catch {
    return false;
  } finally {
    let removable = true;
    if (mounted) {
      try {
        unmountAt(join(base, 'merged'));
      } catch {
        removable = false; // a recursive removal through a live mount would reach the layers
      }
    }
    if (removable) await rm(base, { recursive: true, force: true }).catch(() => undefined);
  }
}

const probed = new Map<string, Promise<boolean>>();

/**
 * Whether overlayfs works for snapshots kept in `dir` (created if missing): mounts a tiny
 * overlay with lade's options and relative lowerdirs, writes through it, unmounts. False on
 * any failure (no root, overlay on overlay, an old kernel). Cached per directory.
 */
export function overlaySupported(dir: string): Promise<boolean> {
  let result = probed.get(dir);
  if (result === undefined) {
    result = probe(dir).catch(() => false);
    probed.set(dir, result);
  }
  return result;
}
