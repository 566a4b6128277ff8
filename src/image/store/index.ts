export { openImageStore, tagName, displayName, normalizeName } from './image-store.js';
export type { ImageStore, StoredImage, LoadedImage, NewImage, RemoveOptions, RemoveResult, PruneResult } from './image-store.js';
export type { ImageRecord, TagRecord } from './records.js';
export type { Lease } from './leases.js';
export { alive, withFileLock } from './lock.js';
