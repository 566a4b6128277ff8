import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout root: this file runs as dist/test/helpers/paths.js. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Source-tree fixtures (not compiled): test/fixtures/… */
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

/**
 * BuildKit's conformance data, read in place from ../shared (never copied into the project).
 * LADE_CONFORMANCE_DIR overrides it. A missing folder is a test failure, not a skip.
 */
export function conformanceDir(): string {
  const dir = process.env['LADE_CONFORMANCE_DIR'] ?? join(repoRoot, '..', 'shared', 'conformance', 'buildkit');
  if (!existsSync(dir)) {
    throw new Error(`BuildKit conformance data not found at ${dir} (set LADE_CONFORMANCE_DIR)`);
  }
  return dir;
}
