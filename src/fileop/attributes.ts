/**
 * Owners, modes, times and xattrs as fsutil's copy package sets them, and its MkdirAll.
 *
 * Modes are set with an explicit chmod after every creation: BuildKit runs with umask 0
 * (cmd/buildkitd sets it and copy.UmaskIsZero), while this process keeps its own umask, which
 * must not be changed under other work running in it.
 */
import { chmodSync, lchownSync, lutimesSync, mkdirSync } from 'node:fs';
import { ErrorCode, LadeError } from '../errors/index.js';
import { llistxattr, lgetxattr, lsetxattr } from '../sys/index.js';
import { absOf, fsError, lstatIn, shown, type Scope } from './scope.js';

export interface Owner {
  uid: number;
  gid: number;
}

/** The attributes shared by a whole file action. */
export interface Stamp {
  /** `--chown`: every copied or created entry gets this owner. */
  owner?: Owner | undefined;
  /** BuildKit's Timestamp (nanoseconds since the epoch): replaces every time the action sets. */
  timeNs?: bigint | undefined;
}

const NS_PER_S = 1_000_000_000n;

/**
 * Seconds for Node's utimes family, which goes through a double and libuv, and libuv keeps whole
 * microseconds (fsutil sets nanoseconds; Node has no utimensat). Aiming at the middle of the
 * microsecond makes libuv's truncation land exactly on it. Node replaces a negative time with
 * the current one, so times before 1970 become the epoch.
 */
function toSeconds(ns: bigint): number {
  if (ns <= 0n) return 0;
  const seconds = ns / NS_PER_S;
  const micros = Number((ns - seconds * NS_PER_S) / 1000n);
  return micros === 0 ? Number(seconds) : Number(seconds) + (micros + 0.5) / 1e6;
}

/** Sets atime and mtime without following a final symlink (fsutil's AT_SYMLINK_NOFOLLOW). */
export function setTimes(abs: string, atimeNs: bigint, mtimeNs: bigint): void {
  lutimesSync(abs, toSeconds(atimeNs), toSeconds(mtimeNs));
}

/** The mtime a time set by setTimes reads back as: whole microseconds. */
export function storedTimeNs(ns: bigint): bigint {
  return ns <= 0n ? 0n : (ns / 1000n) * 1000n;
}

export function setOwner(abs: string, owner: Owner): void {
  lchownSync(abs, owner.uid, owner.gid);
}

/**
 * fsutil's copyXAttrs: every xattr of the source, set after the owner and mode (a chown drops
 * security.capability). Its error handler, as BuildKit installs it, only logs, and returning from
 * it ends the loop: after the first xattr that cannot be read or set, the rest are not copied.
 * overlayfs's own attributes are never copied: a merged view, which is what BuildKit reads,
 * never shows them, and on an upper directory they would hide lower content.
 */
export function copyXattrs(srcAbs: string, dstAbs: string): void {
  let names: string[];
  try {
    names = llistxattr(srcAbs);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith('trusted.overlay.')) continue;
    try {
      const value = lgetxattr(srcAbs, name);
      if (value === undefined) return;
      lsetxattr(dstAbs, name, value);
    } catch {
      return;
    }
  }
}

/**
 * fsutil's MkdirAll on a path already resolved in the scope: each missing directory is created
 * with `perm`, owned by `stamp.owner` when there is one (by the process, root, otherwise) and
 * timed by `stamp.timeNs` when there is one. An existing non-directory on the way is ENOTDIR.
 * Returns the directories created, outermost first.
 */
export function mkdirAll(scope: Scope, rel: string, perm: number, stamp: Stamp): string[] {
  const created: string[] = [];
  if (rel === '') return created;
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    const stat = lstatIn(scope, dir);
    if (stat?.isDirectory() === true) continue;
    const abs = absOf(scope, dir);
    if (stat !== undefined) {
      throw new LadeError(ErrorCode.FileopFailed, `cannot create directory "${shown(dir)}": not a directory`);
    }
    try {
      mkdirSync(abs, perm & 0o777);
      chmodSync(abs, perm & 0o777);
      if (stamp.owner !== undefined) setOwner(abs, stamp.owner);
      if (stamp.timeNs !== undefined) setTimes(abs, stamp.timeNs, stamp.timeNs);
    } catch (err) {
      throw fsError(err, `cannot create directory "${shown(dir)}"`);
    }
    created.push(dir);
  }
  return created;
}

/**
 * fsutil's fixCreatedParentDirs: creating entries inside a directory moved its mtime, so the
 * fixed time is set again, innermost first. Failures are ignored, as the deferred call ignores them.
 */
export function restampCreated(scope: Scope, created: readonly string[], stamp: Stamp): void {
  if (stamp.timeNs === undefined) return;
  for (const dir of [...created].reverse()) {
    try {
      setTimes(absOf(scope, dir), stamp.timeNs, stamp.timeNs);
    } catch {
      // as BuildKit: the error of a deferred fix-up is dropped
    }
  }
}
