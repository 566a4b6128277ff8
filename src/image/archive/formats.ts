/**
 * The files of a `docker save` archive and of an OCI image layout, as lade reads and writes them
 * (../shared/spec/oci-image.md §9–10): Docker's `manifest.json` beside an OCI layout, as Docker
 * 25+ writes it, which Docker 20.10 loads through `manifest.json` and OCI tools through
 * `index.json`.
 */

/** One image in Docker's `manifest.json`. */
export interface DockerArchiveEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  Parent?: string;
  LayerSources?: Record<string, unknown>;
}

export const OCI_LAYOUT = { imageLayoutVersion: '1.0.0' } as const;

export const Annotation = {
  /** The full image name (containerd, BuildKit, Docker 25+). */
  ImageName: 'io.containerd.image.name',
  /** The tag (OCI image-layout). */
  RefName: 'org.opencontainers.image.ref.name',
} as const;

/** `blobs/sha256/<hex>` for a digest. */
export function blobPath(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return `blobs/${algorithm}/${hex}`;
}

/**
 * An archive member name as a clean relative path: `./a//b` and `/a/b` are `a/b`. Names are only
 * ever looked up, never used to write files, so `..` cannot escape anything; it is kept as is
 * and simply matches nothing lade looks for.
 */
export function cleanMemberName(name: string): string {
  return name
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

/** Resolves a relative link target (`../abc/layer.tar`) against the member that holds it. */
export function resolveMemberLink(member: string, target: string): string {
  if (target.startsWith('/')) return cleanMemberName(target);
  const parts = member.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}
