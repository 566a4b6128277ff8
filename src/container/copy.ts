/**
 * `lade cp`: files between a container and the host, with Docker's rules for what lands where
 * (a file into a directory keeps its name, `SRC/.` copies a directory's contents, a trailing `/`
 * on a missing destination is an error). Paths inside the container resolve as if chrooted
 * there, so the container's symlinks can never point a copy at the host; the copy itself is a
 * layer tar written from the source and applied at the destination.
 */
import { createReadStream, lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCode, LadeError } from '../errors/index.js';
import { BUILDKIT_ENTRY_OPTIONS, HardlinkTracker, RootResolver, applyLayer, entryFromNode, readLayer, walkTree, writeLayer, type LayerSource, type WalkedNode } from '../layer/index.js';
import type { Runtime } from './runtime.js';
import { observeState } from './status.js';

/** Docker's splitCpArg: `CONTAINER:PATH`, unless the argument is absolute or starts with `.`. */
export function parseCopyArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/**
 * Runs `fn` with the container's root filesystem visible at a host path. For a running container
 * that path is `/proc/PID/root`, a magic link: it must be used as given (realpath would turn it
 * into the host's `/`), and everything under it is resolved component by component.
 */
export async function withContainerRoot<T>(rt: Runtime, ref: string, fn: (root: string) => Promise<T>): Promise<T> {
  const entry = await rt.containers.find(ref);
  const { state } = await observeState(entry.dir, entry.state);
  // A running container's root (with its volumes) as its own mount namespace sees it.
  if (state.status === 'running') return fn(`/proc/${state.pid}/root`);
  const snapshotter = await rt.snapshotter();
  return snapshotter.withMounted(entry.record.snapshot.key, false, fn);
}

const MAX_HOPS = 40;

interface Located {
  readonly root: string;
  /** Real root-relative path ('' is the root). */
  readonly rel: string;
  readonly kind: 'dir' | 'file' | 'missing';
}

function abs(root: string, rel: string): string {
  return rel === '' ? root : `${root}/${rel}`;
}

function lstatKind(path: string): 'dir' | 'file' | 'symlink' | 'missing' {
  try {
    const st = lstatSync(path);
    return st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return 'missing';
    throw err;
  }
}

/** Resolves `path` inside `root`; the last component's symlink is followed when `follow`. */
function locate(root: string, path: string, follow: boolean): Located {
  const resolver = new RootResolver(root);
  let clean = posix.normalize(`/${path}`).slice(1);
  for (let hops = 0; ; hops++) {
    if (clean === '') return { root, rel: '', kind: 'dir' };
    const parent = resolver.resolveDir(posix.dirname(clean) === '.' ? '' : posix.dirname(clean), { create: false });
    if (parent === undefined) return { root, rel: clean, kind: 'missing' };
    const rel = parent === '' ? posix.basename(clean) : `${parent}/${posix.basename(clean)}`;
    const kind = lstatKind(abs(root, rel));
    if (kind !== 'symlink') return { root, rel, kind };
    if (!follow) return { root, rel, kind: 'file' };
    if (hops >= MAX_HOPS) throw new LadeError(ErrorCode.Usage, `too many levels of symbolic links: ${path}`);
    const target = readlinkSync(abs(root, rel), 'utf8');
    clean = posix.normalize(target.startsWith('/') ? target : `/${parent}/${target}`).slice(1);
  }
}

function node(root: string, rel: string, path: string): WalkedNode {
  return { path, abs: abs(root, rel), stat: lstatSync(abs(root, rel), { bigint: true }) };
}

/** Entries for `src` (and, for a directory, everything under it), named under `prefix`. */
function* sourceEntries(src: Located, prefix: string, withRoot: boolean, owner: { uid: number; gid: number } | undefined): Generator<LayerSource> {
  const hardlinks = new HardlinkTracker();
  const named = (n: WalkedNode): LayerSource | undefined => {
    const entry = entryFromNode(n, { includeXattr: BUILDKIT_ENTRY_OPTIONS.includeXattr });
    if (entry === undefined) return undefined;
    const path = n.path === '' ? prefix : prefix === '' ? n.path : `${prefix}/${n.path}`;
    const ids = owner ?? { uid: entry.uid, gid: entry.gid };
    const target = hardlinks.linkTarget({ ...n, path });
    if (target !== undefined) return { entry: { ...entry, ...ids, path, type: 'hardlink', linkname: target, size: 0 } };
    return { entry: { ...entry, ...ids, path }, body: entry.type === 'file' && entry.size > 0 ? createReadStream(n.abs) : undefined };
  };
  if (src.kind !== 'dir' || withRoot) {
    const first = named(node(src.root, src.rel, ''));
    if (first !== undefined) yield first;
  }
  if (src.kind !== 'dir') return;
  for (const child of walkTree(abs(src.root, src.rel))) {
    const e = named(child);
    if (e !== undefined) yield e;
  }
}

