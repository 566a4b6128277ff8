// Where a benchmark keeps its stores: a fresh ext4 filesystem of the default kind (mkfs.ext4,
// with a journal) on a loop device, so that lade and Docker meet the filesystem most machines
// have, whatever this machine's own root is.
// Why: without a journal (this VM's root), ext4 skips every inode freed in the last minute or so
// when it allocates one (ialloc.c, recently_deleted()), reading its inode-table block each time;
// after one tool deletes 10,000 files, the next 10,000 creations cost O(n) each. perf showed 65%
// of a pull's time in that scan, and which tool paid depended on which deleted last.
// `--in-place` keeps everything under the system's temporary directory instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { have } from './docker.js';

export interface ScratchFs {
  /** An empty directory to work in. */
  readonly dir: string;
  /** What it is, for the report. */
  readonly description: string;
  close(): void;
}

export function scratchFs(name: string, sizeGiB = 16): ScratchFs {
  const dir = join(tmpdir(), name);
  spawnSync('umount', [dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const inPlace = process.argv.includes('--in-place') || process.getuid?.() !== 0 || !have('mkfs.ext4');
  if (inPlace) return { dir, description: `${tmpdir()} as it is`, close: () => undefined };
  const image = `${dir}.img`;
  rmSync(image, { force: true });
  execFileSync('truncate', ['-s', `${sizeGiB}G`, image]);
  execFileSync('mkfs.ext4', ['-q', '-F', image]);
  // Direct I/O: the loop device writes to the disk as a disk would, not through a second page
  // cache (whose copying would cost CPU during every flush).
  const device = execFileSync('losetup', ['--direct-io=on', '--find', '--show', image], { encoding: 'utf8' }).trim();
  execFileSync('mount', [device, dir]);
  return {
    dir,
    description: `a fresh ext4 (mkfs.ext4 defaults, journaled) on a loop device (direct I/O)`,
    close: () => {
      // Lazily, if a daemon still holds something in it: the loop device goes when it lets go.
      if (spawnSync('umount', [dir], { stdio: 'ignore' }).status !== 0) spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
      spawnSync('losetup', ['-d', device], { stdio: 'ignore' });
      rmSync(image, { force: true });
    },
  };
}
