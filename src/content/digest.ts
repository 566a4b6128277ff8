/**
 * OCI content digests (image-spec descriptor.md, "Digests"). A `Digest` is a string that has
 * passed `parseDigest`; the brand keeps unvalidated strings from crossing module boundaries.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, LadeError } from '../errors/index.js';

export type Digest = string & { readonly __brand: 'Digest' };

/** The algorithms registered by the image spec. lade computes only sha256. */
export type DigestAlgorithm = 'sha256' | 'sha512' | 'blake3';

/**
 * descriptor.md grammar: `algorithm ":" encoded`, algorithm = component (separator component)*,
 * component = [a-z0-9]+, separator = [+._-], encoded = [a-zA-Z0-9=_-]+.
 */
const GRAMMAR = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/** Registered algorithms MUST use lowercase hex of the exact hash length. */
const REGISTERED: Readonly<Record<DigestAlgorithm, RegExp>> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
  blake3: /^[a-f0-9]{64}$/,
};

/** Longer than any registered digest by a margin; bounds the text quoted in error messages. */
const MAX_DIGEST_LENGTH = 256;

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

function invalid(s: string, why: string): LadeError {
  return new LadeError(ErrorCode.InvalidDigest, `invalid digest ${quote(s)}: ${why}`);
}

function isRegistered(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(REGISTERED, algorithm);
}

/**
 * Validates `s` as a digest of a registered algorithm. Unregistered algorithms are rejected: the
 * spec lets an implementation refuse digests it cannot verify, and lade never trusts content it
 * cannot verify.
 */
export function parseDigest(s: string): Digest {
  if (s.length > MAX_DIGEST_LENGTH) throw invalid(s, 'too long');
  const m = GRAMMAR.exec(s);
  if (m === null) throw invalid(s, 'expected algorithm:hex, e.g. sha256:<64 hex digits>');
  const algorithm = m[1]!;
  const encoded = m[2]!;
  if (!isRegistered(algorithm)) {
    throw invalid(s, `unsupported algorithm ${quote(algorithm)} (registered: sha256, sha512, blake3)`);
  }
  if (!REGISTERED[algorithm].test(encoded)) {
    const bytes = algorithm === 'sha512' ? 128 : 64;
    throw invalid(s, `${algorithm} needs ${bytes} lowercase hex digits`);
  }
  return s as Digest;
}

export function isDigest(s: unknown): s is Digest {
  if (typeof s !== 'string' || s.length > MAX_DIGEST_LENGTH) return false;
  const m = GRAMMAR.exec(s);
  if (m === null) return false;
  const algorithm = m[1]!;
  return isRegistered(algorithm) && REGISTERED[algorithm].test(m[2]!);
}

export function digestAlgorithm(d: Digest): DigestAlgorithm {
  return d.slice(0, d.indexOf(':')) as DigestAlgorithm;
}

/** The encoded part: lowercase hex for every registered algorithm. */
export function digestHex(d: Digest): string {
  return d.slice(d.indexOf(':') + 1);
}

/** `sha256:<hex>` from 64 lowercase hex digits, validated. */
export function sha256Digest(hex: string): Digest {
  return parseDigest(`sha256:${hex}`);
}

/** The sha256 digest of exact bytes; a string is hashed as its UTF-8 encoding. */
export function digestOf(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
}

/**
 * Guards every path that must compute or check a hash: a well-formed sha512 or blake3 digest
 * gets a clear "not supported" instead of a misleading mismatch.
 */
export function requireSha256(d: Digest, purpose: string): void {
  const algorithm = digestAlgorithm(d);
  if (algorithm !== 'sha256') {
    throw new LadeError(
      ErrorCode.UnsupportedDigest,
      `cannot ${purpose} ${d}: lade verifies only sha256 digests, not ${algorithm}`,
    );
  }
}
