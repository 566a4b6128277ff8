// `lade exec`: moby daemon/exec.go and exec_linux.go — the container's settings, the exec's
// user/workdir/env/tty, --privileged giving every capability.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_PATH_ENV,
  allCapabilities,
  buildExecSpec,
  capabilityNumber,
  defaultRunFlags,
  resolveContainerConfig,
  type ExecFlags,
  type ExecPolicyInput,
  type ResolvedContainer,
} from '../../../src/executor/index.js';

const ID = 'fedcba9876543210'.repeat(4);
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n';
const GROUP = 'root:x:0:\nstaff:x:50:alice\n';
const DEFAULT_CAPS = DEFAULT_CAPABILITIES.map((c) => capabilityNumber(c)!).sort((a, b) => a - b);

function container(run: Parameters<typeof defaultRunFlags>[0] = {}): ResolvedContainer {
  return resolveContainerConfig({
    id: ID,
    config: { Env: ['PATH=/bin:/usr/bin', 'APP=1'], Cmd: ['server'], WorkingDir: '/app' },
    run: defaultRunFlags({ network: 'none', ...run }),
    environment: {},
    hostHostname: 'h',
  });
}

function input(c: ResolvedContainer, exec: Partial<ExecFlags>, environment: Record<string, string> = {}): ExecPolicyInput {
  return {
    container: c,
    exec: { args: ['ps'], user: '', workdir: '', env: [], envFiles: [], tty: false, interactive: false, privileged: false, ...exec },
    joinPid: 4321,
    passwd: PASSWD,
    group: GROUP,
    cgroupProcs: ['/cg/cgroup.procs'],
    monitor: { logPath: '', exitPath: '', attach: true, detach: false, onExit: [] },
    environment,
  };
}

test('an exec joins the container with its settings', () => {
  const spec = buildExecSpec(input(container(), {}));
  assert.deepEqual(spec.namespaces, []);
  assert.equal(spec.joinPid, 4321);
  assert.deepEqual([spec.rootfsPath, spec.rootfsMounts, spec.mounts, spec.devices, spec.symlinks, spec.maskedPaths], ['', [], [], [], [], []]);
  assert.equal(spec.hostname, '');
  assert.deepEqual(spec.args, ['ps']);
  assert.equal(spec.cwd, '/app');
  assert.deepEqual(spec.env, ['PATH=/bin:/usr/bin', 'HOSTNAME=fedcba987654', 'APP=1', 'HOME=/root']);
  assert.deepEqual(spec.capabilities.effective, DEFAULT_CAPS);
  assert.deepEqual([spec.uid, spec.gid, spec.additionalGids], [0, 0, [0]]);
  assert.deepEqual([spec.terminal, spec.stdin, spec.init], [false, false, false]);
  assert.deepEqual(spec.cgroupProcs, ['/cg/cgroup.procs']);
});

test("the exec's own user, workdir, environment and terminal", () => {
  const spec = buildExecSpec(
    input(container({ groupAdd: ['7'] }), { user: 'alice', workdir: '/tmp/', env: ['APP=2', 'FROM_HOST', 'NEW=x'], envFiles: [{ file: 'f', text: 'F=1\n' }], tty: true, interactive: true }, { FROM_HOST: 'yes' }),
  );
  assert.deepEqual([spec.uid, spec.gid, spec.additionalGids], [1000, 1000, [1000, 50, 7]]);
  assert.equal(spec.cwd, '/tmp');
  assert.deepEqual(spec.env, ['PATH=/bin:/usr/bin', 'HOSTNAME=fedcba987654', 'TERM=xterm', 'APP=2', 'F=1', 'FROM_HOST=yes', 'NEW=x', 'HOME=/home/alice']);
  assert.deepEqual(spec.capabilities, { bounding: DEFAULT_CAPS, effective: [], permitted: [], inheritable: [], ambient: [] });
  assert.deepEqual([spec.terminal, spec.stdin], [true, true]);
});

test("the container's user, capabilities and no_new_privs carry over; --privileged gives everything", () => {
  const c = container({ user: 'alice', capDrop: ['ALL'], capAdd: ['KILL'], securityOpt: ['no-new-privileges'], oomScoreAdj: 10 });
  const plain = buildExecSpec(input(c, {}));
  assert.equal(plain.uid, 1000);
  assert.deepEqual(plain.capabilities.bounding, [5]);
  assert.equal(plain.noNewPrivileges, true);
  assert.equal(plain.oomScoreAdj, 10);
  const root = buildExecSpec(input(c, { user: '0', privileged: true }));
  assert.deepEqual(root.capabilities.effective, allCapabilities());
  assert.deepEqual(root.capabilities.bounding, allCapabilities());
});

test('exec -e NAME with NAME unset in lade\'s environment removes it, as ReplaceOrAppendEnvValues does', () => {
  const spec = buildExecSpec(input(container(), { env: ['APP'] }));
  assert.deepEqual(spec.env, ['PATH=/bin:/usr/bin', 'HOSTNAME=fedcba987654', 'HOME=/root']);
});

test('exec errors', () => {
  assert.throws(() => buildExecSpec(input(container(), { args: [] })), /no command specified/);
  assert.throws(() => buildExecSpec(input(container(), { workdir: 'rel' })), /the working directory 'rel' is invalid/);
  assert.throws(() => buildExecSpec(input(container(), { user: 'carol' })), /unable to find user carol: no matching entries in passwd file/);
  assert.throws(() => buildExecSpec({ ...input(container(), {}), joinPid: 0 }), /process ID/);
  assert.throws(() => buildExecSpec(input(container(), { env: ['=x'] })), /invalid environment variable: =x/);
});

test('PATH falls back to the default when neither image nor user sets it', () => {
  const c = resolveContainerConfig({ id: ID, config: { Cmd: ['sh'] }, run: defaultRunFlags(), environment: {}, hostHostname: 'h' });
  assert.deepEqual(buildExecSpec(input(c, {})).env, [`PATH=${DEFAULT_PATH_ENV}`, 'HOSTNAME=h', 'HOME=/root']);
});
