/**
 * Media types of OCI images and their Docker schema2 equivalents. lade reads both families and
 * writes OCI for what it creates; documents it stores keep the type they arrived with, so their
 * digests do not change.
 */
export const MediaType = {
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OciLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerManifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export type LayerCompression = 'none' | 'gzip' | 'zstd';

const INDEX_TYPES = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);
const MANIFEST_TYPES = new Set<string>([MediaType.OciManifest, MediaType.DockerManifest]);
const CONFIG_TYPES = new Set<string>([MediaType.OciConfig, MediaType.DockerConfig]);

const LAYER_COMPRESSION: Record<string, LayerCompression> = {
  [MediaType.OciLayer]: 'none',
  [MediaType.OciLayerGzip]: 'gzip',
  [MediaType.OciLayerZstd]: 'zstd',
  [MediaType.OciLayerNondistributable]: 'none',
  [MediaType.OciLayerNondistributableGzip]: 'gzip',
  [MediaType.OciLayerNondistributableZstd]: 'zstd',
  [MediaType.DockerLayer]: 'none',
  [MediaType.DockerLayerGzip]: 'gzip',
  [MediaType.DockerLayerZstd]: 'zstd',
  [MediaType.DockerForeignLayerGzip]: 'gzip',
};

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_TYPES.has(mediaType);
}

export function isManifestType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && MANIFEST_TYPES.has(mediaType);
}

export function isConfigType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && CONFIG_TYPES.has(mediaType);
}

/** The compression a layer media type declares; undefined for a type that is not a layer. */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  return Object.hasOwn(LAYER_COMPRESSION, mediaType) ? LAYER_COMPRESSION[mediaType] : undefined;
}

/** The layer media type for a compression, in the family of the manifest that lists it. */
export function layerMediaType(compression: LayerCompression, family: 'oci' | 'docker'): string {
  if (family === 'docker') {
    return compression === 'gzip' ? MediaType.DockerLayerGzip : compression === 'zstd' ? MediaType.DockerLayerZstd : MediaType.DockerLayer;
  }
  return compression === 'gzip' ? MediaType.OciLayerGzip : compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayer;
}

/** Layers a registry must not be asked for (they live at their `urls`). */
export function isForeignLayer(mediaType: string): boolean {
  return mediaType === MediaType.DockerForeignLayerGzip || mediaType.includes('.nondistributable.');
}
