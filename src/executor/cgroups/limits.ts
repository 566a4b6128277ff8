/**
 * Container resource limits: Docker's validation (daemon/daemon_unix.go
 * verifyPlatformContainerResources and adaptContainerSettings) and the cgroup files each limit
 * becomes on v1 and v2 (as runc writes them). Where Docker only warns and drops a limit the
 * host cannot apply, lade refuses: a limit the user asked for is never silently ignored.
 */
import { availableParallelism } from 'node:os';
import { ErrorCode, LadeError } from '../../errors/index.js';

export interface CgroupLimits {
  /** `--memory`, in bytes; 0 or absent for none. */
  memory?: number;
  /** `--memory-swap`: memory plus swap, in bytes; -1 unlimited swap; absent or 0 for Docker's default (2 × memory). */
  memorySwap?: number;
  /** `--cpus`: fractional CPUs, e.g. 1.5. */
  cpus?: number;
  /** `--cpu-shares`: relative weight (v1 shares; converted to cpu.weight on v2). */
  cpuShares?: number;
  /** `--pids-limit`; 0 or negative for unlimited. */
  pidsLimit?: number;
}

export type LimitController = 'memory' | 'cpu' | 'pids';

export interface CgroupWrite {
  readonly controller: LimitController;
  readonly file: string;
  readonly value: string;
}

/** Docker's linuxMinMemory: 6 MiB. */
export const MIN_MEMORY = 6_291_456;
/** Docker's CFS period for `--cpus`: 100 ms. */
export const CPU_PERIOD_US = 100_000;
/** The kernel refuses a CFS quota below 1 ms (sched-bwc.txt). */
const MIN_CPU_QUOTA_US = 1_000;

function invalid(message: string, hint: string): LadeError {
  return new LadeError(ErrorCode.CgroupInvalidLimit, message, { hint });
}

/** `--cpus` as whole nano-CPUs, as Docker's NanoCPUs holds it. */
export function nanoCpus(cpus: number): number {
  return Math.round(cpus * 1e9);
}

/** Microseconds of CPU per CPU_PERIOD_US: Go's integer NanoCPUs * period / 1e9. */
export function cpuQuotaUs(cpus: number): number {
  return Math.trunc(nanoCpus(cpus) / (1e9 / CPU_PERIOD_US));
}

function checkInteger(name: string, value: number | undefined): void {
  if (value !== undefined && !Number.isInteger(value)) {
    throw invalid(`invalid ${name} value ${value}: must be an integer`, `Give ${name} as a whole number.`);
  }
}

/**
 * Docker's checks, with its messages, plus the kernel's minimum CFS quota (Docker leaves that
 * to runc, which fails with a bare EINVAL). `cpuCount` is the number of usable CPUs
 * (runtime.NumCPU, i.e. the affinity mask).
 */
export function validateLimits(limits: CgroupLimits, cpuCount: number = availableParallelism()): void {
  checkInteger('memory', limits.memory);
  checkInteger('memory-swap', limits.memorySwap);
  checkInteger('cpu-shares', limits.cpuShares);
  checkInteger('pids-limit', limits.pidsLimit);
  const memory = limits.memory ?? 0;
  const swap = limits.memorySwap ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY) {
    throw invalid('Minimum memory limit allowed is 6MB', 'Give --memory 6m or more.');
  }
  if (swap < -1) throw invalid(`invalid memory-swap value ${swap}`, 'Give -1 for unlimited swap, or memory plus swap in bytes.');
  if (memory > 0 && swap > 0 && swap < memory) {
    throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage', '--memory-swap is memory plus swap: give at least --memory.');
  }
  if (memory === 0 && swap > 0) {
    throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage', 'Add --memory.');
  }
  if (limits.cpus !== undefined) {
    if (!Number.isFinite(limits.cpus)) throw invalid(`invalid cpus value ${limits.cpus}`, 'Give a number of CPUs such as 1.5.');
    const nano = nanoCpus(limits.cpus);
    if (nano < 0 || nano > cpuCount * 1e9) {
      throw invalid(`range of CPUs is from 0.01 to ${cpuCount}.00, as there are only ${cpuCount} CPUs available`, `Give --cpus between 0.01 and ${cpuCount}.`);
    }
    if (nano > 0 && cpuQuotaUs(limits.cpus) < MIN_CPU_QUOTA_US) {
      throw invalid(`--cpus ${limits.cpus} is below the smallest CPU limit the kernel accepts, 0.01 (a CFS quota of 1ms per 100ms)`, 'Give --cpus 0.01 or more.');
    }
  }
  if (limits.cpuShares !== undefined && limits.cpuShares < 0) {
    throw invalid(`invalid CPU shares (${limits.cpuShares}): value must be a positive integer`, 'Give --cpu-shares as a positive number (1024 is the default weight).');
  }
}

