/**
 * Where a registry named in an image reference is reached: Docker Hub's API host for
 * `docker.io`; HTTPS, verified against the system's CAs, LADE_EXTRA_CA_CERTS and
 * /etc/docker/certs.d/HOST/*.crt (as Docker reads them; LADE_CERTS_DIR moves that directory).
 * An insecure registry by Docker's rule (a loopback host, or one named in
 * LADE_INSECURE_REGISTRIES) is tried over HTTPS without verification, then over plain HTTP.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

export interface Endpoint {
  /** The registry as references name it: `docker.io`, `127.0.0.1:5000`. */
  name: string;
  /** Where its API may be, in the order to try: `https://registry-1.docker.io`. */
  bases: URL[];
  /** PEM certificates to trust for HTTPS (undefined: Node's defaults). */
  ca?: string[];
  /** Docker's insecure registry: HTTPS certificates are not verified. */
  insecure: boolean;
}

export interface EndpointOptions {
  /** Registries reached over plain HTTP besides loopback ones (host or host:port). */
  insecure?: readonly string[];
  /** Docker's certs.d directory; LADE_CERTS_DIR, else /etc/docker/certs.d. */
  certsDir?: string;
}

function hostOf(name: string): string {
  if (name.startsWith('[')) return name.slice(1, name.indexOf(']'));
  const colon = name.lastIndexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

/** Docker's rule: localhost and 127.0.0.0/8 (and ::1) need no --insecure-registry. */
export function isLoopback(name: string): boolean {
  const host = hostOf(name);
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The registries named insecure in the environment (comma- or space-separated). */
export function insecureFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['LADE_INSECURE_REGISTRIES'] ?? '').split(/[\s,]+/).filter((s) => s !== '');
}

function extraCertificates(name: string, certsDir: string): string[] {
  const out: string[] = [];
  const extra = process.env['LADE_EXTRA_CA_CERTS'] ?? process.env['NODE_EXTRA_CA_CERTS'];
  if (extra !== undefined && extra !== '') {
    try {
      out.push(readFileSync(extra, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable extra bundle.
    }
  }
  const dir = join(certsDir, name);
  let files: string[] = [];
  try {
    files = readdirSync(dir);
  } catch {
    // No per-registry CAs.
  }
  for (const f of files.sort()) if (f.endsWith('.crt')) out.push(readFileSync(join(dir, f), 'utf8'));
  return out;
}

export function endpointFor(name: string, options: EndpointOptions = {}): Endpoint {
  const insecure = isLoopback(name) || (options.insecure ?? []).includes(name) || insecureFromEnv().includes(name);
  const host = name === 'docker.io' ? 'registry-1.docker.io' : name;
  const bases = [new URL(`https://${host}`)];
  if (insecure) bases.push(new URL(`http://${host}`));
  const extra = extraCertificates(name, options.certsDir ?? process.env['LADE_CERTS_DIR'] ?? '/etc/docker/certs.d');
  return extra.length === 0 ? { name, bases, insecure } : { name, bases, insecure, ca: [...rootCertificates, ...extra] };
}
