// The build cache through the real CLI, as root: a no-op rebuild runs nothing, a changed file
// re-runs exactly the steps that depend on it, a changed build arg exactly the steps that see it,
// --no-cache and --no-cache-filter bypass it, and independent stages really run at the same time.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { tempDir } from '../helpers/tar-fixtures.js';
import { baseStore } from './fixture-cases.js';

const store = baseStore();

interface RawEvent {
  type: string;
  name?: string;
  state?: string;
  vertex?: string;
  data?: string;
}

/** Builds with rawjson progress; returns the names of the steps that ran and of those cached. */
function build(context: string, extra: string[] = []): { ran: string[]; cached: string[]; stderr: string } {
  const r = store.run(['build', '--progress', 'rawjson', ...extra, context]);
  assert.equal(r.status, 0, r.stderr);
  const events = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RawEvent);
  const steps = (state: string) =>
    events.filter((e) => e.type === 'vertex' && e.state === state && /^\[(?!internal)/.test(e.name ?? '') && !/\] FROM /.test(e.name ?? '')).map((e) => e.name!.replace(/^\[[^\]]*\] /, ''));
  return { ran: steps('started'), cached: steps('cached'), stderr: r.stderr };
}

function project(files: Record<string, string>, dockerfile: string): string {
  const dir = tempDir('lade-cache-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

const DOCKERFILE = [
  'FROM lade-fixture/base:1',
  'COPY a.txt /a.txt',
  'RUN cat /a.txt > /a-copy',
  'COPY b.txt /b.txt',
  'RUN cat /b.txt > /b-copy',
  '',
].join('\n');

test('build cache: a no-op rebuild runs no step; a changed file re-runs exactly what depends on it', () => {
  const dir = project({ 'a.txt': 'a\n', 'b.txt': 'b\n', 'unrelated.txt': 'u\n' }, DOCKERFILE);
  const first = build(dir);
  assert.deepEqual(first.ran, ['COPY a.txt /a.txt', 'RUN cat /a.txt > /a-copy', 'COPY b.txt /b.txt', 'RUN cat /b.txt > /b-copy']);

  const again = build(dir);
  assert.deepEqual(again.ran, [], 'nothing runs when nothing changed');
  assert.ok(again.cached.length > 0, 'the result comes from the cache');

  // mtime only: content keys ignore it.
  utimesSync(join(dir, 'a.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  writeFileSync(join(dir, 'unrelated.txt'), 'changed\n');
  assert.deepEqual(build(dir).ran, [], 'a touched file and a file no COPY selects change nothing');

  writeFileSync(join(dir, 'b.txt'), 'b2\n');
  assert.deepEqual(build(dir).ran, ['COPY b.txt /b.txt', 'RUN cat /b.txt > /b-copy']);

  writeFileSync(join(dir, 'a.txt'), 'a2\n');
  assert.deepEqual(build(dir).ran, ['COPY a.txt /a.txt', 'RUN cat /a.txt > /a-copy', 'COPY b.txt /b.txt', 'RUN cat /b.txt > /b-copy']);
});

test('build cache: a changed build arg re-runs exactly the steps after its ARG', () => {
  const dir = project({}, ['FROM lade-fixture/base:1', 'RUN echo before > /before', 'ARG V=1', 'RUN echo $V > /v', 'RUN cat /v > /v2', ''].join('\n'));
  build(dir, ['--build-arg', 'V=1']);
  assert.deepEqual(build(dir, ['--build-arg', 'V=1']).ran, []);
  assert.deepEqual(build(dir, ['--build-arg', 'V=2']).ran, ['RUN echo $V > /v', 'RUN cat /v > /v2']);
});

test('build cache: --no-cache runs everything, --no-cache-filter only the stage named (and what reads it)', () => {
  const dir = project({}, ['FROM lade-fixture/base:1 AS one', 'RUN echo 1 > /one', '', 'FROM lade-fixture/base:1 AS two', 'RUN echo 2 > /two', 'COPY --from=one /one /one', ''].join('\n'));
  build(dir);
  assert.deepEqual(build(dir, ['--no-cache']).ran.sort(), ['COPY --from=one /one /one', 'RUN echo 1 > /one', 'RUN echo 2 > /two']);
  assert.deepEqual(build(dir, ['--no-cache-filter', 'one']).ran.sort(), ['COPY --from=one /one /one', 'RUN echo 1 > /one']);
});

test('build: independent stages run at the same time (timestamps taken inside the steps)', () => {
  const stage = (name: string) => [`FROM lade-fixture/base:1 AS ${name}`, `RUN cut -d' ' -f1 /proc/uptime > /start && sleep 1 && cut -d' ' -f1 /proc/uptime > /end && echo ${name}`, ''];
  const dockerfile = [...stage('a'), ...stage('b'), 'FROM scratch', 'COPY --from=a /start /a-start', 'COPY --from=a /end /a-end', 'COPY --from=b /start /b-start', 'COPY --from=b /end /b-end', ''].join('\n');
  const spans = (parallelism: string) => {
    const dir = project({}, dockerfile);
    const out = tempDir('lade-parallel-out-');
    const r = store.run(['build', '--no-cache', '--progress', 'plain', '--max-parallelism', parallelism, '-t', `parallel:${parallelism}`, dir]);
    assert.equal(r.status, 0, r.stderr);
    const read = (name: string) => Number(readFileSync(join(out, name), 'utf8'));
    const x = store.run(['create', '--name', `p${parallelism}`, `parallel:${parallelism}`, '/none']);
    assert.equal(x.status, 0, x.stderr);
    for (const f of ['a-start', 'a-end', 'b-start', 'b-end']) {
      const cp = store.run(['cp', `p${parallelism}:/${f}`, join(out, f)]);
      assert.equal(cp.status, 0, cp.stderr);
    }
    store.run(['rm', `p${parallelism}`]);
    return { a: [read('a-start'), read('a-end')], b: [read('b-start'), read('b-end')] };
  };
  const together = spans('2');
  assert.ok(together.a[0]! < together.b[1]! && together.b[0]! < together.a[1]!, `stages overlap with --max-parallelism 2: ${JSON.stringify(together)}`);
  const alone = spans('1');
  assert.ok(alone.a[1]! <= alone.b[0]! || alone.b[1]! <= alone.a[0]!, `stages do not overlap with --max-parallelism 1: ${JSON.stringify(alone)}`);
});

test('build cache: a rebuild from the cache gives the same image ID (history times come with the cached steps)', () => {
  const dir = project({ 'a.txt': 'a\n' }, DOCKERFILE.replace('COPY b.txt /b.txt\nRUN cat /b.txt > /b-copy\n', 'LABEL x=y\n'));
  const id = (extra: string[] = []) => {
    const r = store.run(['build', '-q', ...extra, dir]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const first = id();
  assert.match(first, /^sha256:[0-9a-f]{64}$/);
  assert.equal(id(), first);
  assert.notEqual(id(['--no-cache']), first, 'steps run again are new layers with new times');
});

test('build cache outlives the image: after rmi a rebuild runs nothing and gives the same image ID, which saves whole', () => {
  const dir = project({ 'a.txt': 'kept\n', 'b.txt': 'b\n' }, DOCKERFILE);
  const tag = 'lade-test/cache-outlives:1';
  const first = build(dir, ['-t', tag]);
  assert.equal(first.ran.length, 4);
  const id = store.run(['image', 'inspect', '-f', '{{.Id}}', tag]).stdout.trim();
  const removed = store.run(['rmi', tag]);
  assert.equal(removed.status, 0, removed.stderr);
  const again = build(dir, ['-t', tag]);
  assert.deepEqual(again.ran, [], "removing the image leaves the build cache, as Docker's");
  assert.equal(store.run(['image', 'inspect', '-f', '{{.Id}}', tag]).stdout.trim(), id, 'the same image ID (the cache keeps the layer times)');
  // Its layers, recorded again from their snapshots, read back whole (checked against their digests).
  const out = join(tempDir('lade-cache-save-'), 'image.tar');
  const saved = store.run(['save', '-o', out, tag]);
  assert.equal(saved.status, 0, saved.stderr);
});
