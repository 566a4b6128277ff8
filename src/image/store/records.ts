/**
 * The image store's metadata: which manifests are images, and which names point at them. One
 * JSON document, replaced atomically (write to a temp file, fsync, rename), so a reader always
 * sees a whole version and a kill at any moment loses at most the change being made.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic, type Digest } from '../../content/index.js';
import { ErrorCode, LadeError } from '../../errors/index.js';
import type { Descriptor } from '../types.js';

export interface ImageRecord {
  /** The platform manifest: the image's identity in the store. */
  manifest: Descriptor;
  /** The image ID: the digest of the config. */
  id: Digest;
  /** What the layers unpack to, in bytes (Docker's `Size`). */
  size: number;
  /** The same, per layer in manifest order (`history` shows it). */
  layerSizes?: number[];
  /** The config's `created`, copied for listings. */
  created?: string;
  /** When the image entered the store. */
  added: string;
  /** `repo@digest` names the image is known by in registries (Docker's `RepoDigests`). */
  repoDigests?: string[];
  /**
   * Manifests the image was pushed as, naming compressed forms of its uncompressed layers: kept
   * (with those blobs) while the image is, so another push compresses nothing again.
   */
  pushed?: Descriptor[];
}

export interface TagRecord {
  /** What the name points at: the manifest, or an index that resolved to it. */
  target: Descriptor;
  /** The manifest chosen for this machine (equal to target.digest unless target is an index). */
  manifest: Digest;
  lastTagTime: string;
}

export interface StoreRecords {
  version: 1;
  /** Keyed by manifest digest. */
  images: Record<string, ImageRecord>;
  /** Keyed by normalised reference: `docker.io/library/busybox:latest`. */
  tags: Record<string, TagRecord>;
}

export function emptyRecords(): StoreRecords {
  return { version: 1, images: {}, tags: {} };
}

export async function readRecords(path: string): Promise<StoreRecords> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyRecords();
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new LadeError(ErrorCode.InvalidImage, `the image store index ${path} is not valid JSON`, {
      hint: 'It is replaced atomically, so this means it was edited by hand or the disk is damaged.',
    });
  }
  const records = doc as StoreRecords;
  if (records === null || typeof records !== 'object' || records.version !== 1) {
    throw new LadeError(ErrorCode.InvalidImage, `the image store index ${path} has an unknown version`, {
      hint: 'It was written by a newer lade; use that version.',
    });
  }
  records.images ??= {};
  records.tags ??= {};
  return records;
}

export async function writeRecords(path: string, records: StoreRecords): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(records, null, 1)}\n`);
}
