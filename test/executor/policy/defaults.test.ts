// Docker's default mounts, devices, links, masked and read-only paths (moby daemon/pkg/oci/defaults.go;
// runc libcontainer/rootfs_linux.go for devices and /dev links) and mount option parsing.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  MS,
  defaultDevices,
  defaultMaskedPaths,
  defaultMounts,
  defaultReadonlyPaths,
  defaultSymlinks,
  mergeTmpfsOptions,
  parseCpuList,
  parseMountOptions,
  ramInBytes,
} from '../../../src/executor/index.js';

test("default mounts: Docker's list, flags and data", () => {
  const got = defaultMounts().map((m) => [m.destination, m.type, m.source, m.flags, m.data, m.propagation, m.create]);
  assert.deepEqual(got, [
    ['/proc', 'proc', 'proc', MS.NOSUID | MS.NOEXEC | MS.NODEV, '', 0, 'dir'],
    ['/dev', 'tmpfs', 'tmpfs', MS.NOSUID | MS.STRICTATIME, 'mode=755,size=65536k', 0, 'dir'],
    ['/dev/pts', 'devpts', 'devpts', MS.NOSUID | MS.NOEXEC, 'newinstance,ptmxmode=0666,mode=0620,gid=5', 0, 'dir'],
    ['/sys', 'sysfs', 'sysfs', MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RDONLY, '', 0, 'dir'],
    ['/dev/mqueue', 'mqueue', 'mqueue', MS.NOSUID | MS.NOEXEC | MS.NODEV, '', 0, 'dir'],
    ['/dev/shm', 'tmpfs', 'shm', MS.NOSUID | MS.NOEXEC | MS.NODEV, 'mode=1777,size=67108864', 0, 'dir'],
  ]);
  assert.equal(defaultMounts(128 * 1024 * 1024).at(-1)!.data, 'mode=1777,size=134217728');
});

test('default devices: null zero full random urandom tty, 0666 root:root', () => {
  assert.deepEqual(
    defaultDevices().map((d) => `${d.path} ${d.kind} ${d.major}:${d.minor} ${d.mode.toString(8)} ${d.uid}:${d.gid}`),
    ['/dev/null c 1:3 666 0:0', '/dev/zero c 1:5 666 0:0', '/dev/full c 1:7 666 0:0', '/dev/random c 1:8 666 0:0', '/dev/urandom c 1:9 666 0:0', '/dev/tty c 5:0 666 0:0'],
  );
  assert.deepEqual(
    defaultSymlinks().map((l) => `${l.path} -> ${l.target}`),
    ['/dev/fd -> /proc/self/fd', '/dev/stdin -> /proc/self/fd/0', '/dev/stdout -> /proc/self/fd/1', '/dev/stderr -> /proc/self/fd/2', '/dev/core -> /proc/kcore', '/dev/ptmx -> pts/ptmx'],
  );
});

test('masked and read-only paths are moby\'s, with a thermal_throttle mask per possible CPU', () => {
  const masked = defaultMaskedPaths();
  assert.deepEqual(masked, [
    '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/sched_debug',
    '/proc/scsi', '/proc/timer_list', '/proc/timer_stats', '/sys/devices/virtual/powercap', '/sys/firmware',
  ]);
  assert.deepEqual(defaultMaskedPaths([0, 2]).slice(12), ['/sys/devices/system/cpu/cpu0/thermal_throttle', '/sys/devices/system/cpu/cpu2/thermal_throttle']);
  assert.deepEqual(defaultReadonlyPaths(), ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  assert.deepEqual(parseCpuList('0-3,6\n'), [0, 1, 2, 3, 6]);
  assert.deepEqual(parseCpuList('0\n'), [0]);
});

test('mount options: flags set and cleared in order, last propagation wins, the rest is data', () => {
  const table: [string[], number, number, string][] = [
    [['ro'], MS.RDONLY, 0, ''],
    [['ro', 'rw'], 0, 0, ''],
    [['rbind', 'ro', 'rprivate'], MS.BIND | MS.REC | MS.RDONLY, MS.PRIVATE | MS.REC, ''],
    [['bind', 'rslave', 'shared'], MS.BIND, MS.SHARED, ''],
    [['noexec', 'exec', 'nosuid', 'nodev', 'size=64m', 'mode=1777'], MS.NOSUID | MS.NODEV, 0, 'size=64m,mode=1777'],
    [['lowerdir=1:2', 'upperdir=u', 'workdir=w', 'index=off'], 0, 0, 'lowerdir=1:2,upperdir=u,workdir=w,index=off'],
    [['defaults', '', 'noatime', 'strictatime', 'relatime'], MS.NOATIME | MS.STRICTATIME | MS.RELATIME, 0, ''],
    [['sync', 'dirsync', 'nodiratime'], 0x10 | 0x80 | 0x800, 0, ''],
  ];
  for (const [opts, flags, propagation, data] of table) {
    assert.deepEqual(parseMountOptions(opts), { flags, propagation, data }, opts.join(','));
  }
});

test('tmpfs options merge as moby does: the last word per flag, propagation and key wins', () => {
  const base = ['noexec', 'nosuid', 'nodev', 'rprivate'];
  const table: [string[], string[]][] = [
    [[], ['noexec', 'nosuid', 'nodev', 'rprivate']],
    [['exec'], ['nosuid', 'nodev', 'rprivate', 'exec']],
    [['size=64m', 'size=1g', 'mode=1777'], ['noexec', 'nosuid', 'nodev', 'rprivate', 'size=1g', 'mode=1777']],
    [['rshared', 'ro', 'rw'], ['noexec', 'nosuid', 'nodev', 'rshared', 'rw']],
    [['defaults', 'uid=1000', 'gid=1000', 'nr_inodes=10k'], ['noexec', 'nosuid', 'nodev', 'rprivate', 'uid=1000', 'gid=1000', 'nr_inodes=10k']],
  ];
  for (const [user, want] of table) assert.deepEqual(mergeTmpfsOptions([...base, ...user]), want, user.join(','));
  assert.throws(() => mergeTmpfsOptions(['huge=always']), /invalid tmpfs option "huge"/);
  assert.throws(() => mergeTmpfsOptions(['bogus']), /invalid tmpfs option "bogus"/);
});

// Expected values checked by running go-units' RAMInBytes on the same inputs.
test('sizes parse as go-units RAMInBytes (binary multiples)', () => {
  const table: [string, number][] = [
    ['0', 0], ['100', 100], ['64m', 64 * 1024 ** 2], ['64M', 64 * 1024 ** 2], ['1g', 1024 ** 3], ['1.5g', 1.5 * 1024 ** 3],
    ['512k', 512 * 1024], ['512kb', 512 * 1024], ['512KiB', 512 * 1024], ['10b', 10], ['1 GB', 1024 ** 3], ['2t', 2 * 1024 ** 4],
    ['1e3', 1000], ['.5k', 512], ['5.k', 5120],
  ];
  for (const [text, want] of table) assert.equal(ramInBytes(text), want, text);
  assert.throws(() => ramInBytes('abc'), /invalid size: 'abc'/);
  assert.throws(() => ramInBytes('64x'), /invalid suffix: 'x'/);
  assert.throws(() => ramInBytes('64mx'), /invalid suffix: 'mx'/);
  assert.throws(() => ramInBytes('64kbb'), /invalid suffix: 'kbb'/);
  assert.throws(() => ramInBytes('-1m'), /invalid size: '-1m'/);
  assert.throws(() => ramInBytes('1.2.3m'), /invalid syntax/);
});
