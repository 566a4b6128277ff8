export { LadeError, isLadeError } from './lade-error.js';
export type { SourceLocation, LadeErrorOptions } from './lade-error.js';
export { ErrorCode } from './codes.js';
