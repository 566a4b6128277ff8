/**
 * Error codes are part of lade's interface: scripts may match on them, so a code is never reused
 * for a different meaning. Group prefixes name the module that raises them.
 */
export const ErrorCode = {
  /** Command-line usage: unknown flag, wrong argument count, bad flag value. */
  Usage: 'USAGE',
  /** A file the user named cannot be read. */
  FileRead: 'FILE_READ',
  /** The Dockerfile does not parse (syntax level). */
  DockerfileSyntax: 'DOCKERFILE_SYNTAX',
  /** The Dockerfile parses but an instruction is invalid (flags, argument counts, stages). */
  DockerfileInstruction: 'DOCKERFILE_INSTRUCTION',
  /** Word expansion failed (`${V:?msg}`, unterminated quote, bad substitution). */
  ShellExpansion: 'SHELL_EXPANSION',
  /** A .dockerignore pattern is malformed. */
  DockerignorePattern: 'DOCKERIGNORE_PATTERN',
  /** An image reference that does not parse (`Invalid reference format`). */
  InvalidReference: 'INVALID_REFERENCE',
  /** An image document (manifest, index, config) or archive that is malformed or inconsistent. */
  InvalidImage: 'INVALID_IMAGE',
  /** No image by that name or ID. */
  ImageNotFound: 'IMAGE_NOT_FOUND',
  /** A name matches more than one image, or an operation conflicts with the store's state. */
  ImageConflict: 'IMAGE_CONFLICT',
  /** The image store is locked by another lade process. */
  StoreLocked: 'STORE_LOCKED',
  /** A string that is not an OCI digest (`algorithm:encoded`, image-spec descriptor.md). */
  InvalidDigest: 'INVALID_DIGEST',
  /** A well-formed digest whose algorithm lade does not compute (it computes only sha256). */
  UnsupportedDigest: 'UNSUPPORTED_DIGEST',
  /** Content whose sha256 is not the digest it was expected or stored under. */
  DigestMismatch: 'DIGEST_MISMATCH',
  /** Content whose length is not the size it was expected to have. */
  SizeMismatch: 'SIZE_MISMATCH',
  /** No blob with this digest in the content store. */
  BlobNotFound: 'BLOB_NOT_FOUND',
  /** A blob larger than the caller allows reading into memory. */
  BlobTooLarge: 'BLOB_TOO_LARGE',
  /** Compressed data that is truncated or corrupt. */
  CorruptCompression: 'CORRUPT_COMPRESSION',
  /** A compression format lade cannot handle here, or whose helper program is not installed. */
  UnsupportedCompression: 'UNSUPPORTED_COMPRESSION',
  /** A filesystem operation in the content store failed (space, permissions, I/O). */
  StoreIo: 'STORE_IO',
  /** A layer tar is malformed: bad header checksum, bad number field, bad PAX record. */
  LayerFormat: 'LAYER_FORMAT',
  /** A layer tar ends early: inside a header, a body, or before its end-of-archive marker. */
  LayerTruncated: 'LAYER_TRUNCATED',
  /** A layer tar holds an entry type lade does not extract (sparse, contiguous, volume, …). */
  LayerUnsupportedEntry: 'LAYER_UNSUPPORTED_ENTRY',
  /** A layer entry name or link target is empty, escapes the root, or is an invalid whiteout. */
  LayerUnsafePath: 'LAYER_UNSAFE_PATH',
  /** An entry handed to the layer writer is inconsistent (size, type, path). */
  LayerInvalidEntry: 'LAYER_INVALID_ENTRY',
  /** A filesystem operation failed while applying a layer; the message names the entry. */
  LayerApply: 'LAYER_APPLY',
  /** A filesystem operation failed while packing a directory into a layer. */
  LayerPack: 'LAYER_PACK',
  /** A resource limit (`--memory`, `--cpus`, `--pids-limit`, …) that does not parse or is out of range. */
  CgroupInvalidLimit: 'CGROUP_INVALID_LIMIT',
  /** No cgroup filesystem, or a controller a requested limit needs is not mounted or enabled. */
  CgroupUnavailable: 'CGROUP_UNAVAILABLE',
  /** A cgroup directory or file operation failed, or a cgroup could not be emptied and removed. */
  CgroupIo: 'CGROUP_IO',
  /** The native addon (native/sys) is not built or cannot be loaded. */
  NativeAddonMissing: 'NATIVE_ADDON_MISSING',
  /** No snapshot by that name or key in the snapshotter. */
  SnapshotNotFound: 'SNAPSHOT_NOT_FOUND',
  /** A snapshot name or key that is already taken. */
  SnapshotExists: 'SNAPSHOT_EXISTS',
  /** A snapshot that cannot be removed now: other snapshots are built on it. */
  SnapshotInUse: 'SNAPSHOT_IN_USE',
  /** An operation on a snapshot of the wrong kind (committing a view, preparing on an active one). */
  SnapshotWrongKind: 'SNAPSHOT_WRONG_KIND',
  /** A parent chain deeper than overlayfs can stack (500 lower layers). */
  SnapshotTooDeep: 'SNAPSHOT_TOO_DEEP',
  /** A filesystem or mount operation of the snapshotter failed (space, permissions, overlayfs). */
  SnapshotIo: 'SNAPSHOT_IO',
  /** The snapshotter's metadata is locked by another lade process for too long. */
  SnapshotLocked: 'SNAPSHOT_LOCKED',
  /** No container by that name or ID (or an ID prefix that matches several). */
  ContainerNotFound: 'CONTAINER_NOT_FOUND',
  /** A container operation that conflicts with its state or with another container (name in use, running, not running). */
  ContainerConflict: 'CONTAINER_CONFLICT',
  /** A container's files under --root are unreadable or inconsistent. */
  ContainerStore: 'CONTAINER_STORE',
  /** A container configuration that cannot be run: no command, unknown user or group, a relative working directory, a duplicate mount point. */
  ContainerConfig: 'CONTAINER_CONFIG',
  /** A Docker container feature lade does not have yet (named volumes, networks other than host and none). */
  ContainerUnsupported: 'CONTAINER_UNSUPPORTED',
  /** The sandbox helper (native/sandbox) is not built or cannot be run. */
  SandboxHelperMissing: 'SANDBOX_HELPER_MISSING',
  /** A sandbox spec value the helper's protocol cannot carry (a NUL byte, a number out of range): a bug in the spec's builder. */
  SandboxSpecInvalid: 'SANDBOX_SPEC_INVALID',
  /** A container process could not be started: a setup step failed (`step`, `errno` and `path` are kept on the error). */
  SandboxSetup: 'SANDBOX_SETUP',
  /** A build stopped because it was cancelled (interrupted) before it finished. */
  BuildCanceled: 'BUILD_CANCELED',
  /** The build cache index cannot be read or written (space, permissions, I/O). */
  BuildCacheIo: 'BUILD_CACHE_IO',
  /** A file operation (COPY, ADD, WORKDIR) names a source that does not exist, a wildcard matching nothing, or a missing parent. */
  FileopNotFound: 'FILEOP_NOT_FOUND',
  /** A file operation cannot be carried out: a file over a directory, a path through a non-directory, symlink loops, I/O. */
  FileopFailed: 'FILEOP_FAILED',
  /** A RUN step's process ended with a non-zero status. */
  BuildStepFailed: 'BUILD_STEP_FAILED',
  /** `--chown` or USER names a user or group the image's /etc/passwd or /etc/group lacks. */
  BuildUserNotFound: 'BUILD_USER_NOT_FOUND',
  /** A build feature lade does not have yet, or not on this platform. */
  BuildUnsupported: 'BUILD_UNSUPPORTED',
  /** A registry could not be reached or its connection failed (DNS, refused, TLS, reset) after retries. */
  RegistryUnreachable: 'REGISTRY_UNREACHABLE',
  /** A registry refused the credentials, or wants some and none are stored (`lade login`). */
  RegistryAuth: 'REGISTRY_AUTH',
  /** A registry has no such repository, tag or manifest. */
  RegistryNotFound: 'REGISTRY_NOT_FOUND',
  /** A registry answered with an error or with something that breaks the distribution protocol. */
  RegistryError: 'REGISTRY_ERROR',
  /** A base image's tag moved to another image while the build was using it. */
  BuildBaseChanged: 'BUILD_BASE_CHANGED',
  /** Exporting the build cache (`--cache-to`) failed; the cause says where and why. */
  CacheExport: 'CACHE_EXPORT',
  /** An imported build cache (`--cache-from`) is not one lade can read. */
  CacheInvalid: 'CACHE_INVALID',
  /** A bug: an invariant inside lade did not hold. */
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
