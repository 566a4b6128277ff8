/** `lade commit`: a container's changes become a layer on top of its image. */
import { Readable } from 'node:stream';
import { appendLayer, type AppendLayerResult, type ContainerConfig } from '../image/index.js';
import { dockerConfig } from './docker-config.js';
import type { Runtime } from './runtime.js';

export interface CommitOptions {
  readonly names: readonly string[];
  readonly message?: string;
  readonly author?: string;
  /** Applies `--change` instructions to the config the image gets. */
  readonly change?: (config: ContainerConfig) => ContainerConfig;
}

export async function commitContainer(rt: Runtime, ref: string, options: CommitOptions): Promise<AppendLayerResult> {
  const entry = await rt.containers.find(ref);
  const images = await rt.images();
  const base = await images.load(await images.find(entry.record.image.id));
  const snapshotter = await rt.snapshotter();
  // Docker's commit stores the container's whole Config as the image's (moby daemon/commit.go).
  const config = options.change === undefined ? dockerConfig(entry.record) : options.change(dockerConfig(entry.record));
  const layer = Readable.from(snapshotter.diff(entry.record.snapshot.key));
  return appendLayer(images, base, layer, {
    config,
    history: {
      created_by: entry.record.resolved.config.Cmd.join(' '),
      ...(options.author === undefined ? {} : { author: options.author }),
      ...(options.message === undefined || options.message === '' ? {} : { comment: options.message }),
    },
    names: options.names,
    extra: {
      container: entry.record.id,
      ...(options.author === undefined ? {} : { author: options.author }),
      ...(options.message === undefined || options.message === '' ? {} : { comment: options.message }),
    },
  });
}
