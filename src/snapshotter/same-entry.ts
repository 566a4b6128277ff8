/**
 * Whether a path is unchanged between a lower tree and the snapshot, with BuildKit's rules
 * (util/overlay sameDirent, continuity's sameFile), so lade's diffs list the changes BuildKit's
 * would: type, permission bits, owner, device number and security.capability must match; for
 * non-directories also size and mtime. A directory's mtime is not compared (creating and deleting
 * a file inside it is no change). When both mtimes are whole seconds they may have been truncated
 * by a tar round trip, so equal seconds are confirmed by comparing the bytes (or link targets).
 */
import type { BigIntStats } from 'node:fs';
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';
import { lgetxattr } from '../sys/index.js';

const NS = 1_000_000_000n;
const CHUNK = 1 << 20;

function sameContent(a: string, b: string, size: bigint): boolean {
  const fa = openSync(a, 'r');
  try {
    const fb = openSync(b, 'r');
    try {
      const ba = Buffer.allocUnsafe(CHUNK);
      const bb = Buffer.allocUnsafe(CHUNK);
      let left = Number(size);
      while (left > 0) {
        const want = Math.min(left, CHUNK);
        const na = readSync(fa, ba, 0, want, null);
        const nb = readSync(fb, bb, 0, want, null);
        if (na !== nb || na === 0) return false;
        if (ba.compare(bb, 0, na, 0, na) !== 0) return false;
        left -= na;
      }
      return true;
    } finally {
      closeSync(fb);
    }
  } finally {
    closeSync(fa);
  }
}

function sameCapability(a: string, b: string): boolean {
  const ca = lgetxattr(a, 'security.capability');
  const cb = lgetxattr(b, 'security.capability');
  if (ca === undefined || cb === undefined) return ca === cb;
  return ca.equals(cb);
}

export interface DiffOptions {
  /**
   * Count a directory whose mtime changed as changed (Docker 20.10's BuildKit, whose
   * continuity double-walk differ compares directory times: `RUN true` gives a layer holding
   * `/etc`, where the mount stubs came and went). Off: current BuildKit's overlay differ.
   */
  directoryTimes?: boolean;
}

export function sameEntry(lowerAbs: string, lower: BigIntStats, upperAbs: string, upper: BigIntStats, options: DiffOptions = {}): boolean {
  if (lower.dev === upper.dev && lower.ino === upper.ino) return true;
  if (lower.mode !== upper.mode || lower.uid !== upper.uid || lower.gid !== upper.gid || lower.rdev !== upper.rdev) return false;
  if (!sameCapability(lowerAbs, upperAbs)) return false;
  if (upper.isDirectory()) return options.directoryTimes !== true || lower.mtimeNs === upper.mtimeNs;
  if (lower.size !== upper.size) return false;
  const ls = lower.mtimeNs / NS;
  const us = upper.mtimeNs / NS;
  if (ls !== us) return false;
  const lns = lower.mtimeNs % NS;
  const uns = upper.mtimeNs % NS;
  if (lns === 0n && uns === 0n) {
    if (upper.isSymbolicLink()) return readlinkSync(lowerAbs, { encoding: 'buffer' }).equals(readlinkSync(upperAbs, { encoding: 'buffer' }));
    if (upper.size === 0n || !upper.isFile()) return true;
    return sameContent(lowerAbs, upperAbs, upper.size);
  }
  return lns === uns;
}
