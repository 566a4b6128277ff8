// The helper's other modes (root): --init as PID 1, detached monitors, and exec into a running
// container.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import test from 'node:test';
import { decodeLogRecords, startSandbox } from '../../src/executor/bridge/index.js';
import { MS, type SandboxSpec } from '../../src/executor/sandbox-spec.js';
import { tempDir } from '../helpers/tar-fixtures.js';
import { busyboxRoot, DOCKER_CAPS, dockerLikeSpec, runSpec, sh, waitFor, watch } from './sandbox-fixture.js';

const root = busyboxRoot();

test('--init: PID 1 is the helper, the command is its child, exit statuses pass through', async () => {
  const r = await runSpec(dockerLikeSpec(root, sh('echo $$; tr "\\0" " " < /proc/1/cmdline; echo; exit 4'), { init: true }));
  const [pid, pid1] = r.stdout.split('\n');
  assert.notEqual(pid, '1');
  assert.match(pid1 ?? '', /lade-sandbox/);
  assert.equal(r.exitCode, 4);
  // The command is not PID 1 any more, so it can die of a signal; the init reports 128+N.
  const killed = await runSpec(dockerLikeSpec(root, sh('kill -9 $$'), { init: true }));
  assert.equal(killed.exitCode, 137);
});

test('--init reaps orphaned zombies', async () => {
  // The orphan records its pid and exits at once; its parent is gone, so only PID 1 can reap it.
  // A zombie keeps /proc/<pid>; once reaped it is gone.
  const script = [
    '(sh -c "echo \\$\\$ > /tmp/orphan" &)',
    'while [ ! -s /tmp/orphan ]; do sleep 0.01; done',
    'p=$(cat /tmp/orphan)',
    'i=0; while [ -e /proc/$p ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done',
    '[ -e /proc/$p ] && { echo "zombie $p"; ps -o pid,ppid,stat,comm; exit 1; }',
    'echo reaped',
  ].join('\n');
  const tmp = tempDir('lade-sandbox-init-');
  const r = await runSpec(
    dockerLikeSpec(root, sh(script), {
      init: true,
      mounts: [...dockerLikeSpec(root, []).mounts, { destination: '/tmp', type: 'bind', source: tmp, flags: MS.BIND, data: '', propagation: 0, create: 'dir', cwd: '' }],
    }),
  );
  assert.equal(r.stdout, 'reaped\n', r.stderr);
  assert.equal(r.exitCode, 0);
});

test('--init forwards the signals it gets to the command', async () => {
  const h = await startSandbox(dockerLikeSpec(root, sh('trap "echo got-usr1" USR1; trap "echo got-term; exit 6" TERM; echo ready; while :; do sleep 0.1; done'), { init: true }), {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'ignore',
  });
  const out = watch(h.stdout);
  await out.until('ready');
  h.kill('SIGUSR1');
  await out.until('got-usr1');
  h.kill('SIGTERM');
  const [exit, text] = await Promise.all([h.exit, out.done]);
  assert.deepEqual(exit, { exitCode: 6, signal: 0 });
  assert.equal(text, 'ready\ngot-usr1\ngot-term\n');
});

