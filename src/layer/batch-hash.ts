/**
 * sha256 over a stream of large batches, hashed on a worker thread once the stream proves
 * large: the thread that reads the files then never waits for the hash, which on a 240 MB layer
 * is a third of the work. A stream that fits in its first batch (most build steps' layers) is
 * hashed where it is, as starting a thread costs more than hashing a few megabytes.
 *
 * Batches live in SharedArrayBuffers, so handing one over copies nothing; a batch is filled again
 * only after the worker says it is done with it. One worker serves every stream of the process,
 * and keeps the process alive only while it has work.
 */
import { createHash, type Hash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';

// Loaded when a first large layer needs it: every command would otherwise pay for the module.
const requireBuiltin = createRequire(import.meta.url);

const BATCH = 4 << 20;
const BATCHES = 3;

// Plain CommonJS, evaluated by the worker: lade ships as one bundle, with no file to point it at.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  let hash = hashes.get(m.job);
  if (hash === undefined) hashes.set(m.job, (hash = createHash('sha256')));
  if (m.buffer !== undefined) {
    hash.update(new Uint8Array(m.buffer, 0, m.length));
    parentPort.postMessage({ job: m.job, done: m.buffer });
  } else {
    hashes.delete(m.job);
    parentPort.postMessage({ job: m.job, digest: hash.digest('hex') });
  }
});
`;

function startWorker(): Worker {
  const threads = requireBuiltin('node:worker_threads') as typeof import('node:worker_threads');
  // No flags of this process (--input-type=module would make the source an ES module).
  return new threads.Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
}

interface Job {
  returned(buffer: SharedArrayBuffer): void;
  finished(digest: string): void;
  failed(err: Error): void;
}

class HashWorker {
  private readonly worker: Worker = startWorker();
  private readonly jobs = new Map<number, Job>();
  private nextJob = 0;

  constructor() {
    this.worker.unref();
    this.worker.on('message', (m: { job: number; done?: SharedArrayBuffer; digest?: string }) => {
      const job = this.jobs.get(m.job);
      if (job === undefined) return;
      if (m.done !== undefined) job.returned(m.done);
      else {
        this.jobs.delete(m.job);
        if (this.jobs.size === 0) this.worker.unref();
        job.finished(m.digest!);
      }
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', () => this.fail(new Error('the hashing thread stopped')));
  }

  private fail(err: Error): void {
    if (shared === this) shared = undefined;
    for (const job of this.jobs.values()) job.failed(err);
    this.jobs.clear();
  }

  open(job: Job): number {
    const id = this.nextJob++;
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.set(id, job);
    return id;
  }

  send(job: number, buffer: SharedArrayBuffer, length: number): void {
    this.worker.postMessage({ job, buffer, length });
  }

  finish(job: number): void {
    this.worker.postMessage({ job });
  }
}

let shared: HashWorker | undefined;

/** Batches no stream is using, kept for the next: a build measures a layer per step. */
const spare: SharedArrayBuffer[] = [];

function takeBatch(): SharedArrayBuffer {
  return spare.pop() ?? new SharedArrayBuffer(BATCH);
}

function giveBack(batches: SharedArrayBuffer[]): void {
  for (const b of batches) if (spare.length < BATCHES) spare.push(b);
}

export class BatchHasher {
  /** The batch being filled: write at `used`, at most BATCH bytes. */
  batch: Buffer;
  used = 0;
  /** Bytes handed to the hash so far. */
  size = 0;
  private current: SharedArrayBuffer;
  private readonly free: SharedArrayBuffer[] = [];
  private allocated = 1;
  private local: Hash | undefined;
  private remote: { worker: HashWorker; job: number } | undefined;
  private waiting: (() => void) | undefined;
  private digestReady: ((digest: string) => void) | undefined;
  private digestFailed: ((err: Error) => void) | undefined;
  private error: Error | undefined;
  private ended = false;

  constructor() {
    this.current = takeBatch();
    this.batch = Buffer.from(this.current);
  }

  get room(): number {
    return BATCH - this.used;
  }

  /** Hands the filled batch over and, unless it is the last, gives a free one to fill. */
  async flush(last = false): Promise<void> {
    if (this.used === 0) return;
    if (this.local !== undefined) {
      this.local.update(this.batch.subarray(0, this.used));
    } else {
      this.remote ??= this.start();
      this.remote.worker.send(this.remote.job, this.current, this.used);
      if (!last) {
        this.current = await this.freeBatch();
        this.batch = Buffer.from(this.current);
      }
    }
    this.size += this.used;
    this.used = 0;
  }

  /** Appends `bytes`, flushing as needed: a promise only when it had to flush. */
  put(bytes: Uint8Array): Promise<void> | undefined {
    if (bytes.length <= BATCH - this.used) {
      this.batch.set(bytes, this.used);
      this.used += bytes.length;
      return undefined;
    }
    return this.putFlushing(bytes);
  }

  private async putFlushing(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; ) {
      if (this.used === BATCH) await this.flush();
      const n = Math.min(bytes.length - at, BATCH - this.used);
      this.batch.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
    }
  }

  async digest(): Promise<string> {
    if (this.remote === undefined) {
      // Everything fit in the first batch.
      this.local ??= createHash('sha256');
      await this.flush();
      this.end();
      return this.local.digest('hex');
    }
    await this.flush(true);
    const { worker, job } = this.remote;
    const digest = await new Promise<string>((resolve, reject) => {
      if (this.error !== undefined) return reject(this.error);
      this.digestReady = resolve;
      this.digestFailed = reject;
      worker.finish(job);
    });
    // The worker has handed every batch back before its digest.
    giveBack(this.free);
    this.ended = true;
    return digest;
  }

  /** Gives up (the stream failed): the worker forgets the job, and nothing waits for it. */
  abort(): void {
    if (this.ended) return;
    this.end();
  }

  private end(): void {
    this.ended = true;
    if (this.remote === undefined) giveBack([this.current]);
    else if (this.error === undefined) this.remote.worker.finish(this.remote.job);
  }

  private start(): { worker: HashWorker; job: number } {
    const worker = (shared ??= new HashWorker());
    const job = worker.open({
      returned: (buffer) => {
        this.free.push(buffer);
        this.wake();
      },
      finished: (digest) => this.digestReady?.(digest),
      failed: (err) => {
        this.error = err;
        this.wake();
        this.digestFailed?.(err);
      },
    });
    return { worker, job };
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private async freeBatch(): Promise<SharedArrayBuffer> {
    for (;;) {
      if (this.error !== undefined) throw this.error;
      const free = this.free.pop();
      if (free !== undefined) return free;
      if (this.allocated < BATCHES) {
        this.allocated++;
        return takeBatch();
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}
