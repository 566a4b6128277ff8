// Failures: the first failing vertex aborts the others' signals, nothing new starts, the solve
// settles everything before rejecting with that vertex's error (its code kept, the vertex's
// Dockerfile location attached), and no rejection is ever left unhandled.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ErrorCode, LadeError, isLadeError } from '../../src/errors/index.js';
import { failedVertexOf, openCacheIndex, solve, type CacheIndex, type SolveEvent } from '../../src/solver/index.js';
import { scratchDir } from './cache-index-helpers.js';
import { createToy, deferred, exec, graphOf } from './toy.js';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
test.after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

const at = (line: number) => ({ file: 'Dockerfile', line, endLine: line });

function states(events: SolveEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of events) if (e.type === 'vertex') (out[e.id] ??= []).push(e.state);
  return out;
}

test('the first failure aborts running siblings, starts nothing new, and carries the vertex and its location', { timeout: 30_000 }, async () => {
  const graph = graphOf({
    bad: { op: exec('bad'), meta: { name: 'RUN bad', location: at(3) } },
    slow: { op: exec('slow'), meta: { location: at(4) } },
    queued: { op: exec('queued') },
    top: { op: exec('top'), inputs: ['bad', 'slow', 'queued'] },
  });
  const toy = createToy();
  const gates = { bad: deferred(), slow: deferred() };
  toy.gates.set('bad', gates.bad);
  toy.gates.set('slow', gates.slow);
  const events: SolveEvent[] = [];
  let settled = false;
  const solving = solve({ graph, targets: ['top'], adapter: toy.adapter, maxParallelism: 2, onEvent: (e) => events.push(e) });
  void solving.then(
    () => (settled = true),
    () => (settled = true),
  );
  await Promise.all([toy.started('bad'), toy.started('slow')]);
  gates.bad.reject(new LadeError('EXEC_FAILED', 'process "bad" did not complete successfully: exit code: 1'));

  await assert.rejects(solving, (err) => {
    assert.ok(isLadeError(err));
    assert.equal(err.code, 'EXEC_FAILED');
    assert.equal(err.message, 'process "bad" did not complete successfully: exit code: 1');
    assert.deepEqual(err.location, at(3));
    assert.deepEqual(failedVertexOf(err), { id: 'bad', name: 'RUN bad', location: at(3) });
    return true;
  });
  assert.ok(settled);
  assert.deepEqual(toy.sawAbort, ['slow'], 'the running sibling saw its signal aborted');
  assert.equal(toy.count('queued'), 0, 'nothing starts after the failure');
  assert.equal(toy.count('top'), 0);
  assert.deepEqual(toy.timeline.filter((e) => e.startsWith('end:')).sort(), ['end:bad', 'end:slow'], 'both settled before the solve rejected');
  const s = states(events);
  assert.deepEqual(s['bad'], ['started', 'error']);
  assert.deepEqual(s['slow'], ['started', 'canceled']);
  assert.equal(s['queued'], undefined);
  const errorEvent = events.find((e) => e.type === 'vertex' && e.state === 'error');
  assert.equal(errorEvent?.type === 'vertex' ? errorEvent.error : undefined, 'process "bad" did not complete successfully: exit code: 1');
});

test('a location the op set itself is kept', async () => {
  const graph = graphOf({ bad: { op: exec('bad'), meta: { location: at(3) } } });
  const toy = createToy();
  toy.failures.set('bad', new LadeError(ErrorCode.FileRead, 'no such file', { location: { file: 'Dockerfile', line: 7 } }));
  await assert.rejects(solve({ graph, targets: ['bad'], adapter: toy.adapter }), (err) => {
    assert.ok(isLadeError(err));
    assert.deepEqual(err.location, { file: 'Dockerfile', line: 7 });
    assert.equal(failedVertexOf(err)?.id, 'bad');
    return true;
  });
});

