// The declarative spec the sandbox helper (native/sandbox) performs. Every decision — which
// namespaces, mounts, devices, capabilities, which user — is made in TypeScript and written here;
// the helper only carries it out in its fixed order. The wire encoding is in bridge/protocol.ts.

/** Both sides check this at start; bump it with any change to the spec or its encoding. */
export const SANDBOX_PROTOCOL_VERSION = 1;

export type NamespaceKind = 'mount' | 'pid' | 'uts' | 'ipc' | 'net' | 'cgroup';

/** mount(2) flags, as the kernel numbers them (linux/mount.h). */
export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  REMOUNT: 0x20,
  NOATIME: 0x400,
  BIND: 0x1000,
  REC: 0x4000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  RELATIME: 0x200000,
  STRICTATIME: 0x1000000,
} as const;

/**
 * One mount. For a bind mount (`flags & MS.BIND`) the helper binds `source`, then, when `flags`
 * hold more than BIND/REC, remounts with MS_BIND|MS_REMOUNT|flags (the kernel ignores RDONLY etc.
 * on the first bind). `propagation` (MS.PRIVATE, MS.SLAVE, … with or without MS.REC) is applied
 * afterwards when non-zero.
 */
export interface SandboxMount {
  /** Absolute path inside the container; resolved inside the rootfs, never escaping it. */
  readonly destination: string;
  /** Filesystem type ('bind' for binds, 'proc', 'tmpfs', 'overlay', …). */
  readonly type: string;
  readonly source: string;
  readonly flags: number;
  /** The filesystem-specific data string (tmpfs size=…, overlay lowerdir=…). */
  readonly data: string;
  readonly propagation: number;
  /** What to create at the destination when it is missing. */
  readonly create: 'dir' | 'file' | 'none';
  /**
   * The directory the helper chdirs to for the mount(2) call, so overlay's lowerdir list can be
   * relative and short (the kernel limits mount data to one page); empty for none.
   */
  readonly cwd: string;
}

export interface SandboxDevice {
  /** Absolute path inside the container (under /dev). */
  readonly path: string;
  readonly kind: 'c' | 'b';
  readonly major: number;
  readonly minor: number;
  /** Permission bits (e.g. 0o666); the helper sets them after mknod regardless of umask. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface SandboxSymlink {
  /** What the link points at, e.g. `/proc/self/fd`. */
  readonly target: string;
  /** Absolute path of the link inside the container. */
  readonly path: string;
}

export interface SandboxRlimit {
  /** RLIMIT_* number (RLIMIT_NOFILE = 7, RLIMIT_NPROC = 6, …). */
  readonly resource: number;
  readonly soft: number;
  readonly hard: number;
}

/** Capability numbers (linux/capability.h) per set. */
export interface SandboxCapabilities {
  readonly bounding: readonly number[];
  readonly effective: readonly number[];
  readonly permitted: readonly number[];
  readonly inheritable: readonly number[];
  readonly ambient: readonly number[];
}

