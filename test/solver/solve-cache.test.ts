// The scheduler and the cache: lazy top-down resolution (a hit hides everything below it),
// exactly the vertices downstream of a change run again, unneeded vertices never run, and
// noCache / ignoreCache / unusable results force runs while still filling the index.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createGraphBuilder, type Graph, type VertexId } from '../../src/graph/index.js';
import { openCacheIndex, solve, type CacheIndex, type CacheSource, type OpResult, type SolveEvent } from '../../src/solver/index.js';
import { scratchDir } from './cache-index-helpers.js';
import { createToy, exec, type Toy } from './toy.js';

/**
 *   base(image) ─▶ a ─▶ b ─┐
 *                          ├─▶ c(file: copy from ctx into b) ─▶ d      target
 *   ctx(context) ──────────┘
 *   base ─▶ unused (a stage no target needs; it would fail)
 */
function sample(): { graph: Graph; ids: Record<'base' | 'a' | 'b' | 'ctx' | 'c' | 'd' | 'unused', VertexId> } {
  const g = createGraphBuilder();
  const base = g.add({ kind: 'image', ref: 'base', platform: 'linux/amd64' }, [], { name: 'FROM base' });
  const a = g.add(exec('a'), [base], { name: 'RUN a', location: { file: 'Dockerfile', line: 2, endLine: 2 } });
  const b = g.add(exec('b'), [a], { name: 'RUN b' });
  const ctx = g.add({ kind: 'context', name: 'ctx', include: ['src'] }, [], { name: 'load context' });
  const copy = {
    action: 'copy' as const,
    src: 1,
    srcPath: '/src',
    dest: '/app/',
    followSymlinks: true,
    dirCopyContents: true,
    attemptUnpack: false,
    createDestPath: true,
    allowWildcard: false,
    allowEmptyWildcard: false,
  };
  const c = g.add({ kind: 'file', actions: [copy] }, [b, ctx], { name: 'COPY src /app/' });
  const d = g.add(exec('d'), [c], { name: 'RUN d' });
  const unused = g.add(exec('unused'), [base], { name: 'RUN unused' });
  return { graph: g.graph(), ids: { base, a, b, ctx, c, d, unused } };
}

function fresh(): Toy {
  const toy = createToy();
  toy.content.set('base', 'sha256:base-config-1');
  toy.content.set('ctx', 'sha256:context-files-1');
  toy.failures.set('unused', new Error('unused must never run'));
  return toy;
}

async function warm(t: test.TestContext): Promise<{ cache: CacheIndex; dir: string; graph: Graph; ids: ReturnType<typeof sample>['ids'] }> {
  const dir = scratchDir(t);
  const cache = await openCacheIndex(dir);
  const { graph, ids } = sample();
  const toy = fresh();
  const results = await solve({ graph, targets: [ids.d], adapter: toy.adapter, cache, maxParallelism: 4 });
  assert.deepEqual(results.get(ids.d), { label: 'd', value: 'd(copy(b(a(base)),ctx))' });
  assert.deepEqual([...toy.runs].sort(), ['a', 'b', 'base', 'copy', 'ctx', 'd']);
  return { cache, dir, graph, ids };
}

test('a cold solve runs every needed vertex once, inputs before readers, and nothing unneeded', async (t) => {
  const { graph, ids } = sample();
  const toy = fresh();
  const events: SolveEvent[] = [];
  await solve({ graph, targets: [ids.d], adapter: toy.adapter, cache: await openCacheIndex(scratchDir(t)), onEvent: (e) => events.push(e) });
  for (const [before, after] of [['base', 'a'], ['a', 'b'], ['b', 'copy'], ['ctx', 'copy'], ['copy', 'd']]) {
    assert.ok(toy.timeline.indexOf(`end:${before}`) < toy.timeline.indexOf(`start:${after}`), `${before} before ${after}`);
  }
  assert.equal(toy.count('unused'), 0);
  assert.ok(!toy.contentKeyCalls.includes('unused'), 'unreachable vertices are not even keyed');
  assert.equal(toy.contentKeyCalls.length, 6, 'contentKey once per needed vertex');
  const states = events.filter((e) => e.type === 'vertex').map((e) => `${e.name}:${e.state}`);
  assert.equal(states.length, 12);
  for (const name of ['FROM base', 'RUN a', 'RUN b', 'load context', 'COPY src /app/', 'RUN d']) {
    assert.deepEqual(states.filter((s) => s.startsWith(`${name}:`)), [`${name}:started`, `${name}:done`], name);
  }
});

