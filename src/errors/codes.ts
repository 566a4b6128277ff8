/**
 * Error codes are part of lade's interface: scripts may match on them, so a code is never reused
 * for a different meaning. Group prefixes name the module that raises them.
 */
export const ErrorCode = {
  /** Command-line usage: unknown flag, wrong argument count, bad flag value. */
  Usage: 'USAGE',
  /** A file the user named cannot be read. */
  FileRead: 'FILE_READ',
  /** The Dockerfile does not parse (syntax level). */
  DockerfileSyntax: 'DOCKERFILE_SYNTAX',
  /** The Dockerfile parses but an instruction is invalid (flags, argument counts, stages). */
  DockerfileInstruction: 'DOCKERFILE_INSTRUCTION',
  /** Word expansion failed (`${V:?msg}`, unterminated quote, bad substitution). */
  ShellExpansion: 'SHELL_EXPANSION',
  /** A .dockerignore pattern is malformed. */
  DockerignorePattern: 'DOCKERIGNORE_PATTERN',
  /** An image reference that does not parse (`Invalid reference format`). */
  InvalidReference: 'INVALID_REFERENCE',
  /** A bug: an invariant inside lade did not hold. */
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
