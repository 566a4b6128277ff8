/**
 * Temporary files of the cache index, named after the process that writes them so that a later
 * open can tell a killed writer's leftover from a live writer's file. (src/content has a stronger
 * version of this; the solver may not import it, and the index needs less: a temp file lives for
 * the milliseconds of one small write, and removing a live one only makes that write retry.)
 *
 * Name: `.<hex>.<pidns>-<pid>.<random>.tmp`. A PID is judged only inside our own PID namespace;
 * elsewhere, or when the PID is alive (perhaps reused), only the file's age can tell.
 */
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';

export const TEMP_SUFFIX = '.tmp';

/** How long a temp file whose writer cannot be judged dead must sit before it counts as abandoned. */
export const STALE_TEMP_MS = 10 * 60_000;

const TEMP_RE = /^\.[0-9a-f]{64}\.([0-9a-z]+)-(\d+)\.[0-9a-f]{16}\.tmp$/;

let cachedNs: string | undefined;

/** Our PID namespace's inode, or 'nons' when /proc cannot say. */
function pidNamespace(): string {
  if (cachedNs === undefined) {
    try {
      cachedNs = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? 'nons';
    } catch {
      cachedNs = 'nons';
    }
  }
  return cachedNs;
}

export function tempNameFor(hex: string): string {
  return `.${hex}.${pidNamespace()}-${process.pid}.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`;
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

function pidIsDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists and belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Whether a temp file may be removed: its writer is gone, or it is too old to belong to a live write. */
export function isAbandonedTemp(name: string, mtimeMs: number, now: number, staleAfterMs = STALE_TEMP_MS): boolean {
  if (now - mtimeMs > staleAfterMs) return true;
  const m = TEMP_RE.exec(name);
  if (m === null || m[1] === 'nons' || m[1] !== pidNamespace()) return false;
  const pid = Number(m[2]);
  return pid !== process.pid && pidIsDead(pid);
}
