// What the command benchmarks share: timing a command, medians, a quiet start.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Runs a command to its end and returns its wall time in ms; a failure stops the benchmark. */
export function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 256 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString().slice(-2000)}`);
  return ms;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * A quiet machine before a series: the other tool's writes flushed and its daemon settled
 * (Docker's keeps working for a moment after a build).
 */
export function settle(): void {
  execFileSync('sync');
  spawnSync('sleep', ['1']);
}

/**
 * The page cache emptied (as root; otherwise as it is), then `warm` directories read back in:
 * on this VM, memory a guest has not touched yet costs about 14 times as much to write into
 * (480 MB: 1.3 s, against 0.09 s after a drop), so a pull's speed depended on how much page
 * cache earlier runs had left. After a drop, every run writes into memory already backed. The
 * callers warm what both tools read alike (the registry's blobs, the programs).
 */
export function dropCaches(warm: readonly string[] = []): void {
  execFileSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  } catch {
    // Not root: the measurement runs on the cache as it is.
  }
  for (const dir of warm) execFileSync('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', dir]);
}
