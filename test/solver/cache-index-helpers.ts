import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { sha256Of } from '../../src/graph/index.js';
import type { CacheEntry, OpResult } from '../../src/solver/index.js';

export function scratchDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'lade-solver-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const keyFor = (i: number): string => sha256Of(`entry ${i}`);

export function resultFor(writer: string, i: number, bytes: number): OpResult {
  return { writer, i, length: bytes, payload: writer.slice(0, 1).repeat(bytes) };
}

/** Fails unless `entry` is a whole entry for key i, written by one of the children. */
export function assertWhole(entry: CacheEntry, i: number): void {
  assert.equal(entry.key, keyFor(i));
  const { writer, length, payload } = entry.result;
  assert.equal(entry.result['i'], i);
  assert.ok(typeof writer === 'string' && typeof length === 'number' && typeof payload === 'string');
  assert.equal(payload, writer.slice(0, 1).repeat(length));
  assert.equal(entry.name, `entry ${i}`);
}
