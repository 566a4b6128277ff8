/**
 * Writing a layer tar into the content store while checking it: one read of the stream feeds
 * both the blob write (which hashes it) and the tar scan (which validates it and measures
 * Docker's Size). A stream that fails either leaves no blob it created behind.
 */
import { PassThrough, type Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { sha256Digest, type Digest } from '../content/index.js';
import { scanLayer, type LayerScan } from './layer-scan.js';
import type { ImageStore } from './store/index.js';

export interface StoredLayer {
  readonly digest: Digest;
  readonly size: number;
  readonly scan: LayerScan;
}

export async function storeScannedLayer(store: ImageStore, stream: Readable, what: string): Promise<StoredLayer> {
  const toStore = new PassThrough({ highWaterMark: 1 << 20 });
  const toScan = new PassThrough({ highWaterMark: 1 << 20 });
  // Readable.pipe to several destinations waits for the slowest one (backpressure).
  stream.pipe(toStore);
  stream.pipe(toScan);
  stream.on('error', (err) => {
    toStore.destroy(err);
    toScan.destroy(err);
  });
  const [written, scanned] = await Promise.allSettled([store.content.write(toStore), scanLayer(toScan, what)]);
  if (scanned.status === 'rejected' || written.status === 'rejected') {
    if (written.status === 'fulfilled' && written.value.created) await store.content.delete(written.value.digest);
    throw scanned.status === 'rejected' ? scanned.reason : (written as PromiseRejectedResult).reason;
  }
  return { digest: written.value.digest, size: written.value.size, scan: scanned.value };
}

export interface MeasuredLayer {
  readonly digest: Digest;
  readonly size: number;
  readonly scan: LayerScan;
}

/**
 * The digest, size and scan of a layer tar without storing it: for layers the store can
 * produce again on demand (deferred blobs), whose bytes need only be hashed once.
 */
export async function measureScannedLayer(stream: Readable, what: string): Promise<MeasuredLayer> {
  const hash = createHash('sha256');
  let size = 0;
  const toScan = new PassThrough({ highWaterMark: 1 << 20 });
  const scanned = scanLayer(toScan, what);
  // Keep the scan's rejection handled while the stream is still being read.
  scanned.catch(() => undefined);
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      if (!toScan.write(bytes)) await new Promise<void>((resolve) => toScan.once('drain', resolve));
    }
    toScan.end();
  } catch (err) {
    toScan.destroy(err as Error);
    throw err;
  }
  return { digest: sha256Digest(hash.digest('hex')), size, scan: await scanned };
}
