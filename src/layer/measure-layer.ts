/**
 * measureLayer: the digest and sizes of the layer tar writeLayer would stream for the same
 * entries, without a stream. A build step's layer is measured, not stored (the committed snapshot
 * is the layer), so its bytes are only hashed: headers and file bodies go into large batches,
 * files read straight into them, and a large layer is hashed on another thread while the next
 * files are read. A step that copied a large context spends most of its time here.
 */
import { closeSync } from 'node:fs';
import { BatchHasher } from './batch-hash.js';
import type { LayerEntry } from './entry.js';
import { FileBody } from './file-body.js';
import { BLOCK } from './tar-header.js';
import { bodyChunks, encodeEntryHeader, invalid, ZEROS, type LayerSource } from './write-layer.js';

export interface LayerMeasure {
  /** sha256 of the tar, hex. */
  sha256: string;
  /** Bytes of the tar. */
  size: number;
  /** Bytes the layer unpacks to, as Docker counts them: file sizes and symlink targets. */
  unpacked: number;
  entries: number;
}

/** Longest stretch without letting timers and signals through. */
const SLICE_MS = 20;

/** Exactly `body.size` bytes of the file, read into the hasher's batches. */
async function putFile(hasher: BatchHasher, body: FileBody): Promise<void> {
  const fd = body.open();
  try {
    for (let left = body.size; left > 0; ) {
      if (hasher.room === 0) await hasher.flush();
      const n = Math.min(left, hasher.room);
      body.readInto(fd, hasher.batch, hasher.used, n);
      hasher.used += n;
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
}

async function putBody(hasher: BatchHasher, entry: LayerEntry, body: LayerSource['body']): Promise<void> {
  if (body instanceof FileBody) {
    if (body.size !== entry.size) throw invalid(entry, `the body has ${body.size} bytes, the entry declares ${entry.size}`);
    if (body.size > 0) await putFile(hasher, body);
    return;
  }
  let written = 0;
  for await (const chunk of bodyChunks(body)) {
    written += chunk.length;
    if (written > entry.size) throw invalid(entry, `the body is longer than the ${entry.size} bytes the entry declares`);
    await hasher.put(chunk);
  }
  if (written !== entry.size) throw invalid(entry, `the body has ${written} bytes, the entry declares ${entry.size}`);
}

export async function measureLayer(entries: Iterable<LayerSource> | AsyncIterable<LayerSource>): Promise<LayerMeasure> {
  const hasher = new BatchHasher();
  try {
    let unpacked = 0;
    let count = 0;
    let sliceStart = performance.now();
    for await (const { entry, body } of entries) {
      count++;
      // put() returns a promise only when it has to wait for a free batch: most entries then cost
      // no turn of the microtask queue.
      const header = hasher.put(encodeEntryHeader(entry));
      if (header !== undefined) await header;
      if (entry.type === 'file') {
        if (body !== undefined || entry.size > 0) await putBody(hasher, entry, body);
        unpacked += entry.size;
        const pad = (BLOCK - (entry.size % BLOCK)) % BLOCK;
        const padded = pad > 0 ? hasher.put(ZEROS.subarray(0, pad)) : undefined;
        if (padded !== undefined) await padded;
      } else if (entry.type === 'symlink') {
        unpacked += Buffer.byteLength(entry.linkname);
      }
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    await hasher.put(ZEROS);
    const sha256 = await hasher.digest();
    return { sha256, size: hasher.size, unpacked, entries: count };
  } finally {
    hasher.abort();
  }
}
