// The sandbox helper as a container runtime (root): namespaces, mounts, masks, credentials,
// limits, exit statuses and setup failures, over a busybox rootfs with Docker's defaults.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import test from 'node:test';
import { ErrorCode, isLadeError } from '../../src/errors/index.js';
import { startSandbox, type SandboxSetupError } from '../../src/executor/bridge/index.js';
import { MS } from '../../src/executor/sandbox-spec.js';
import { tempDir } from '../helpers/tar-fixtures.js';
import { busyboxRoot, DOCKER_CAPS, dockerLikeSpec, runSpec, sh } from './sandbox-fixture.js';

const root = busyboxRoot();

test('the command is PID 1 and host processes are invisible', async () => {
  const r = await runSpec(dockerLikeSpec(root, sh('echo $$; tr "\\0" " " < /proc/1/cmdline; echo; ps -o pid,comm; true')));
  const [pid, cmdline, ...ps] = r.stdout.trim().split('\n');
  assert.equal(pid, '1');
  assert.equal(cmdline?.trim(), `/bin/sh -c ${'echo $$; tr "\\0" " " < /proc/1/cmdline; echo; ps -o pid,comm; true'}`);
  // Only the shell and ps itself: nothing of the host (node, this test runner) is there.
  const procs = ps.slice(1).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(procs.map((p) => p[1]).sort(), ['ps', 'sh'], r.stdout);
  assert.equal(procs.find((p) => p[1] === 'sh')?.[0], '1');
  assert.equal(r.exitCode, 0);
});

test('hostname, a network namespace with only lo up', async () => {
  const r = await runSpec(dockerLikeSpec(root, sh('hostname; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "; ip link show lo | head -1')));
  const [host, ifaces, lo] = [r.stdout.split('\n')[0], r.stdout.split('\n')[1], r.stdout.split('\n').slice(2).join('\n')];
  assert.equal(host, 'sandboxed');
  assert.equal(ifaces, 'lo');
  assert.match(lo, /<LOOPBACK,UP,LOWER_UP>/);
});

test('without CAP_SYS_ADMIN mount fails; /proc/sys is read-only; masked paths are empty', async () => {
  const r = await runSpec(
    dockerLikeSpec(
      root,
      sh(
        [
          'mount -t tmpfs none /tmp && echo mounted || echo mount-failed',
          'echo x > /proc/sys/kernel/hostname && echo wrote || echo sys-ro',
          'wc -c < /proc/timer_list',
          'ls -A /sys/firmware | wc -l',
          'grep -c CapEff /proc/self/status',
          'grep CapBnd /proc/self/status',
        ].join('; '),
      ),
    ),
  );
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'mount-failed');
  assert.match(r.stderr, /permission denied|not permitted/i);
  assert.equal(lines[1], 'sys-ro');
  assert.match(r.stderr, /Read-only file system/);
  assert.equal(lines[2]?.trim(), '0', '/proc/timer_list is /dev/null');
  assert.equal(lines[3]?.trim(), '0', '/sys/firmware is an empty tmpfs');
  // Docker's default set: 0xa80425fb.
  assert.equal(lines[5], 'CapBnd:\t00000000a80425fb');
});

test('uid, gid and supplementary groups switch; env and cwd; a missing cwd is created', async () => {
  const r = await runSpec(
    dockerLikeSpec(root, sh('id -u; id -g; id -G; pwd; echo "$GREETING"; grep CapEff /proc/self/status; ls -ld /work/here | cut -c1-10'), {
      uid: 1000,
      gid: 1000,
      additionalGids: [50, 100],
      cwd: '/work/here',
      env: ['PATH=/bin', 'GREETING=hello world'],
    }),
  );
  const [uid, gid, groups, cwd, greeting, capEff, mode] = r.stdout.trim().split('\n');
  assert.equal(uid, '1000');
  assert.equal(gid, '1000');
  assert.deepEqual(groups?.split(' ').sort(), ['100', '1000', '50']);
  assert.equal(cwd, '/work/here');
  assert.equal(greeting, 'hello world');
  // A non-root process loses its capabilities at exec, as with Docker.
  assert.equal(capEff, 'CapEff:\t0000000000000000');
  assert.equal(mode, 'drwxr-xr-x');
});

