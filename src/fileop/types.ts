/**
 * File actions as plain data: BuildKit's FileActionCopy, FileActionMkDir and FileActionMkFile
 * (solver/pb/ops.proto), with user names already resolved to ids by the caller.
 */

export interface ChownOpt {
  uid: number;
  gid: number;
}

export interface CopyAction {
  kind: 'copy';
  /** Absolute path inside the source root; may hold wildcards when `allowWildcard`. A trailing "/." names a directory's contents. */
  src: string;
  /** Absolute path inside the destination root; a trailing "/" makes it a directory to create. */
  dest: string;
  /** Follow a symlink that is the top-level source (or a wildcard match), inside the source root. */
  followSymlinks: boolean;
  /** A source directory: copy its contents, not the directory itself. */
  dirCopyContents: boolean;
  /** ADD: a source that is a tar (plain, gzip, bzip2, xz or zstd) is extracted into `dest`. */
  attemptUnpack: boolean;
  /** Without it, the parent of `dest` must already exist. */
  createDestPath: boolean;
  allowWildcard: boolean;
  /** A wildcard matching nothing is not an error. */
  allowEmptyWildcard: boolean;
  /** Owner of every copied entry and of the directories the copy creates; else copied entries keep the source's owner. */
  chown?: ChownOpt;
  /** `--chmod` as a number (permission bits with setuid, setgid, sticky): the mode of every copied entry, files and directories alike. */
  mode?: number;
  /** A fixed atime and mtime (milliseconds since the epoch) for every entry the copy writes; else copied entries keep the source's. */
  timestampMs?: number;
}

export interface MkdirAction {
  kind: 'mkdir';
  path: string;
  /** Permission bits (only 0o777 is used, as in BuildKit). */
  mode: number;
  /** `mkdir -p`: missing parents are created, with the same mode and owner as the directory. */
  makeParents: boolean;
  chown?: ChownOpt;
  timestampMs?: number;
}

export interface MkfileAction {
  kind: 'mkfile';
  path: string;
  data: Buffer | string;
  /** Permission bits of a new file (only 0o777 is used); an existing file keeps its mode. */
  mode: number;
  chown?: ChownOpt;
  timestampMs?: number;
}

export type FileAction = CopyAction | MkdirAction | MkfileAction;

/**
 * Host directories. They must not overlap (BuildKit always copies between two mounts): a copy
 * removes what is at a target before writing it, which would lose a source that is its own target.
 */
export interface FileActionRoots {
  /** The tree a copy reads from: the build context directory, another stage's rootfs. */
  srcRoot?: string;
  /** The tree the action changes. */
  destRoot: string;
}

export interface FileActionOptions {
  /**
   * Source entries that exist (the build context after .dockerignore), by root-relative path
   * without a leading slash. An entry it rejects is absent for path resolution, wildcard matching
   * and directory copies, and so is everything below a rejected directory: include the parents
   * of every entry that is kept, as the context transfer sends them.
   */
  include?: (relPath: string) => boolean;
}
