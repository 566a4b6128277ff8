// Throughput of the layer codec on a root filesystem, in MB/s (10^6 bytes of tar per second) and
// entries/s, beside GNU tar doing the same job. Warm page cache, no fsync: this measures lade's
// own cost, not the disk. Needs root (devices, ownership).
// Run: node dist/bench/layer.js [layer.tar | --generate]
//   default: /tmp/bench/rootfs.tar (a debootstrap minbase tar) when present; --generate (or no
//   such tar) packs a generated tree of 10,000 files and ~240 MB first.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { applyLayer, packDirectory, readLayer } from '../src/layer/index.js';

const MB = 1e6;
const RUNS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** 10,000 files, mostly small, a few large, ~240 MB, in 400 directories; deterministic content. */
function generateTree(root: string): void {
  let seed = 1;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i++) block[i] = (i * 7919) % 251;
  for (let i = 0; i < 10_000; i++) {
    const dir = join(root, `d${i % 400}`, `s${i % 7}`);
    mkdirSync(dir, { recursive: true });
    // Sizes: 60% under 4 KiB, 35% 4–32 KiB, 5% 64–600 KiB.
    const r = random();
    const size = r < 0.6 ? Math.floor(random() * 4096) : r < 0.95 ? 4096 + Math.floor(random() * 28_672) : 65_536 + Math.floor(random() * 548_864);
    const body = Buffer.alloc(size);
    for (let off = 0; off < size; off += block.length) block.copy(body, off, 0, Math.min(block.length, size - off));
    writeFileSync(join(dir, `f${i}.bin`), body);
  }
}

async function time(label: string, bytes: number, entries: number, run: () => Promise<void>, setup?: () => void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    setup?.();
    const t0 = performance.now();
    await run();
    const elapsed = performance.now() - t0;
    if (i > 0) times.push(elapsed); // the first run warms caches and the JIT
  }
  const ms = median(times);
  console.log(
    `${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  ${(bytes / MB / (ms / 1000)).toFixed(0).padStart(5)} MB/s  ${Math.round(entries / (ms / 1000)).toLocaleString('en').padStart(9)} entries/s`,
  );
  return ms;
}

function shell(command: string): void {
  const result = spawnSync('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} failed`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'lade-bench-layer-'));
  try {
    const arg = process.argv[2];
    let tarPath = arg ?? '/tmp/bench/rootfs.tar';
    if (arg !== undefined && arg !== '--generate' && !existsSync(arg)) throw new Error(`no such layer tar: ${arg}`);
    if (arg === '--generate' || !existsSync(tarPath)) {
      console.log('generating a 10,000-file tree…');
      const tree = join(work, 'generated');
      mkdirSync(tree);
      generateTree(tree);
      tarPath = join(work, 'generated.tar');
      await pipeline(packDirectory(tree), createWriteStream(tarPath));
      rmSync(tree, { recursive: true });
    }
    const bytes = statSync(tarPath).size;
    let entries = 0;
    for await (const { body } of readLayer(createReadStream(tarPath))) {
      entries++;
      for await (const chunk of body) void chunk;
    }
    console.log(`layer: ${tarPath}, ${(bytes / MB).toFixed(1)} MB, ${entries.toLocaleString('en')} entries; median of ${RUNS} warm runs`);

    await time('readLayer (parse, read bodies)', bytes, entries, async () => {
      for await (const { body } of readLayer(createReadStream(tarPath, { highWaterMark: 1 << 20 }))) for await (const chunk of body) void chunk;
    });
    // On disk the page cache's writeback of earlier runs competes with the run being timed, so each
    // run starts after a sync; tmpfs shows lade's own cost without a disk.
    const places: Array<[string, string]> = [[`disk (${tmpdir()})`, work]];
    if (existsSync('/dev/shm')) places.push(['tmpfs (/dev/shm)', mkdtempSync('/dev/shm/lade-bench-layer-')]);
    for (const [label, dir] of places) {
      console.log(`\n${label}`);
      const target = join(dir, 'target');
      const fresh = (): void => {
        rmSync(target, { recursive: true, force: true });
        mkdirSync(target);
        shell('sync');
      };
      try {
        const apply = await time('applyLayer', bytes, entries, async () => {
          await applyLayer(target, createReadStream(tarPath, { highWaterMark: 1 << 20 }));
        }, fresh);
        const gnuApply = await time('  GNU tar -x (same owner, xattrs)', bytes, entries, async () => {
          shell(`tar --xattrs --xattrs-include='*' --same-owner -xpf ${tarPath} -C ${target}`);
        }, fresh);
        fresh();
        await applyLayer(target, createReadStream(tarPath));
        const pack = await time('packDirectory → sink', bytes, entries, async () => {
          for await (const chunk of packDirectory(target)) void chunk;
        });
        await time('packDirectory → sha256 (diffID)', bytes, entries, async () => {
          const hash = createHash('sha256');
          for await (const chunk of packDirectory(target)) hash.update(chunk as Buffer);
          hash.digest();
        });
        const gnuPack = await time('  GNU tar -c | wc -c', bytes, entries, async () => {
          shell(`tar --xattrs --xattrs-include='*' -C ${target} -cf - . | wc -c`);
        });
        console.log(`ratios: apply ${(apply / gnuApply).toFixed(2)}× GNU tar's time, pack ${(pack / gnuPack).toFixed(2)}×`);
      } finally {
        if (dir !== work) rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log('docker: not compared (no daemon-free way to time docker\'s own layer apply)');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('layer.js') === true) await main();