test('an error that is not a LadeError (a bug) reaches the caller as itself, still attributed to its vertex', async () => {
  const graph = graphOf({ bad: { op: exec('bad'), meta: { location: at(5) } }, top: { op: exec('top'), inputs: ['bad'] } });
  const toy = createToy();
  const bug = new TypeError('x is undefined');
  toy.failures.set('bad', bug);
  await assert.rejects(solve({ graph, targets: ['top'], adapter: toy.adapter }), (err) => {
    assert.equal(err, bug);
    assert.deepEqual(failedVertexOf(err), { id: 'bad', name: 'bad', location: at(5) });
    return true;
  });
  assert.equal(failedVertexOf(new Error('unrelated')), undefined);

  toy.failures.set('bad', 'a string');
  await assert.rejects(solve({ graph, targets: ['top'], adapter: toy.adapter }), (err) => isLadeError(err) && err.code === ErrorCode.Internal && failedVertexOf(err)?.id === 'bad');
});

test('a contentKey failure fails the solve before anything runs, located at its vertex', async () => {
  const graph = graphOf({
    img: { op: { kind: 'image', ref: 'missing', platform: 'linux/amd64' }, meta: { name: 'FROM missing', location: at(1) } },
    other: { op: exec('other') },
    top: { op: exec('top'), inputs: ['img', 'other'] },
  });
  const toy = createToy();
  toy.contentKeyFailures.set('missing', new LadeError(ErrorCode.ImageNotFound, 'image not found: missing'));
  const events: SolveEvent[] = [];
  await assert.rejects(solve({ graph, targets: ['top'], adapter: toy.adapter, onEvent: (e) => events.push(e) }), (err) => {
    assert.ok(isLadeError(err));
    assert.equal(err.code, ErrorCode.ImageNotFound);
    assert.deepEqual(err.location, at(1));
    assert.equal(failedVertexOf(err)?.id, 'img');
    return true;
  });
  assert.deepEqual(toy.runs, []);
  assert.deepEqual(events.map((e) => e.type === 'vertex' && [e.id, e.state]), [['img', 'error']]);
});

test('cancelling through the caller\'s signal aborts running ops and rejects with BUILD_CANCELED', { timeout: 30_000 }, async () => {
  const graph = graphOf({ a: { op: exec('a') }, b: { op: exec('b') }, top: { op: exec('top'), inputs: ['a', 'b'] } });
  const toy = createToy();
  toy.gates.set('a', deferred());
  toy.gates.set('b', deferred());
  const caller = new AbortController();
  const events: SolveEvent[] = [];
  const solving = solve({ graph, targets: ['top'], adapter: toy.adapter, signal: caller.signal, onEvent: (e) => events.push(e) });
  await Promise.all([toy.started('a'), toy.started('b')]);
  caller.abort();
  await assert.rejects(solving, (err) => isLadeError(err) && err.code === ErrorCode.BuildCanceled && failedVertexOf(err) === undefined);
  assert.deepEqual([...toy.sawAbort].sort(), ['a', 'b']);
  assert.deepEqual(states(events), { a: ['started', 'canceled'], b: ['started', 'canceled'] });

  const already = new AbortController();
  already.abort();
  const idle = createToy();
  await assert.rejects(solve({ graph, targets: ['top'], adapter: idle.adapter, signal: already.signal }), (err) => isLadeError(err) && err.code === ErrorCode.BuildCanceled);
  assert.deepEqual(idle.runs, []);
});

