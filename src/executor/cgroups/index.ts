// Container resource limits through cgroups (v1, v2 and the hybrid layout), with Docker's flag
// parsers and validation.
export { createCgroup, cgroupParent, DEFAULT_CGROUP_PARENT } from './create.js';
export { openCgroup, type ContainerCgroup } from './container-cgroup.js';
export {
  validateLimits,
  neededControllers,
  planLimitWrites,
  cpuSharesToWeight,
  cpuQuotaUs,
  CPU_PERIOD_US,
  MIN_MEMORY,
  type CgroupLimits,
  type CgroupWrite,
  type LimitController,
} from './limits.js';
export { parseMemoryBytes, parseMemorySwapBytes, parseCpus, parseNanoCpus } from './parse-limits.js';
export {
  detectCgroupLayout,
  parseProcCgroup,
  readCgroupLayout,
  type CgroupLayout,
  type CgroupLayoutKind,
  type CgroupMount,
  type ProcCgroup,
} from './layout.js';