export interface SandboxSpec {
  /**
   * Namespaces to create. Empty with `joinPid` set: exec mode, which joins the mount, UTS, IPC,
   * network, cgroup and PID namespaces of `joinPid` instead and skips every rootfs step.
   */
  readonly namespaces: readonly NamespaceKind[];
  readonly joinPid: number;
  /** Host directory where the rootfs is mounted (inside the new mount namespace) and pivoted to. */
  readonly rootfsPath: string;
  /** Mounts that build the rootfs at `rootfsPath` (destination ignored), e.g. one overlay. */
  readonly rootfsMounts: readonly SandboxMount[];
  /** Remount the rootfs read-only after every mount is in place (`--read-only`). */
  readonly rootfsReadonly: boolean;
  /** Mounts inside the rootfs, in order (/proc, /dev, /dev/pts, …, then volumes). */
  readonly mounts: readonly SandboxMount[];
  readonly devices: readonly SandboxDevice[];
  readonly symlinks: readonly SandboxSymlink[];
  /** Paths hidden from the container: /dev/null bound over files, an empty read-only tmpfs over directories. */
  readonly maskedPaths: readonly string[];
  /** Paths remounted read-only. */
  readonly readonlyPaths: readonly string[];
  /** Empty for no change (no UTS namespace). */
  readonly hostname: string;
  /** Bring the loopback interface up (a new network namespace starts with it down). */
  readonly loopbackUp: boolean;
  /** Applied as given, except that the helper never raises a limit above the current hard limit. */
  readonly rlimits: readonly SandboxRlimit[];
  readonly capabilities: SandboxCapabilities;
  readonly noNewPrivileges: boolean;
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
  /** Absolute working directory inside the container; created when missing (as Docker does). */
  readonly cwd: string;
  /** argv; args[0] is looked up on the container's PATH from `env` when it has no slash. */
  readonly args: readonly string[];
  readonly env: readonly string[];
  /** Allocate a pseudo-terminal for the process (`-t`). */
  readonly terminal: boolean;
  /** Keep the process's stdin open and relay the helper's stdin to it (`-i`). */
  readonly stdin: boolean;
  /** The helper stays PID 1: forks the command, forwards signals to it, reaps zombies (`--init`). */
  readonly init: boolean;
  /** Host cgroup `cgroup.procs` files the container's first process is written to before any setup step. */
  readonly cgroupProcs: readonly string[];
  /** Value for /proc/self/oom_score_adj, or null to leave it. */
  readonly oomScoreAdj: number | null;
  /** The monitor side. */
  readonly monitor: SandboxMonitor;
}

/** What the helper's parent process (the monitor, which outlives `lade` for detached containers) does. */
export interface SandboxMonitor {
  /** Framed log file the container's output is appended to (see LOG_RECORD); empty for none. */
  readonly logPath: string;
  /** File the exit record is written to atomically (tmp + rename) when the process ends; empty for none. */
  readonly exitPath: string;
  /** Copy the container's output to the monitor's own stdout/stderr (a foreground run, `start -a`, exec). */
  readonly attach: boolean;
  /**
   * Leave the caller: the monitor forks, the parent reports and exits, the child calls setsid and
   * carries on with stdio on /dev/null (`-d`).
   */
  readonly detach: boolean;
  /** argv the monitor execs once the exit record is written (cleanup for `--rm`); empty for none. */
  readonly onExit: readonly string[];
}

/**
 * Log file records, appended by the monitor: 1 byte stream (1 stdout, 2 stderr), 8 bytes
 * little-endian nanoseconds since the epoch, 4 bytes little-endian length, then the bytes.
 */
export const LOG_RECORD = { headerSize: 13, stdout: 1, stderr: 2 } as const;

/**
 * The exit record (JSON) in `monitor.exitPath`: `exitCode` is Docker's (128+N for a signal),
 * `signal` the signal number that ended the process or 0, `finishedAt` RFC 3339 with nanoseconds.
 */
export interface SandboxExitRecord {
  readonly exitCode: number;
  readonly signal: number;
  readonly finishedAt: string;
}

/**
 * Messages on the helper's report pipe, one JSON object per line:
 * - `{"type":"pid","pid":N}` the container's first process as the host sees it (before setup);
 * - `{"type":"started"}` setup done, the command was exec'd;
 * - `{"type":"error","step":S,"errno":E,"path":P}` a setup step failed; nothing runs;
 * - `{"type":"exit","exitCode":N,"signal":S}` the process ended (foreground only; detached
 *   monitors close the pipe after `started`).
 */
export type SandboxReport =
  | { readonly type: 'pid'; readonly pid: number }
  | { readonly type: 'started' }
  | { readonly type: 'error'; readonly step: string; readonly errno: number; readonly path: string }
  | { readonly type: 'exit'; readonly exitCode: number; readonly signal: number };
