// Cgroup layout detection from mountinfo fixtures (v1, v2, hybrid, nested) and /proc/<pid>/cgroup parsing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { detectCgroupLayout, parseProcCgroup } from '../../../src/executor/cgroups/index.js';
import { repoRoot } from '../../helpers/paths.js';

function fixture(name: string): string {
  return readFileSync(join(repoRoot, 'test', 'executor', 'cgroups', 'fixtures', name), 'utf8');
}

const m = (mountPoint: string, root = '/') => ({ mountPoint, root });

test('v1: controllers by hierarchy, co-mounted ones sharing a mount, named hierarchies ignored', () => {
  const layout = detectCgroupLayout(fixture('v1.mountinfo'));
  assert.equal(layout.kind, 'v1');
  assert.equal(layout.unified, undefined);
  assert.deepEqual(layout.v1['cpu'], m('/sys/fs/cgroup/cpu,cpuacct'));
  assert.deepEqual(layout.v1['cpuacct'], m('/sys/fs/cgroup/cpu,cpuacct'));
  assert.deepEqual(layout.v1['memory'], m('/sys/fs/cgroup/memory'));
  assert.deepEqual(layout.v1['pids'], m('/sys/fs/cgroup/pids'));
  assert.deepEqual(layout.v1['freezer'], m('/sys/fs/cgroup/freezer'));
  assert.deepEqual(layout.v1['cpuset'], m('/sys/fs/cgroup/cpuset'), 'clone_children is an option, not a controller');
  assert.deepEqual(layout.v1['net_prio'], m('/sys/fs/cgroup/net_cls,net_prio'));
  assert.deepEqual(
    Object.keys(layout.v1).sort(),
    ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'net_cls', 'net_prio', 'perf_event', 'pids'],
  );
});

test('v2: one cgroup2 hierarchy at /sys/fs/cgroup', () => {
  const layout = detectCgroupLayout(fixture('v2.mountinfo'));
  assert.equal(layout.kind, 'v2');
  assert.deepEqual(layout.unified, m('/sys/fs/cgroup'));
  assert.deepEqual(layout.v1, {});
});

test('hybrid: v1 controllers plus systemd’s unified mount', () => {
  const layout = detectCgroupLayout(fixture('hybrid.mountinfo'));
  assert.equal(layout.kind, 'hybrid');
  assert.deepEqual(layout.unified, m('/sys/fs/cgroup/unified'));
  assert.deepEqual(layout.v1['memory'], m('/sys/fs/cgroup/memory'));
  assert.deepEqual(layout.v1['cpu'], m('/sys/fs/cgroup/cpu,cpuacct'));
  assert.deepEqual(layout.v1['rdma'], m('/sys/fs/cgroup/rdma'));
  assert.equal(layout.v1['name=systemd'], undefined);
  assert.equal(layout.v1['systemd'], undefined);
});

test('a named v1 hierarchy alone beside cgroup2 is v2; nothing mounted is none', () => {
  const named = '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n' + fixture('v2.mountinfo');
  assert.equal(detectCgroupLayout(named).kind, 'v2');
  const none = detectCgroupLayout('22 29 0:21 / /proc rw - proc proc rw\n29 1 254:1 / / rw - ext4 /dev/vda1 rw\n');
  assert.deepEqual(none, { kind: 'none', v1: {}, unified: undefined });
  assert.equal(detectCgroupLayout('').kind, 'none');
});

test('mounted sub-trees keep their root; a whole-tree mount wins; escaped paths are decoded', () => {
  const layout = detectCgroupLayout(fixture('v1-nested.mountinfo'));
  assert.equal(layout.kind, 'v1');
  assert.deepEqual(layout.v1['pids'], m('/sys/fs/cgroup/pids', '/docker/abc'));
  assert.deepEqual(layout.v1['memory'], m('/host cgroups/memory'), 'the later mount shows the whole hierarchy');
});

test('optional fields before the separator are skipped, whatever their number', () => {
  const line = '36 35 0:31 / /sys/fs/cgroup rw,nosuid shared:10 master:3 propagate_from:2 - cgroup2 cgroup2 rw\n';
  assert.deepEqual(detectCgroupLayout(line).unified, m('/sys/fs/cgroup'));
});

test('/proc/self/cgroup: v1 lines by controller, the 0:: line as unified', () => {
  const own = parseProcCgroup(
    '12:pids:/user.slice\n11:cpu,cpuacct:/user.slice/a\n4:memory:/process_api/x\n1:name=systemd:/init.scope\n0::/user.slice/u.scope\n',
  );
  assert.deepEqual(own.v1, { pids: '/user.slice', cpu: '/user.slice/a', cpuacct: '/user.slice/a', memory: '/process_api/x', 'name=systemd': '/init.scope' });
  assert.equal(own.unified, '/user.slice/u.scope');
  assert.deepEqual(parseProcCgroup('0::/\n'), { v1: {}, unified: '/' });
  assert.deepEqual(parseProcCgroup('4:memory:/a\n'), { v1: { memory: '/a' }, unified: undefined });
});
