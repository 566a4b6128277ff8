/**
 * Finding an image by what a user types, in Docker's order: a name (`busybox`, `busybox:1.36`,
 * `127.0.0.1:5000/app`), a digest reference (`busybox@sha256:…`), a full image ID
 * (`sha256:<hex>`), or a unique prefix of the ID's hex (`b2555b2d6db0`).
 */
import { ErrorCode, LadeError } from '../../errors/index.js';
import { parseImageReference, type ImageReference } from '../../reference/index.js';
import type { ImageRecord, StoreRecords } from './records.js';

export interface Found {
  record: ImageRecord;
  /** The normalised tag the name matched, when it was a name. */
  tag?: string;
}

const HEX_PREFIX = /^(?:sha256:)?([a-f0-9]{1,64})$/;

export function notFound(name: string): LadeError {
  return new LadeError(ErrorCode.ImageNotFound, `No such image: ${name}`);
}

/** The normalised form of a name, `:latest` added; undefined when it is not a valid reference. */
export function normalizeName(name: string): ImageReference | undefined {
  try {
    const ref = parseImageReference(name);
    if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
    return ref;
  } catch {
    return undefined;
  }
}

function byDigest(records: StoreRecords, digest: string): ImageRecord | undefined {
  const direct = records.images[digest];
  if (direct !== undefined) return direct;
  // A digest of an index resolves through the tag that points at it.
  for (const tag of Object.values(records.tags)) {
    if (tag.target.digest === digest) return records.images[tag.manifest];
  }
  return undefined;
}

export function findImage(records: StoreRecords, name: string): Found | undefined {
  const ref = normalizeName(name);
  if (ref !== undefined) {
    if (ref.digest !== undefined) {
      const record = byDigest(records, ref.digest);
      if (record !== undefined) return { record };
    } else {
      const tag = records.tags[ref.normalized];
      const record = tag === undefined ? undefined : records.images[tag.manifest];
      if (record !== undefined) return { record, tag: ref.normalized };
    }
  }
  const hex = HEX_PREFIX.exec(name)?.[1];
  if (hex === undefined) return undefined;
  const matches = new Map<string, ImageRecord>();
  for (const record of Object.values(records.images)) {
    if (record.id.slice('sha256:'.length).startsWith(hex)) matches.set(record.manifest.digest, record);
  }
  const ids = new Set([...matches.values()].map((r) => r.id));
  if (ids.size > 1) {
    throw new LadeError(ErrorCode.ImageConflict, `multiple IDs found with provided prefix: ${hex}`);
  }
  const [first] = matches.values();
  return first === undefined ? undefined : { record: first };
}

/** The tags pointing at a manifest, normalised, sorted. */
export function tagsOf(records: StoreRecords, manifest: string): string[] {
  return Object.entries(records.tags)
    .filter(([, t]) => t.manifest === manifest)
    .map(([name]) => name)
    .sort();
}
