/**
 * Docker's credential helpers: `docker-credential-NAME get|store|erase`, named by `credHelpers`
 * (per registry) or `credsStore` (all registries) in config.json, speaking JSON on stdin and
 * stdout (docker-credential-helpers' protocol). A Username of `<token>` means the Secret is an
 * identity token.
 */
import { execFileSync } from 'node:child_process';
import { ErrorCode, LadeError } from '../errors/index.js';

/** What a helper answers when it has nothing for the server. */
const NOT_FOUND = /credentials not found/i;
const TIMEOUT_MS = 60_000;

function helperFailed(helper: string, action: string, err: unknown): LadeError {
  const e = err as NodeJS.ErrnoException & { stderr?: Buffer; stdout?: Buffer };
  if (e.code === 'ENOENT') {
    return new LadeError(ErrorCode.RegistryAuth, `the credential helper docker-credential-${helper} (named in Docker's config.json) is not installed`, {
      hint: 'Install it, or remove credsStore/credHelpers from the config to keep credentials in the file.',
    });
  }
  const detail = (e.stdout?.toString() || e.stderr?.toString() || e.message).trim();
  return new LadeError(ErrorCode.RegistryAuth, `docker-credential-${helper} ${action} failed: ${detail}`);
}

function run(helper: string, action: 'get' | 'store' | 'erase', input: string): string {
  return execFileSync(`docker-credential-${helper}`, [action], { input, encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function helperGet(helper: string, serverUrl: string): { username: string; secret: string } | undefined {
  let out: string;
  try {
    out = run(helper, 'get', serverUrl);
  } catch (err) {
    const e = err as { stdout?: Buffer | string; stderr?: Buffer | string };
    if (NOT_FOUND.test(String(e.stdout ?? '')) || NOT_FOUND.test(String(e.stderr ?? ''))) return undefined;
    throw helperFailed(helper, 'get', err);
  }
  let doc: { Username?: unknown; Secret?: unknown };
  try {
    doc = JSON.parse(out) as typeof doc;
  } catch {
    throw new LadeError(ErrorCode.RegistryAuth, `docker-credential-${helper} get answered something that is not JSON`);
  }
  if (typeof doc.Secret !== 'string' || doc.Secret === '') return undefined;
  return { username: typeof doc.Username === 'string' ? doc.Username : '', secret: doc.Secret };
}

export function helperStore(helper: string, serverUrl: string, username: string, secret: string): void {
  try {
    run(helper, 'store', JSON.stringify({ ServerURL: serverUrl, Username: username, Secret: secret }));
  } catch (err) {
    throw helperFailed(helper, 'store', err);
  }
}

/** False when the helper had nothing for the server. */
export function helperErase(helper: string, serverUrl: string): boolean {
  try {
    run(helper, 'erase', serverUrl);
    return true;
  } catch (err) {
    const e = err as { stdout?: Buffer | string; stderr?: Buffer | string };
    if (NOT_FOUND.test(String(e.stdout ?? '')) || NOT_FOUND.test(String(e.stderr ?? ''))) return false;
    throw helperFailed(helper, 'erase', err);
  }
}
