// fstab-style mount options → mount(2) flags, propagation and the filesystem data string, as
// runc's parseMountOptions turns an OCI mount's options into what it passes to the kernel; and
// moby's MergeTmpfsOptions (moby/sys/mount flags_unix.go), which dedups tmpfs options.
import { ErrorCode, LadeError, isLadeError } from '../../errors/index.js';
import { parseMemoryBytes } from '../cgroups/index.js';
import { MS } from '../sandbox-spec.js';

/** mount(2) flags the spec's MS table leaves out (linux/mount.h). */
const MS_EXTRA = { SYNCHRONOUS: 0x10, MANDLOCK: 0x40, DIRSYNC: 0x80, NODIRATIME: 0x800, UNBINDABLE: 0x20000 } as const;

/** option → [clear?, flag] */
const FLAG_OPTIONS: Record<string, readonly [boolean, number]> = {
  ro: [false, MS.RDONLY],
  rw: [true, MS.RDONLY],
  suid: [true, MS.NOSUID],
  nosuid: [false, MS.NOSUID],
  dev: [true, MS.NODEV],
  nodev: [false, MS.NODEV],
  exec: [true, MS.NOEXEC],
  noexec: [false, MS.NOEXEC],
  sync: [false, MS_EXTRA.SYNCHRONOUS],
  async: [true, MS_EXTRA.SYNCHRONOUS],
  dirsync: [false, MS_EXTRA.DIRSYNC],
  mand: [false, MS_EXTRA.MANDLOCK],
  nomand: [true, MS_EXTRA.MANDLOCK],
  atime: [true, MS.NOATIME],
  noatime: [false, MS.NOATIME],
  diratime: [true, MS_EXTRA.NODIRATIME],
  nodiratime: [false, MS_EXTRA.NODIRATIME],
  bind: [false, MS.BIND],
  rbind: [false, MS.BIND | MS.REC],
  relatime: [false, MS.RELATIME],
  norelatime: [true, MS.RELATIME],
  strictatime: [false, MS.STRICTATIME],
  nostrictatime: [true, MS.STRICTATIME],
};

const PROPAGATION_OPTIONS: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS_EXTRA.UNBINDABLE,
  runbindable: MS_EXTRA.UNBINDABLE | MS.REC,
};

export interface ParsedMountOptions {
  readonly flags: number;
  readonly propagation: number;
  readonly data: string;
}

/**
 * Splits options into flags (set or cleared in order, so `ro,rw` is writable), the last
 * propagation option, and everything else joined by commas as the data string (`size=64m`,
 * `lowerdir=…`). `defaults` and empty options mean nothing.
 */
export function parseMountOptions(options: readonly string[]): ParsedMountOptions {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const o of options) {
    if (o === '' || o === 'defaults') continue;
    const f = FLAG_OPTIONS[o];
    if (f !== undefined) {
      flags = f[0] ? flags & ~f[1] : flags | f[1];
      continue;
    }
    const p = PROPAGATION_OPTIONS[o];
    if (p !== undefined) {
      propagation = p;
      continue;
    }
    data.push(o);
  }
  return { flags, propagation, data: data.join(',') };
}

const TMPFS_DATA_KEYS = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);
const PROPAGATION_KEY = -1;

/**
 * moby's MergeTmpfsOptions: walks from the end so the last word for each flag, for the
 * propagation and for each data key wins, keeps the survivors in their order, and refuses data
 * keys tmpfs does not take from Docker (`invalid tmpfs option "huge"`).
 */
export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const seenFlags = new Set<number>();
  const seenData = new Set<string>();
  const out: string[] = [];
  for (let i = options.length - 1; i >= 0; i--) {
    const o = options[i]!;
    if (o === 'defaults') continue;
    const f = FLAG_OPTIONS[o];
    const p = PROPAGATION_OPTIONS[o];
    // bind/rbind count as propagation words in moby's table.
    const key = p !== undefined || o === 'bind' || o === 'rbind' ? PROPAGATION_KEY : f?.[1];
    if (key !== undefined) {
      if (!seenFlags.has(key)) {
        out.unshift(o);
        seenFlags.add(key);
      }
      continue;
    }
    const eq = o.indexOf('=');
    const name = eq < 0 ? o : o.slice(0, eq);
    if (eq < 0 || !TMPFS_DATA_KEYS.has(name)) {
      throw new LadeError(ErrorCode.Usage, `invalid tmpfs option "${name}"`, {
        hint: 'tmpfs takes the flags ro/rw, exec/noexec, suid/nosuid, dev/nodev, atime options, a propagation, and size=, mode=, uid=, gid=, nr_inodes=, nr_blocks=, mpol=',
      });
    }
    if (!seenData.has(name)) {
      out.unshift(o);
      seenData.add(name);
    }
  }
  return out;
}

/**
 * go-units RAMInBytes (`64m`, `1.5g`, `512 KiB`, `100`), as --shm-size and tmpfs sizes take it:
 * the cgroups module's parser, its errors reported as flag errors.
 */
export function ramInBytes(text: string): number {
  try {
    return parseMemoryBytes(text);
  } catch (err) {
    if (!isLadeError(err)) throw err;
    throw new LadeError(ErrorCode.Usage, err.message, { hint: 'a size such as 64m, 1g or 512k (binary multiples)', cause: err });
  }
}
