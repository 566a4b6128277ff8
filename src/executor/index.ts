// The executor's public face: the sandbox spec (the helper's contract), the container policy
// that fills it in, and (added by their owners) the bridge to the helper and cgroups.
export * from './sandbox-spec.js';
export * from './policy/index.js';
export {
  startSandbox,
  sandboxHelperPath,
  decodeLogRecords,
  type SandboxExit,
  type SandboxHandle,
  type SandboxIo,
  type SandboxStdio,
  type SandboxSetupError,
  type StartedSandbox,
  type LogRecord,
} from './bridge/index.js';
export {
  createCgroup,
  openCgroup,
  parseCpus,
  parseMemoryBytes,
  parseMemorySwapBytes,
  readCgroupLayout,
  type CgroupLimits,
  type ContainerCgroup,
} from './cgroups/index.js';
