/**
 * Registries: the OCI distribution API over HTTP(S) with Docker's endpoint and credential rules;
 * pull and push of images between a registry and the local store.
 */
export { endpointFor, isLoopback, type Endpoint, type EndpointOptions } from './endpoint.js';
export { configPath, eraseCredentials, readCredentials, storeCredentials, type Credentials } from './credentials.js';
export { RegistrySession } from './session.js';
export { fetchImageConfig, fetchManifest, pullImage, registryBlobs, MANIFEST_ACCEPT, type PullEvent, type PullResult } from './pull.js';
export { fetchLayers, readSmallBlob, storeBlob, type BlobLease, type FetchedLayers, type FetchLayersOptions, type LayerEvent, type OpenBlob } from './fetch-layers.js';
export { hasBlob, mountSource, putManifest, sendBlob, sendBlobs, streamBlob, type BlobEvent } from './blob-upload.js';
export { pushImage, type PushEvent, type PushOptions, type PushResult } from './push.js';
export { parseChallenges, type Challenge } from './challenge.js';
export { closeConnections } from './http.js';

import { readCredentials } from './credentials.js';
import { endpointFor, type EndpointOptions } from './endpoint.js';
import { RegistrySession } from './session.js';

/** A session with the registry `name`, with the credentials `lade login` (or `docker login`) stored for it. */
export function openSession(name: string, options: EndpointOptions = {}): RegistrySession {
  return new RegistrySession(endpointFor(name, options), readCredentials(name));
}
