/**
 * Dockerfile word expansion: a TypeScript implementation of BuildKit's shell lexer
 * (frontend/dockerfile/shell), matching its results and error messages.
 */
export type { EnvGetter, LexOptions, ProcessWordResult, ShellLexer } from './types.js';
export { createShellLexer } from './lexer.js';
export { envFromList, envFromRecord } from './env.js';