test('a result that arrives after the failure is still stored for the next build', { timeout: 30_000 }, async (t) => {
  const graph = graphOf({ bad: { op: exec('bad') }, good: { op: exec('good') }, top: { op: exec('top'), inputs: ['bad', 'good'] } });
  const cache = await openCacheIndex(scratchDir(t));
  const toy = createToy();
  const gates = { bad: deferred(), good: deferred() };
  toy.gates.set('bad', gates.bad);
  toy.gates.set('good', gates.good);
  toy.ignoreAbort.add('good');
  const events: SolveEvent[] = [];
  const solving = solve({ graph, targets: ['top'], adapter: toy.adapter, cache, maxParallelism: 2, onEvent: (e) => events.push(e) });
  await Promise.all([toy.started('bad'), toy.started('good')]);
  gates.bad.reject(new LadeError('EXEC_FAILED', 'bad'));
  // 'good' ignores the abort and finishes afterwards; the solve waits for it.
  await toy.abortSeen('good');
  gates.good.resolve();
  await assert.rejects(solving, (err) => failedVertexOf(err)?.id === 'bad');
  assert.deepEqual(states(events)['good'], ['started', 'done']);

  const next = createToy();
  next.failures.set('bad', new LadeError('EXEC_FAILED', 'bad'));
  await assert.rejects(solve({ graph, targets: ['top'], adapter: next.adapter, cache }));
  assert.deepEqual(next.runs, ['bad'], 'good was a hit');
});

test('errors from the cache lookup (usable) fail the solve at that vertex', async (t) => {
  const graph = graphOf({ a: { op: exec('a'), meta: { location: at(2) } } });
  const cache = await openCacheIndex(scratchDir(t));
  await solve({ graph, targets: ['a'], adapter: createToy().adapter, cache });
  const toy = createToy();
  const broken = { ...toy.adapter, usable: async () => Promise.reject(new LadeError(ErrorCode.SnapshotIo, 'cannot stat')) };
  await assert.rejects(solve({ graph, targets: ['a'], adapter: broken, cache }), (err) => isLadeError(err) && err.code === ErrorCode.SnapshotIo && err.location?.line === 2);
});

test('a progress listener that throws fails the solve as an internal error', async () => {
  const graph = graphOf({ a: { op: exec('a') } });
  await assert.rejects(
    solve({
      graph,
      targets: ['a'],
      adapter: createToy().adapter,
      onEvent: () => {
        throw new Error('listener bug');
      },
    }),
    (err) => isLadeError(err) && err.code === ErrorCode.Internal && /listener bug/.test(err.message),
  );
});

test('a graph with a missing vertex or a cycle is an internal error', async () => {
  const missing = graphOf({ a: { op: exec('a'), inputs: ['nowhere'] } });
  await assert.rejects(solve({ graph: missing, targets: ['a'], adapter: createToy().adapter }), (err) => isLadeError(err) && err.code === ErrorCode.Internal);
  await assert.rejects(solve({ graph: missing, targets: ['nowhere'], adapter: createToy().adapter }), (err) => isLadeError(err) && err.code === ErrorCode.Internal);
  const cycle = graphOf({ a: { op: exec('a'), inputs: ['b'] }, b: { op: exec('b'), inputs: ['a'] } });
  await assert.rejects(solve({ graph: cycle, targets: ['a'], adapter: createToy().adapter }), (err) => isLadeError(err) && err.code === ErrorCode.Internal);
});

test('an op that throws synchronously, and a cache index that cannot store, fail at their vertex', async () => {
  const graph = graphOf({ a: { op: exec('a'), meta: { location: at(4) } } });
  const toy = createToy();
  const sync = {
    ...toy.adapter,
    run: () => {
      throw new LadeError('EXEC_FAILED', 'thrown before any promise');
    },
  };
  await assert.rejects(solve({ graph, targets: ['a'], adapter: sync }), (err) => isLadeError(err) && err.code === 'EXEC_FAILED' && err.location?.line === 4);

  const full: CacheIndex = {
    dir: '/nowhere',
    get: async () => undefined,
    put: async () => {
      throw new LadeError(ErrorCode.BuildCacheIo, 'no space left on device');
    },
    delete: async () => false,
    entries: async function* () {},
  };
  const events: SolveEvent[] = [];
  await assert.rejects(solve({ graph, targets: ['a'], adapter: toy.adapter, cache: full, onEvent: (e) => events.push(e) }), (err) => {
    assert.ok(isLadeError(err));
    assert.equal(err.code, ErrorCode.BuildCacheIo);
    assert.equal(failedVertexOf(err)?.id, 'a');
    return true;
  });
  assert.deepEqual(states(events), { a: ['started', 'error'] });
});
