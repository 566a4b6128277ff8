/** Build contexts written to temp dirs for the buildcontext tests. */
import { chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';

/** `path: text` is a file, `path/: null` a directory, `path: { link }` a symlink, `{ text, mode }` a file with a mode. */
export type Tree = Record<string, string | null | { link: string } | { text: string; mode: number }>;

const made: string[] = [];
after(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

/** A fresh temp directory removed when the test file ends. */
export async function tempDir(prefix = 'lade-buildcontext-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Writes `tree` into a new temp directory (or into `dir`) and returns it. Every entry gets `mtime` when given. */
export async function writeTree(tree: Tree, options: { dir?: string; mtime?: Date } = {}): Promise<string> {
  const dir = options.dir ?? (await tempDir());
  for (const [path, spec] of Object.entries(tree)) {
    const abs = join(dir, path);
    if (spec === null) {
      await mkdir(abs, { recursive: true });
      continue;
    }
    await mkdir(dirname(abs), { recursive: true });
    if (typeof spec === 'string') await writeFile(abs, spec);
    else if ('link' in spec) await symlink(spec.link, abs);
    else {
      await writeFile(abs, spec.text);
      await chmod(abs, spec.mode);
    }
  }
  if (options.mtime !== undefined) {
    for (const path of Object.keys(tree)) {
      if (typeof tree[path] === 'object' && tree[path] !== null && 'link' in tree[path]) continue;
      await utimes(join(dir, path), options.mtime, options.mtime);
    }
  }
  return dir;
}
