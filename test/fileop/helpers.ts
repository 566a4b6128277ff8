// Shared by the fileop tests: a source and a destination tree side by side (with a sentinel tree
// beside them that nothing may touch), Dockerfile-shaped copy actions, and short readers.
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { runFileAction, type CopyAction, type FileActionOptions } from '../../src/fileop/index.js';
import { sandbox } from '../layer/helpers.js';

export { rejectsWith, snapshot } from '../layer/helpers.js';

export interface Trees {
  src: string;
  dest: string;
  /** The sentinel tree beside the roots (absolute host path). */
  sentinel: string;
  /** Asserts that nothing outside the two roots changed (the sentinel tree, /etc/passwd). */
  untouched(): void;
  copy(fields: Partial<CopyAction> & Pick<CopyAction, 'src' | 'dest'>, options?: FileActionOptions): Promise<void>;
}

/** Source and destination roots inside one sandbox: both sit in its `root`, the sentinel beside it. */
export function trees(t: TestContext): Trees {
  const box = sandbox(t);
  const src = join(box.root, 'src');
  const dest = join(box.root, 'dest');
  mkdirSync(src);
  mkdirSync(dest);
  return {
    src,
    dest,
    sentinel: box.sentinel,
    untouched: () => box.untouched(),
    copy: (fields, options) => runFileAction(copyAction(fields), { srcRoot: src, destRoot: dest }, options),
  };
}

/** A copy action with the flags dockerfile2llb sets for COPY from the context. */
export function copyAction(fields: Partial<CopyAction> & Pick<CopyAction, 'src' | 'dest'>): CopyAction {
  return {
    kind: 'copy',
    followSymlinks: true,
    dirCopyContents: true,
    attemptUnpack: false,
    createDestPath: true,
    allowWildcard: true,
    allowEmptyWildcard: true,
    ...fields,
  };
}

export const T1 = new Date('2020-01-02T03:04:05.000Z');
export const T2 = new Date('2021-06-07T08:09:10.000Z');

/** Writes a file (parents made), with a fixed time so copies can be told apart from "now". */
export function put(root: string, rel: string, content = `${rel}\n`, mode = 0o644): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
  utimesSync(path, T1, T1);
  return path;
}

export function dir(root: string, rel: string, mode = 0o755): string {
  const path = join(root, rel);
  mkdirSync(path, { recursive: true });
  chmodSync(path, mode);
  return path;
}

export function link(root: string, rel: string, target: string): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
  return path;
}

export function read(root: string, rel: string): string {
  return readFileSync(join(root, rel), 'utf8');
}

export function mode(root: string, rel: string): number {
  return lstatSync(join(root, rel)).mode & 0o7777;
}

export function owner(root: string, rel: string): string {
  const st = lstatSync(join(root, rel));
  return `${st.uid}:${st.gid}`;
}

export function kind(root: string, rel: string): string {
  const st = lstatSync(join(root, rel));
  if (st.isSymbolicLink()) return `symlink:${readlinkSync(join(root, rel))}`;
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

export function mtimeMs(root: string, rel: string): number {
  return lstatSync(join(root, rel)).mtimeMs;
}

/** Every path below `root`, sorted, directories marked with a trailing "/". */
export function listing(root: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(abs, name));
      out.push(st.isDirectory() ? `${childRel}/` : childRel);
      if (st.isDirectory()) walk(join(abs, name), childRel);
    }
  };
  walk(root, '');
  return out;
}

export function assertListing(root: string, expected: string[], message?: string): void {
  assert.deepEqual(listing(root), [...expected].sort(), message);
}
