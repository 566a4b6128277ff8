/**
 * ADD's extraction: moby/go-archive's chrootarchive.Untar as BuildKit calls it (unpack.go:
 * BestEffortXattrs, ChownOpts = the --chown user, no whiteout format), which is not a layer apply:
 *   - `.wh.*` entries are ordinary files (no whiteout converter), so src/layer's applyLayer,
 *     which always interprets them (an opaque marker would empty the destination directory),
 *     cannot be used; the tar is parsed by its readLayer and paths resolved by its RootResolver;
 *   - with --chown every entry gets that owner, else the header's uid/gid; implied parent
 *     directories are 0755 and owned by 0:0 either way (createImpliedDirectories);
 *   - an existing path is removed first, unless both are directories (then merged); the
 *     archive's own "." entry is skipped;
 *   - order per entry: create, lchown, xattrs (ENOTSUP and EPERM ignored), chmod (not for
 *     symlinks, nor for a hardlink to a symlink), times (mtime; atime is the later of the two, and
 *     readLayer records none); directory times last; times outside 1970..2262 become the epoch.
 * The extraction is chrooted at the destination directory in Docker; here the destination is the
 * RootResolver's root, so absolute names and symlinks (even `/` or `../..`) resolve inside it.
 * Known difference: readLayer refuses names and hardlink targets that climb out (`../x`), which
 * Docker's chroot clamps to the destination; a refused archive fails the ADD.
 */
import {
  chmodSync,
  closeSync,
  constants,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { ErrorCode, isLadeError, LadeError } from '../errors/index.js';
import { readLayer, RootResolver, type LayerEntry, type LayerRecord } from '../layer/index.js';
import { isSysError, lsetxattr, mknod } from '../sys/index.js';
import { setOwner, setTimes, type Owner } from './attributes.js';
import { errnoOf, reasonOf } from './scope.js';

const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const NODE_TYPE = { char: constants.S_IFCHR, block: constants.S_IFBLK, fifo: constants.S_IFIFO } as const;
/** Go's os.Chtimes limit on a 64-bit timespec (time.Unix(0, 1<<63-1)). */
const MAX_TIME_NS = (1n << 63n) - 1n;

function lstatOrUndefined(abs: string): Stats | undefined {
  try {
    return lstatSync(abs);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function split(path: string): { parent: string; base: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { parent: '', base: path } : { parent: path.slice(0, slash), base: path.slice(slash + 1) };
}

function joinRel(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** go-archive's boundTime. */
function boundTime(ns: bigint): bigint {
  return ns < 0n || ns > MAX_TIME_NS ? 0n : ns;
}

class Extraction {
  readonly resolver: RootResolver;
  private readonly dirTimes: Array<{ path: string; mtime: bigint }> = [];

  constructor(
    root: string,
    private readonly owner: Owner | undefined,
  ) {
    this.resolver = new RootResolver(root);
  }

  async entry({ entry, body }: LayerRecord): Promise<void> {
    if (entry.path === '.') return;
    const { parent, base } = split(entry.path);
    const dir = this.resolver.resolveDir(parent, { create: true, chown: true })!;
    const rel = joinRel(dir, base);
    const abs = this.resolver.abs(rel);
    const existing = lstatOrUndefined(abs);
    if (existing !== undefined && !(existing.isDirectory() && entry.type === 'dir')) {
      rmSync(abs, { recursive: true, force: true });
      if (existing.isDirectory() || existing.isSymbolicLink()) this.resolver.invalidate();
    }

    // For a hardlink: whether its target is a symlink, whose mode and times Docker leaves alone.
    let linksToSymlink = false;
    switch (entry.type) {
      case 'dir':
        if (existing === undefined || !existing.isDirectory()) mkdirSync(abs, 0o700);
        break;
      case 'file':
        await this.writeFile(abs, body);
        break;
      case 'symlink':
        symlinkSync(entry.linkname, abs);
        break;
      case 'hardlink': {
        const target = this.hardlinkTarget(entry);
        linksToSymlink = lstatSync(target).isSymbolicLink();
        linkSync(target, abs);
        break;
      }
      case 'char':
      case 'block':
      case 'fifo':
        mknod(abs, NODE_TYPE[entry.type] | entry.mode, entry.devmajor, entry.devminor);
        break;
    }

    setOwner(abs, this.owner ?? { uid: entry.uid, gid: entry.gid });
    for (const [name, value] of entry.xattrs) this.setXattr(abs, name, value);
    const time = boundTime(entry.mtime);
    if (entry.type === 'symlink') {
      setTimes(abs, time, time);
    } else if (!linksToSymlink) {
      chmodSync(abs, entry.mode);
      if (entry.type === 'dir') this.dirTimes.push({ path: entry.path, mtime: time });
      else setTimes(abs, time, time);
    }
  }

  private async writeFile(abs: string, body: AsyncIterable<Buffer>): Promise<void> {
    const fd = openSync(abs, CREATE_FILE, 0o600);
    try {
      for await (const chunk of body) {
        let offset = 0;
        while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The target as link(2) would find it in the chroot: parents followed inside the root, the last component not. */
  private hardlinkTarget(entry: LayerEntry): string {
    const { parent, base } = split(entry.linkname);
    const dir = this.resolver.resolveDir(parent, { create: false });
    const abs = dir === undefined ? undefined : this.resolver.abs(joinRel(dir, base));
    if (abs === undefined || lstatOrUndefined(abs) === undefined) {
      throw new LadeError(ErrorCode.FileopNotFound, `hardlink "${entry.path}" points at "${entry.linkname}", which does not exist`);
    }
    return abs;
  }

  /**
   * go-archive ignores ENOTSUP (best effort) and EPERM. overlayfs's own attributes are not set:
   * through a merged view the kernel refuses them anyway, and on an upper directory they would
   * change what the layers below show.
   */
  private setXattr(abs: string, name: string, value: Buffer): void {
    if (name.startsWith('trusted.overlay.')) return;
    try {
      lsetxattr(abs, name, value);
    } catch (err) {
      if (isSysError(err) && (err.code === 'ENOTSUP' || err.code === 'EOPNOTSUPP' || err.code === 'EPERM')) return;
      throw err;
    }
  }

  /** Directory times, once nothing more is created inside them; looked up by name, as Docker does. */
  finish(): void {
    for (const { path, mtime } of this.dirTimes) {
      let real: string | undefined;
      try {
        real = this.resolver.resolveDir(path, { create: false });
      } catch {
        real = undefined;
      }
      if (real !== undefined) setTimes(this.resolver.abs(real), mtime, mtime);
    }
  }
}

/**
 * Extracts an uncompressed tar into the existing directory `dest` (a host path already resolved
 * inside the destination tree). `owner` is ADD --chown.
 */
export async function extractArchive(dest: string, tar: AsyncIterable<Uint8Array>, owner: Owner | undefined, name: string): Promise<void> {
  const extraction = new Extraction(realpathSync(dest), owner);
  let current = '';
  try {
    for await (const record of readLayer(tar)) {
      current = record.entry.path;
      await extraction.entry(record);
    }
    current = '';
    extraction.finish();
  } catch (err) {
    const where = current === '' ? '' : ` at entry "${current}"`;
    if (isLadeError(err)) {
      throw new LadeError(err.code, `cannot extract "${name}"${where}: ${err.message}`, { cause: err, hint: err.hint });
    }
    throw new LadeError(ErrorCode.FileopFailed, `cannot extract "${name}"${where}: ${reasonOf(err)}`, { cause: err });
  }
}
