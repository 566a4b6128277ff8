export { resolveForSave, writeArchive } from './save.js';
export type { SaveOptions } from './save.js';
export { loadArchive } from './load.js';
export type { LoadedArchiveImage } from './load.js';