/** The controllers the given (validated) limits need. */
export function neededControllers(limits: CgroupLimits): LimitController[] {
  const needed: LimitController[] = [];
  if ((limits.memory ?? 0) > 0) needed.push('memory');
  if (nanoCpus(limits.cpus ?? 0) > 0 || (limits.cpuShares ?? 0) > 0) needed.push('cpu');
  if ((limits.pidsLimit ?? 0) > 0) needed.push('pids');
  return needed;
}

/**
 * runc's shares → cpu.weight mapping: a quadratic in log2(shares) through (2, 1), (1024, 100)
 * and (262144, 10000), so the v1 default maps to the v2 default.
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares <= 2) return 1;
  if (shares >= 262_144) return 10_000;
  const l = Math.log2(shares);
  return Math.ceil(10 ** ((l * l + 125 * l) / 612 - 7 / 34));
}

/**
 * The memory+swap limit Docker applies: 2 × memory by default, as asked otherwise; undefined
 * for unlimited (nothing to write: a new cgroup starts unlimited).
 */
function memoryAndSwap(limits: CgroupLimits, swapAccounting: boolean): number | undefined {
  const memory = limits.memory ?? 0;
  const swap = limits.memorySwap ?? 0;
  if (memory <= 0 || swap === -1) return undefined;
  if (swapAccounting) return swap === 0 ? memory * 2 : swap;
  // Docker's default needs swap accounting and is skipped without it, as Docker does (with a
  // warning); an explicit --memory-swap is a request lade cannot honour.
  if (swap === 0) return undefined;
  throw new LadeError(ErrorCode.CgroupUnavailable, `--memory-swap ${swap} cannot be applied: the kernel does not account swap in cgroups`, {
    hint: 'Boot with swapaccount=1 (cgroup v1) or a kernel with CONFIG_MEMCG_SWAP, or drop --memory-swap.',
  });
}

/**
 * The files to write, in order, for `limits` on a fresh cgroup. `swapAccounting` tells whether
 * the memory cgroup has memory.memsw.limit_in_bytes (v1) or memory.swap.max (v2).
 */
export function planLimitWrites(limits: CgroupLimits, version: 'v1' | 'v2', swapAccounting: boolean): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  const memory = limits.memory ?? 0;
  if (memory > 0) {
    const memsw = memoryAndSwap(limits, swapAccounting);
    if (version === 'v1') {
      // The memory limit first: the kernel keeps memsw >= memory at every step.
      writes.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: String(memory) });
      if (memsw !== undefined) writes.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: String(memsw) });
    } else {
      writes.push({ controller: 'memory', file: 'memory.max', value: String(memory) });
      // v2 limits swap alone: memory+swap minus memory.
      if (memsw !== undefined) writes.push({ controller: 'memory', file: 'memory.swap.max', value: String(memsw - memory) });
    }
  }
  const cpus = limits.cpus ?? 0;
  if (nanoCpus(cpus) > 0) {
    const quota = String(cpuQuotaUs(cpus));
    if (version === 'v1') {
      writes.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(CPU_PERIOD_US) });
      writes.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: quota });
    } else {
      writes.push({ controller: 'cpu', file: 'cpu.max', value: `${quota} ${CPU_PERIOD_US}` });
    }
  }
  const shares = limits.cpuShares ?? 0;
  if (shares > 0) {
    if (version === 'v1') writes.push({ controller: 'cpu', file: 'cpu.shares', value: String(shares) });
    else writes.push({ controller: 'cpu', file: 'cpu.weight', value: String(cpuSharesToWeight(shares)) });
  }
  const pids = limits.pidsLimit ?? 0;
  if (pids > 0) writes.push({ controller: 'pids', file: 'pids.max', value: String(pids) });
  return writes;
}
