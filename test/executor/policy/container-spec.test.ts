// The assembler: image config + run flags + start-time facts → SandboxSpec, checked against what
// moby's createSpec (daemon/oci_linux.go) and runc would set up for the same `docker run`.
import assert from 'node:assert/strict';
import test from 'node:test';
import { LadeError } from '../../../src/errors/index.js';
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_PATH_ENV,
  MS,
  allCapabilities,
  buildContainerSpec,
  capabilityNumber,
  defaultRunFlags,
  resolveContainerConfig,
  type ContainerPolicyInput,
  type RunFlags,
  type SandboxMount,
  type SandboxSpec,
} from '../../../src/executor/index.js';

const ID = '0123456789abcdef'.repeat(4);
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n';
const GROUP = 'root:x:0:\nwheel:x:10:root,alice\nalice:x:1000:\n';
const DEFAULT_CAPS = DEFAULT_CAPABILITIES.map((c) => capabilityNumber(c)!).sort((a, b) => a - b);

interface Harness {
  input: ContainerPolicyInput;
  created: string[];
  anonymous: string[];
}

function harness(run: Partial<RunFlags> = {}, over: Partial<ContainerPolicyInput> = {}, files: Record<string, 'dir' | 'file'> = {}): Harness {
  const created: string[] = [];
  const anonymous: string[] = [];
  const input: ContainerPolicyInput = {
    id: ID,
    config: { Env: [`PATH=${DEFAULT_PATH_ENV}`], Cmd: ['sh'] },
    run: defaultRunFlags(run),
    environment: { HOST_ONLY: 'h' },
    hostHostname: 'buildhost',
    passwd: PASSWD,
    group: GROUP,
    rootfsPath: '/var/lib/lade/containers/x/rootfs',
    rootfsMounts: [{ type: 'overlay', source: 'overlay', options: ['index=off', 'lowerdir=2:1', 'upperdir=/s/3/fs', 'workdir=/s/3/work'], cwd: '/s/snapshots' }],
    etcFiles: { hostname: '/c/hostname', hosts: '/c/hosts', resolvConf: '/c/resolv.conf' },
    anonymousVolumeDir: (dest) => {
      anonymous.push(dest);
      return `/c/volumes/${anonymous.length}`;
    },
    statSource: (p) => files[p] ?? 'missing',
    createHostDir: (p) => created.push(p),
    cgroupProcs: ['/sys/fs/cgroup/memory/lade/x/cgroup.procs'],
    monitor: { logPath: '/c/log', exitPath: '/c/exit', attach: true, detach: false, onExit: [] },
    ...over,
  };
  return { input, created, anonymous };
}

const mount = (spec: SandboxSpec, dest: string): SandboxMount | undefined => spec.mounts.find((m) => m.destination === dest);
const dests = (spec: SandboxSpec): string[] => spec.mounts.map((m) => m.destination);

