/** Build ops: the graph's op kinds bound to snapshots, the sandbox and the stores. */
export { createBuildAdapter } from './adapter.js';
export type { BuildDeps, CacheLayers } from './deps.js';
export { loadBaseImage, resolveBaseImage } from './sources.js';
export type { BuildResult, ContextResult, LayerRef, RootfsResult } from './results.js';
export { ensureRootfs, resultLayers, rootfsOf } from './results.js';
export { exportImage } from './export.js';
export type { ExportOptions, ExportResult } from './export.js';
export { removeAbandoned, removeAbandonedDirs, scratchDirName } from './scratch.js';
