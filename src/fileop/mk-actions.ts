/**
 * BuildKit's mkdir and mkfile file actions (solver/llbsolver/file/backend.go). The path is
 * resolved inside the root with every symlink followed, the last one included (fs.RootPath), so a
 * WORKDIR through a symlink creates the link's target, inside the root.
 *
 * mkdir: with makeParents, fsutil's MkdirAll — every directory it creates, parents included,
 * gets the mode (& 0777), the owner when --chown is given (root's otherwise) and the fixed time;
 * an existing directory is left as it is. Without makeParents, os.Mkdir: an existing path of any
 * kind is success and left untouched; a missing parent is an error.
 *
 * mkfile: os.WriteFile — a new file gets the mode (& 0777); an existing file is truncated and
 * rewritten but keeps its mode, and keeps its owner unless --chown is given. Unlike os.WriteFile,
 * an existing device, FIFO or socket is refused rather than opened and written to.
 */
import { chmodSync, closeSync, constants, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { ErrorCode, LadeError } from '../errors/index.js';
import { mkdirAll, setOwner, setTimes, type Stamp } from './attributes.js';
import { absOf, errnoOf, fsError, lstatIn, resolveIn, shown, type Scope } from './scope.js';
import type { MkdirAction, MkfileAction } from './types.js';

function stampOf(action: MkdirAction | MkfileAction): Stamp {
  return {
    owner: action.chown === undefined ? undefined : { uid: action.chown.uid, gid: action.chown.gid },
    timeNs: action.timestampMs === undefined ? undefined : BigInt(Math.trunc(action.timestampMs)) * 1_000_000n,
  };
}

function finish(abs: string, stamp: Stamp): void {
  if (stamp.owner !== undefined) setOwner(abs, stamp.owner);
  if (stamp.timeNs !== undefined) setTimes(abs, stamp.timeNs, stamp.timeNs);
}

export function runMkdir(action: MkdirAction, dest: Scope): void {
  const stamp = stampOf(action);
  const rel = resolveIn(dest, action.path, true);
  const mode = action.mode & 0o777;
  if (action.makeParents) {
    mkdirAll(dest, rel, mode, stamp);
    return;
  }
  const abs = absOf(dest, rel);
  try {
    mkdirSync(abs, mode);
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return;
    throw fsError(err, `cannot create directory "${shown(rel)}"`);
  }
  try {
    chmodSync(abs, mode);
    finish(abs, stamp);
  } catch (err) {
    throw fsError(err, `cannot set the attributes of "${shown(rel)}"`);
  }
}

export function runMkfile(action: MkfileAction, dest: Scope): void {
  const stamp = stampOf(action);
  const rel = resolveIn(dest, action.path, true);
  const existing = lstatIn(dest, rel);
  if (existing !== undefined && !existing.isFile()) {
    const what = existing.isDirectory() ? 'a directory' : 'not a regular file';
    throw new LadeError(ErrorCode.FileopFailed, `cannot write file "${shown(rel)}": it is ${what}`);
  }
  const abs = absOf(dest, rel);
  const data = typeof action.data === 'string' ? Buffer.from(action.data, 'utf8') : action.data;
  let fd: number;
  try {
    fd =
      existing === undefined
        ? openSync(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, action.mode & 0o777)
        : openSync(abs, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
  } catch (err) {
    throw fsError(err, `cannot write file "${shown(rel)}"`);
  }
  try {
    if (existing === undefined) fchmodSync(fd, action.mode & 0o777);
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
  } catch (err) {
    throw fsError(err, `cannot write file "${shown(rel)}"`);
  } finally {
    closeSync(fd);
  }
  try {
    finish(abs, stamp);
  } catch (err) {
    throw fsError(err, `cannot set the attributes of "${shown(rel)}"`);
  }
}
