/**
 * Registry credentials where the Docker CLI keeps them, so an existing `docker login` works and
 * `lade login` is seen by Docker: `auths` in $DOCKER_CONFIG/config.json (else
 * ~/.docker/config.json), `auth` being base64 of `user:password`. Docker Hub's entry is under
 * `https://index.docker.io/v1/`. Other fields of the file are kept as they are. As with Docker,
 * a registry named in `credHelpers`, or every registry when `credsStore` is set, has its
 * credentials in that helper instead (see credential-helper.ts), the file keeping an empty entry.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { replaceFileSync } from '../content/index.js';
import { ErrorCode, LadeError } from '../errors/index.js';
import { helperErase, helperGet, helperStore } from './credential-helper.js';

export type Credentials = { username: string; password: string } | { identityToken: string };

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['DOCKER_CONFIG'] ?? join(env['HOME'] ?? homedir(), '.docker');
  return join(dir, 'config.json');
}

/** The key Docker files a registry under. */
export function configKey(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? DOCKER_HUB_KEY : registry;
}

/** Docker's normalisation of keys written as URLs: no scheme, nothing after the host. */
function normalizeKey(key: string): string {
  const bare = key.replace(/^https?:\/\//, '');
  const host = bare.split('/')[0]!;
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

type ConfigFile = Record<string, unknown> & {
  auths?: Record<string, Record<string, unknown>>;
  credsStore?: unknown;
  credHelpers?: Record<string, unknown>;
};

/** The helper that keeps `registry`'s credentials, if the config names one. */
function helperFor(doc: ConfigFile, registry: string): string | undefined {
  const wanted = normalizeKey(configKey(registry));
  for (const [key, helper] of Object.entries(doc.credHelpers ?? {})) {
    if (normalizeKey(key) === wanted && typeof helper === 'string' && helper !== '') return helper;
  }
  return typeof doc.credsStore === 'string' && doc.credsStore !== '' ? doc.credsStore : undefined;
}

function readConfig(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new LadeError(ErrorCode.RegistryAuth, `cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
    return doc as ConfigFile;
  } catch (err) {
    throw new LadeError(ErrorCode.RegistryAuth, `${path} is not valid JSON: ${(err as Error).message}`, { hint: 'Fix or remove the file, then log in again.' });
  }
}

export function readCredentials(registry: string, path = configPath()): Credentials | undefined {
  const doc = readConfig(path);
  const helper = helperFor(doc, registry);
  if (helper !== undefined) {
    const found = helperGet(helper, configKey(registry));
    if (found === undefined) return undefined;
    return found.username === '<token>' ? { identityToken: found.secret } : { username: found.username, password: found.secret };
  }
  const auths = doc.auths ?? {};
  const wanted = normalizeKey(configKey(registry));
  for (const [key, entry] of Object.entries(auths)) {
    if (normalizeKey(key) !== wanted || entry === null || typeof entry !== 'object') continue;
    if (typeof entry['identitytoken'] === 'string' && entry['identitytoken'] !== '') return { identityToken: entry['identitytoken'] };
    if (typeof entry['auth'] === 'string' && entry['auth'] !== '') {
      const decoded = Buffer.from(entry['auth'], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new LadeError(ErrorCode.RegistryAuth, `the credentials for ${registry} in ${path} are malformed`, { hint: `Run \`lade login ${registry}\` again.` });
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replace(/\0+$/, '') };
    }
    if (typeof entry['username'] === 'string' && typeof entry['password'] === 'string') return { username: entry['username'], password: entry['password'] };
  }
  return undefined;
}

function writeConfig(path: string, doc: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  replaceFileSync(path, `${JSON.stringify(doc, null, '\t')}\n`, 0o600);
}

export function storeCredentials(registry: string, username: string, password: string, path = configPath()): void {
  const doc = readConfig(path);
  const auths = { ...(doc.auths ?? {}) };
  const wanted = normalizeKey(configKey(registry));
  for (const key of Object.keys(auths)) if (normalizeKey(key) === wanted) delete auths[key];
  const helper = helperFor(doc, registry);
  if (helper !== undefined) {
    helperStore(helper, configKey(registry), username, password);
    // Docker keeps an empty entry, so the registry is listed as logged in.
    auths[configKey(registry)] = {};
  } else {
    auths[configKey(registry)] = { auth: Buffer.from(`${username}:${password}`, 'utf8').toString('base64') };
  }
  writeConfig(path, { ...doc, auths });
}

/** False when there was nothing stored for the registry. */
export function eraseCredentials(registry: string, path = configPath()): boolean {
  const doc = readConfig(path);
  const auths = { ...(doc.auths ?? {}) };
  const wanted = normalizeKey(configKey(registry));
  const keys = Object.keys(auths).filter((key) => normalizeKey(key) === wanted);
  const helper = helperFor(doc, registry);
  const erased = helper !== undefined && helperErase(helper, configKey(registry));
  if (keys.length === 0) return erased;
  for (const key of keys) delete auths[key];
  writeConfig(path, { ...doc, auths });
  return true;
}
