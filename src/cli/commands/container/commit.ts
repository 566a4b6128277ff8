/** `lade commit`: a container's changes as a new image, printed as its ID (Docker's output). */
import { commitContainer } from '../../../container/index.js';
import { tagName } from '../../../image/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { applyChanges, stringList } from '../image/index.js';
import { runtime } from './common.js';

export const commitCommand: LeafCommand = {
  kind: 'leaf',
  name: 'commit',
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  summary: "Create a new image from a container's changes",
  args: { min: 1, max: 2 },
  options: [
    { long: 'author', short: 'a', type: 'string', description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { long: 'change', short: 'c', type: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { long: 'message', short: 'm', type: 'string', description: 'Commit message' },
    { long: 'pause', short: 'p', description: 'Pause container during commit (accepted; lade reads the changes without pausing)', defaultValue: undefined },
  ],
  async run(ctx, args, options) {
    const rt = await runtime(ctx);
    const names = args[1] === undefined ? [] : [tagName(args[1])];
    const changes = stringList(options, 'change');
    const result = await commitContainer(rt, args[0]!, {
      names,
      ...(typeof options['message'] === 'string' ? { message: options['message'] } : {}),
      ...(typeof options['author'] === 'string' ? { author: options['author'] } : {}),
      ...(changes.length === 0 ? {} : { change: (config) => applyChanges(changes, config) }),
    });
    ctx.out.stdout(`${result.id}\n`);
    return 0;
  },
};
