/** `lade pull` and `lade push`, with Docker's output (one line per layer in plain output). */
import { displayName, openImageStore, tagName, type LayerCompression } from '../../../image/index.js';
import { closeConnections, openSession, pullImage, pushImage, type PullEvent, type PushEvent } from '../../../registry/index.js';
import { parseImageReference } from '../../../reference/index.js';
import { openSnapshotter } from '../../../snapshotter/index.js';
import type { LeafCommand, OptionValues, RunContext } from '../../command-spec.js';
import { insecureRegistries } from './options.js';
import { transferProgress, type TransferProgress } from './transfer-progress.js';

/** Docker's layer lines for a pull's events. */
function pullLines(progress: TransferProgress): (e: PullEvent) => void {
  return (e) => {
    if (e.digest === undefined) return;
    if (e.kind === 'exists') progress.update(e.digest, 'Already exists');
    else if (e.kind === 'waiting') progress.update(e.digest, 'Pulling fs layer');
    else if (e.kind === 'downloading') progress.update(e.digest, 'Downloading', e.received, e.size);
    else if (e.kind === 'done') progress.update(e.digest, 'Pull complete');
  };
}

/**
 * What `lade run` and `lade create` do with an image the store lacks, as Docker's: say so on
 * stderr, pull it (the pull's lines on stderr too), then go on.
 */
export async function pullMissing(root: string, name: string, write: (text: string) => void): Promise<void> {
  const ref = parseImageReference(name);
  write(`Unable to find image '${ref.digest === undefined ? displayName(tagName(name)) : name}' locally\n`);
  const store = await openImageStore(root);
  const progress = transferProgress(write, process.stderr.isTTY === true);
  try {
    const result = await pullImage(store, openSession(ref.domain), name, pullLines(progress)).finally(() => progress.end());
    write(`Digest: ${result.digest}\nStatus: Downloaded newer image for ${result.name === undefined ? name : displayName(result.name)}\n`);
  } finally {
    closeConnections();
  }
}

const TRANSFER_OPTIONS: LeafCommand['options'] = [
  { long: 'quiet', short: 'q', description: 'Suppress verbose output' },
  { long: 'insecure-registry', type: 'list', description: 'Reach this registry (HOST[:PORT]) over plain HTTP if it has no TLS' },
];

/** What pull and push start from: the name, the store and a session with its registry. */
async function transfer(ctx: RunContext, args: readonly string[], options: OptionValues) {
  const name = args[0]!;
  const ref = parseImageReference(name);
  return {
    name,
    ref,
    quiet: options['quiet'] === true,
    store: await openImageStore(ctx.global.root),
    session: openSession(ref.domain, { insecure: insecureRegistries(options) }),
  };
}

export const pullCommand: LeafCommand = {
  kind: 'leaf',
  name: 'pull',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  summary: 'Download an image from a registry',
  args: { min: 1, max: 1 },
  options: TRANSFER_OPTIONS,
  async run(ctx, args, options) {
    const { name, ref, quiet, store, session } = await transfer(ctx, args, options);
    if (!quiet) ctx.out.stdout(ref.digest === undefined ? `${ref.tag ?? 'latest'}: Pulling from ${displayName(`${ref.domain}/${ref.path}:x`).replace(/:x$/, '')}\n` : `${ref.digest}: Pulling from ${displayName(`${ref.domain}/${ref.path}:x`).replace(/:x$/, '')}\n`);
    const progress = transferProgress((t) => ctx.out.stdout(t), process.stdout.isTTY === true);
    // Unpacked as it downloads, as Docker's pull leaves an image ready to run.
    const snapshotter = await openSnapshotter(ctx.global.root);
    const result = await pullImage(store, session, name, quiet ? undefined : pullLines(progress), snapshotter).finally(() => {
      progress.end();
      closeConnections();
    });
    const shown = ref.digest === undefined ? displayName(tagName(name)) : displayName(`${ref.domain}/${ref.path}:x`).replace(/:x$/, '') + `@${ref.digest}`;
    if (quiet) ctx.out.stdout(`${shown}\n`);
    else {
      ctx.out.stdout(`Digest: ${result.digest}\n`);
      ctx.out.stdout(`Status: ${result.downloaded > 0 ? 'Downloaded newer image' : 'Image is up to date'} for ${shown}\n`);
      ctx.out.stdout(`${shown}\n`);
    }
    return 0;
  },
};

export const pushCommand: LeafCommand = {
  kind: 'leaf',
  name: 'push',
  usage: '[OPTIONS] NAME[:TAG]',
  summary: 'Upload an image to a registry',
  args: { min: 1, max: 1 },
  options: [
    ...TRANSFER_OPTIONS,
    {
      long: 'compression',
      type: 'string',
      description: 'Compress layers stored uncompressed with gzip (default, as Docker), zstd, or not at all ("none"); compressed layers go as they are',
      choices: ['gzip', 'zstd', 'none'],
    },
  ],
  async run(ctx, args, options) {
    const { name, ref, quiet, store, session } = await transfer(ctx, args, options);
    const compression = typeof options['compression'] === 'string' ? (options['compression'] as LayerCompression) : undefined;
    if (!quiet) ctx.out.stdout(`The push refers to repository [${ref.domain}/${ref.path}]\n`);
    const progress = transferProgress((t) => ctx.out.stdout(t), process.stdout.isTTY === true);
    // Keyed by diffID, as Docker's lines are, whatever form a layer is sent in.
    const lines = (e: PushEvent): void => {
      if (e.kind === 'compressing' || e.kind === 'pushing') progress.update(e.layer, 'Preparing');
      else if (e.kind === 'exists') progress.update(e.layer, 'Layer already exists');
      else if (e.kind === 'uploading') progress.update(e.layer, 'Pushing', e.sent, e.size);
      else if (e.kind === 'pushed') progress.update(e.layer, 'Pushed');
      else progress.update(e.layer, `Mounted from ${e.from}`);
    };
    const result = await pushImage(store, session, name, quiet ? undefined : lines, compression === undefined ? {} : { compression }).finally(() => {
      progress.end();
      closeConnections();
    });
    if (quiet) ctx.out.stdout(`${displayName(tagName(name))}\n`);
    else ctx.out.stdout(`${result.tag}: digest: ${result.digest} size: ${result.size}\n`);
    return 0;
  },
};
