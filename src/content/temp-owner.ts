/**
 * Names temporary files after the process that writes them, so that any lade process sharing the
 * root can tell a live writer's file from a killed writer's leftover. Node has no flock(2), and a
 * lock held by a killed process is exactly what has to be detected, so the name carries the proof:
 * boot id, PID-namespace inode, PID and the process start time (/proc/<pid>/stat field 22). PID
 * reuse changes the start time; another boot or another PID namespace makes the PID meaningless,
 * and then only the file's age can tell.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';

export type Liveness = 'alive' | 'dead' | 'unknown';

/** How long a file whose owner cannot be judged must sit unmodified before it counts as stale. */
export const STALE_AFTER_MS = 10 * 60_000;

interface Owner {
  boot: string;
  pidns: string;
  pid: number;
  start: string;
}

const TAG_RE = /([0-9a-f]{12})-(\d+)-(\d+)-(\d+)\.[0-9a-f]{16}/;

/** The start time of a running process; undefined when it is gone or a zombie (killed, unreaped). */
function startTimeOf(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // comm (field 2) may contain spaces and parentheses; the fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    const start = fields[19];
    return start !== undefined && /^\d+$/.test(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

function currentOwner(): Owner | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').replace(/[^0-9a-f]/g, '').slice(0, 12);
    const ns = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'));
    const start = startTimeOf('self');
    if (boot.length !== 12 || ns === null || start === undefined) return undefined;
    return { boot, pidns: ns[1]!, pid: process.pid, start };
  } catch {
    return undefined;
  }
}

let cachedTag: string | undefined;
let cachedSelf: Owner | undefined | null = null;

function self(): Owner | undefined {
  if (cachedSelf === null) cachedSelf = currentOwner();
  return cachedSelf;
}

function ownerTag(): string {
  if (cachedTag === undefined) {
    const o = self();
    // Without /proc the name still gets a unique suffix; its leftovers are then judged by age.
    cachedTag = o === undefined ? 'noproc' : `${o.boot}-${o.pidns}-${o.pid}-${o.start}`;
  }
  return cachedTag;
}

/** A fresh temporary file name: `<prefix><owner>.<random><suffix>`. */
export function tempFileName(prefix: string, suffix: string): string {
  return `${prefix}${ownerTag()}.${randomBytes(8).toString('hex')}${suffix}`;
}

/** Whether the process named in a temporary file's name is still running. */
export function ownerLiveness(name: string): Liveness {
  const m = TAG_RE.exec(name);
  const me = self();
  if (m === null || me === undefined) return 'unknown';
  if (m[1] !== me.boot || m[2] !== me.pidns) return 'unknown';
  const pid = Number(m[3]);
  if (pid === me.pid) return m[4] === me.start ? 'alive' : 'dead';
  const start = startTimeOf(pid);
  return start === m[4] ? 'alive' : 'dead';
}

/** True when a file may be removed: its owner is gone, or it cannot be judged and is old. */
export function isAbandoned(name: string, mtimeMs: number, now: number, staleAfterMs: number): boolean {
  const liveness = ownerLiveness(name);
  if (liveness === 'alive') return false;
  if (liveness === 'dead') return true;
  return now - mtimeMs > staleAfterMs;
}
