import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import test from 'node:test';
import { initialState, newContainerId, openRuntime, randomName, validateName, type ContainerRecord, type ContainerState } from '../../src/container/index.js';
import { isLadeError } from '../../src/errors/index.js';
import { defaultRunFlags, resolveContainerConfig } from '../../src/executor/index.js';
import { tempDir } from '../helpers/tar-fixtures.js';

function record(id: string, name: string, created: string): ContainerRecord {
  return {
    id,
    name,
    created,
    image: { ref: 'busybox', id: 'sha256:aa', manifest: 'sha256:bb' },
    resolved: resolveContainerConfig({ id, config: { Cmd: ['sh'] }, run: defaultRunFlags(), environment: {}, hostHostname: 'host' }),
    imageConfig: {},
    run: defaultRunFlags(),
    attach: { stdin: false, stdout: true, stderr: true },
    limits: {},
    snapshot: { driver: 'overlay', key: `container-${id}`, parent: undefined },
    autoRemove: false,
    stopTimeout: undefined,
  };
}

const state: ContainerState = initialState();

test('IDs are 64 hex digits; names follow Docker\'s pattern and rules', () => {
  assert.match(newContainerId(), /^[0-9a-f]{64}$/);
  assert.notEqual(newContainerId(), newContainerId());
  for (let i = 0; i < 50; i++) assert.match(randomName(), /^[a-z]+_[a-z]+$/);
  assert.equal(validateName('/web.1'), 'web.1');
  assert.throws(() => validateName('-bad'), /Invalid container name \(-bad\)/);
  assert.throws(() => validateName('a'), /Invalid container name/);
});

test('containers are found by ID, name and unique prefix, newest first', async () => {
  const rt = await openRuntime(tempDir('lade-cstore-'));
  const a = `abc${'0'.repeat(61)}`;
  const b = `abd${'1'.repeat(61)}`;
  await rt.containers.create(record(a, 'first', '2026-01-01T00:00:00.000Z'), state);
  await rt.containers.create(record(b, 'second', '2026-01-02T00:00:00.000Z'), state);
  assert.deepEqual((await rt.containers.list()).map((e) => e.record.name), ['second', 'first']);
  assert.equal((await rt.containers.find('first')).record.id, a);
  assert.equal((await rt.containers.find('/second')).record.id, b);
  assert.equal((await rt.containers.find('abc')).record.id, a);
  assert.equal((await rt.containers.find(b)).record.name, 'second');
  await assert.rejects(rt.containers.find('ab'), /multiple containers found with provided prefix: ab/);
  await assert.rejects(rt.containers.find('nothing'), (err) => isLadeError(err) && err.message === 'No such container: nothing');
});

test('a name in use is refused with Docker\'s message; removal frees it and leaves no files', async () => {
  const root = tempDir('lade-cstore-');
  const rt = await openRuntime(root);
  const a = newContainerId();
  await rt.containers.create(record(a, 'web', new Date().toISOString()), state);
  await assert.rejects(rt.containers.create(record(newContainerId(), 'web', new Date().toISOString()), state), (err) => {
    assert.ok(isLadeError(err));
    assert.match(err.message, new RegExp(`The container name "/web" is already in use by container "${a}"`));
    return true;
  });
  await rt.containers.remove(a);
  assert.equal(existsSync(rt.containers.dirOf(a)), false);
  assert.deepEqual(readdirSync(rt.containers.dir).filter((n) => n !== 'lock'), []);
  await rt.containers.create(record(newContainerId(), 'web', new Date().toISOString()), state);
});

test('a create that fails while preparing leaves nothing behind that lists', async () => {
  const rt = await openRuntime(tempDir('lade-cstore-'));
  await assert.rejects(
    rt.containers.create(record(newContainerId(), 'x1', new Date().toISOString()), state, async () => {
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.deepEqual(await rt.containers.list(), []);
});
