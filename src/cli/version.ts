import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths/index.js';

export interface VersionInfo {
  version: string;
  /** Short git commit the build was made from, or `unknown` outside a git checkout. */
  build: string;
}

export function versionInfo(): VersionInfo {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  let build = 'unknown';
  try {
    const info = JSON.parse(readFileSync(join(packageRoot(), 'dist', 'build-info.json'), 'utf8')) as { commit?: string };
    if (typeof info.commit === 'string' && info.commit !== '') build = info.commit;
  } catch {
    // build-info.json is written by the prepare script; a missing one only loses the commit.
  }
  return { version: pkg.version, build };
}
