/**
 * Containers: their records and state under --root, and the lifecycle — create, start (through
 * the executor's policy and sandbox helper), stop, kill, wait, remove, exec, commit, logs.
 */
export { openRuntime } from './runtime.js';
export type { Runtime, RuntimeOptions } from './runtime.js';
export type { ContainerEntry, ContainerStore } from './store.js';
export type { ContainerRecord, ContainerState, ContainerStatus } from './records.js';
export { ZERO_TIME, initialState } from './records.js';
export { newContainerId, randomName, validateName } from './ids.js';
export { createContainer } from './create.js';
export type { CreateRequest } from './create.js';
export { startContainer, finalizeContainer, exitCodeFor } from './start.js';
export type { StartOptions } from './start.js';
export { DEFAULT_STOP_TIMEOUT, killContainer, removeContainer, removeFiles, stopContainer, waitContainer, waitUntilStopped } from './control.js';
export { observeContainer } from './observe.js';
export { execInContainer } from './exec.js';
export type { ExecOptions } from './exec.js';
export { commitContainer } from './commit.js';
export type { CommitOptions } from './commit.js';
export { formatLogTime, readLogLines } from './logs.js';
export type { LogLine, ReadLogOptions } from './logs.js';
export { EXIT_RECORD, LOG_FILE, readExitRecord } from './status.js';
export { dockerConfig } from './docker-config.js';
export type { DockerContainerConfig } from './docker-config.js';
export { copyPath, extractInto, parseCopyArg, tarOf, withContainerRoot } from './copy.js';
export type { CopyOptions } from './copy.js';
export { imagesInUse } from './images-in-use.js';
