// Crash and concurrency tests with real processes: writers are SIGKILLed at random moments, and
// two processes race to write the same blob. Set LADE_TEST_SEED to replay a run's kill points.
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test from 'node:test';
import type { ContentStore } from '../../src/content/index.js';
import { openContentStore, parseDigest, sha256Digest } from '../../src/content/index.js';
import { digestOfChunks, MiB, pseudoRandomChunks, tempDir } from './fixtures/content.js';
import { rng } from '../helpers/rng.js';

const WRITER = new URL('./fixtures/writer.js', import.meta.url).pathname;

const children = new Set<ChildProcessWithoutNullStreams>();

/** Kills writers a failed test left waiting, so that their pipes do not keep this process alive. */
function killStrays(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

function spawnWriter(args: string[]): { child: ChildProcessWithoutNullStreams; lines: AsyncIterableIterator<string> } {
  const child = spawn(process.execPath, [WRITER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`writer ${args[0]} failed:\n${stderr}`);
  });
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
}

/** Reads every blob under its final name in full; each must match its name. */
async function verifyAll(store: ContentStore, dir: string): Promise<string[]> {
  const names = await readdir(join(dir, 'blobs', 'sha256'));
  for (const name of names) {
    const stream = await store.openRead(sha256Digest(name));
    for await (const chunk of stream) void chunk;
  }
  return names;
}

test('SIGKILL at random moments never leaves a partial or wrong blob, and the store stays usable', async () => {
  const seed = Number(process.env['LADE_TEST_SEED'] ?? Date.now() % 1_000_000);
  const random = rng(seed);
  const tmp = await tempDir('kill');
  const dir = join(tmp.dir, 'content');
  try {
    const store = await openContentStore(dir);
    // The first blob goes through write(), the small ones through createWriter().
    const sizes = [40, 2, 1, 3];
    const totalChunks = sizes.reduce((a, b) => a + b, 0);
    const known = new Set<string>();
    let killed = 0;
    const iterations = 8;
    for (let run = 0; run < iterations; run++) {
      sizes.forEach((size, i) => known.add(digestOfChunks(`run${run}-${i}`, size)));
      // Kill points: after a random chunk was handed over, or just after a blob's last chunk (so
      // that the kill lands in hashing, fsync or rename), each with an optional short delay.
      const lastChunks = sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0));
      const target = random() < 0.5 ? 1 + Math.floor(random() * totalChunks) : lastChunks[Math.floor(random() * lastChunks.length)]!;
      const delayMs = random() < 0.3 ? 0 : Math.floor(random() * 60);
      const context = `seed ${seed}, run ${run}, kill after chunk ${target} + ${delayMs} ms`;
      const { child, lines } = spawnWriter(['blobs', dir, `run${run}`, sizes.join(',')]);
      const exited = once(child, 'exit');
      const committed: string[] = [];
      for await (const line of lines) {
        if (line.startsWith('committed ')) committed.push(line.slice('committed '.length));
        if (line === `progress ${target}`) {
          if (delayMs === 0) child.kill('SIGKILL');
          else setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
      const [code, signal] = (await exited) as [number | null, string | null];
      if (signal === 'SIGKILL') killed++;
      else assert.equal(code, 0, `writer failed (${context})`);
      // Every blob under its final name verifies and is one this test wrote; every reported
      // commit is there.
      const names = await verifyAll(store, dir);
      for (const name of names) assert.ok(known.has(`sha256:${name}`), `unexpected blob ${name} (${context})`);
      for (const d of committed) assert.ok(names.includes(d.slice(7)), `committed ${d} is missing (${context})`);
    }
    assert.ok(killed >= iterations / 2, `only ${killed} of ${iterations} writers were killed mid-way (seed ${seed})`);
    // The killed writers' temporary files are recognised as abandoned at once.
    const leftovers = await readdir(join(dir, 'ingest'));
    assert.equal(await store.cleanIngest(), leftovers.length);
    assert.deepEqual(await readdir(join(dir, 'ingest')), []);
    // The store is usable: the big blob of the first run can be written (again) and read back.
    const digest = parseDigest(digestOfChunks('run0-0', sizes[0]!));
    const r = await store.write(pseudoRandomChunks('run0-0', sizes[0]!), { digest, size: sizes[0]! * MiB });
    assert.equal(r.digest, digest);
    assert.deepEqual(await verifyAll(store, dir), await readdir(join(dir, 'blobs', 'sha256')));
    assert.ok(await store.has(digest));
  } finally {
    killStrays();
    await tmp.cleanup();
  }
});

test('two processes writing the same blob at once both succeed and leave one good blob', async () => {
  const tmp = await tempDir('race');
  const dir = join(tmp.dir, 'content');
  try {
    const store = await openContentStore(dir);
    for (const [round, modes] of [['sized', 'sized'], ['unsized', 'unsized'], ['sized', 'unsized']].entries()) {
      const seed = `race-${round}`;
      const writers = modes.map((mode) => spawnWriter(['race', dir, seed, '24', mode]));
      for (const w of writers) assert.equal((await w.lines.next()).value, 'ready');
      const exits = writers.map((w) => once(w.child, 'exit'));
      for (const w of writers) w.child.stdin.write('go\n');
      const reports: string[] = [];
      for (const w of writers) reports.push(String((await w.lines.next()).value));
      for (const [code] of (await Promise.all(exits)) as [number | null][]) assert.equal(code, 0);
      const expected = digestOfChunks(seed, 24);
      for (const report of reports) assert.match(report, new RegExp(`^committed ${expected} (true|false)$`));
      assert.ok(reports.some((r) => r.endsWith('true')), 'one of them stored the blob');
      assert.ok(await store.has(parseDigest(expected)));
    }
    assert.equal((await verifyAll(store, dir)).length, 3);
    assert.deepEqual(await readdir(join(dir, 'ingest')), []);
  } finally {
    killStrays();
    await tmp.cleanup();
  }
});

test('cleanIngest in one process keeps the temporary file of a live writer in another', async () => {
  const tmp = await tempDir('live-writer');
  const dir = join(tmp.dir, 'content');
  try {
    const store = await openContentStore(dir);
    const holder = spawnWriter(['hold', dir]);
    assert.equal((await holder.lines.next()).value, 'holding');
    assert.equal((await readdir(join(dir, 'ingest'))).length, 1);
    assert.equal(await store.cleanIngest(), 0);
    const exited = once(holder.child, 'exit');
    holder.child.stdin.write('go\n');
    assert.equal((await holder.lines.next()).value, `committed ${digestOfChunks('hold', 1)}`);
    assert.equal(((await exited) as [number | null])[0], 0);
    assert.deepEqual(await readdir(join(dir, 'ingest')), []);
  } finally {
    killStrays();
    await tmp.cleanup();
  }
});
