/**
 * Real registries for tests: distribution's `docker-registry` (Debian package docker-registry,
 * distribution 2.8) on 127.0.0.1, each with its own config, storage, keys and log in one temp
 * directory, optionally behind htpasswd basic auth or token auth (the token server runs in this
 * process, so tests can see what was asked of it), and optionally over TLS with its own CA.
 *
 * Everything a registry writes stays in its temp directory: the registry and openssl run there
 * with HOME pointing at it, and the registry gets no REGISTRY_* variables from our environment
 * (they would override its config).
 */
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { createPrivateKey, randomBytes, sign, timingSafeEqual, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface TokenRequest {
  /** each scope asked for, e.g. repository:test/x:pull,push (space-joined lists are split) */
  scope: string[];
  account?: string;
  service?: string;
  /** whether Basic credentials were given and matched (only then is access granted) */
  authorized: boolean;
}

export interface TestRegistry {
  /** host:port as image references name it, e.g. 127.0.0.1:41234 */
  host: string;
  /** http://127.0.0.1:PORT or https://127.0.0.1:PORT */
  url: string;
  /** the registry's storage directory (tests may corrupt blobs in it) */
  dataDir: string;
  /** for tls: the PEM file of the CA that signed the server certificate */
  caFile?: string;
  /** for basic/token auth: the user and password that are accepted */
  user?: string;
  password?: string;
  /** for token auth: an identity (refresh) token the token server accepts in its OAuth2 POST form */
  identityToken?: string;
  /** for token auth: how many tokens the token server issued, and the scopes asked for (to assert caching) */
  tokenRequests?: () => Array<TokenRequest>;
  /** for token auth: the realm and service the registry's challenge names */
  tokenRealm?: string;
  tokenService?: string;
  /** the registry process (after stop() it no longer exists) */
  pid: number;
  /** the registry's stdout and stderr (its log and access log) */
  logFile: string;
  /** the log so far, for assertion messages */
  log(): string;
  /** where the registry stores the blob with this digest (sha256:…) */
  blobPath(digest: string): string;
  /** kills the registry and token server and removes the temp dir; idempotent */
  stop(): Promise<void>;
}

export interface RegistryOptions {
  auth?: 'none' | 'basic' | 'token';
  tls?: boolean;
  /** the registry's log level; warn by default (token rejections are only logged at info) */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /**
   * The IPv4 address to listen on (and, with tls, the certificate's subjectAltName); 127.0.0.1
   * by default. Clients treat loopback registries as insecure, as Docker does, so a test of
   * certificate checks needs another of the machine's addresses (see nonLoopbackAddress).
   */
  address?: string;
}

/** One of this machine's IPv4 addresses outside 127.0.0.0/8, for TLS tests. */
export function nonLoopbackAddress(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
  if (found === undefined) throw new Error('this machine has no IPv4 address outside 127.0.0.0/8, which the TLS registry test needs');
  return found.address;
}

const SERVICE = 'lade-test-registry';
const ISSUER = 'lade-test-token-issuer';
const TOKEN_TTL_SECONDS = 300;
const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 2_000;

/** Registries not yet stopped, killed synchronously if this process exits without t.after running. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [child, dir] of live) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * Starts docker-registry on 127.0.0.1 with a random free port, waits until GET /v2/ answers, and
 * stops it (and removes its temp dir) when the test ends.
 */
export async function startRegistry(t: TestContext, options: RegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const tls = options.tls ?? false;
  const address = options.address ?? '127.0.0.1';
  installExitHook();
  const dir = await mkdtemp(join(tmpdir(), 'lade-registry-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'registry.log');
  let child: ChildProcess | undefined;
  let tokenServer: Server | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (child !== undefined) await killChild(child);
      if (tokenServer !== undefined) {
        tokenServer.closeAllConnections();
        await new Promise<void>((resolve) => tokenServer!.close(() => resolve()));
      }
      if (child !== undefined) live.delete(child);
      await rm(dir, { recursive: true, force: true });
    })());
  // Registered before anything can fail, so a half-started registry is cleaned up too.
  t.after(stop);

  try {
    await mkdir(dataDir);
    const config: Record<string, unknown> = {
      version: '0.1',
      log: { level: options.logLevel ?? 'warn', formatter: 'text' },
      storage: {
        filesystem: { rootdirectory: dataDir },
        delete: { enabled: true },
        // The purger walks _uploads on a timer; nothing here lives long enough to need it.
        maintenance: { uploadpurging: { enabled: false } },
      },
      // A fixed secret: without one the registry logs a warning on every start.
      http: { addr: '', secret: randomBytes(16).toString('hex') } as Record<string, unknown>,
    };
    const http = config['http'] as Record<string, unknown>;
    const registry: Partial<TestRegistry> = { dataDir, logFile };

    let ca: Buffer | undefined;
    if (tls) {
      const certs = await makeServerCert(dir, address);
      http['tls'] = { certificate: certs.certFile, key: certs.keyFile };
      registry.caFile = certs.caFile;
      ca = await readFile(certs.caFile);
    }

    if (auth === 'basic' || auth === 'token') {
      registry.user = 'lade-tester';
      registry.password = randomBytes(12).toString('base64url');
    }
    if (auth === 'basic') {
      const htpasswdFile = join(dir, 'htpasswd');
      // bcrypt: distribution 2.8 accepts no other htpasswd hash.
      const line = await run('htpasswd', ['-Bbn', registry.user!, registry.password!], dir);
      await writeFile(htpasswdFile, line.trim() + '\n');
      config['auth'] = { htpasswd: { realm: 'lade-test-registry', path: htpasswdFile } };
    } else if (auth === 'token') {
      const signer = await makeTokenSigner(dir);
      const requests: TokenRequest[] = [];
      registry.identityToken = randomBytes(16).toString('base64url');
      tokenServer = createServer((req, res) => handleTokenRequest(req, res, signer, registry.user!, registry.password!, registry.identityToken!, requests));
      tokenServer.listen(0, '127.0.0.1');
      await once(tokenServer, 'listening');
      const address = tokenServer.address();
      if (address === null || typeof address === 'string') throw new Error('token server has no port');
      registry.tokenRealm = `http://127.0.0.1:${address.port}/token`;
      registry.tokenService = SERVICE;
      registry.tokenRequests = () => requests.map((r) => ({ ...r, scope: [...r.scope] }));
      config['auth'] = {
        token: { realm: registry.tokenRealm, service: SERVICE, issuer: ISSUER, rootcertbundle: signer.certFile },
      };
    }

    const configFile = join(dir, 'config.yml');
    let lastFailure = '';
    for (let attempt = 1; child === undefined; attempt++) {
      const port = await freePort(address);
      http['addr'] = `${address}:${port}`;
      // JSON is YAML (a flow mapping), and JSON.stringify quotes paths whatever TMPDIR holds.
      await writeFile(configFile, JSON.stringify(config, null, 2) + '\n');
      const scheme = tls ? 'https' : 'http';
      const started = await launch(configFile, logFile, dir, `${scheme}://${address}:${port}/v2/`, ca);
      if (started.child !== undefined) {
        child = started.child;
        registry.host = `${address}:${port}`;
        registry.url = `${scheme}://${address}:${port}`;
        registry.pid = child.pid!;
        break;
      }
      lastFailure = started.failure;
      // Another process took the port between our probe and the registry's listen: try another.
      if (!/address already in use/.test(lastFailure) || attempt >= START_ATTEMPTS) {
        throw new Error(`docker-registry did not start (attempt ${attempt}): ${lastFailure}`);
      }
    }
    return {
      ...(registry as Omit<TestRegistry, 'log' | 'blobPath' | 'stop'>),
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
      blobPath: (digest) => {
        const [algorithm, hex] = digest.split(':');
        if (algorithm === undefined || hex === undefined) throw new Error(`not a digest: ${digest}`);
        return join(dataDir, 'docker', 'registry', 'v2', 'blobs', algorithm, hex.slice(0, 2), hex, 'data');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Runs the registry and waits until /v2/ answers as a registry does (any status, with the API
 * version header: a 200 or 401 from another process that took the port does not count).
 */
async function launch(
  configFile: string,
  logFile: string,
  dir: string,
  probeUrl: string,
  ca: Buffer | undefined,
): Promise<{ child: ChildProcess; failure?: undefined } | { child?: undefined; failure: string }> {
  const logFd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    // PR_SET_PDEATHSIG (kept across exec) kills the registry if this process dies without
    // running its exit handlers, e.g. when the test runner SIGKILLs a file that timed out.
    child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', REGISTRY_BIN, 'serve', configFile], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir },
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  live.set(child, dir);
  let exited = false;
  const exit = once(child, 'exit').then(() => (exited = true));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const failed = async (why: string) => {
    await killChild(child);
    live.delete(child);
    return { failure: `${why}\n--- registry log (tail) ---\n${tail(logFile)}` };
  };
  for (;;) {
    const outcome = await Promise.race([
      probe(probeUrl, ca),
      exit.then(() => 'exited' as const),
      spawnError.then((e) => e),
    ]);
    if (outcome instanceof Error) return failed(`cannot run ${REGISTRY_BIN}: ${outcome.message}`);
    if (outcome === 'exited' || exited) {
      return failed(`exited with ${child.exitCode ?? child.signalCode} before answering ${probeUrl}`);
    }
    if (outcome === true) return { child };
    if (Date.now() > deadline) return failed(`no answer from ${probeUrl} within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** True once the URL answers with distribution's API version header; false while it refuses. */
function probe(url: string, ca: Buffer | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const req = (ca === undefined ? httpRequest : httpsRequest)(url, { agent: false, timeout: 1000, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      resolve(res.headers['docker-distribution-api-version'] === 'registry/2.0');
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** SIGTERM (the registry has no drain timeout, so it exits at once), then SIGKILL if it lingers. */
async function killChild(child: ChildProcess): Promise<void> {
  // No pid: the spawn itself failed, and there is no process to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(no log: ${(err as Error).message})`;
  }
}

async function freePort(host: string): Promise<number> {
  const server = createNetServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from listen(0)');
  return address.port;
}

function run(file: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // HOME and RANDFILE in the temp dir: openssl must not touch ~/.rnd or anything else.
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cwd, RANDFILE: join(cwd, '.rnd') };
    execFile(file, args, { cwd, env, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Our own openssl config: the system one would add its default extensions (CA:TRUE on every
 * `req -x509` certificate, server certificates included).
 */
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
[dn]
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:__SAN_IP__
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[signer_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
`;

/** P-256 keys: generated in microseconds, where RSA takes tens to hundreds of milliseconds. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** The config, its server certificates for IP `address`. */
async function opensslConfig(dir: string, address = '127.0.0.1'): Promise<string> {
  const file = join(dir, `openssl-${address}.cnf`);
  if (!existsSync(file)) await writeFile(file, OPENSSL_CONFIG.replace('__SAN_IP__', address));
  return file;
}

/** A CA and a server certificate for IP `address` signed by it. */
async function makeServerCert(dir: string, address: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const cnf = await opensslConfig(dir, address);
  const tlsDir = join(dir, 'tls');
  await mkdir(tlsDir);
  const caFile = join(tlsDir, 'ca.pem');
  const caKey = join(tlsDir, 'ca.key');
  const certFile = join(tlsDir, 'server.pem');
  const keyFile = join(tlsDir, 'server.key');
  const common = ['-config', cnf, '-x509', '-days', '2', ...EC_KEY];
  await run('openssl', ['req', ...common, '-keyout', caKey, '-out', caFile, '-subj', '/CN=lade test CA', '-extensions', 'ca_ext'], dir);
  await run(
    'openssl',
    ['req', ...common, '-CA', caFile, '-CAkey', caKey, '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${address}`, '-extensions', 'server_ext'],
    dir,
  );
  return { caFile, certFile, keyFile };
}

interface TokenSigner {
  certFile: string;
  key: KeyObject;
  /** the certificate as the JWT header's x5c names it: base64 (not base64url) DER */
  x5c: string;
}

/**
 * A self-signed signing certificate: the registry trusts it as a root (rootcertbundle), and each
 * token carries it in its x5c header, which distribution 2.8 checks against those roots.
 */
async function makeTokenSigner(dir: string): Promise<TokenSigner> {
  const cnf = await opensslConfig(dir);
  const certFile = join(dir, 'token-signer.pem');
  const keyFile = join(dir, 'token-signer.key');
  await run(
    'openssl',
    ['req', '-config', cnf, '-x509', '-days', '2', ...EC_KEY, '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${ISSUER}`, '-extensions', 'signer_ext'],
    dir,
  );
  const cert = new X509Certificate(await readFile(certFile));
  return { certFile, key: createPrivateKey(await readFile(keyFile)), x5c: cert.raw.toString('base64') };
}

function jwt(signer: TokenSigner, claims: object): string {
  const header = { typ: 'JWT', alg: 'ES256', x5c: [signer.x5c] };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  // JWS ES256 signatures are r||s (IEEE P1363), not the DER that node signs by default.
  const signature = sign('sha256', Buffer.from(signingInput), { key: signer.key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Docker's token protocol (docs/spec/auth/token.md): GET /token?service=…&scope=…&account=…,
 * optionally with Basic credentials. Right credentials get every action asked for; no credentials
 * get a token with no access (enough for GET /v2/, refused by everything else); wrong ones get 401
 * as Docker Hub answers them.
 */
function handleTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  signer: TokenSigner,
  user: string,
  password: string,
  identityToken: string,
  requests: TokenRequest[],
  form?: URLSearchParams,
): void {
  const reply = (status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/token') return reply(404, { errors: [{ code: 'NOT_FOUND', message: url.pathname }] });
  if (req.method === 'POST' && form === undefined) {
    // The OAuth2 form (docs/spec/auth/oauth.md): read it, then answer as for GET.
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handleTokenRequest(req, res, signer, user, password, identityToken, requests, new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.setHeader('allow', 'GET, POST');
    return reply(405, { errors: [{ code: 'UNSUPPORTED', message: `${req.method} (GET and POST tokens are served)` }] });
  }
  const params = form ?? url.searchParams;
  const scope = params.getAll('scope').flatMap((s) => s.split(' ').filter((x) => x !== ''));
  const account = form === undefined ? (url.searchParams.get('account') ?? undefined) : user;
  const service = params.get('service') ?? undefined;
  const authorization = req.headers.authorization;
  let authorized = false;
  let badCredentials = false;
  if (form !== undefined) {
    // Only the refresh-token grant, with the identity token this harness hands out.
    authorized = form.get('grant_type') === 'refresh_token' && sameSecret(form.get('refresh_token') ?? '', identityToken);
    badCredentials = !authorized;
  } else if (authorization !== undefined) {
    const match = /^Basic\s+(\S+)$/i.exec(authorization);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    authorized = colon >= 0 && sameSecret(decoded.slice(0, colon), user) && sameSecret(decoded.slice(colon + 1), password);
    badCredentials = !authorized;
  }
  requests.push({ scope, ...(account !== undefined ? { account } : {}), ...(service !== undefined ? { service } : {}), authorized });
  if (badCredentials) return reply(401, { details: 'incorrect username or password' });
  // A token for another service would be refused by the registry anyway; say why here instead.
  if (service !== SERVICE) return reply(400, { errors: [{ code: 'DENIED', message: `unknown service ${JSON.stringify(service)}` }] });

  const access: Array<{ type: string; name: string; actions: string[] }> = [];
  if (authorized) {
    for (const s of scope) {
      // type:name:actions, where only the name may hold colons (registry:catalog:*).
      const first = s.indexOf(':');
      const last = s.lastIndexOf(':');
      if (first < 0 || last === first) continue;
      const type = s.slice(0, first);
      const name = s.slice(first + 1, last);
      const actions = s.slice(last + 1).split(',').filter((a) => a !== '');
      const existing = access.find((a) => a.type === type && a.name === name);
      if (existing) existing.actions = [...new Set([...existing.actions, ...actions])];
      else access.push({ type, name, actions });
    }
  }
  const now = Math.floor(Date.now() / 1000);
  const token = jwt(signer, {
    iss: ISSUER,
    sub: authorized ? user : '',
    // distribution 2.8 unmarshals aud into a string: an array makes the token "malformed".
    aud: SERVICE,
    exp: now + TOKEN_TTL_SECONDS,
    nbf: now,
    iat: now,
    jti: randomBytes(16).toString('hex'),
    access,
  });
  reply(200, { token, access_token: token, expires_in: TOKEN_TTL_SECONDS, issued_at: new Date(now * 1000).toISOString() });
}
