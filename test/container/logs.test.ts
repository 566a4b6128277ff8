import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { formatLogTime, readLogLines, type LogLine } from '../../src/container/index.js';
import { tempDir } from '../helpers/tar-fixtures.js';

function record(stream: 1 | 2, timeNs: bigint, data: string): Buffer {
  const body = Buffer.from(data);
  const header = Buffer.alloc(13);
  header[0] = stream;
  header.writeBigUInt64LE(timeNs, 1);
  header.writeUInt32LE(body.length, 9);
  return Buffer.concat([header, body]);
}

async function collect(it: AsyncIterable<LogLine>): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const line of it) out.push([line.stream, line.text.toString()]);
  return out;
}

test('log records become lines per stream, partial lines joined across records', async () => {
  const dir = tempDir('lade-logs-');
  const path = join(dir, 'container.log');
  writeFileSync(
    path,
    Buffer.concat([record(1, 1n, 'hel'), record(2, 2n, 'err one\nerr '), record(1, 3n, 'lo\nworld\n'), record(2, 4n, 'two\n'), record(1, 5n, 'no newline')]),
  );
  assert.deepEqual(await collect(readLogLines(path)), [
    ['stderr', 'err one\n'],
    ['stdout', 'hello\n'],
    ['stdout', 'world\n'],
    ['stderr', 'err two\n'],
    ['stdout', 'no newline'],
  ]);
});

test('a record cut in the middle (the monitor was killed while writing) is not invented', async () => {
  const dir = tempDir('lade-logs-');
  const path = join(dir, 'container.log');
  const whole = record(1, 1n, 'complete\n');
  const cut = record(1, 2n, 'cut short\n').subarray(0, 16);
  writeFileSync(path, Buffer.concat([whole, cut]));
  assert.deepEqual(await collect(readLogLines(path)), [['stdout', 'complete\n']]);
});

test('following returns what is appended while the container runs, and ends when it stops', async () => {
  const dir = tempDir('lade-logs-');
  const path = join(dir, 'container.log');
  writeFileSync(path, record(1, 1n, 'first\n'));
  let running = true;
  let polls = 0;
  const lines = collect(
    readLogLines(path, {
      follow: async () => {
        polls++;
        if (polls === 2) appendFileSync(path, record(2, 2n, 'second\n'));
        if (polls === 4) {
          appendFileSync(path, record(1, 3n, 'last\n'));
          running = false;
        }
        return running;
      },
    }),
  );
  assert.deepEqual(await lines, [
    ['stdout', 'first\n'],
    ['stderr', 'second\n'],
    ['stdout', 'last\n'],
  ]);
});

test('a missing log is empty', async () => {
  assert.deepEqual(await collect(readLogLines('/nonexistent/lade/container.log')), []);
});

test('timestamps print as RFC 3339 with nanoseconds', () => {
  assert.equal(formatLogTime(1764326400123456789n), '2025-11-28T10:40:00.123456789Z');
});