test('a plain run on the host network', () => {
  const spec = buildContainerSpec(harness().input);
  assert.deepEqual(spec.namespaces, ['mount', 'uts', 'ipc', 'pid']);
  assert.equal(spec.joinPid, 0);
  assert.equal(spec.loopbackUp, false);
  assert.equal(spec.hostname, 'buildhost', "the host network takes the host's name");
  assert.deepEqual(spec.rootfsMounts, [
    { destination: '/', type: 'overlay', source: 'overlay', flags: 0, data: 'index=off,lowerdir=2:1,upperdir=/s/3/fs,workdir=/s/3/work', propagation: 0, create: 'none', cwd: '/s/snapshots' },
  ]);
  assert.equal(spec.rootfsReadonly, false);
  assert.deepEqual(dests(spec), ['/proc', '/dev', '/dev/pts', '/sys', '/dev/mqueue', '/dev/shm', '/etc/resolv.conf', '/etc/hostname', '/etc/hosts']);
  assert.deepEqual(mount(spec, '/etc/hosts'), {
    destination: '/etc/hosts', type: 'bind', source: '/c/hosts', flags: MS.BIND | MS.REC, data: '', propagation: MS.PRIVATE | MS.REC, create: 'file', cwd: '',
  });
  assert.equal(spec.devices.length, 6);
  assert.equal(spec.symlinks.length, 6);
  assert.ok(spec.maskedPaths.includes('/proc/kcore'));
  assert.deepEqual(spec.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  assert.deepEqual(spec.capabilities, { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS, inheritable: [], ambient: [] });
  assert.equal(spec.noNewPrivileges, false);
  assert.deepEqual([spec.uid, spec.gid, spec.additionalGids], [0, 0, [0, 10]]);
  assert.equal(spec.cwd, '/');
  assert.deepEqual(spec.args, ['sh']);
  assert.deepEqual(spec.env, [`PATH=${DEFAULT_PATH_ENV}`, 'HOSTNAME=buildhost', 'HOME=/root']);
  assert.deepEqual([spec.terminal, spec.stdin, spec.init], [false, false, false]);
  assert.deepEqual(spec.cgroupProcs, ['/sys/fs/cgroup/memory/lade/x/cgroup.procs']);
  assert.equal(spec.oomScoreAdj, null);
  assert.deepEqual(spec.rlimits, []);
  assert.equal(spec.monitor.logPath, '/c/log');
});

test('--network none: a network namespace with loopback up; the short ID as hostname', () => {
  const spec = buildContainerSpec(harness({ network: 'none' }).input);
  assert.deepEqual(spec.namespaces, ['mount', 'uts', 'ipc', 'pid', 'net']);
  assert.equal(spec.loopbackUp, true);
  assert.equal(spec.hostname, '0123456789ab');
  assert.ok(spec.env.includes('HOSTNAME=0123456789ab'));
  assert.equal(buildContainerSpec(harness({ network: 'none', hostname: 'web' }).input).hostname, 'web');
  assert.throws(() => buildContainerSpec(harness({ network: 'bridge' }).input), /network bridge is not supported yet/);
});

test('the image config and the flags: env order, command, workdir, user, tty', () => {
  const h = harness(
    {
      env: ['B=flag', 'HOST_ONLY', 'UNSET_HERE', 'D=flag'],
      envFiles: [{ file: 'e.env', text: 'D=file\nE=file\n' }],
      args: ['run', '--fast'],
      workdir: '/srv/',
      user: 'alice',
      tty: true,
      interactive: true,
      init: true,
    },
    { config: { Env: ['PATH=/img/bin', 'A=img', 'B=img', 'UNSET_HERE=img'], Entrypoint: ['/entry'], Cmd: ['default'], WorkingDir: '/app', User: 'root', Hostname: 'ignored' } },
  );
  const spec = buildContainerSpec(h.input);
  // User variables (files then flags) first, then the image's not mentioned; PATH replaced in
  // place; a bare unset name hides the image's value; duplicates keep the last, where it stands.
  assert.deepEqual(spec.env, ['PATH=/img/bin', 'HOSTNAME=buildhost', 'TERM=xterm', 'E=file', 'B=flag', 'HOST_ONLY=h', 'D=flag', 'A=img', 'HOME=/home/alice']);
  assert.deepEqual(spec.args, ['/entry', 'run', '--fast']);
  assert.equal(spec.cwd, '/srv');
  assert.deepEqual([spec.uid, spec.gid, spec.additionalGids], [1000, 1000, [1000, 10]]);
  assert.deepEqual(spec.capabilities, { bounding: DEFAULT_CAPS, effective: [], permitted: [], inheritable: [], ambient: [] });
  assert.deepEqual([spec.terminal, spec.stdin, spec.init], [true, true, true]);
});

test('resolveContainerConfig is what docker inspect shows, and is plain JSON', () => {
  const h = harness(
    { volumes: ['/anon', '/h:/c:ro', '/h:/c:ro'], tmpfs: ['/run', '/run:size=1m'], capAdd: ['net_admin'], securityOpt: ['no-new-privileges'], shmSize: '1g', oomScoreAdj: 100, stopSignal: 'SIGQUIT', addHost: ['db:10.0.0.9'] },
    { config: { Env: ['A=1'], Cmd: ['sh'], Volumes: { '/var/lib/x/': {} }, StopSignal: 'SIGUSR1', User: 'alice' } },
  );
  const c = resolveContainerConfig(h.input);
  assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
  assert.deepEqual(c.config, {
    Hostname: 'buildhost', User: 'alice', Env: ['A=1'], Cmd: ['sh'], Entrypoint: [], WorkingDir: '',
    Volumes: { '/anon': {}, '/var/lib/x': {} }, StopSignal: 'SIGQUIT', Tty: false, OpenStdin: false,
  });
  assert.deepEqual(c.hostConfig.CapAdd, ['CAP_NET_ADMIN']);
  assert.equal(c.hostConfig.ShmSize, 1024 ** 3);
  assert.equal(c.hostConfig.NoNewPrivileges, true);
  assert.equal(c.hostConfig.OomScoreAdj, 100);
  assert.deepEqual(c.hostConfig.ExtraHosts, [{ name: 'db', ip: '10.0.0.9' }]);
  assert.deepEqual(c.hostConfig.Mounts.map((m) => `${m.kind} ${m.destination}`), ['bind /c', 'tmpfs /run']);
  assert.deepEqual(c.hostConfig.Mounts[1], { kind: 'tmpfs', destination: '/run', options: ['size=1m'] }, 'the last --tmpfs for a path wins');
});

test('mounts: binds, missing -v sources, files, tmpfs, anonymous and image volumes, by depth', () => {
  const h = harness(
    {
      volumes: ['/srv/data:/data', '/missing/dir:/deep/a/b', '/srv/app.conf:/etc/app.conf:ro', '/anon/vol'],
      mounts: ['type=bind,src=/srv/cache,dst=/cache,bind-propagation=rshared,readonly'],
      tmpfs: ['/run:size=1m,exec'],
    },
    { config: { Cmd: ['sh'], Volumes: { '/data': {}, '/var/lib/db': {} } } },
    { '/srv/data': 'dir', '/srv/app.conf': 'file', '/srv/cache': 'dir' },
  );
  const spec = buildContainerSpec(h.input);
  assert.deepEqual(dests(spec), [
    '/proc', '/dev', '/dev/pts', '/sys', '/dev/mqueue', '/dev/shm',
    '/data', '/cache', '/run', '/etc/app.conf', '/anon/vol', '/etc/resolv.conf', '/etc/hostname', '/etc/hosts', '/deep/a/b', '/var/lib/db',
  ]);
  assert.deepEqual(h.created, ['/missing/dir'], '-v creates a missing source directory');
  assert.deepEqual(h.anonymous, ['/anon/vol', '/var/lib/db'], 'the image VOLUME /data is taken by the bind');
  const data = mount(spec, '/data')!;
  assert.deepEqual([data.type, data.source, data.flags, data.propagation, data.create], ['bind', '/srv/data', MS.BIND | MS.REC, MS.PRIVATE | MS.REC, 'dir']);
  const conf = mount(spec, '/etc/app.conf')!;
  assert.deepEqual([conf.flags, conf.create], [MS.BIND | MS.REC | MS.RDONLY, 'file']);
  const cache = mount(spec, '/cache')!;
  assert.deepEqual([cache.flags, cache.propagation], [MS.BIND | MS.REC | MS.RDONLY, MS.SHARED | MS.REC]);
  assert.equal(mount(spec, '/deep/a/b')!.create, 'dir');
  const run = mount(spec, '/run')!;
  assert.deepEqual([run.type, run.source, run.flags, run.data, run.propagation], ['tmpfs', 'tmpfs', MS.NOSUID | MS.NODEV, 'size=1m', MS.PRIVATE | MS.REC]);
  const anon = mount(spec, '/anon/vol')!;
  assert.deepEqual([anon.source, anon.flags, anon.propagation], ['/c/volumes/1', MS.BIND | MS.REC, 0]);
});

test('mount errors come before anything is created', () => {
  const missing = harness({ volumes: ['/missing:/m', '/anon'], mounts: ['type=bind,src=/nothere,dst=/x'] });
  assert.throws(
    () => buildContainerSpec(missing.input),
    (e: unknown) => e instanceof LadeError && e.code === 'CONTAINER_CONFIG' && e.message === 'invalid mount config for type "bind": bind source path does not exist: /nothere',
  );
  assert.deepEqual([missing.created, missing.anonymous], [[], []]);
  const created = harness({ mounts: ['type=bind,src=/nothere,dst=/x,bind-create-src'] });
  buildContainerSpec(created.input);
  assert.deepEqual(created.created, ['/nothere']);
  for (const run of [
    { volumes: ['/a:/x'], tmpfs: ['/x'] },
    { volumes: ['/a:/x', '/b:/x/'] },
    { volumes: ['/a:/x'], mounts: ['type=tmpfs,dst=/x'] },
  ]) {
    const h = harness(run, {}, { '/a': 'dir', '/b': 'dir' });
    assert.throws(() => buildContainerSpec(h.input), /^LadeError: Duplicate mount point: \/x$/);
    assert.deepEqual(h.created, []);
  }
  const user = harness({ user: 'carol', volumes: ['/missing:/m'] });
  assert.throws(() => buildContainerSpec(user.input), /unable to find user carol/);
  assert.deepEqual(user.created, []);
});

test('a user mount on /etc/hosts replaces the generated file; a bind on /dev drops the /dev setup', () => {
  const hosts = buildContainerSpec(harness({ volumes: ['/my/hosts:/etc/hosts:ro'] }, {}, { '/my/hosts': 'file' }).input);
  assert.deepEqual(hosts.mounts.filter((m) => m.destination === '/etc/hosts').map((m) => m.source), ['/my/hosts']);
  const dev = buildContainerSpec(harness({ volumes: ['/dev:/dev'] }, {}, { '/dev': 'dir' }).input);
  assert.deepEqual(dests(dev).slice(0, 3), ['/proc', '/sys', '/dev']);
  assert.ok(!dests(dev).some((d) => d.startsWith('/dev/')));
  assert.deepEqual([dev.devices, dev.symlinks], [[], []]);
  const devTmpfs = buildContainerSpec(harness({ tmpfs: ['/dev'] }).input);
  assert.equal(devTmpfs.devices.length, 6, 'a tmpfs on /dev still gets the device nodes');
});

test('--read-only: the rootfs and the generated files read-only, the kernel filesystems as Docker leaves them', () => {
  const spec = buildContainerSpec(harness({ readOnly: true, volumes: ['/w:/w'] }, {}, { '/w': 'dir' }).input);
  assert.equal(spec.rootfsReadonly, true);
  for (const d of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/sys']) assert.ok((mount(spec, d)!.flags & MS.RDONLY) !== 0, d);
  for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/w']) assert.equal(mount(spec, d)!.flags & MS.RDONLY, 0, d);
});

test('--privileged: every capability, /sys writable, nothing masked', () => {
  const spec = buildContainerSpec(harness({ privileged: true, readOnly: true, user: 'alice' }).input);
  assert.deepEqual(spec.capabilities.bounding, allCapabilities());
  assert.deepEqual(spec.capabilities.effective, [], 'a non-root user still has no effective capabilities');
  assert.equal(mount(spec, '/sys')!.flags & MS.RDONLY, 0);
  assert.deepEqual([spec.maskedPaths, spec.readonlyPaths], [[], []]);
  const limited = buildContainerSpec(harness({ privileged: true }, { availableCapabilities: [0, 1, 21] }).input);
  assert.deepEqual(limited.capabilities.effective, [0, 1, 21]);
});

test('security options, cap flags, shm size, oom score and CPUs reach the spec', () => {
  const spec = buildContainerSpec(
    harness({ securityOpt: ['no-new-privileges=true', 'systempaths=unconfined'], capDrop: ['ALL'], capAdd: ['chown'], shmSize: '128m', oomScoreAdj: -5 }).input,
  );
  assert.equal(spec.noNewPrivileges, true);
  assert.deepEqual([spec.maskedPaths, spec.readonlyPaths], [[], []]);
  assert.deepEqual(spec.capabilities.bounding, [0]);
  assert.equal(mount(spec, '/dev/shm')!.data, 'mode=1777,size=134217728');
  assert.equal(spec.oomScoreAdj, -5);
  const cpus = buildContainerSpec(harness({}, { possibleCpus: [0, 1] }).input);
  assert.ok(cpus.maskedPaths.includes('/sys/devices/system/cpu/cpu1/thermal_throttle'));
});

test('configuration errors', () => {
  const e = (run: Partial<RunFlags>, over: Partial<ContainerPolicyInput>, re: RegExp): void => {
    assert.throws(() => buildContainerSpec(harness(run, over).input), re);
  };
  e({}, { config: {} }, /^LadeError: no command specified$/);
  e({ workdir: 'rel' }, {}, /the working directory 'rel' is invalid, it needs to be an absolute path/);
  e({ stopSignal: 'SIGNOPE' }, {}, /invalid signal: SIGNOPE/);
  e({}, { config: { Cmd: ['sh'], StopSignal: 'BAD' } }, /invalid signal: BAD/);
  e({ env: ['=x'] }, {}, /invalid environment variable: =x/);
  e({}, { config: { Cmd: ['sh'], Env: ['=bad'] } }, /invalid environment variable: =bad/);
  e({ capAdd: ['FLY'] }, {}, /unknown capability: "CAP_FLY"/);
  e({ user: 'alice:nogroup' }, {}, /unable to find group nogroup/);
  e({ groupAdd: ['video'] }, {}, /unable to find group video/);
  e({}, { id: 'short' }, /container ID is not 64 hex digits/);
});
