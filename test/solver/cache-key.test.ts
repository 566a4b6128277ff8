// Cache keys are pure and versioned: golden values pin the format, meta never enters a key, and
// every semantic part (op fields, input keys and their order, content key) does.
import assert from 'node:assert/strict';
import test from 'node:test';
import { sha256Of, type Vertex } from '../../src/graph/index.js';
import { KEY_VERSION, cacheKey } from '../../src/solver/index.js';
import { exec } from './toy.js';

const scratch: Vertex = { op: { kind: 'scratch' }, inputs: [], meta: { name: 'scratch' } };
const image: Vertex = {
  op: { kind: 'image', ref: 'docker.io/library/busybox:latest', platform: 'linux/amd64' },
  inputs: [],
  meta: { name: '[internal] load metadata for docker.io/library/busybox:latest' },
};
const run: Vertex = {
  op: { kind: 'exec', args: ['/bin/sh', '-c', 'echo hi > /x'], env: ['PATH=/bin'], cwd: '/', user: '', network: 'default' },
  inputs: ['sha256:0000000000000000000000000000000000000000000000000000000000000001'],
  meta: { name: '[stage 1/2] RUN echo hi > /x', location: { file: 'Dockerfile', line: 2, endLine: 2 } },
};

const scratchKey = cacheKey(scratch, [], undefined);
const imageKey = cacheKey(image, [], 'sha256:c0ffee');
const runKey = cacheKey(run, [imageKey], undefined);

// The values were computed outside lade (Python's hashlib over the canonical JSON spelled out below).
test('golden keys: the key format is pinned (bump KEY_VERSION when it has to change)', () => {
  assert.equal(KEY_VERSION, 'lade.cachekey.v1');
  assert.equal(scratchKey, sha256Of('{"content":null,"inputs":[],"op":{"kind":"scratch"},"v":"lade.cachekey.v1"}'));
  assert.deepEqual(
    { scratchKey, imageKey, runKey },
    {
      scratchKey: 'sha256:11941cfccb5886213bcb46e3687cbfd69111be20b58458a48fa5b1683829c8cb',
      imageKey: 'sha256:02f915620cbb91529832f041b81511a1c7361b58fd7b6407cc735b5f18990f5c',
      runKey: 'sha256:8c089dcc5f126c8bc92f045831f6819259d14e2ca11ebaf9b213e07302886f0b',
    },
  );
});

test('a key is a pure function of its arguments', () => {
  assert.equal(cacheKey(structuredClone(run), [imageKey], undefined), runKey);
  // Field order in the op does not matter (canonical JSON).
  const reordered: Vertex = { ...run, op: { network: 'default', user: '', cwd: '/', env: ['PATH=/bin'], args: ['/bin/sh', '-c', 'echo hi > /x'], kind: 'exec' } };
  assert.equal(cacheKey(reordered, [imageKey], undefined), runKey);
  assert.match(runKey, /^sha256:[0-9a-f]{64}$/);
});

test('meta never changes a key', () => {
  const metas: Vertex['meta'][] = [
    { name: 'another name' },
    { name: run.meta.name, location: { file: 'other/Dockerfile', line: 9, endLine: 12 } },
    { name: run.meta.name, ignoreCache: true },
    { name: run.meta.name, stage: 'builder' },
  ];
  for (const meta of metas) assert.equal(cacheKey({ ...run, meta }, [imageKey], undefined), runKey, JSON.stringify(meta));
});

test('op fields, input keys, input order and content keys all change a key', () => {
  const keys = new Set<string>([runKey]);
  const variants: string[] = [
    cacheKey({ ...run, op: { ...exec('x'), args: ['/bin/sh', '-c', 'echo ho > /x'], env: ['PATH=/bin'] } }, [imageKey], undefined),
    cacheKey({ ...run, op: { kind: 'exec', args: ['/bin/sh', '-c', 'echo hi > /x'], env: [], cwd: '/', user: '', network: 'default' } }, [imageKey], undefined),
    cacheKey({ ...run, op: { kind: 'exec', args: ['/bin/sh', '-c', 'echo hi > /x'], env: ['PATH=/bin'], cwd: '/', user: '', network: 'none' } }, [imageKey], undefined),
    cacheKey(run, [scratchKey], undefined),
    cacheKey(run, [imageKey], 'sha256:extra'),
    cacheKey(image, [], 'sha256:c0ffef'),
    cacheKey(image, [], undefined),
  ];
  for (const k of variants) keys.add(k);
  keys.add(imageKey);
  assert.equal(keys.size, variants.length + 2, 'every variant has its own key');

  const two: Vertex = { op: exec('merge'), inputs: ['a', 'b'], meta: { name: 'merge' } };
  assert.notEqual(cacheKey(two, [scratchKey, imageKey], undefined), cacheKey(two, [imageKey, scratchKey], undefined));
});

test('a key needs exactly one input key per input', () => {
  assert.throws(() => cacheKey(run, [], undefined), TypeError);
});
