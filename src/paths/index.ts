/**
 * Where lade's own files are (package.json, the native builds, dist/build-info.json). Found by
 * walking up from this module to the package.json named "lade", so it holds whether the code runs
 * as compiled modules (dist/src/paths/index.js) or as the one-file bundle (dist/lade.mjs).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'lade') return (cached = dir);
    } catch {
      // No package.json here (or not ours): keep climbing.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`lade's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
