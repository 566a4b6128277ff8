export { makeEntry, type EntryType, type LayerEntry } from './entry.js';
export { readLayer, type LayerBody, type LayerRecord } from './read-layer.js';
export { writeLayer, type BodySource, type LayerSource } from './write-layer.js';
export { measureLayer, type LayerMeasure } from './measure-layer.js';
export { FileBody } from './file-body.js';
export { packDirectory, type PackOptions } from './pack-directory.js';
export { applyLayer, type ApplyStats } from './apply-layer.js';
export { applyLayerOnThread } from './apply-thread.js';
export type { ApplyOptions, WhiteoutMode } from './apply-state.js';
export {
  walkTree,
  entryFromNode,
  HardlinkTracker,
  defaultIncludeXattr,
  BUILDKIT_ENTRY_OPTIONS,
  type WalkedNode,
  type EntryOptions,
} from './walk.js';
export { classifyEntry, type EntryRole } from './whiteout.js';
export { RootResolver } from './resolve-in-root.js';
