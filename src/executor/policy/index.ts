// The container policy: every decision Docker makes when it turns an image config and
// `docker run`/`docker exec` flags into a process, as pure functions producing a SandboxSpec.
export {
  type CapabilityName,
  type CapabilityRequest,
  DEFAULT_CAPABILITIES,
  LAST_CAPABILITY,
  allCapabilities,
  capabilitiesFromProcStatus,
  capabilityName,
  capabilityNumber,
  capabilitySets,
  normalizeCapabilities,
  resolveCapabilities,
} from './capabilities.js';
export {
  DEFAULT_PATH_ENV,
  DEFAULT_SHM_SIZE,
  defaultDevices,
  defaultMaskedPaths,
  defaultMounts,
  defaultReadonlyPaths,
  defaultSymlinks,
  parseCpuList,
} from './defaults.js';
export { type ParsedMountOptions, mergeTmpfsOptions, parseMountOptions, ramInBytes } from './mount-options.js';
export {
  type ExecUser,
  type GroupEntry,
  type PasswdEntry,
  type ProcessUser,
  homeForUid,
  parseGroup,
  parsePasswd,
  resolveAdditionalGroups,
  resolveExecUser,
  resolveProcessUser,
} from './user.js';
export {
  type EnvFile,
  type EnvLookup,
  daemonEnvironment,
  finalizeEnv,
  mergeImageEnv,
  parseEnvFile,
  parseEnvFlag,
  replaceOrAppendEnv,
  userEnvironment,
} from './env.js';
export { type CommandInput, type ResolvedCommand, commandArgs, resolveCommand, resolveWorkingDir } from './command.js';
export { type MountRequest, type Propagation, parseMountFlag, parseTmpfsFlag, parseVolumeFlag } from './volume-flags.js';
export { type MountPlan, type MountPlanContext, type SourceKind, bindMount, planMounts, tmpfsMount } from './mount-plan.js';
export { SIGKILL, SIGTERM, isValidSignal, parseKillSignal, parseSignal, signalName, stopSignal, validateStopSignal } from './signals.js';
export { type EtcFiles, type EtcFilesInput, type NetworkMode, buildHosts, buildResolvConf, generateEtcFiles } from './etc-files.js';
export {
  type ExtraHost,
  type RunFlags,
  type SecurityOptions,
  defaultRunFlags,
  parseAddHost,
  parseNetwork,
  parseSecurityOpts,
  parseShmSize,
  validateOomScoreAdj,
} from './run-flags.js';
export {
  type ContainerConfig,
  type ContainerHostConfig,
  type ImageRunConfig,
  type ResolveContainerInput,
  type ResolvedContainer,
  resolveContainerConfig,
} from './container-config.js';
export {
  type ContainerPolicyInput,
  type ContainerRuntimeInput,
  type RootfsMountInput,
  buildContainerSpec,
  buildContainerSpecFromConfig,
  rootfsMountsOf,
} from './container-spec.js';
export { type ExecFlags, type ExecPolicyInput, buildExecSpec } from './exec-spec.js';
export { type BuildStepInput, BUILD_HOSTNAME, buildStepSpec } from './build-step-spec.js';
