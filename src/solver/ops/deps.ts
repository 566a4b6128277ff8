/** What build ops work with: lade's stores under --root, a scratch directory, the build context. */
import type { ContextScan } from '../../buildcontext/index.js';
import type { ImageConfig, ImageStore } from '../../image/index.js';
import type { Snapshotter } from '../../snapshotter/index.js';
import type { LayerRef } from './results.js';

/**
 * Layers an imported build cache can bring in: a hit found there names layers this store may
 * not have, which come only when something needs their content.
 */
export interface CacheLayers {
  /** Whether an imported cache holds this blob. */
  has(digest: string): boolean;
  /** Brings every blob of `layers` the store lacks and unpacks the chain's snapshots that are not committed. */
  bring(layers: readonly LayerRef[]): Promise<void>;
}

export interface BuildDeps {
  images: ImageStore;
  snapshotter: Snapshotter;
  /** Where records of whole-directory context copies are kept, for reuse (`<root>/buildcontext/copies`). */
  copyRecords: string;
  /** Immutable copies of context files that layers hard-link to (`<root>/buildcontext/files`). */
  fileStore: string;
  /** `--no-cache`: no step starts from an earlier step's layer either. */
  noCache?: boolean;
  /** A directory of this build's own, removed by the caller afterwards. */
  tmpDir: string;
  /** The build context, scanned once, on first use. */
  context(): Promise<ContextScan>;
  /** Host files bound over /etc/hosts and /etc/resolv.conf in RUN steps. */
  etcFiles(): Promise<{ hosts: string; resolvConf: string }>;
  /** Brings an image from its registry into the store; absent, a missing base image is an error. */
  pull?(ref: string): Promise<void>;
  /** An image's ID and config from its registry, without its layers (for keys and the frontend). */
  resolve?(ref: string): Promise<{ id: string; config: ImageConfig }>;
  /** `--pull`: every base image is pulled again before it is used. */
  forcePull?: boolean;
  /** With `--cache-from`: where the layers of its hits come from. */
  cacheLayers?: CacheLayers | undefined;
}
