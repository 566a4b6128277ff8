/**
 * Authenticated requests to one registry. The first request pings `/v2/` to choose the endpoint
 * (HTTPS, or plain HTTP for an insecure registry that does not speak TLS) and learn the
 * challenge; then every request carries Basic credentials or a Bearer token for the scopes it
 * needs (fetched from the challenge's realm, cached per scope set until it expires, fetched again
 * on a 401). Idempotent requests are retried with backoff on broken connections, 5xx and 429.
 * Credentials and tokens are never printed: errors name the registry, never the header.
 */
import { ErrorCode, LadeError } from '../errors/index.js';
import { parseChallenges, type Challenge } from './challenge.js';
import type { Credentials } from './credentials.js';
import type { Endpoint } from './endpoint.js';
import { discard, readBody, send, type HttpRequest, type HttpResponse, type TlsOptions } from './http.js';

export interface SessionRequest {
  method: HttpRequest['method'];
  /** A path under the registry (`/v2/...`) or an absolute URL (upload locations). */
  path: string | URL;
  headers?: Record<string, string>;
  body?: HttpRequest['body'];
  /** Scopes the request needs, e.g. `repository:library/alpine:pull`. */
  scopes: readonly string[];
}

const RETRIES = [250, 1000, 3000];

const CERTIFICATE_ERRORS = /CERT|SIGNATURE|SELF_SIGNED|ALTNAME|ISSUER/;
/** DNS answers that a retry a second later will not change. */
const NAME_ERRORS = ['ENOTFOUND', 'EAI_NONAME'];

function unreachable(endpoint: Endpoint, err: unknown): LadeError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const hint = CERTIFICATE_ERRORS.test(code)
    ? `The registry's certificate is not trusted: put its CA in /etc/docker/certs.d/${endpoint.name}/ca.crt (as for Docker) or in LADE_EXTRA_CA_CERTS, or name the registry in LADE_INSECURE_REGISTRIES to skip the check.`
    : NAME_ERRORS.includes(code)
      ? 'The registry\'s name does not resolve: check the image name and this machine\'s network, or bring the image in without a registry (`lade load -i IMAGE.tar`).'
      : endpoint.insecure
      ? 'Check that it is running and listening there.'
      : 'Check the name and the network; a registry served over plain HTTP must be named in LADE_INSECURE_REGISTRIES.';
  return new LadeError(ErrorCode.RegistryUnreachable, `cannot reach the registry ${endpoint.name}: ${(err as Error).message}`, { cause: err, hint });
}

/** The registry's JSON error, shortened to what a user reads; the status line otherwise. */
export async function errorText(response: HttpResponse): Promise<string> {
  let text = '';
  try {
    text = (await readBody(response, 64 << 10)).toString('utf8');
  } catch {
    // The status says enough.
  }
  try {
    const doc = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    const first = doc.errors?.[0];
    if (first !== undefined) return [first.code?.toLowerCase().replace(/_/g, ' '), first.message].filter((s) => s !== undefined && s !== '').join(': ');
  } catch {
    // Not JSON.
  }
  return `HTTP ${response.status}`;
}

/** A registry's refusal as a LadeError, coded by its status. */
export async function responseError(response: HttpResponse, what: string, registry: string): Promise<LadeError> {
  let detail = await errorText(response);
  // HEAD answers carry no body: Docker's words for the two refusals.
  if (detail === 'HTTP 401') detail = 'unauthorized: authentication required';
  if (detail === 'HTTP 403') detail = 'denied: requested access to the resource is denied';
  if (response.status === 401 || response.status === 403) {
    return new LadeError(ErrorCode.RegistryAuth, `${what}: ${detail}`, { hint: `Log in with \`lade login ${registry}\` as a user with access.` });
  }
  if (response.status === 404) return new LadeError(ErrorCode.RegistryNotFound, `${what}: ${detail}`);
  return new LadeError(ErrorCode.RegistryError, `${what}: ${detail} (HTTP ${response.status} from ${registry})`);
}

