/** What the src/sys tests share: a scratch directory per test, and the error a call throws. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { isSysError, type SysError } from '../../src/sys/index.js';

export function scratch(t: TestContext, prefix = 'lade-sys-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The SysError `fn` throws; fails the test when it throws nothing or something else. */
export function sysError(fn: () => unknown): SysError {
  try {
    fn();
  } catch (err) {
    assert.ok(isSysError(err), `expected a system error, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a throw');
}