test('ambient capabilities survive the switch to a non-root user; no_new_privs is set when asked', async () => {
  const bind = 10; // CAP_NET_BIND_SERVICE
  const r = await runSpec(
    dockerLikeSpec(root, sh('grep -E "^(CapEff|CapAmb|NoNewPrivs)" /proc/self/status; true'), {
      uid: 1000,
      gid: 1000,
      capabilities: { bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS, inheritable: [bind], ambient: [bind] },
      noNewPrivileges: true,
    }),
  );
  assert.equal(r.stdout, 'CapEff:\t0000000000000400\nCapAmb:\t0000000000000400\nNoNewPrivs:\t1\n', r.stderr);
});

test('exit statuses: exit 3 is 3, a process killed by SIGKILL is 137 with signal 9', async () => {
  assert.deepEqual(await runSpec(dockerLikeSpec(root, sh('exit 3'))), { stdout: '', stderr: '', exitCode: 3, signal: 0 });
  // PID 1 of a namespace ignores even SIGKILL from inside it (as under Docker), so this one runs without a PID namespace.
  const killed = await runSpec(dockerLikeSpec(root, sh('kill -9 $$'), { namespaces: ['mount', 'uts', 'ipc', 'net'] }));
  assert.equal(killed.exitCode, 137);
  assert.equal(killed.signal, 9);
});