interface Token {
  /** Shared by requests that ask at the same time (parallel blob uploads). */
  value: Promise<string>;
  expires: number;
}

export class RegistrySession {
  private base: URL | undefined;
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, Token>();
  private readonly tls: TlsOptions;

  constructor(
    readonly endpoint: Endpoint,
    private readonly credentials: Credentials | undefined,
  ) {
    this.tls = { ca: endpoint.ca, insecure: endpoint.insecure };
  }

  /** Pings `/v2/` once: which endpoint answers, and how it wants to be authenticated. */
  private async ping(): Promise<URL> {
    if (this.base !== undefined) return this.base;
    let lastError: unknown;
    const bases = this.endpoint.bases;
    for (const base of bases) {
      let response: HttpResponse;
      try {
        // An insecure registry's HTTPS attempt fails at once when it speaks plain HTTP: only the
        // last candidate is worth retrying.
        response = await this.withRetries('GET', () => send({ method: 'GET', url: new URL('/v2/', base) }, this.tls), base === bases[bases.length - 1]);
      } catch (err) {
        lastError = err;
        continue;
      }
      discard(response);
      if (response.status === 401) this.challenge = parseChallenges(response.headers['www-authenticate'])[0];
      else if (response.status === 404) {
        throw new LadeError(ErrorCode.RegistryError, `${this.endpoint.name} is not a registry: ${new URL('/v2/', base).href} answered 404`);
      }
      this.base = base;
      return base;
    }
    throw unreachable(this.endpoint, lastError);
  }

  private async withRetries(method: string, attempt: () => Promise<HttpResponse>, retryable = method === 'GET' || method === 'HEAD'): Promise<HttpResponse> {
    for (let i = 0; ; i++) {
      try {
        const response = await attempt();
        if (retryable && i < RETRIES.length && (response.status >= 500 || response.status === 429)) {
          discard(response);
          const after = Number(response.headers['retry-after']);
          await new Promise((r) => setTimeout(r, Number.isFinite(after) && after > 0 ? Math.min(after, 10) * 1000 : RETRIES[i]));
          continue;
        }
        return response;
      } catch (err) {
        // A certificate is not going to be trusted a second later.
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (!retryable || i >= RETRIES.length || CERTIFICATE_ERRORS.test(code) || NAME_ERRORS.includes(code)) throw err;
        await new Promise((r) => setTimeout(r, RETRIES[i]));
      }
    }
  }

  private basic(): string | undefined {
    const c = this.credentials;
    if (c === undefined || !('username' in c)) return undefined;
    return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
  }

  private token(scopes: readonly string[], fresh: boolean): Promise<string> {
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (!fresh && cached !== undefined && cached.expires > Date.now()) return cached.value;
    const entry: Token = { value: this.fetchToken(scopes, (expires) => (entry.expires = expires)), expires: Number.POSITIVE_INFINITY };
    this.tokens.set(key, entry);
    entry.value.catch(() => this.tokens.delete(key));
    return entry.value;
  }

