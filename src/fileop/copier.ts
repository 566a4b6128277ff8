/**
 * fsutil's copier (tonistiigi/fsutil copy/copy.go, copy_linux.go): one source entry, a whole
 * tree for a directory, copied onto a target path with `cp -a` semantics:
 *   - a file, symlink or device replaces what is at the target, but never a directory;
 *   - a directory merges into an existing directory (and fails on an existing non-directory);
 *   - symlinks are copied as symlinks, never followed; files sharing an inode in the source
 *     (nlink > 1) share one in the copy, within one copier, i.e. one source of the action;
 *   - every entry gets owner (`--chown` or the source's), mode (`--chmod` or the source's, set
 *     after the chown so setuid bits survive), atime/mtime (the fixed time or the source's) and
 *     then the source's xattrs;
 *   - the top-level directory, when it already existed (or was made by the caller's MkdirAll),
 *     keeps its owner and mode and only takes the source directory's times.
 * Targets are joined lexically below a resolved directory and every creation refuses to follow a
 * final symlink (mkdir, O_EXCL, symlink, link, mknod), so nothing is written outside the root.
 */
import {
  chmodSync,
  constants,
  linkSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  unlinkSync,
  type BigIntStats,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { eachLimited } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { mknod } from '../sys/index.js';
import { copyXattrs, setOwner, setTimes, type Stamp } from './attributes.js';
import { absOf, childRel, fsError, lstatIn, shown, type Scope } from './scope.js';

export interface CopyStamp extends Stamp {
  /** `--chmod` (permission bits with setuid, setgid and sticky): replaces every copied entry's mode. */
  mode?: number | undefined;
}

/** Go's os.ReadDir order: names compared as bytes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** glibc's gnu_dev_major / gnu_dev_minor. */
function deviceNumbers(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

const S_IFSOCK = 0o140000;

/** Entries of one directory copied at once. */
const COPY_CONCURRENCY = 8;

export class TreeCopier {
  /** Source `dev:ino` of a multiply linked file → the target it was first copied to. */
  /** The first copy of each multiply-linked source inode: its target, once written. */
  private readonly inodes = new Map<string, Promise<string>>();

  constructor(
    private readonly src: Scope,
    private readonly dest: Scope,
    private readonly stamp: CopyStamp,
  ) {}

  /**
   * Copies the source entry `srcRel` onto `dstRel`. `overwriteMetadata` is false only for the
   * top-level entry of a source, whose existing directory keeps its owner and mode.
   */
  async copy(srcRel: string, dstRel: string, overwriteMetadata: boolean, existedBefore = true): Promise<void> {
    const source = lstatIn(this.src, srcRel);
    if (source === undefined) throw new LadeError(ErrorCode.FileopNotFound, `"${shown(srcRel)}" not found`);
    const srcAbs = absOf(this.src, srcRel);
    const target = absOf(this.dest, dstRel);
    const existing = lstatIn(this.dest, dstRel);
    if (!source.isDirectory()) this.clearFileTarget(dstRel, existing);

    let copyInfo = true;
    try {
      if (source.isDirectory()) {
        const created = await this.copyDirectory(srcRel, dstRel, source, existing, overwriteMetadata);
        // A top-level destination directory that existed before the action is left exactly as
        // it was, times too (Docker 20.10's BuildKit, the recorded reference: copying an empty
        // directory into /etc leaves an empty layer; current fsutil copies the source's times).
        // One the action made takes the source directory's times.
        if (!overwriteMetadata) {
          copyInfo = created;
          if (!created && !existedBefore) this.copyTimes(source, target);
        }
      } else if (source.isFile()) {
        await this.copyRegular(srcAbs, target, source);
      } else if (source.isSymbolicLink()) {
        symlinkSync(readlinkSync(srcAbs, { encoding: 'buffer' }), target);
      } else {
        this.copyNode(target, source);
      }
      if (copyInfo) {
        this.copyInfo(source, target);
        copyXattrs(srcAbs, target);
      }
    } catch (err) {
      throw fsError(err, `cannot copy "${shown(srcRel)}" to "${shown(dstRel)}"`);
    }
  }

  /** fsutil's ensureEmptyFileTarget: a non-directory is removed (a symlink itself, not its target). */
  private clearFileTarget(dstRel: string, existing: BigIntStats | undefined): void {
    if (existing === undefined) return;
    if (existing.isDirectory()) {
      throw new LadeError(ErrorCode.FileopFailed, `cannot replace directory "${shown(dstRel)}" with a file`);
    }
    try {
      unlinkSync(absOf(this.dest, dstRel));
    } catch (err) {
      throw fsError(err, `cannot replace "${shown(dstRel)}"`);
    }
  }

  /** Returns whether the target directory was created here. */
  private async copyDirectory(
    srcRel: string,
    dstRel: string,
    source: BigIntStats,
    existing: BigIntStats | undefined,
    overwriteMetadata: boolean,
  ): Promise<boolean> {
    const target = absOf(this.dest, dstRel);
    const mode = Number(source.mode) & 0o7777;
    let created = false;
    if (existing === undefined) {
      mkdirSync(target, mode & 0o777);
      created = true;
    } else if (!existing.isDirectory()) {
      throw new LadeError(ErrorCode.FileopFailed, `cannot copy a directory onto non-directory "${shown(dstRel)}"`);
    } else if (overwriteMetadata) {
      chmodSync(target, mode);
    }
    const names = readdirSync(absOf(this.src, srcRel))
      .sort(byteOrder)
      .filter((name) => this.src.include === undefined || this.src.include(childRel(srcRel, name)));
    // The result does not depend on the order the entries are copied in.
    await eachLimited(names, COPY_CONCURRENCY, (name) => this.copy(childRel(srcRel, name), childRel(dstRel, name), true));
    return created;
  }

  private async copyRegular(srcAbs: string, target: string, source: BigIntStats): Promise<void> {
    if (source.nlink > 1n) {
      const key = `${source.dev}:${source.ino}`;
      const first = this.inodes.get(key);
      if (first !== undefined) {
        // Copies run concurrently: link once the first name is written.
        linkSync(await first, target);
        return;
      }
      const written = copyFile(srcAbs, target, constants.COPYFILE_EXCL).then(() => target);
      this.inodes.set(key, written);
      await written;
      return;
    }
    await copyFile(srcAbs, target, constants.COPYFILE_EXCL);
  }

  /**
   * fsutil's copyDevice clears the socket type bits to copy a socket as a stub (a regular file).
   * S_IFSOCK shares a bit with S_IFBLK, so a block device comes out as a character device with
   * the same numbers; BuildKit does exactly that, and so does this.
   */
  private copyNode(target: string, source: BigIntStats): void {
    const mode = Number(source.mode) & ~S_IFSOCK;
    const device = source.isCharacterDevice() || source.isBlockDevice() ? source.rdev : 0n;
    const { major, minor } = deviceNumbers(device);
    mknod(target, mode, major, minor);
  }

  private copyInfo(source: BigIntStats, target: string): void {
    setOwner(target, this.stamp.owner ?? { uid: Number(source.uid), gid: Number(source.gid) });
    if (!source.isSymbolicLink()) {
      chmodSync(target, (this.stamp.mode ?? Number(source.mode)) & 0o7777);
    }
    this.copyTimes(source, target);
  }

  private copyTimes(source: BigIntStats, target: string): void {
    const fixed = this.stamp.timeNs;
    if (fixed !== undefined) setTimes(target, fixed, fixed);
    else setTimes(target, source.atimeNs, source.mtimeNs);
  }
}