test('a no-op rebuild on a reopened index runs no op and visits only the target; the steps below it are reported cached', async (t) => {
  const { dir, graph, ids } = await warm(t);
  const toy = fresh();
  const events: SolveEvent[] = [];
  const results = await solve({ graph, targets: [ids.d], adapter: toy.adapter, cache: await openCacheIndex(dir), onEvent: (e) => events.push(e) });
  assert.deepEqual(toy.runs, []);
  assert.deepEqual(results.get(ids.d), { label: 'd', value: 'd(copy(b(a(base)),ctx))' });
  const states = events.map((e) => e.type === 'vertex' && [e.id, e.state]);
  assert.deepEqual(states.at(-1), [ids.d, 'cached'], 'reported in build order: the target last');
  assert.equal(states.length, 6, 'every needed step appears once');
  assert.ok(states.every((s) => s !== false && s[1] === 'cached'));
});

test('changing one leaf\'s content key runs exactly the vertices downstream of it', async (t) => {
  const { cache, graph, ids } = await warm(t);
  const toy = fresh();
  toy.content.set('ctx', 'sha256:context-files-2');
  const results = await solve({ graph, targets: [ids.d], adapter: toy.adapter, cache });
  // b is a hit when copy asks for it, so a and base are never visited.
  assert.deepEqual([...toy.runs].sort(), ['copy', 'ctx', 'd']);
  assert.deepEqual(results.get(ids.d), { label: 'd', value: 'd(copy(b(a(base)),ctx))' });

  const again = fresh();
  again.content.set('base', 'sha256:base-config-2');
  again.content.set('ctx', 'sha256:context-files-2');
  await solve({ graph, targets: [ids.d], adapter: again.adapter, cache });
  assert.deepEqual([...again.runs].sort(), ['a', 'b', 'base', 'copy', 'ctx', 'd']);
});

test('a hit at the top: inputs are never run, even ones that would fail', async (t) => {
  const { cache, graph, ids } = await warm(t);
  const toy = fresh();
  for (const label of ['base', 'a', 'b', 'ctx', 'copy']) toy.failures.set(label, new Error(`${label} must not run`));
  await solve({ graph, targets: [ids.d], adapter: toy.adapter, cache });
  assert.deepEqual(toy.runs, []);
});

test('unreachable vertices never run, and a failing stage nobody needs does not fail the build', async (t) => {
  const { graph, ids } = sample();
  const toy = fresh();
  const results = await solve({ graph, targets: [ids.b], adapter: toy.adapter, cache: await openCacheIndex(scratchDir(t)) });
  assert.deepEqual(toy.runs, ['base', 'a', 'b']);
  assert.deepEqual([...results.keys()], [ids.b]);
  assert.deepEqual([...toy.contentKeyCalls].sort(), ['a', 'b', 'base']);
});

test('several targets share their common inputs', async (t) => {
  const { graph, ids } = sample();
  const toy = fresh();
  const results = await solve({ graph, targets: [ids.d, ids.b, ids.a], adapter: toy.adapter, cache: await openCacheIndex(scratchDir(t)) });
  assert.deepEqual([...results.keys()], [ids.d, ids.b, ids.a]);
  assert.deepEqual(results.get(ids.a), { label: 'a', value: 'a(base)' });
  for (const label of ['a', 'b', 'base', 'copy', 'ctx', 'd']) assert.equal(toy.count(label), 1, label);
});

test('a cached result that is no longer usable runs again, and its inputs are resolved from the cache', async (t) => {
  const { cache, graph, ids } = await warm(t);
  const toy = fresh();
  toy.unusable.add('d');
  toy.unusable.add('copy');
  await solve({ graph, targets: [ids.d], adapter: toy.adapter, cache });
  assert.deepEqual([...toy.runs].sort(), ['copy', 'ctx', 'd']);
  // The fresh results replaced the stale entries.
  const next = fresh();
  await solve({ graph, targets: [ids.d], adapter: next.adapter, cache });
  assert.deepEqual(next.runs, []);
});

