/**
 * Runs the real bin/lade in a child process, with its own --root: as a program, the way users
 * run it (its shell line finds node on PATH, as `#!/usr/bin/env node` would).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function lade(args: string[], options: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.env?.['LADE_ROOT'] === undefined) delete env['LADE_ROOT'];
  const r = spawnSync(join(repoRoot, 'bin', 'lade'), args, {
    input: options.input ?? '',
    env,
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
