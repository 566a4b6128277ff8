/**
 * The recorded build fixtures (test/fixtures/build): preparing a case exactly as record.sh does
 * (copy, modes normalised to what git keeps, setup.sh as root), building it with lade, and
 * describing the result with the recorder's own flatten.py.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lade, type Run } from '../helpers/lade-cli.js';
import { fixturesDir } from '../helpers/paths.js';
import { tempDir } from '../helpers/tar-fixtures.js';

export const BUILD_FIXTURES = join(fixturesDir, 'build');
export const CASES_DIR = join(BUILD_FIXTURES, 'cases');

export interface CaseOptions {
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  file?: string;
  fail?: boolean;
}

export function caseNames(): string[] {
  return readdirSync(CASES_DIR)
    .filter((n) => statSync(join(CASES_DIR, n)).isDirectory())
    .sort();
}

export function caseOptions(name: string): CaseOptions {
  const path = join(CASES_DIR, name, 'options.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as CaseOptions) : {};
}

/** The base images archive (make-base.mjs), and a --root with it loaded. */
export function baseStore(): { root: string; baseTar: string; run(args: string[], cwd?: string): Run } {
  const dir = tempDir('lade-build-golden-');
  const baseTar = join(dir, 'base.tar');
  execFileSync(process.execPath, [join(BUILD_FIXTURES, 'make-base.mjs'), baseTar]);
  const root = join(dir, 'root');
  const run = (args: string[], cwd?: string) => lade(['--root', root, ...args], cwd === undefined ? {} : { cwd });
  const loaded = run(['load', '-i', baseTar]);
  if (loaded.status !== 0) throw new Error(`lade load of the base images failed: ${loaded.stderr}`);
  return { root, baseTar, run };
}

function normaliseModes(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) continue;
    if (st.isDirectory()) {
      chmodSync(path, 0o755);
      normaliseModes(path);
    } else if (st.isFile()) {
      chmodSync(path, (st.mode & 0o100) !== 0 ? 0o755 : 0o644);
    }
  }
}

/** A fresh copy of the case with its context prepared; returns the copy's folder. */
export function prepareCase(name: string): string {
  const copy = join(tempDir(`lade-case-${name}-`), name);
  cpSync(join(CASES_DIR, name), copy, { recursive: true, verbatimSymlinks: true });
  const context = join(copy, 'context');
  mkdirSync(context, { recursive: true });
  normaliseModes(context);
  const setup = join(CASES_DIR, name, 'setup.sh');
  if (existsSync(setup)) execFileSync('sh', [setup], { cwd: context, stdio: ['ignore', 'ignore', 'inherit'] });
  return copy;
}

export function buildArgs(name: string, copy: string, tag: string, extra: readonly string[] = []): string[] {
  const o = caseOptions(name);
  const args = ['build', '--progress', 'plain', '-f', join(copy, o.file ?? 'Dockerfile'), '-t', tag];
  for (const [k, v] of Object.entries(o.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(o.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (o.target !== undefined && o.target !== '') args.push('--target', o.target);
  return [...args, ...extra, join(copy, 'context')];
}

/** flatten.py's description of image `tag` saved from `root`. */
export function describe(run: (args: string[]) => Run, tag: string, baseTar: string, workDir: string): unknown {
  const archive = join(workDir, 'image.tar');
  const saved = run(['save', '-o', archive, tag]);
  if (saved.status !== 0) throw new Error(`lade save failed: ${saved.stderr}`);
  const r = spawnSync('python3', [join(BUILD_FIXTURES, 'flatten.py'), archive, tag, baseTar], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`flatten.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
