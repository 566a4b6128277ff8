// The bridge to the sandbox helper (native/sandbox): the only TypeScript that touches native/.
export { startSandbox } from './start.js';
export type { SandboxExit, SandboxHandle, SandboxIo, SandboxStdio, StartedSandbox, StartOptions } from './start.js';
export { encodeSpec, parseReport, PROTOCOL_MAGIC } from './protocol.js';
export type { WirePidReport, WireReport } from './protocol.js';
export { sandboxHelperPath } from './helper-path.js';
export { setupError, errnoName } from './setup-error.js';
export type { SandboxSetupError } from './setup-error.js';
export { decodeLogRecords } from './log-records.js';
export type { LogRecord } from './log-records.js';