  private async fetchToken(scopes: readonly string[], setExpiry: (at: number) => void): Promise<string> {
    const params = this.challenge!.params;
    if (params['realm'] === undefined) throw new LadeError(ErrorCode.RegistryError, `${this.endpoint.name} asks for a Bearer token without naming where to get it (no realm)`);
    const url = new URL(params['realm']);
    if (params['service'] !== undefined) url.searchParams.set('service', params['service']);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    const c = this.credentials;
    if (c !== undefined && 'username' in c) {
      url.searchParams.set('account', c.username);
      headers['Authorization'] = this.basic()!;
    }
    let response: HttpResponse;
    try {
      if (c !== undefined && 'identityToken' in c) {
        // An identity (refresh) token is exchanged by OAuth2, as Docker does (docs/spec/auth/oauth.md).
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.identityToken, client_id: 'lade', scope: scopes.join(' ') });
        if (params['service'] !== undefined) form.set('service', params['service']);
        const realm = new URL(params['realm']);
        response = await send({ method: 'POST', url: realm, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()) }, { ca: this.endpoint.ca });
      } else {
        response = await this.withRetries('GET', () => send({ method: 'GET', url, headers }, { ca: this.endpoint.ca }));
      }
    } catch (err) {
      throw new LadeError(ErrorCode.RegistryUnreachable, `cannot reach the token server of ${this.endpoint.name} (${url.origin}): ${(err as Error).message}`, { cause: err });
    }
    if (response.status !== 200) throw await responseError(response, `the token server of ${this.endpoint.name} refused a token`, this.endpoint.name);
    let doc: { token?: string; access_token?: string; expires_in?: number };
    try {
      doc = JSON.parse((await readBody(response, 1 << 20)).toString('utf8')) as typeof doc;
    } catch (err) {
      throw new LadeError(ErrorCode.RegistryError, `the token server of ${this.endpoint.name} sent no valid JSON: ${(err as Error).message}`);
    }
    const value = doc.access_token ?? doc.token;
    if (typeof value !== 'string' || value === '') throw new LadeError(ErrorCode.RegistryError, `the token server of ${this.endpoint.name} sent no token`);
    const lifetime = Math.max(60, typeof doc.expires_in === 'number' ? doc.expires_in : 60);
    // Renewed a little early, so that a token does not expire between check and use.
    setExpiry(Date.now() + (lifetime - 10) * 1000);
    return value;
  }

  private async authorization(scopes: readonly string[], fresh: boolean): Promise<string | undefined> {
    if (this.challenge === undefined) return undefined;
    if (this.challenge.scheme === 'basic') return this.basic();
    if (this.challenge.scheme === 'bearer') return `Bearer ${await this.token(scopes, fresh)}`;
    throw new LadeError(ErrorCode.RegistryAuth, `${this.endpoint.name} asks for ${this.challenge.scheme} authentication, which lade does not speak (Basic and Bearer only)`);
  }

  /**
   * `lade login`: whether the registry accepts this session's credentials, as Docker checks them
   * (GET /v2/ with them; for a token registry, a token fetched with them and no scope).
   */
  async checkLogin(): Promise<void> {
    await this.ping();
    if (this.challenge === undefined) return; // an open registry accepts anyone
    const response = await this.request({ method: 'GET', path: '/v2/', scopes: [] });
    discard(response);
    if (response.status === 401 || response.status === 403) {
      throw new LadeError(ErrorCode.RegistryAuth, `login to ${this.endpoint.name} failed: unauthorized: incorrect username or password`);
    }
    if (response.status !== 200) throw await responseError(response, `login to ${this.endpoint.name} failed`, this.endpoint.name);
  }

  /** Sends the request with credentials; a 401 is answered once (new challenge or fresh token). */
  async request(req: SessionRequest): Promise<HttpResponse> {
    const base = await this.ping();
    const url = req.path instanceof URL ? req.path : new URL(req.path, base);
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorization(req.scopes, attempt > 0);
      const headers = { ...req.headers, ...(auth === undefined ? {} : { Authorization: auth }) };
      let response: HttpResponse;
      try {
        response = await this.withRetries(req.method, () => send({ method: req.method, url, headers, ...(req.body === undefined ? {} : { body: req.body }) }, this.tls));
      } catch (err) {
        throw unreachable(this.endpoint, err);
      }
      // Bodies are bytes or made afresh per attempt, so a request can always go again.
      if (response.status !== 401 || attempt > 0) return response;
      const challenge = parseChallenges(response.headers['www-authenticate'])[0];
      if (challenge === undefined) return response;
      const changed = this.challenge === undefined || challenge.scheme !== this.challenge.scheme;
      this.challenge = challenge;
      if (!changed && challenge.scheme === 'basic') return response;
      discard(response);
    }
  }
}
