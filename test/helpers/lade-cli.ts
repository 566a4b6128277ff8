/**
 * Runs the real bin/lade in a child process, with its own --root: as a program, the way users
 * run it (its shell line finds node on PATH, as `#!/usr/bin/env node` would).
 */
import { spawn, spawnSync } from 'node:child_process';
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

/**
 * The same without blocking this process's event loop: for tests whose servers (a token server,
 * a proxy) answer from this process while lade runs. `env` values of undefined are removed.
 */
export function ladeAsync(args: string[], options: { input?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['LADE_ROOT'];
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, 'bin', 'lade'), args, { env, cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