function parentPid(pid: number): number {
  return Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

function alive(pid: number): boolean {
  try {
    // A zombie still answers kill(0); its state letter says it is gone.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

test('detach: the handle resolves, the monitor outlives the helper it was forked from, records the exit and runs onExit', async () => {
  const dir = tempDir('lade-sandbox-detach-');
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const logPath = join(dir, 'log');
  const exitPath = join(dir, 'exit.json');
  const marker = join(dir, 'on-exit');
  const spec = dockerLikeSpec(root, sh('echo started; read line < /shared/fifo; echo "got $line"; exit 7'), {
    stdin: true,
    mounts: [...dockerLikeSpec(root, []).mounts, { destination: '/shared', type: 'bind', source: dir, flags: MS.BIND, data: '', propagation: 0, create: 'dir', cwd: '' }],
    monitor: { logPath, exitPath, attach: false, detach: true, onExit: ['/bin/sh', '-c', 'cat "$0" > "$1"', exitPath, marker] },
  });
  const h = await startSandbox(spec, { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
  assert.ok(alive(h.monitorPid), 'the monitor runs');
  assert.notEqual(parentPid(h.monitorPid), process.pid, 'the helper we spawned has left; the monitor was reparented');
  assert.equal(parentPid(h.pid), h.monitorPid);
  assert.equal(existsSync(exitPath), false);
  await writeFile(join(dir, 'fifo'), 'hello\n');
  const record = await waitFor('the exit record', () => (existsSync(exitPath) ? (JSON.parse(readFileSync(exitPath, 'utf8')) as { exitCode: number; signal: number }) : undefined));
  assert.equal(record.exitCode, 7);
  assert.equal(record.signal, 0);
  // onExit runs once the record is in place, and sees it.
  const copied = await waitFor('onExit', () => (existsSync(marker) && readFileSync(marker, 'utf8') !== '' ? readFileSync(marker, 'utf8') : undefined));
  assert.deepEqual(JSON.parse(copied), JSON.parse(readFileSync(exitPath, 'utf8')));
  const log = decodeLogRecords(readFileSync(logPath)).records.map((r) => r.data.toString()).join('');
  assert.equal(log, 'started\ngot hello\n');
  await waitFor('the monitor to end', () => (alive(h.monitorPid) ? undefined : true));
});

function execSpec(joinPid: number, args: string[], over: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    ...dockerLikeSpec('', args),
    namespaces: [],
    joinPid,
    rootfsPath: '',
    rootfsMounts: [],
    mounts: [],
    devices: [],
    symlinks: [],
    maskedPaths: [],
    readonlyPaths: [],
    hostname: '',
    loopbackUp: false,
    capabilities: { bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS, inheritable: [], ambient: [] },
    ...over,
  };
}

test('exec mode joins a running container: its hostname, its PID 1, its root', async () => {
  const container = await startSandbox(dockerLikeSpec(root, sh('echo marker > /tmp/inside; echo ready; read x'), { stdin: true, hostname: 'box' }), {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'ignore',
  });
  const out = watch(container.stdout);
  await out.until('ready');
  try {
    const r = await runSpec(execSpec(container.pid, sh('hostname; tr "\\0" " " < /proc/1/cmdline; echo; echo $$; cat /tmp/inside; pwd; id -u'), { cwd: '/tmp', uid: 1000, gid: 1000 }));
    const [hostname, pid1, self, marker, cwd, uid] = r.stdout.split('\n');
    assert.equal(hostname, 'box');
    assert.equal(pid1?.trim(), `/bin/sh -c echo marker > /tmp/inside; echo ready; read x`);
    assert.notEqual(self, '1');
    assert.equal(marker, 'marker');
    assert.equal(cwd, '/tmp');
    assert.equal(uid, '1000');
    assert.equal(r.exitCode, 0, r.stderr);
    // An exec'd process is not PID 1: it can die of a signal.
    const killed = await runSpec(execSpec(container.pid, sh('kill -9 $$')));
    assert.deepEqual([killed.exitCode, killed.signal], [137, 9]);
  } finally {
    container.stdin?.end('\n');
  }
  assert.deepEqual(await container.exit, { exitCode: 0, signal: 0 });
});

test('exec mode into a process that is gone fails at setns', async () => {
  // A pid beyond pid_max cannot exist.
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  await assert.rejects(startSandbox(execSpec(pidMax + 1, ['true']), { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' }), (err: unknown) => {
    const e = err as { code?: string; step?: string; errno?: number; path?: string };
    return e.code === 'SANDBOX_SETUP' && e.step === 'setns' && e.errno === 2 && e.path === `/proc/${pidMax + 1}/ns/cgroup`;
  });
});
