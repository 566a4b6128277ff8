// The per-layer lines of pull and push: Docker's sizes and bars on a terminal, states only
// elsewhere.
import assert from 'node:assert/strict';
import test from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { humanSize, transferProgress } from '../../src/cli/commands/registry/transfer-progress.js';

test('sizes as go-units HumanSize prints them (decimal, three significant digits)', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(12_345), '12.3kB');
  assert.equal(humanSize(45_600_000), '45.6MB');
  assert.equal(humanSize(240_000_000), '240MB');
  assert.equal(humanSize(2_500_000_000), '2.5GB');
});

test('without a terminal: one line per change of state, no byte counts, no escapes', () => {
  let out = '';
  const p = transferProgress((t) => (out += t), false);
  p.update('sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'Pulling fs layer');
  p.update('sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'Downloading', 10, 100);
  p.update('sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'Downloading', 50, 100);
  p.update('sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'Pull complete');
  p.update('sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'Already exists');
  p.end();
  assert.equal(out, 'aaaaaaaaaaaa: Pulling fs layer\naaaaaaaaaaaa: Pull complete\nbbbbbbbbbbbb: Already exists\n');
});

test('on a terminal: each layer keeps its line, redrawn in place with a bar', async () => {
  let out = '';
  const p = transferProgress((t) => (out += t), true);
  p.update('sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'Downloading', 12_300_000, 45_600_000);
  p.update('sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'Already exists');
  await sleep(150);
  // Docker's bar for 12.3 of 45.6 MB: 26 % → 13 steps, the arrow, 37 spaces; the size in 8 columns.
  assert.equal(out, `\x1b[2Kaaaaaaaaaaaa: Downloading [=============>${' '.repeat(37)}]   12.3MB/45.6MB\n\x1b[2Kbbbbbbbbbbbb: Already exists\n`);
  out = '';
  p.update('sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'Pull complete');
  p.end();
  // Up two lines, then both again: the first replaced, the second as it was.
  assert.equal(out, '\x1b[2A\x1b[2Kaaaaaaaaaaaa: Pull complete\n\x1b[2Kbbbbbbbbbbbb: Already exists\n');
});
