// Throughput of the content store and codecs, in MB/s (10^6 bytes per second), against the
// command-line tools doing the same job when they are installed.
// Run: node dist/bench/content.js [MB]   (default 200; the corpus is real files from /usr)
import { spawnSync } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '../src/content/index.js';
import { compressStream, decompressStream, openContentStore } from '../src/content/index.js';

const MB = 1e6;
const size = Number(process.argv[2] ?? 200) * MB;

/** A layer-like corpus: the files under /usr in a fixed order (binaries, libraries, text). */
function corpus(bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  let filled = 0;
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const e of entries) {
      if (filled >= bytes) return;
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) {
        try {
          filled += readFileSync(path).copy(out, filled);
        } catch {
          // unreadable: skip
        }
      }
    }
  };
  for (const root of ['/usr/lib', '/usr/share', '/usr/bin']) walk(root);
  // A small /usr: repeat what was found.
  for (let i = filled; filled > 0 && i < bytes; i += filled) out.copy(out, i, 0, Math.min(filled, bytes - i));
  return out;
}

function chunks(data: Buffer, chunkSize: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.byteLength; i += chunkSize) out.push(data.subarray(i, i + chunkSize));
  return out;
}

function report(label: string, bytes: number, ms: number, baseline?: { label: string; ms: number }): void {
  const rate = bytes / MB / (ms / 1000);
  let line = `${label.padEnd(44)} ${rate.toFixed(0).padStart(6)} MB/s  (${(ms / 1000).toFixed(2)} s)`;
  if (baseline !== undefined) line += `   ${(baseline.ms / ms).toFixed(2)}x ${baseline.label}`;
  console.log(line);
}

/** Median of three runs, each after `sync` so that earlier writeback does not bleed into it. */
async function timed(fn: () => Promise<unknown>, after?: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    spawnSync('sync');
    const start = performance.now();
    await fn();
    runs.push(performance.now() - start);
    await after?.();
  }
  return runs.sort((a, b) => a - b)[1]!;
}

function tool(cmd: string, args: string[]): number | undefined {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    spawnSync('sync');
    const start = performance.now();
    const r = spawnSync('sh', ['-c', `${cmd} ${args.join(' ')}`], { stdio: 'ignore' });
    if (r.status !== 0) return undefined;
    runs.push(performance.now() - start);
  }
  return runs.sort((a, b) => a - b)[1]!;
}

function sink(): Writable {
  return new Writable({ write: (_c, _e, done) => done(), writev: (_c, done) => done() });
}

async function through(parts: Buffer[], transform: Duplex): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(parts),
    transform,
    new Writable({
      write(c: Buffer, _e, done) {
        out.push(c);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

const work = await mkdtemp(join(tmpdir(), 'lade-bench-content-'));
try {
  const data = corpus(size);
  const file = join(work, 'input');
  await writeFile(file, data);
  console.log(`corpus: ${(size / MB).toFixed(0)} MB of files from /usr; store on ${work}`);

  const store = await openContentStore(join(work, 'content'));
  const copy = join(work, 'copy');
  const copyMs = tool('rm -f', [copy, '&&', 'cp', file, copy, '&&', 'sync', copy]);
  const cp = copyMs === undefined ? undefined : { label: 'cp + sync', ms: copyMs };
  const sumMs = tool('sha256sum', [file, '>/dev/null']);
  const sum = sumMs === undefined ? undefined : { label: 'sha256sum', ms: sumMs };

  let digest = (await store.write(data)).digest;
  const remove = (): Promise<boolean> => store.delete(digest);
  await remove();
  let ms = await timed(() => store.write(Readable.from(chunks(data, 1 << 20))), remove);
  report('write() Readable, 1 MiB chunks', size, ms, cp);
  ms = await timed(() => store.write(Readable.from(chunks(data, 64 << 10))), remove);
  report('write() Readable, 64 KiB chunks', size, ms, cp);
  ms = await timed(() => store.write(createReadStream(file, { highWaterMark: 1 << 20 })), remove);
  report('write() from a file (import)', size, ms, cp);
  await store.write(data);
  ms = await timed(() => store.write(createReadStream(file, { highWaterMark: 1 << 20 }), { digest, size }));
  report('write() of a present blob (verify only)', size, ms, sum);
  ms = await timed(async () => pipeline(await store.openRead(digest), sink()));
  report('openRead() verified stream', size, ms, sum);

  const codecs: [Compression, number[], string][] = [
    ['gzip', [1, 6], 'gzip'],
    ['zstd', [1, 3, 9], 'zstd -q -T0'],
  ];
  const parts = chunks(data, 1 << 20);
  for (const [c, levels, cli] of codecs) {
    for (const level of levels) {
      let packed: Buffer = Buffer.alloc(0);
      const cms = await timed(async () => (packed = await through(parts, compressStream(c, { level }))));
      const cliMs = tool(cli, [`-${level}`, '-c', file, '>/dev/null']);
      report(`${c} -${level} compress (ratio ${(packed.byteLength / size).toFixed(3)})`, size, cms, cliMs === undefined ? undefined : { label: `${cli.split(' ')[0]} -${level}`, ms: cliMs });
      if (level === levels[levels.length - 1]) {
        const packedFile = join(work, `packed.${c}`);
        await writeFile(packedFile, packed);
        const dms = await timed(() => pipeline(Readable.from(chunks(packed, 1 << 20)), decompressStream(c), sink()));
        const cliD = tool(cli, ['-d', '-c', packedFile, '>/dev/null']);
        report(`${c} decompress (output bytes)`, size, dms, cliD === undefined ? undefined : { label: `${cli.split(' ')[0]} -d`, ms: cliD });
      }
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
