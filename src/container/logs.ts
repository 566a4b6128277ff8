/**
 * Reading the log the sandbox monitor appends (records of stream, time and bytes; see
 * LOG_RECORD in the executor's sandbox spec). `lade logs` prints lines, as Docker's json-file
 * log stores them, so records are reassembled into lines per stream.
 */
import { open, stat, watch } from 'node:fs/promises';
import { LOG_RECORD } from '../executor/index.js';

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  /** Nanoseconds since the epoch of the record the line ended in. */
  readonly timeNs: bigint;
  /** The line, with its newline unless it is the last, unfinished one. */
  readonly text: Buffer;
}

export interface ReadLogOptions {
  /** Keep reading as the file grows, for as long as this says the container runs. */
  readonly follow?: () => Promise<boolean>;
  readonly signal?: AbortSignal;
}

/** Records → lines. A partial line stays buffered until its stream writes the rest (or the end). */
class LineAssembler {
  private readonly partial = new Map<number, { chunks: Buffer[]; timeNs: bigint }>();

  *push(stream: number, timeNs: bigint, data: Buffer): Generator<LogLine> {
    let start = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
      const pending = this.partial.get(stream);
      const piece = data.subarray(start, nl + 1);
      const text = pending === undefined ? piece : Buffer.concat([...pending.chunks, piece]);
      this.partial.delete(stream);
      yield { stream: stream === LOG_RECORD.stderr ? 'stderr' : 'stdout', timeNs, text };
      start = nl + 1;
    }
    if (start < data.length) {
      const pending = this.partial.get(stream) ?? { chunks: [], timeNs };
      pending.chunks.push(data.subarray(start));
      pending.timeNs = timeNs;
      this.partial.set(stream, pending);
    }
  }

  *flush(): Generator<LogLine> {
    for (const [stream, pending] of this.partial) {
      yield { stream: stream === LOG_RECORD.stderr ? 'stderr' : 'stdout', timeNs: pending.timeNs, text: Buffer.concat(pending.chunks) };
    }
    this.partial.clear();
  }
}

async function waitForGrowth(path: string, size: number, signal: AbortSignal | undefined): Promise<void> {
  const ac = new AbortController();
  const abort = () => ac.abort();
  signal?.addEventListener('abort', abort);
  // A timer bounds the wait: inotify misses writes from other mount namespaces' views of the file
  // on some filesystems, and the caller re-checks whether the container still runs.
  const timer = setTimeout(abort, 250);
  try {
    if ((await stat(path)).size > size) return;
    for await (const _ of watch(path, { signal: ac.signal })) break;
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
}

/** The log's lines, in order; follows the file while `options.follow` says the container runs. */
export async function* readLogLines(path: string, options: ReadLogOptions = {}): AsyncGenerator<LogLine> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (options.follow === undefined) return;
    // Not created yet: the container has not started writing.
    while (!(options.signal?.aborted ?? false)) {
      try {
        handle = await open(path, 'r');
        break;
      } catch {
        if (!(await options.follow())) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (handle === undefined) return;
  }
  const lines = new LineAssembler();
  let offset = 0;
  let buffered = Buffer.alloc(0);
  const chunk = Buffer.alloc(1 << 16);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        buffered = buffered.length === 0 ? Buffer.from(chunk.subarray(0, bytesRead)) : Buffer.concat([buffered, chunk.subarray(0, bytesRead)]);
        let pos = 0;
        while (buffered.length - pos >= LOG_RECORD.headerSize) {
          const length = buffered.readUInt32LE(pos + 9);
          if (buffered.length - pos < LOG_RECORD.headerSize + length) break;
          const stream = buffered[pos]!;
          const timeNs = buffered.readBigUInt64LE(pos + 1);
          const data = buffered.subarray(pos + LOG_RECORD.headerSize, pos + LOG_RECORD.headerSize + length);
          yield* lines.push(stream, timeNs, data);
          pos += LOG_RECORD.headerSize + length;
        }
        buffered = buffered.subarray(pos);
        continue;
      }
      if (options.follow === undefined || (options.signal?.aborted ?? false)) break;
      if (!(await options.follow())) {
        // One more read: the last records may have landed after the previous one.
        const { size } = await handle.stat();
        if (size > offset) continue;
        break;
      }
      await waitForGrowth(path, offset, options.signal);
    }
    yield* lines.flush();
  } finally {
    await handle.close();
  }
}

/** RFC 3339 with nanoseconds, as Docker prints `logs -t` timestamps. */
export function formatLogTime(timeNs: bigint): string {
  const ms = Number(timeNs / 1_000_000n);
  const nanos = (timeNs % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${nanos}Z`;
}
