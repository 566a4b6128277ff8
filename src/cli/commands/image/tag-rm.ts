/** `lade tag` and `lade rmi` / `lade image rm`, with Docker's output. */
import { imagesInUse, openRuntime } from '../../../container/index.js';
import { isLadeError } from '../../../errors/index.js';
import { displayName } from '../../../image/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { openStore } from './common.js';

export const tagCommand: LeafCommand = {
  kind: 'leaf',
  name: 'tag',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  args: { min: 2, max: 2 },
  options: [],
  async run(ctx, args) {
    const store = await openStore(ctx);
    await store.tag(args[0]!, args[1]!);
    return 0;
  },
};

export const removeCommand: LeafCommand = {
  kind: 'leaf',
  name: 'rm',
  aliases: ['rmi', 'remove'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  summary: 'Remove one or more images',
  args: { min: 1 },
  options: [
    { long: 'force', short: 'f', description: 'Force removal of the image' },
    { long: 'no-prune', description: 'Do not delete untagged parents' },
  ],
  async run(ctx, args, options) {
    const store = await openStore(ctx);
    const usedBy = await imagesInUse(await openRuntime(ctx.global.root));
    let status = 0;
    for (const name of args) {
      try {
        const result = await store.remove(name, { force: options['force'] === true, usedBy });
        for (const tag of result.untagged) ctx.out.stdout(`Untagged: ${displayName(tag)}\n`);
        for (const id of result.deleted) ctx.out.stdout(`Deleted: ${id}\n`);
      } catch (err) {
        // Docker goes on with the other names and reports each failure.
        if (!isLadeError(err)) throw err;
        ctx.out.stderr(`Error: ${err.message}\n`);
        status = 1;
      }
    }
    return status;
  },
};
