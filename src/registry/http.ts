/**
 * One HTTP exchange with a registry (node:http/https, kept-alive connections per endpoint).
 * Redirects are followed for GET and HEAD, and Authorization is never sent to another host (the
 * distribution spec's rule: blob downloads are often redirected to a storage service).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  /** Bytes, or a stream made afresh for each attempt. */
  body?: Buffer | (() => Readable);
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, unread: the caller reads it or calls discard(). */
  body: IncomingMessage;
  /** Where the response came from, after redirects. */
  url: URL;
}

export interface TlsOptions {
  ca?: string[] | undefined;
  /** Accept any certificate (Docker's insecure registries). */
  insecure?: boolean;
}

const MAX_REDIRECTS = 10;
const agents = new Map<string, HttpAgent>();

function agentFor(url: URL, tls: TlsOptions): HttpAgent {
  const key = `${url.protocol}${url.host}|${tls.insecure === true}|${tls.ca?.length ?? 0}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    agent =
      url.protocol === 'https:'
        ? tls.insecure === true
          ? // Nothing is verified, so no CA is parsed (a system bundle plus extras takes about 40 ms).
            new HttpsAgent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false })
          : new HttpsAgent({ keepAlive: true, maxSockets: 8, ...(tls.ca === undefined ? {} : { ca: tls.ca }) })
        : new HttpAgent({ keepAlive: true, maxSockets: 8 });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * Closes the kept-alive connections: a command calls it when it is done with registries, as an
 * idle connection's timer would otherwise keep the process alive for seconds.
 */
export function closeConnections(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** Reads and drops a response body, so its connection can be reused. */
export function discard(response: HttpResponse): void {
  response.body.resume();
}

export async function readBody(response: HttpResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      response.body.destroy();
      throw new Error(`the response from ${response.url.origin} is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function once(req: HttpRequest, tls: TlsOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const send = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { 'User-Agent': 'lade', ...req.headers };
    if (Buffer.isBuffer(req.body)) headers['Content-Length'] = String(req.body.length);
    else if (req.body === undefined && (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH')) headers['Content-Length'] = '0';
    const r = send(req.url, { method: req.method, headers, agent: agentFor(req.url, tls) }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
    });
    r.on('error', reject);
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else {
      const body = req.body();
      body.on('error', (err) => r.destroy(err));
      body.pipe(r);
    }
  });
}

export async function send(req: HttpRequest, tls: TlsOptions = {}): Promise<HttpResponse> {
  let current = req;
  for (let hop = 0; ; hop++) {
    const response = await once(current, tls);
    const location = response.headers.location;
    const redirect = response.status >= 300 && response.status < 400 && response.status !== 304 && location !== undefined;
    if (!redirect || (current.method !== 'GET' && current.method !== 'HEAD')) return response;
    if (hop === MAX_REDIRECTS) {
      discard(response);
      throw new Error(`too many redirects from ${req.url.origin}`);
    }
    discard(response);
    const next = new URL(location, current.url);
    const headers = { ...current.headers };
    if (next.host !== req.url.host) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
    }
    current = { ...current, url: next, headers };
  }
}
