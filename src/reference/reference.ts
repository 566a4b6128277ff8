/**
 * Image references as the distribution/reference package reads them (ParseNormalizedNamed):
 * `alpine` is `docker.io/library/alpine`, a first component with `.` or `:` (or `localhost`)
 * is a registry, and a reference without tag or digest gets `:latest`. BuildKit checks every
 * base image and `--from` image this way, and the Docker CLI every name a user types.
 */
import { ErrorCode, LadeError } from '../errors/index.js';

export interface ImageReference {
  /** The registry host (and port): `docker.io`, `127.0.0.1:5000`. */
  domain: string;
  /** The repository path within the registry: `library/alpine`. */
  path: string;
  tag?: string;
  digest?: string;
  /** The fully qualified reference with the default tag added (`docker.io/library/alpine:latest`). */
  normalized: string;
}

export class ImageReferenceError extends LadeError {
  constructor(message: string) {
    super(ErrorCode.InvalidReference, message);
  }
}

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const HOST = `(?:${DOMAIN_NAME}|\\[(?:[a-fA-F0-9:]+)\\])`;
const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;

const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
const DIGEST_ANCHORED = new RegExp(`^${DIGEST}$`);
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const MAX_NAME_LENGTH = 255;

function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return ['docker.io', `library/${name}`];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === 'localhost') [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain === 'index.docker.io') [domain, remote] = ['docker.io', maybeRemote];
  else if (/[.:]/.test(maybeDomain)) [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remote] = [maybeDomain, maybeRemote];
  else [domain, remote] = ['docker.io', name];
  if (domain === 'docker.io' && !remote.includes('/')) remote = `library/${remote}`;
  return [domain, remote];
}

/** go-digest's Validate. */
function checkDigest(digest: string): void {
  const colon = digest.indexOf(':');
  if (colon <= 0 || colon + 1 === digest.length) throw new ImageReferenceError('invalid checksum digest format');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const size = DIGEST_HEX_LENGTH[algorithm];
  if (size === undefined) {
    if (!DIGEST_ANCHORED.test(digest)) throw new ImageReferenceError('invalid checksum digest format');
    throw new ImageReferenceError('unsupported digest algorithm');
  }
  if (encoded.length !== size) throw new ImageReferenceError('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(encoded)) throw new ImageReferenceError('invalid checksum digest format');
}

/** Parses and normalises a reference; throws ImageReferenceError with distribution's message. */
export function parseImageReference(s: string): ImageReference {
  if (IDENTIFIER.test(s)) {
    throw new ImageReferenceError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new ImageReferenceError(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  const full = `${domain}/${remainder}`;
  const match = REFERENCE.exec(full);
  if (match === null) {
    if (REFERENCE.test(full.toLowerCase())) throw new ImageReferenceError('repository name must be lowercase');
    throw new ImageReferenceError('invalid reference format');
  }
  const nameMatch = ANCHORED_NAME.exec(match[1]!);
  const refDomain = nameMatch?.[1] ?? '';
  const path = nameMatch?.[2] ?? match[1]!;
  if (path.length > MAX_NAME_LENGTH) {
    throw new ImageReferenceError(`repository name must not be more than ${MAX_NAME_LENGTH} characters`);
  }
  const tag = match[2];
  const digest = match[3];
  if (digest !== undefined) checkDigest(digest);

  const name = refDomain === '' ? path : `${refDomain}/${path}`;
  let normalized = name;
  if (tag !== undefined) normalized += `:${tag}`;
  if (digest !== undefined) normalized += `@${digest}`;
  if (tag === undefined && digest === undefined) normalized += ':latest';
  const ref: ImageReference = { domain: refDomain, path, normalized };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** `domain/path`, without tag or digest: `docker.io/library/alpine`. */
export function repositoryOf(ref: ImageReference): string {
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`;
}

/**
 * The short form Docker shows (reference.FamiliarName): `docker.io/library/alpine` is
 * `alpine`, `docker.io/team/app` is `team/app`; other registries stay as they are.
 */
export function familiarRepository(ref: ImageReference): string {
  if (ref.domain !== 'docker.io') return repositoryOf(ref);
  return ref.path.startsWith('library/') && ref.path.indexOf('/', 8) < 0 ? ref.path.slice(8) : ref.path;
}

/** The familiar form with tag and digest, as in `docker images` and `RepoTags`: `alpine:3.19`. */
export function familiarString(ref: ImageReference): string {
  let out = familiarRepository(ref);
  if (ref.tag !== undefined) out += `:${ref.tag}`;
  if (ref.digest !== undefined) out += `@${ref.digest}`;
  return out;
}
