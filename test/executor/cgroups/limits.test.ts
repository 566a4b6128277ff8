// Docker's limit validation and the cgroup files each limit becomes on v1 and v2 (no root needed).
import assert from 'node:assert/strict';
import test from 'node:test';
import { ErrorCode } from '../../../src/errors/index.js';
import {
  cgroupParent,
  cpuQuotaUs,
  cpuSharesToWeight,
  neededControllers,
  planLimitWrites,
  validateLimits,
  type CgroupLimits,
} from '../../../src/executor/cgroups/index.js';

const MiB = 1024 * 1024;

function rejects(limits: CgroupLimits, message: string | RegExp, cpuCount = 2): void {
  assert.throws(() => validateLimits(limits, cpuCount), (err: Error & { code?: string; hint?: string }) => {
    assert.equal(err.code, ErrorCode.CgroupInvalidLimit);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    assert.ok(err.hint);
    return true;
  });
}

test('validateLimits: Docker’s memory rules and messages', () => {
  validateLimits({}, 2);
  validateLimits({ memory: 6 * MiB, memorySwap: -1 }, 2);
  validateLimits({ memory: 32 * MiB, memorySwap: 32 * MiB }, 2);
  rejects({ memory: 6 * MiB - 1 }, 'Minimum memory limit allowed is 6MB');
  rejects({ memory: -(2 ** 63) }, 'Minimum memory limit allowed is 6MB');
  rejects({ memory: 64 * MiB, memorySwap: 32 * MiB }, 'Minimum memoryswap limit should be larger than memory limit, see usage');
  rejects({ memorySwap: 64 * MiB }, 'You should always set the Memory limit when using Memoryswap limit, see usage');
  rejects({ memory: 64 * MiB, memorySwap: -2 }, /invalid memory-swap value -2/);
  rejects({ memory: 1.5 * MiB + 0.5 }, /must be an integer/);
});

test('validateLimits: CPU range against the host’s CPUs, the kernel’s minimum quota, shares', () => {
  validateLimits({ cpus: 0.01 }, 2);
  validateLimits({ cpus: 2 }, 2);
  validateLimits({ cpus: 0 }, 2);
  rejects({ cpus: 2.5 }, 'range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
  rejects({ cpus: -1 }, 'range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available', 4);
  rejects({ cpus: 0.009 }, /below the smallest CPU limit the kernel accepts, 0.01/);
  rejects({ cpus: Number.NaN }, /invalid cpus value NaN/);
  rejects({ cpuShares: -5 }, 'invalid CPU shares (-5): value must be a positive integer');
  validateLimits({ cpuShares: 512, pidsLimit: -1 }, 2);
  rejects({ pidsLimit: 1.5 }, /invalid pids-limit value 1.5/);
});

test('neededControllers: only what the limits use (no limits, no controller)', () => {
  assert.deepEqual(neededControllers({}), []);
  assert.deepEqual(neededControllers({ pidsLimit: 0, cpus: 0, memory: 0, memorySwap: -1 }), []);
  assert.deepEqual(neededControllers({ pidsLimit: -1 }), []);
  assert.deepEqual(neededControllers({ memory: 8 * MiB, cpuShares: 2, pidsLimit: 5 }), ['memory', 'cpu', 'pids']);
  assert.deepEqual(neededControllers({ cpus: 0.5 }), ['cpu']);
});

test('v1 files: memsw is 2 × memory by default, as asked otherwise, skipped without swap accounting', () => {
  const w = (limits: CgroupLimits, swapAccounting = true) =>
    planLimitWrites(limits, 'v1', swapAccounting).map((x) => `${x.controller}:${x.file}=${x.value}`);
  assert.deepEqual(w({ memory: 32 * MiB }), ['memory:memory.limit_in_bytes=33554432', 'memory:memory.memsw.limit_in_bytes=67108864']);
  assert.deepEqual(w({ memory: 32 * MiB, memorySwap: 48 * MiB }), ['memory:memory.limit_in_bytes=33554432', 'memory:memory.memsw.limit_in_bytes=50331648']);
  assert.deepEqual(w({ memory: 32 * MiB, memorySwap: -1 }), ['memory:memory.limit_in_bytes=33554432']);
  assert.deepEqual(w({ memory: 32 * MiB }, false), ['memory:memory.limit_in_bytes=33554432']);
  assert.deepEqual(w({ cpus: 0.5, cpuShares: 512, pidsLimit: 5 }), [
    'cpu:cpu.cfs_period_us=100000',
    'cpu:cpu.cfs_quota_us=50000',
    'cpu:cpu.shares=512',
    'pids:pids.max=5',
  ]);
  assert.deepEqual(w({ pidsLimit: 0, cpus: 0 }), []);
});

test('an explicit --memory-swap without swap accounting is an error, not a silent drop', () => {
  for (const version of ['v1', 'v2'] as const) {
    assert.throws(() => planLimitWrites({ memory: 32 * MiB, memorySwap: 64 * MiB }, version, false), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCode.CgroupUnavailable);
      assert.match(err.message, /--memory-swap 67108864 cannot be applied: the kernel does not account swap/);
      return true;
    });
  }
});

