/** `lade pull` and `lade push`, with Docker's output (one line per layer in plain output). */
import { displayName, openImageStore, tagName } from '../../../image/index.js';
import { closeConnections, openSession, pullImage, pushImage } from '../../../registry/index.js';
import { parseImageReference } from '../../../reference/index.js';
import { openSnapshotter, unpackImage } from '../../../snapshotter/index.js';
import type { LeafCommand, OptionValues, RunContext } from '../../command-spec.js';
import { insecureRegistries } from './options.js';

function short(digest: string | undefined): string {
  return (digest ?? '').replace(/^sha256:/, '').slice(0, 12);
}

/**
 * What `lade run` and `lade create` do with an image the store lacks, as Docker's: say so on
 * stderr, pull it (the pull's lines on stderr too), then go on.
 */
export async function pullMissing(root: string, name: string, write: (text: string) => void): Promise<void> {
  const ref = parseImageReference(name);
  write(`Unable to find image '${ref.digest === undefined ? displayName(tagName(name)) : name}' locally\n`);
  const store = await openImageStore(root);
  try {
    const result = await pullImage(store, openSession(ref.domain), name, (e) => {
      if (e.kind === 'exists') write(`${short(e.digest)}: Already exists\n`);
      else if (e.kind === 'done') write(`${short(e.digest)}: Pull complete\n`);
    });
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
    const result = await pullImage(store, session, name, (e) => {
      if (quiet) return;
      if (e.kind === 'exists') ctx.out.stdout(`${short(e.digest)}: Already exists\n`);
      else if (e.kind === 'done') ctx.out.stdout(`${short(e.digest)}: Pull complete\n`);
    }).finally(closeConnections);
    // Unpacked now, as Docker's pull leaves an image ready to run.
    const image = await store.load(await store.find(result.name ?? `${ref.domain}/${ref.path}@${result.digest}`));
    await unpackImage(await openSnapshotter(ctx.global.root), store, image);
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
  options: TRANSFER_OPTIONS,
  async run(ctx, args, options) {
    const { name, ref, quiet, store, session } = await transfer(ctx, args, options);
    if (!quiet) ctx.out.stdout(`The push refers to repository [${ref.domain}/${ref.path}]\n`);
    const result = await pushImage(store, session, name, (e) => {
      if (quiet) return;
      if (e.kind === 'exists') ctx.out.stdout(`${short(e.digest)}: Layer already exists\n`);
      else if (e.kind === 'pushed') ctx.out.stdout(`${short(e.digest)}: Pushed\n`);
      else if (e.kind === 'mounted') ctx.out.stdout(`${short(e.digest)}: Mounted from ${e.from}\n`);
    }).finally(closeConnections);
    if (quiet) ctx.out.stdout(`${displayName(tagName(name))}\n`);
    else ctx.out.stdout(`${result.tag}: digest: ${result.digest} size: ${result.size}\n`);
    return 0;
  },
};
