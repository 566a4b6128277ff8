// What the command benchmarks share: timing a command, medians, a quiet start.
import { execFileSync, spawnSync } from 'node:child_process';
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
