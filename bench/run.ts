// Container start-up cost: `lade run --rm IMAGE true` against `runc run` (and `crun run`) of
// the same root filesystem as an OCI bundle, and `docker run --rm` when Docker is installed.
// Goal (issue 4): under 3× bare runc and under a third of docker run.
// Run as root: node dist/bench/run.js [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeBusyboxTar } from '../test/helpers/busybox.js';
import { have, startDocker } from './docker.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const lade = join(repo, 'bin', 'lade');
const work = join(tmpdir(), 'lade-bench-run');

function time(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString()}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function series(runs: number, fn: () => number): number[] {
  fn(); // warm the page cache and any lazily built state
  return Array.from({ length: runs }, fn);
}

/** An OCI bundle for runc/crun: `runc spec`'s defaults (Docker-like), not a terminal, running `true`. */
function bundle(rootfs: string): string {
  const dir = join(work, 'bundle');
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, 'config.json'), { force: true });
  execFileSync('runc', ['spec', '--bundle', dir]);
  const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { root: { path: string; readonly: boolean }; process: { terminal: boolean; args: string[] } };
  spec.root = { path: rootfs, readonly: false };
  spec.process.terminal = false;
  spec.process.args = ['true'];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 20) || 20;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const rootfs = join(work, 'rootfs');
  const tar = writeBusyboxTar(rootfs, join(work, 'rootfs.tar'));
  const root = join(work, 'lade-root');
  execFileSync(lade, ['--root', root, 'import', tar, 'bench:run']);

  const rows: Array<[string, number[]]> = [];
  rows.push(['lade run --rm bench:run true', series(runs, () => time(lade, ['--root', root, 'run', '--rm', 'bench:run', 'true']))]);
  const dir = bundle(rootfs);
  let n = 0;
  rows.push(['runc run (same rootfs)', series(runs, () => time('runc', ['run', '--bundle', dir, `lade-bench-${process.pid}-${n++}`]))]);
  if (have('crun')) rows.push(['crun run (same rootfs)', series(runs, () => time('crun', ['run', '--bundle', dir, `lade-bench-${process.pid}-${n++}`]))]);
  rows.push(['node -e 0 (Node start-up alone)', series(runs, () => time(process.execPath, ['-e', '0']))]);

  const docker = await startDocker(join(work, 'docker'));
  if (docker !== undefined) {
    const d = ['-H', docker.host];
    execFileSync('/usr/bin/docker', [...d, 'import', tar, 'bench:run'], { stdio: 'ignore' });
    rows.push(['docker run --rm bench:run true', series(runs, () => time('/usr/bin/docker', [...d, 'run', '--rm', '--network', 'none', 'bench:run', 'true']))]);
    docker.stop();
  }

  console.log(`${runs} runs each, median and min (ms):`);
  for (const [name, xs] of rows) console.log(`  ${name.padEnd(36)} ${median(xs).toFixed(1).padStart(7)} ${Math.min(...xs).toFixed(1).padStart(7)}`);
  const ladeMs = median(rows[0]![1]);
  const runcMs = median(rows[1]![1]);
  console.log(`lade / runc: ${(ladeMs / runcMs).toFixed(2)}× (goal: under 3×)`);
  const dockerRow = rows.find(([name]) => name.startsWith('docker'));
  if (dockerRow !== undefined) console.log(`lade / docker run: ${(ladeMs / median(dockerRow[1])).toFixed(2)}× (goal: under 0.33×)`);
  else console.log('docker: not installed here, no docker ratio (apt-get install docker.io to add it)');
}

await main();
