/**
 * The build context: scanned once per build (after .dockerignore), hashed lazily and only where
 * a COPY/ADD source selects, with a per-context index under lade's root so that unchanged files
 * are not read again. `ContextScan.contentKey` is the content part of a COPY/ADD cache key;
 * `ContextScan.matches` is what the copy takes, as BuildKit's copy would take it.
 */
export { contextIndexDir, scanContext } from './scan.js';
export { KEY_VERSION } from './content-key.js';
export type {
  ContextFile,
  ContextFileType,
  ContextMatch,
  ContextScan,
  SaveIndexResult,
  ScanOptions,
  ScanStats,
} from './types.js';
