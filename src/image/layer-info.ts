/**
 * What a stored layer blob is: its compression, its diffID (the digest of the uncompressed
 * tar) and the size it unpacks to. Loading and pulling check the diffID against the config,
 * which is what ties a config to its layers.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { openDecompressed, sha256Digest, type ContentStore, type DetectedCompression, type Digest } from '../content/index.js';
import { scanLayer } from './layer-scan.js';

export interface LayerInfo {
  digest: Digest;
  compression: DetectedCompression;
  diffId: Digest;
  /** Bytes the layer unpacks to (Docker's Size). */
  size: number;
}

export async function inspectLayerBlob(content: ContentStore, digest: Digest, what: string): Promise<LayerInfo> {
  const { compression, stream } = await openDecompressed(await content.openRead(digest));
  const hash = createHash('sha256');
  // An async generator carries errors of the source (a digest mismatch, corrupt compression)
  // through to the reader, where pipe() would drop them.
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
  }
  const scan = await scanLayer(Readable.from(hashed(), { objectMode: false }), what);
  return { digest, compression, diffId: sha256Digest(hash.digest('hex')), size: scan.size };
}