export interface CopyOptions {
  /** Follow a symlink named as the source (`-L`). */
  readonly followLink: boolean;
  /** Keep the source's owners (`-a`); otherwise files copied into a container belong to root. */
  readonly archive: boolean;
}

/** Where a copy of `src` goes under Docker's rules: the entry prefix and whether the source directory itself is written. */
function destination(src: Located, srcPath: string, dest: Located, destPath: string): { prefix: string; withRoot: boolean } {
  const srcName = posix.basename(posix.normalize(`/${src.rel}`)) || '.';
  const contentsOnly = srcPath.endsWith('/.') || srcPath === '.';
  if (src.kind === 'missing') throw new LadeError(ErrorCode.FileRead, `Could not find the file ${srcPath}`);
  if (dest.kind === 'missing') {
    if (destPath.endsWith('/') && src.kind !== 'dir') throw new LadeError(ErrorCode.FileRead, `no such directory: ${destPath}`);
    return { prefix: dest.rel, withRoot: true };
  }
  if (dest.kind === 'file') {
    if (src.kind === 'dir') throw new LadeError(ErrorCode.Usage, `cannot copy a directory to a file: ${destPath}`);
    return { prefix: dest.rel, withRoot: true };
  }
  if (src.kind === 'dir' && contentsOnly) return { prefix: dest.rel, withRoot: false };
  return { prefix: dest.rel === '' ? srcName : `${dest.rel}/${srcName}`, withRoot: true };
}

export async function copyPath(fromRoot: string, srcPath: string, toRoot: string, destPath: string, options: CopyOptions & { intoContainer: boolean }): Promise<void> {
  const src = locate(fromRoot, srcPath, options.followLink || srcPath.endsWith('/'));
  const dest = locate(toRoot, destPath, true);
  if (dest.kind === 'missing') {
    const parent = posix.dirname(dest.rel);
    if (parent !== '.' && locate(toRoot, parent, true).kind !== 'dir') throw new LadeError(ErrorCode.FileRead, `no such directory: ${posix.dirname(destPath)}`);
  }
  const { prefix, withRoot } = destination(src, srcPath, dest, destPath);
  const owner = options.intoContainer && !options.archive ? { uid: 0, gid: 0 } : undefined;
  await applyLayer(toRoot, writeLayer(sourceEntries(src, prefix, withRoot, owner)), { whiteouts: 'delete', chown: options.intoContainer, rootVerbatim: true });
}

/** `cp CONTAINER:SRC -`: a tar of the source, named by its base name, as Docker streams it. */
export function tarOf(root: string, srcPath: string, options: CopyOptions): Readable {
  const src = locate(root, srcPath, options.followLink);
  if (src.kind === 'missing') throw new LadeError(ErrorCode.FileRead, `Could not find the file ${srcPath}`);
  return writeLayer(sourceEntries(src, posix.basename(`/${src.rel}`) || '.', true, undefined));
}

/** `cp - CONTAINER:DEST`: a tar read from `input`, extracted into the directory DEST. */
export async function extractInto(root: string, destPath: string, input: AsyncIterable<Uint8Array>, options: CopyOptions): Promise<void> {
  const dest = locate(root, destPath, true);
  if (dest.kind !== 'dir') throw new LadeError(ErrorCode.Usage, `destination "${destPath}" must be a directory`);
  const prefixed = async function* (): AsyncGenerator<LayerSource> {
    for await (const { entry, body } of readLayer(input)) {
      const path = dest.rel === '' ? entry.path : `${dest.rel}/${entry.path}`;
      const linkname = entry.type === 'hardlink' && dest.rel !== '' ? `${dest.rel}/${entry.linkname}` : entry.linkname;
      const ids = options.archive ? {} : { uid: 0, gid: 0 };
      yield { entry: { ...entry, ...ids, path, linkname }, body };
    }
  };
  await applyLayer(root, writeLayer(prefixed()), { whiteouts: 'delete', chown: true, rootVerbatim: true });
}