test('v2 files: memory.max, swap alone in memory.swap.max, cpu.max, cpu.weight, pids.max', () => {
  const w = (limits: CgroupLimits, swapAccounting = true) =>
    planLimitWrites(limits, 'v2', swapAccounting).map((x) => `${x.controller}:${x.file}=${x.value}`);
  assert.deepEqual(w({ memory: 32 * MiB }), ['memory:memory.max=33554432', 'memory:memory.swap.max=33554432']);
  assert.deepEqual(w({ memory: 32 * MiB, memorySwap: 32 * MiB }), ['memory:memory.max=33554432', 'memory:memory.swap.max=0']);
  assert.deepEqual(w({ memory: 32 * MiB, memorySwap: -1 }), ['memory:memory.max=33554432']);
  assert.deepEqual(w({ cpus: 1.5, cpuShares: 1024, pidsLimit: 100 }), ['cpu:cpu.max=150000 100000', 'cpu:cpu.weight=100', 'pids:pids.max=100']);
});

test('CFS quota is Go’s integer NanoCPUs * 100000 / 1e9', () => {
  assert.equal(cpuQuotaUs(0.5), 50_000);
  assert.equal(cpuQuotaUs(0.01), 1_000);
  assert.equal(cpuQuotaUs(0.333333333), 33_333);
  assert.equal(cpuQuotaUs(1.000009999), 100_000);
  assert.equal(cpuQuotaUs(64), 6_400_000);
});

test('cpu.weight from shares: runc’s mapping, values computed by Go', () => {
  const go: [number, number][] = [[2, 1], [3, 2], [10, 4], [100, 17], [512, 59], [1024, 100], [2048, 174], [100_000, 4340], [262_143, 10_000], [262_144, 10_000], [1_000_000, 10_000]];
  for (const [shares, weight] of go) assert.equal(cpuSharesToWeight(shares), weight, `shares ${shares}`);
});

test('cgroupParent: /lade by default, LADE_CGROUP_PARENT cleaned, ".." refused', () => {
  assert.equal(cgroupParent({}), '/lade');
  assert.equal(cgroupParent({ LADE_CGROUP_PARENT: '/ci//lade/' }), '/ci/lade');
  assert.equal(cgroupParent({ LADE_CGROUP_PARENT: 'nested' }), 'nested');
  assert.equal(cgroupParent({ LADE_CGROUP_PARENT: '/' }), '/');
  for (const bad of ['', '../x', '/a/../../b', '.']) {
    assert.throws(() => cgroupParent({ LADE_CGROUP_PARENT: bad }), (err: Error & { code?: string }) => err.code === ErrorCode.CgroupInvalidLimit);
  }
});
