// Entrypoint/Cmd and working directory: docker/cli --entrypoint, moby daemon/commit.go merge(),
// daemon/create.go (the [""] reset, "no command specified"), daemon/container.go translateWorkingDir.
import assert from 'node:assert/strict';
import test from 'node:test';
import { LadeError } from '../../../src/errors/index.js';
import { commandArgs, resolveCommand, resolveWorkingDir } from '../../../src/executor/index.js';

test('Entrypoint/Cmd table', () => {
  const E = ['/entry.sh'];
  const C = ['serve', '--port', '80'];
  const table: { name: string; ep?: string[]; cmd?: string[]; flag?: string; args?: string[]; want: string[] }[] = [
    { name: 'image entrypoint + cmd', ep: E, cmd: C, want: ['/entry.sh', 'serve', '--port', '80'] },
    { name: 'args replace cmd, entrypoint kept', ep: E, cmd: C, args: ['help'], want: ['/entry.sh', 'help'] },
    { name: 'cmd only', cmd: C, want: C },
    { name: 'args replace image cmd', cmd: C, args: ['sh'], want: ['sh'] },
    { name: '--entrypoint drops the image cmd', ep: E, cmd: C, flag: '/bin/sh', want: ['/bin/sh'] },
    { name: '--entrypoint with args', ep: E, cmd: C, flag: '/bin/sh', args: ['-c', 'echo hi'], want: ['/bin/sh', '-c', 'echo hi'] },
    { name: '--entrypoint is one word', flag: 'sh -c', args: ['x'], want: ['sh -c', 'x'] },
    { name: '--entrypoint "" resets, args run', ep: E, cmd: C, flag: '', args: ['ls', '/'], want: ['ls', '/'] },
    { name: 'image entrypoint alone', ep: E, want: E },
  ];
  for (const c of table) {
    const got = resolveCommand({ imageEntrypoint: c.ep, imageCmd: c.cmd, entrypoint: c.flag, args: c.args ?? [] });
    assert.deepEqual(commandArgs(got), c.want, c.name);
  }
  // Docker stores the reset entrypoint as empty.
  assert.deepEqual(resolveCommand({ imageEntrypoint: E, imageCmd: C, entrypoint: '', args: ['ls'] }), { entrypoint: [], cmd: ['ls'] });
  // An image Entrypoint of [""] counts as none.
  assert.deepEqual(commandArgs(resolveCommand({ imageEntrypoint: [''], imageCmd: ['sh'], entrypoint: undefined, args: [] })), ['sh']);
});

test('no command: a ContainerConfig error with a hint', () => {
  const cases = [
    { imageEntrypoint: undefined, imageCmd: undefined, entrypoint: undefined, args: [] },
    { imageEntrypoint: ['/e'], imageCmd: ['c'], entrypoint: '', args: [] },
    { imageEntrypoint: undefined, imageCmd: [], entrypoint: undefined, args: [] },
  ];
  for (const c of cases) {
    assert.throws(
      () => resolveCommand(c),
      (e: unknown) => e instanceof LadeError && e.code === 'CONTAINER_CONFIG' && e.message === 'no command specified' && (e.hint ?? '').includes('--entrypoint'),
    );
  }
});

test('working directory: -w over the image, cleaned, absolute only', () => {
  assert.equal(resolveWorkingDir('', undefined), '');
  assert.equal(resolveWorkingDir('', '/app'), '/app');
  assert.equal(resolveWorkingDir('/work/', '/app'), '/work');
  assert.equal(resolveWorkingDir('/a/./b/../c', ''), '/a/c');
  assert.equal(resolveWorkingDir('//x', ''), '/x');
  assert.throws(() => resolveWorkingDir('rel', ''), /^LadeError: the working directory 'rel' is invalid, it needs to be an absolute path$/);
  assert.throws(() => resolveWorkingDir('', 'img/rel'), /the working directory 'img\/rel' is invalid/);
});
