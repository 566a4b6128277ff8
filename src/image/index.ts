/**
 * Images as OCI describes them: documents, media types, the image store (names → manifests in
 * the content store), import, and docker-archive / OCI-layout save and load.
 */
export { MediaType, isConfigType, isIndexType, isManifestType, layerCompression, layerMediaType } from './media-types.js';
export type { LayerCompression } from './media-types.js';
export type { ContainerConfig, Descriptor, HealthConfig, HistoryEntry, ImageConfig, ImageIndex, Manifest, Platform } from './types.js';
export { documentKind, encodeDocument, parseConfig, parseDescriptor, parseIndex, parseManifest } from './documents.js';
export { HOST_PLATFORM, formatPlatform, selectManifest } from './platform.js';
export { inspectLayerBlob } from './layer-info.js';
export type { LayerInfo } from './layer-info.js';
export { importRootfs } from './import.js';
export { appendLayer } from './append-layer.js';
export { storeScannedLayer } from './store-layer.js';
export type { StoredLayer } from './store-layer.js';
export type { AppendLayerOptions, AppendLayerResult } from './append-layer.js';
export type { ImportOptions, ImportResult } from './import.js';
export { openImageStore, tagName, displayName, normalizeName, alive, withFileLock } from './store/index.js';
export type { ImageRecord, ImageStore, LoadedImage, PruneResult, RemoveOptions, RemoveResult, StoredImage } from './store/index.js';
export { loadArchive, resolveForSave, writeArchive } from './archive/index.js';
export type { LoadedArchiveImage, SaveOptions } from './archive/index.js';
export { compressLayer, compressedStream, withLayers } from './compress-layer.js';
export type { CompressedLayer } from './compress-layer.js';
