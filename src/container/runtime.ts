/** What every container operation needs: the stores under one --root, opened once per command. */
import { openImageStore, type ImageStore } from '../image/index.js';
import { openSnapshotter, type Snapshotter } from '../snapshotter/index.js';
import { openContainerStore, type ContainerStore } from './store.js';

export interface Runtime {
  readonly root: string;
  readonly containers: ContainerStore;
  images(): Promise<ImageStore>;
  snapshotter(): Promise<Snapshotter>;
  /** argv that runs a lade command in a new process (for the monitor's exit hook). */
  readonly selfCommand: readonly string[];
}

export interface RuntimeOptions {
  /** How to run lade again: [node, main.js] by default (process.argv's first two). */
  readonly selfCommand?: readonly string[];
}

export async function openRuntime(root: string, options: RuntimeOptions = {}): Promise<Runtime> {
  const containers = await openContainerStore(root);
  let images: Promise<ImageStore> | undefined;
  let snapshotter: Promise<Snapshotter> | undefined;
  return {
    root,
    containers,
    images: () => (images ??= openImageStore(root)),
    snapshotter: () => (snapshotter ??= openSnapshotter(root)),
    selfCommand: options.selfCommand ?? [process.execPath, process.argv[1] ?? 'lade'],
  };
}