test('rlimits apply, and one above the hard limit is clamped rather than fatal', async () => {
  const hostHard = /^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]!;
  const r = await runSpec(
    dockerLikeSpec(root, sh('grep -E "Max (open files|processes)" /proc/self/limits'), {
      rlimits: [
        { resource: 7, soft: 1e9, hard: 1e9 },
        { resource: 6, soft: 100, hard: 200 },
      ],
    }),
  );
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Max open files\\s+${hostHard}\\s+${hostHard}\\s`));
  assert.match(r.stdout, /Max processes\s+100\s+200\s/);
});

test('read-only rootfs and read-write volumes; bind mounts of a host directory and a file', async () => {
  const vol = tempDir('lade-sandbox-vol-');
  const file = join(tempDir('lade-sandbox-file-'), 'hosts');
  writeFileSync(file, '127.0.0.1 box\n');
  const r = await runSpec(
    dockerLikeSpec(root, sh('touch /x 2>/dev/null && echo rootfs-rw || echo rootfs-ro; echo data > /vol/file; touch /vol2/y 2>/dev/null || echo vol2-ro; cat /etc/new/hosts'), {
      rootfsReadonly: true,
      mounts: [
        ...dockerLikeSpec(root, []).mounts,
        { destination: '/vol', type: 'bind', source: vol, flags: MS.BIND | MS.REC, data: '', propagation: MS.PRIVATE | MS.REC, create: 'dir', cwd: '' },
        { destination: '/vol2', type: 'bind', source: vol, flags: MS.BIND | MS.REC | MS.RDONLY, data: '', propagation: 0, create: 'dir', cwd: '' },
        { destination: '/etc/new/hosts', type: 'bind', source: file, flags: MS.BIND, data: '', propagation: 0, create: 'file', cwd: '' },
      ],
    }),
  );
  assert.equal(r.stdout, 'rootfs-ro\nvol2-ro\n127.0.0.1 box\n', r.stderr);
  assert.equal(readFileSync(join(vol, 'file'), 'utf8'), 'data\n');
  assert.equal(existsSync(join(root, 'x')), false);
});

test('a mount destination through a symlink stays inside the rootfs (openat2 RESOLVE_IN_ROOT)', async () => {
  const rootfs = busyboxRoot();
  const outside = tempDir('lade-sandbox-outside-');
  // The same path exists inside the rootfs: that is where the mounts must land.
  mkdirSync(join(rootfs, outside), { recursive: true });
  symlinkSync(outside, join(rootfs, 'abs'));
  symlinkSync('../'.repeat(12) + outside.slice(1), join(rootfs, 'rel'));
  // Dangling inside the rootfs: the helper creates its target, inside.
  symlinkSync(join(outside, 'via-dangling'), join(rootfs, 'dangling'));
  const tmpfs = (destination: string) => ({ destination, type: 'tmpfs', source: 'tmpfs', flags: 0, data: 'size=1m', propagation: 0, create: 'dir' as const, cwd: '' });
  const r = await runSpec(
    dockerLikeSpec(rootfs, sh(`grep -c " ${outside}/via-" /proc/self/mountinfo`), {
      mounts: [...dockerLikeSpec(rootfs, []).mounts, tmpfs('/abs/via-abs/d'), tmpfs('/rel/via-rel'), tmpfs('/dangling/d')],
    }),
  );
  assert.equal(r.stdout.trim(), '3', r.stderr);
  assert.equal(existsSync(join(outside, 'via-dangling')), false);
  assert.equal(existsSync(join(rootfs, outside, 'via-dangling', 'd')), true);
  assert.equal(existsSync(join(outside, 'via-abs')), false, 'nothing created outside the rootfs');
  assert.equal(existsSync(join(outside, 'via-rel')), false);
  assert.equal(existsSync(join(rootfs, outside, 'via-abs', 'd')), true);
  assert.equal(existsSync(join(rootfs, outside, 'via-rel')), true);
});

async function setupFailure(spec: Parameters<typeof startSandbox>[0]): Promise<SandboxSetupError> {
  try {
    const h = await startSandbox(spec, { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
    await h.exit;
  } catch (err) {
    assert.ok(isLadeError(err) && err.code === ErrorCode.SandboxSetup, String(err));
    return err as SandboxSetupError;
  }
  assert.fail('expected the start to fail');
}

test('a failing step is reported with step, errno and path, and an exit record of 127', async () => {
  const dir = tempDir('lade-sandbox-fail-');
  const exitPath = join(dir, 'exit.json');
  const missing = join(dir, 'no-such-source');
  const err = await setupFailure(
    dockerLikeSpec(root, ['true'], {
      mounts: [...dockerLikeSpec(root, []).mounts, { destination: '/data', type: 'bind', source: missing, flags: MS.BIND, data: '', propagation: 0, create: 'dir', cwd: '' }],
      monitor: { logPath: '', exitPath, attach: false, detach: false, onExit: [] },
    }),
  );
  assert.equal(err.step, 'mount');
  assert.equal(err.errno, 2);
  assert.equal(err.path, missing);
  assert.equal(err.message, `cannot start the container: mount ${missing}: No such file or directory (step mount, errno ENOENT)`);
  assert.equal((JSON.parse(readFileSync(exitPath, 'utf8')) as { exitCode: number }).exitCode, 127);

  const notFound = await setupFailure(dockerLikeSpec(root, ['no-such-command']));
  assert.deepEqual([notFound.step, notFound.errno, notFound.path], ['exec', 2, 'no-such-command']);
  const notDir = await setupFailure(dockerLikeSpec(root, ['true'], { cwd: '/etc/passwd/sub' }));
  assert.deepEqual([notDir.step, notDir.errno], ['chdir', 20]);
  const cgroup = await setupFailure(dockerLikeSpec(root, ['true'], { cgroupProcs: [join(dir, 'missing', 'cgroup.procs')] }));
  assert.deepEqual([cgroup.step, cgroup.errno], ['cgroup', 2]);
});

test('nothing of the helper leaks into the command: only fds 0-2, no blocked or ignored signals', async () => {
  for (const init of [false, true]) {
    // No pipeline: sh would hold the pipe's fds while listing its own.
    const r = await runSpec(dockerLikeSpec(root, sh('ls /proc/$$/fd; grep -E "^Sig(Blk|Ign)" /proc/self/status; true'), { init, stdin: true }), '');
    const lines = r.stdout.trim().split('\n');
    const [blk, ign] = lines.splice(-2);
    assert.deepEqual(lines, ['0', '1', '2'], `init=${init}`);
    assert.equal(blk, 'SigBlk:\t0000000000000000');
    // grep's own view (forked: busybox sh execs a last command with SIGQUIT still ignored): a signal ignored when sh started (the helper ignores SIGPIPE) would stay ignored in its children.
    assert.equal(ign, 'SigIgn:\t0000000000000000');
  }
});

test('an overlay rootfs whose lowerdir is relative to the mount cwd; writes land in the upperdir', async () => {
  const base = tempDir('lade-sandbox-overlay-');
  for (const d of ['upper', 'work', 'merged']) mkdirSync(join(base, d));
  const lower = busyboxRoot();
  const r = await runSpec(
    dockerLikeSpec(join(base, 'merged'), sh('echo new > /created; cat /created'), {
      rootfsMounts: [
        { destination: '', type: 'overlay', source: 'overlay', flags: 0, data: `lowerdir=${relative(base, lower)},upperdir=upper,workdir=work`, propagation: 0, create: 'none', cwd: base },
      ],
    }),
  );
  assert.equal(r.stdout, 'new\n', r.stderr);
  assert.equal(readFileSync(join(base, 'upper', 'created'), 'utf8'), 'new\n');
  assert.equal(existsSync(join(lower, 'created')), false);
});
