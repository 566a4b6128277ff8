// The run flags without a module of their own: --network, --security-opt (docker/cli
// parseSecurityOpts and parseSystemPaths, moby daemon_unix.go parseSecurityOpt), --shm-size,
// --oom-score-adj, --add-host.
import assert from 'node:assert/strict';
import test from 'node:test';
import { LadeError } from '../../../src/errors/index.js';
import { defaultRunFlags, parseAddHost, parseNetwork, parseSecurityOpts, parseShmSize, validateOomScoreAdj } from '../../../src/executor/index.js';

function fails(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof LadeError && e.code === code && e.message === message);
}

test('networks: host and none; the rest is not there yet', () => {
  assert.equal(parseNetwork('host'), 'host');
  assert.equal(parseNetwork('none'), 'none');
  for (const n of ['bridge', 'default', 'container:abc', 'mynet']) {
    fails(() => parseNetwork(n), 'CONTAINER_UNSUPPORTED', `network ${n} is not supported yet: lade has host and none networks; bridge networking arrives later`);
  }
  assert.equal(defaultRunFlags().network, 'host');
});

test('security options', () => {
  const table: [string[], boolean, boolean][] = [
    [[], false, false],
    [['no-new-privileges'], true, false],
    [['no-new-privileges=true'], true, false],
    [['no-new-privileges:true'], true, false],
    [['no-new-privileges=1', 'no-new-privileges=false'], false, false],
    [['no-new-privileges=T'], true, false],
    [['systempaths=unconfined'], false, true],
    [['label=disable', 'apparmor=unconfined', 'seccomp=unconfined', 'label:type:x', 'disable', 'writable-cgroups=false'], false, false],
  ];
  for (const [opts, nnp, unconfined] of table) {
    assert.deepEqual(parseSecurityOpts(opts), { noNewPrivileges: nnp, unconfinedSystemPaths: unconfined }, opts.join(' '));
  }
  fails(() => parseSecurityOpts(['bogus']), 'USAGE', 'invalid --security-opt: "bogus"');
  fails(() => parseSecurityOpts(['label=']), 'USAGE', 'invalid --security-opt: "label="');
  fails(() => parseSecurityOpts(['no-new-privileges=maybe']), 'USAGE', 'invalid --security-opt 2: "no-new-privileges=maybe"');
  fails(() => parseSecurityOpts(['foo=bar']), 'USAGE', 'invalid --security-opt 2: "foo=bar"');
  fails(() => parseSecurityOpts(['seccomp=/etc/profile.json']), 'CONTAINER_UNSUPPORTED', 'seccomp profiles are not supported yet: lade runs containers without a seccomp filter');
});

test('--shm-size and --oom-score-adj', () => {
  assert.equal(parseShmSize(''), 64 * 1024 * 1024);
  assert.equal(parseShmSize('0'), 64 * 1024 * 1024);
  assert.equal(parseShmSize('128m'), 128 * 1024 * 1024);
  assert.equal(parseShmSize('1g'), 1024 ** 3);
  fails(() => parseShmSize('big'), 'USAGE', "invalid size: 'big'");
  assert.equal(validateOomScoreAdj(undefined), null);
  assert.equal(validateOomScoreAdj(-1000), -1000);
  assert.equal(validateOomScoreAdj(500), 500);
  fails(() => validateOomScoreAdj(1001), 'USAGE', 'Invalid value 1001, range for oom score adj is [-1000, 1000]');
});

test('--add-host', () => {
  assert.deepEqual(parseAddHost('db:10.0.0.5'), { name: 'db', ip: '10.0.0.5' });
  assert.deepEqual(parseAddHost('db=10.0.0.5'), { name: 'db', ip: '10.0.0.5' });
  assert.deepEqual(parseAddHost('v6=[2001:db8:0:0::1]'), { name: 'v6', ip: '2001:db8::1' });
  assert.deepEqual(parseAddHost('v6:::1'), { name: 'v6', ip: '::1' });
  fails(() => parseAddHost('a:b=10.0.0.1'), 'USAGE', 'bad format for add-host: "a:b=10.0.0.1"');
  fails(() => parseAddHost('nocolon'), 'USAGE', 'bad format for add-host: "nocolon"');
  fails(() => parseAddHost('db:notanip'), 'USAGE', 'invalid IP address in add-host: "notanip"');
  fails(() => parseAddHost('gw:host-gateway'), 'CONTAINER_UNSUPPORTED', 'host-gateway is not supported yet: lade has host and none networks');
});
