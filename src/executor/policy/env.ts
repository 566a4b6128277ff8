// The container's environment, built the way the Docker CLI and daemon build it:
// docker/cli pkg/kvfile (--env-file), opts.ValidateEnv (-e), opts.ReadKVEnvStrings (files then
// flags); moby daemon/commit.go merge (user env first, then image env not overridden), and
// Container.CreateDaemonEnvironment (PATH, HOSTNAME, TERM, then ReplaceOrAppendEnvValues);
// runc's prepareEnv adds HOME last when it is unset or empty.
import { ErrorCode, LadeError } from '../../errors/index.js';
import { DEFAULT_PATH_ENV } from './defaults.js';

/** Looks a variable up in lade's own environment (`-e KEY`, env-file `KEY` lines). */
export type EnvLookup = (key: string) => string | undefined;

export interface EnvFile {
  /** The name the user gave (for messages). */
  readonly file: string;
  readonly text: string;
}

// Go's unicode.IsSpace, which kvfile uses to trim a line's leading blanks.
const GO_LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

function envFileError(file: string, line: number, message: string, hint: string): LadeError {
  return new LadeError(ErrorCode.Usage, `invalid env file (${file}): ${message}`, { location: { file, line }, hint });
}

/**
 * Docker's env-file format: one `KEY=VALUE` per line, taken literally (no quotes, no
 * expansion, trailing blanks kept); leading blanks, blank lines and `#` lines ignored; a BOM
 * dropped; `KEY` alone takes lade's own value, or is left out when lade has none.
 */
export function parseEnvFile(text: string, file: string, lookup: EnvLookup): string[] {
  const out: string[] = [];
  const rows = text.split('\n');
  if (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  rows.forEach((raw, i) => {
    let row = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (i === 0 && row.startsWith('\ufeff')) row = row.slice(1);
    const line = row.replace(GO_LEADING_SPACE, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key === '') throw envFileError(file, i + 1, `no variable name on line '${line}'`, 'each line is KEY=VALUE or KEY');
    if (/[ \t]/.test(key)) {
      throw envFileError(file, i + 1, `variable '${key}' contains whitespaces`, 'variable names cannot contain spaces; the file is not a shell script');
    }
    if (eq >= 0) {
      out.push(line);
      return;
    }
    const value = lookup(line);
    if (value !== undefined) out.push(`${key}=${value}`);
  });
  return out;
}

/**
 * One `-e` value (opts.ValidateEnv): `KEY=VALUE` as it is; `KEY` takes lade's own value, and
 * stays a bare `KEY` when lade has none, which later unsets KEY (image's included).
 */
export function parseEnvFlag(value: string, lookup: EnvLookup): string {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (key === '') {
    throw new LadeError(ErrorCode.Usage, `invalid environment variable: ${value}`, { hint: 'use -e NAME=VALUE or -e NAME' });
  }
  if (eq >= 0) return value;
  const v = lookup(key);
  return v === undefined ? value : `${key}=${v}`;
}

/** The user's variables as the CLI sends them: every env-file in order, then the `-e` flags. */
export function userEnvironment(envFiles: readonly EnvFile[], envFlags: readonly string[], lookup: EnvLookup): string[] {
  const out: string[] = [];
  for (const f of envFiles) out.push(...parseEnvFile(f.text, f.file, lookup));
  for (const e of envFlags) out.push(parseEnvFlag(e, lookup));
  return out;
}

function keyOf(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** moby merge(): the user's list, then each image variable whose name the user did not mention. */
export function mergeImageEnv(user: readonly string[], image: readonly string[]): string[] {
  if (user.length === 0) return [...image];
  const userKeys = new Set(user.map(keyOf));
  return [...user, ...image.filter((e) => !userKeys.has(keyOf(e)))];
}

/**
 * moby ReplaceOrAppendEnvValues: each override replaces the default with its name in place or
 * is appended; a bare `KEY` removes KEY.
 */
export function replaceOrAppendEnv(defaults: readonly string[], overrides: readonly string[]): string[] {
  const out: (string | null)[] = [...defaults];
  const index = new Map<string, number>();
  out.forEach((e, i) => index.set(keyOf(e!), i));
  for (const value of overrides) {
    const eq = value.indexOf('=');
    if (eq < 0) {
      const i = index.get(value);
      if (i !== undefined) out[i] = null;
      continue;
    }
    // As in moby, only the defaults are indexed: a name given twice is appended twice, and
    // finalizeEnv (runc) keeps the last one, where it stands.
    const i = index.get(value.slice(0, eq));
    if (i !== undefined) out[i] = value;
    else out.push(value);
  }
  return out.filter((e): e is string => e !== null && e !== '');
}

/**
 * Container.CreateDaemonEnvironment: PATH (the default), HOSTNAME, TERM=xterm with a terminal,
 * then the container's variables replacing or following them.
 */
export function daemonEnvironment(containerEnv: readonly string[], hostname: string, tty: boolean): string[] {
  const base = [`PATH=${DEFAULT_PATH_ENV}`, `HOSTNAME=${hostname}`];
  if (tty) base.push('TERM=xterm');
  return replaceOrAppendEnv(base, containerEnv);
}

/**
 * runc prepareEnv: keeps the last of duplicate names, drops an empty HOME, and appends
 * HOME=<home> when no non-empty HOME is left.
 */
export function finalizeEnv(env: readonly string[], home: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  let homeSet = false;
  for (let i = env.length - 1; i >= 0; i--) {
    const kv = env[i]!;
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    const key = kv.slice(0, eq);
    if (seen.has(key)) continue;
    seen.add(key);
    if (key === 'HOME') {
      if (kv.length === eq + 1) continue;
      homeSet = true;
    }
    out.push(kv);
  }
  out.reverse();
  if (!homeSet) out.push(`HOME=${home}`);
  return out;
}
