// Parallelism: independent branches really overlap, no more than maxParallelism ops run at once,
// and work is shared — a vertex read by several consumers, and two vertices with one cache key,
// run once. Ops are held on promises the test releases; nothing waits on time.
import assert from 'node:assert/strict';
import test from 'node:test';
import { openCacheIndex, solve, type SolveEvent } from '../../src/solver/index.js';
import { scratchDir } from './cache-index-helpers.js';
import { createToy, deferred, exec, graphOf } from './toy.js';

/** Lets every ready microtask and I/O callback run, so work that could start has started. */
async function quiesce(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

test('two independent branches run at the same time', { timeout: 30_000 }, async () => {
  const graph = graphOf({
    left: { op: exec('left') },
    right: { op: exec('right') },
    join: { op: exec('join'), inputs: ['left', 'right'] },
  });
  const toy = createToy();
  const gates = { left: deferred(), right: deferred() };
  toy.gates.set('left', gates.left);
  toy.gates.set('right', gates.right);
  const solving = solve({ graph, targets: ['join'], adapter: toy.adapter, maxParallelism: 2 });
  // Both start while neither has been allowed to finish: only overlap lets this line pass.
  await Promise.all([toy.started('left'), toy.started('right')]);
  assert.deepEqual(toy.timeline, ['start:left', 'start:right']);
  gates.right.resolve();
  gates.left.resolve();
  const results = await solving;
  assert.deepEqual(results.get('join'), { label: 'join', value: 'join(left,right)' });
  assert.deepEqual(toy.timeline.slice(-2), ['start:join', 'end:join']);
});

test('never more than maxParallelism runs at once, and all of them run', { timeout: 30_000 }, async () => {
  const leaves = ['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
  const graph = graphOf({
    ...Object.fromEntries(leaves.map((l) => [l, { op: exec(l) }])),
    top: { op: exec('top'), inputs: leaves },
  });
  const toy = createToy();
  const gates = new Map(leaves.map((l) => [l, deferred()]));
  for (const [l, g] of gates) toy.gates.set(l, g);
  const solving = solve({ graph, targets: ['top'], adapter: toy.adapter, maxParallelism: 3 });

  const released = new Set<string>();
  while (released.size < leaves.length) {
    await quiesce();
    const running = toy.runs.filter((l) => !released.has(l));
    // Exactly min(3, remaining) are in flight: the limit is reached, never passed.
    assert.equal(running.length, Math.min(3, leaves.length - released.size), toy.timeline.join(' '));
    const next = running[0]!;
    released.add(next);
    gates.get(next)!.resolve();
  }
  await solving;
  assert.equal(toy.maxActive, 3);
  assert.equal(toy.runs.length, leaves.length + 1);
});

test('maxParallelism 1 runs ops one after another', async () => {
  const graph = graphOf({ a: { op: exec('a') }, b: { op: exec('b') }, c: { op: exec('c') }, top: { op: exec('top'), inputs: ['a', 'b', 'c'] } });
  const toy = createToy();
  await solve({ graph, targets: ['top'], adapter: toy.adapter, maxParallelism: 1 });
  assert.equal(toy.maxActive, 1);
  assert.deepEqual(toy.timeline, ['start:a', 'end:a', 'start:b', 'end:b', 'start:c', 'end:c', 'start:top', 'end:top']);
});

test('a vertex read by several consumers runs once', async (t) => {
  //      ┌─▶ left ──┐
  // base ┤          ├─▶ top
  //      └─▶ right ─┘
  const graph = graphOf({
    base: { op: exec('base') },
    left: { op: exec('left'), inputs: ['base'] },
    right: { op: exec('right'), inputs: ['base'] },
    top: { op: exec('top'), inputs: ['left', 'right', 'base'] },
  });
  const toy = createToy();
  const results = await solve({ graph, targets: ['top', 'left'], adapter: toy.adapter, cache: await openCacheIndex(scratchDir(t)) });
  assert.deepEqual([...toy.runs].sort(), ['base', 'left', 'right', 'top']);
  assert.deepEqual(results.get('top'), { label: 'top', value: 'top(left(base),right(base),base)' });
});

test('two vertices with the same cache key run once; the second is reported cached and its inputs are not visited', async (t) => {
  // Different ids, same op on inputs with the same key: one key, so one run.
  const graph = graphOf({
    base1: { op: exec('base') },
    base2: { op: exec('base'), meta: { name: 'the same base again' } },
    x1: { op: exec('x'), inputs: ['base1'] },
    x2: { op: exec('x'), inputs: ['base2'] },
    top: { op: exec('top'), inputs: ['x1', 'x2'] },
  });
  const toy = createToy();
  const events: SolveEvent[] = [];
  const results = await solve({ graph, targets: ['top'], adapter: toy.adapter, cache: await openCacheIndex(scratchDir(t)), onEvent: (e) => events.push(e) });
  assert.deepEqual([...toy.runs].sort(), ['base', 'top', 'x']);
  assert.deepEqual(results.get('top'), { label: 'top', value: 'top(x(base),x(base))' });
  const finals = Object.fromEntries(events.flatMap((e) => (e.type === 'vertex' && e.state !== 'started' ? [[e.id, e.state]] : [])));
  // x2 takes x1's result, so its own input base2 is never visited: it is reported cached at the end.
  assert.deepEqual(finals, { base1: 'done', x1: 'done', x2: 'cached', top: 'done', base2: 'cached' });
  const base2 = events.findIndex((e) => e.type === 'vertex' && e.id === 'base2');
  const topDone = events.findIndex((e) => e.type === 'vertex' && e.id === 'top' && e.state === 'done');
  assert.ok(base2 > topDone, 'after everything that ran');
});

test('log output is forwarded as events of the running vertex, with stream and time', async () => {
  const graph = graphOf({ a: { op: exec('a') } });
  const toy = createToy();
  toy.logs.set('a', 'hello\n');
  const events: SolveEvent[] = [];
  const before = Date.now();
  await solve({ graph, targets: ['a'], adapter: toy.adapter, onEvent: (e) => events.push(e) });
  assert.deepEqual(events.map((e) => (e.type === 'log' ? `log:${e.id}:${e.stream}:${e.data.toString()}` : `${e.id}:${e.state}`)), [
    'a:started',
    'log:a:1:hello\n',
    'a:done',
  ]);
  for (const e of events) assert.ok(e.time >= before && e.time <= Date.now());
});

test('maxParallelism must be a positive integer', async () => {
  const graph = graphOf({ a: { op: exec('a') } });
  for (const n of [0, -1, 1.5]) {
    await assert.rejects(solve({ graph, targets: ['a'], adapter: createToy().adapter, maxParallelism: n }), RangeError);
  }
});

test('a wide graph queues its ops without listener-leak warnings', async () => {
  const leaves = Array.from({ length: 40 }, (_, i) => `w${i}`);
  const graph = graphOf({ ...Object.fromEntries(leaves.map((l) => [l, { op: exec(l) }])), top: { op: exec('top'), inputs: leaves } });
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  try {
    const toy = createToy();
    await solve({ graph, targets: ['top'], adapter: toy.adapter, maxParallelism: 2 });
    assert.equal(toy.runs.length, 41);
    assert.ok(toy.maxActive <= 2);
    await quiesce();
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.map((w) => w.message), []);
});
