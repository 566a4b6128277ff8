// Import and save of a 240 MB, 10,000-file root filesystem: lade against `docker import` /
// `docker save` (when Docker is installed) and against `tar | zstd` on the same data.
// Run as root: node dist/bench/image-io.js [--runs N] [--keep]
// The data set is a Debian minbase root (debootstrap, when available) padded with copies of its
// own files to 10,000 files and 240 MB, or a synthetic tree without debootstrap; it is cached in
// $TMPDIR/lade-bench/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, copyFileSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { have, startDocker } from './docker.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const lade = join(repo, 'bin', 'lade');
const work = join(tmpdir(), 'lade-bench');
const TARGET_FILES = 10_000;
const TARGET_BYTES = 240e6;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString()}`);
  return (performance.now() - t0) / 1000;
}

function sh(script: string): number {
  return run('sh', ['-c', script]);
}

/** Counts files and bytes under dir (regular files only). */
function measure(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        files++;
        bytes += st.size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

function pad(rootfs: string): void {
  // Copies of the tree's own files (realistic content), into /opt/pad, until both targets are met.
  const sources: string[] = [];
  const collect = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) collect(p);
      else if (st.isFile() && st.size > 0) sources.push(p);
    }
  };
  collect(join(rootfs, 'usr'));
  let { files, bytes } = measure(rootfs);
  for (let i = 0; files < TARGET_FILES || bytes < TARGET_BYTES; i++) {
    const src = sources[i % sources.length]!;
    const size = statSync(src).size;
    // Past the byte target only small files are added, to reach the file count.
    if (bytes >= TARGET_BYTES && size > 4096) continue;
    if (files >= TARGET_FILES && size < 65536) continue;
    const dir = join(rootfs, 'opt', 'pad', String(Math.floor(i / 500)));
    mkdirSync(dir, { recursive: true });
    copyFileSync(src, join(dir, `${i}-${src.split('/').pop()}`));
    files++;
    bytes += size;
  }
}

function synthetic(rootfs: string): void {
  let state = 42;
  const rand = () => (state = (state * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < TARGET_FILES; i++) {
    const dir = join(rootfs, 'usr', 'lib', String(i % 100));
    mkdirSync(dir, { recursive: true });
    const size = Math.floor(TARGET_BYTES / TARGET_FILES);
    const buf = Buffer.alloc(size);
    // Half compressible text, half noise: roughly what binaries and text in an image look like.
    for (let j = 0; j < size; j++) buf[j] = j < size / 2 ? 97 + (j % 26) : rand() & 0xff;
    writeFileSync(join(dir, `f${i}`), buf);
  }
}

function prepare(): { rootfs: string; tarball: string } {
  const rootfs = join(work, 'rootfs');
  const tarball = join(work, 'rootfs.tar');
  if (existsSync(tarball)) return { rootfs, tarball };
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(rootfs, { recursive: true });
  if (have('debootstrap') && process.getuid?.() === 0) {
    console.error('preparing a Debian minbase root with debootstrap (about 30 s)…');
    execFileSync('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'], { stdio: 'ignore' });
    pad(rootfs);
  } else {
    console.error('debootstrap unavailable: using a synthetic tree');
    synthetic(rootfs);
  }
  execFileSync('tar', ['-C', rootfs, '-cf', tarball, '.']);
  return { rootfs, tarball };
}

function best(times: number[]): number {
  return Math.min(...times);
}

async function main(): Promise<void> {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 3) || 3;
  mkdirSync(work, { recursive: true });
  const { rootfs, tarball } = prepare();
  const { files, bytes } = measure(rootfs);
  const tarSize = statSync(tarball).size;
  console.log(`data: ${files} files, ${(bytes / 1e6).toFixed(0)} MB of file content, tarball ${(tarSize / 1e6).toFixed(0)} MB`);

  const root = join(work, 'lade-root');
  const out = join(work, 'lade-save.tar');
  const ladeImport: number[] = [];
  const ladeSave: number[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(root, { recursive: true, force: true });
    ladeImport.push(run(lade, ['--root', root, 'import', tarball, 'bench:1']));
    rmSync(out, { force: true });
    ladeSave.push(run(lade, ['--root', root, 'save', '-o', out, 'bench:1']));
  }
  const tarZstd: number[] = [];
  for (let i = 0; i < runs; i++) tarZstd.push(sh(`tar -C '${rootfs}' -cf - . | zstd -q -3 -T0 -o '${join(work, 'ref.tar.zst')}' -f`));

  const rows: [string, number, string][] = [
    ['lade import', best(ladeImport), ''],
    ['lade save', best(ladeSave), ''],
    ['tar | zstd -3', best(tarZstd), ''],
  ];
  const docker = await startDocker(join(work, 'docker'));
  if (docker !== undefined) {
    const d = ['-H', docker.host];
    const dockerImport: number[] = [];
    const dockerSave: number[] = [];
    for (let i = 0; i < runs; i++) {
      spawnSync('/usr/bin/docker', [...d, 'rmi', '-f', 'bench:1'], { stdio: 'ignore' });
      dockerImport.push(run('/usr/bin/docker', [...d, 'import', tarball, 'bench:1']));
      dockerSave.push(run('/usr/bin/docker', [...d, 'save', '-o', join(work, 'docker-save.tar'), 'bench:1']));
    }
    spawnSync('/usr/bin/docker', [...d, 'rmi', '-f', 'bench:1'], { stdio: 'ignore' });
    docker.stop();
    rows.push(['docker import', best(dockerImport), ''], ['docker save', best(dockerSave), '']);
    rows[0]![2] = `${(best(dockerImport) / best(ladeImport)).toFixed(1)}× faster than docker import`;
    rows[1]![2] = `${(best(dockerSave) / best(ladeSave)).toFixed(1)}× faster than docker save`;
  } else {
    rows[0]![2] = 'docker: not installed';
  }
  const ref = best(tarZstd);
  for (const r of rows.slice(0, 2)) r[2] += `${r[2] === '' ? '' : '; '}${(r[1] / ref).toFixed(2)}× the time of tar | zstd`;
  console.log(`best of ${runs} runs (wall clock, including process start):`);
  for (const [name, t, note] of rows) console.log(`  ${name.padEnd(14)} ${t.toFixed(2).padStart(6)} s  ${note}`);
  if (!process.argv.includes('--keep')) rmSync(root, { recursive: true, force: true });
}

await main();