test('noCache runs everything but still fills the index for the next build', async (t) => {
  const { cache, graph, ids } = await warm(t);
  const toy = fresh();
  const events: SolveEvent[] = [];
  await solve({ graph, targets: [ids.d], adapter: toy.adapter, cache, noCache: true, onEvent: (e) => events.push(e) });
  assert.deepEqual([...toy.runs].sort(), ['a', 'b', 'base', 'copy', 'ctx', 'd']);
  assert.ok(!events.some((e) => e.type === 'vertex' && e.state === 'cached'));

  const cold = await openCacheIndex(scratchDir(t));
  await solve({ graph, targets: [ids.d], adapter: fresh().adapter, cache: cold, noCache: true });
  const next = fresh();
  await solve({ graph, targets: [ids.d], adapter: next.adapter, cache: cold });
  assert.deepEqual(next.runs, [], 'results written under noCache are hits afterwards');
});

test('ignoreCache runs that vertex and everything reading from it, and stores the new results', async (t) => {
  const { cache, graph, ids } = await warm(t);
  const marked: Graph = structuredClone(graph);
  marked.vertices[ids.a]!.meta.ignoreCache = true;
  const toy = fresh();
  await solve({ graph: marked, targets: [ids.d], adapter: toy.adapter, cache });
  // base is a source (not cacheable): it runs because a needs it. ctx runs because copy does.
  assert.deepEqual([...toy.runs].sort(), ['a', 'b', 'base', 'copy', 'ctx', 'd']);

  const below = fresh();
  await solve({ graph: marked, targets: [ids.b], adapter: below.adapter, cache });
  assert.deepEqual(below.runs, ['base', 'a', 'b']);

  // meta is not in any key: without the mark, the results just written are hits.
  const next = fresh();
  await solve({ graph, targets: [ids.d], adapter: next.adapter, cache });
  assert.deepEqual(next.runs, []);
});

test('without an index every needed vertex runs on every solve', async () => {
  const { graph, ids } = sample();
  for (let i = 0; i < 2; i++) {
    const toy = fresh();
    await solve({ graph, targets: [ids.d], adapter: toy.adapter });
    assert.equal(toy.runs.length, 6);
  }
});

test('an imported cache is looked up after the index: its hit counts as cached, is kept in the index, and is reported with its source', async (t) => {
  // Keys from a warm solve elsewhere (another index), exported as a plain key → result map.
  const { cache: theirs, graph, ids } = await warm(t);
  const exported = new Map<string, OpResult>();
  for await (const entry of theirs.entries()) exported.set(entry.key, entry.result);
  const imported: CacheSource = { get: async (key) => exported.get(key) };

  const mine = await openCacheIndex(scratchDir(t));
  const toy = fresh();
  const how = new Map<VertexId, string>();
  let keys: ReadonlyMap<VertexId, string> = new Map();
  const results = await solve({
    graph,
    targets: [ids.d],
    adapter: toy.adapter,
    cache: mine,
    imported,
    onKeys: (k) => (keys = k),
    onResult: (id, _key, _result, source) => how.set(id, source),
  });
  assert.deepEqual(toy.runs, [], 'nothing runs: the target is an imported hit');
  assert.deepEqual(results.get(ids.d), { label: 'd', value: 'd(copy(b(a(base)),ctx))' });
  assert.deepEqual([...how], [[ids.d, 'imported']]);
  assert.equal(keys.size, 6, 'every needed vertex is keyed');
  assert.ok((await mine.get(keys.get(ids.d)!)) !== undefined, 'the imported hit is kept in the local index');

  // The index's own entries come first; an imported result the adapter cannot use is a miss.
  const toy2 = fresh();
  toy2.unusable.add('d');
  const second = new Map<VertexId, string>();
  await solve({ graph, targets: [ids.d], adapter: toy2.adapter, cache: await openCacheIndex(scratchDir(t)), imported, onResult: (id, _k, _r, source) => second.set(id, source) });
  assert.deepEqual(toy2.runs, ['d']);
  assert.equal(second.get(ids.d), 'run');
  assert.equal(second.get(ids.c), 'imported');
});
