/**
 * Writing a layer tar into the content store while checking it: one read of the stream feeds
 * both the blob write (which hashes it) and the tar scan (which validates it and measures
 * Docker's Size). A stream that fails either leaves no blob it created behind.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { Digest } from '../content/index.js';
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
