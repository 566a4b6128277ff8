/** Content-addressed blobs, OCI digests and the layer codecs: the bottom of the image stack. */
export {
  digestAlgorithm,
  digestHex,
  digestOf,
  isDigest,
  parseDigest,
  sha256Digest,
} from './digest.js';
export type { Digest, DigestAlgorithm } from './digest.js';

export { DEFAULT_MAX_READ_BYTES, openContentStore } from './store.js';
export type { BlobSource, CleanIngestOptions, ContentStore, OpenReadOptions, ReadBytesOptions } from './store.js';
export type { BlobInfo, ExpectedBlob, WriteResult } from './ingest.js';
export type { BlobWriter } from './blob-writer.js';

export { cleanAtomicTemps, replaceFileSync, writeFileAtomic } from './atomic-file.js';
export { eachLimited } from './each-limited.js';
export { registerMaterializer } from './deferred.js';
export type { DeferredRecipe, Materializer } from './deferred.js';
export type { AtomicWriteOptions } from './atomic-file.js';

export {
  compressStream,
  decompressStream,
  detectCompression,
  MAGIC_LENGTH,
  openDecompressed,
} from './compression.js';
export type { CompressOptions, Compression, Decompressed, DetectedCompression } from './compression.js';
