/**
 * Whole-tree helpers: the copy driver's tree copy, and disk usage as containerd counts it
 * (continuity fs.DiskUsage: each inode once, st_blocks × 512, the root included).
 */
import { execFile } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { ErrorCode, LadeError } from '../errors/index.js';
import type { SnapshotUsage } from './types.js';

const run = promisify(execFile);

/**
 * Copies tree `from` to the new directory `to`, keeping modes, owners, times (to the
 * nanosecond), xattrs, hardlinks, devices, FIFOs and symlinks: coreutils' `cp -a`, which shares
 * data blocks where the filesystem can (reflinks on btrfs/XFS) and copies sparse files sparsely.
 */
export async function copyTree(from: string, to: string): Promise<void> {
  try {
    await run('cp', ['-a', '--reflink=auto', '--no-target-directory', '--', from, to], { maxBuffer: 1 << 20 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new LadeError(ErrorCode.SnapshotIo, `cannot copy the snapshot tree ${from} to ${to}: ${stderr !== undefined && stderr !== '' ? stderr : (err as Error).message}`, {
      cause: err,
      hint: 'The copy driver needs coreutils `cp` and room on the disk for a whole copy of the parent.',
    });
  }
}

export function diskUsage(root: string): SnapshotUsage {
  const seen = new Set<bigint>();
  let blocks = 0n;
  const pending: Buffer[] = [Buffer.from(root)];
  while (pending.length > 0) {
    const path = pending.pop()!;
    const stat = lstatSync(path, { bigint: true });
    if (!seen.has(stat.ino)) {
      seen.add(stat.ino);
      blocks += stat.blocks;
    }
    if (!stat.isDirectory()) continue;
    for (const name of readdirSync(path, { encoding: 'buffer' })) pending.push(Buffer.concat([path, Buffer.from('/'), name]));
  }
  return { size: Number(blocks * 512n), inodes: seen.size };
}
