/**
 * Whether a container's process is still the one lade started. A pid alone can be reused after
 * the process dies, so the kernel's start time of the process (field 22 of /proc/PID/stat, in
 * clock ticks since boot) is recorded with it and compared.
 */
import { readFileSync } from 'node:fs';

/** Fields 3 onwards of /proc/PID/stat; undefined when there is no such process. */
function statFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function processStartTime(pid: number): string | undefined {
  const fields = statFields(pid);
  if (fields === undefined) return undefined;
  // fields[0] is field 3 (state); the start time is field 22. A zombie has exited already.
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}

export function sameProcess(pid: number, startTime: string): boolean {
  return pid > 0 && startTime !== '' && processStartTime(pid) === startTime;
}

