/** `lade container prune`: every stopped container removed, with Docker's output. */
import { observeContainer, removeContainer } from '../../../container/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { humanSize } from '../../format/index.js';
import { confirm } from '../image/index.js';
import { runtime } from './common.js';

export const pruneCommand: LeafCommand = {
  kind: 'leaf',
  name: 'prune',
  usage: '[OPTIONS]',
  summary: 'Remove all stopped containers',
  args: { min: 0, max: 0 },
  options: [{ long: 'force', short: 'f', description: 'Do not prompt for confirmation' }],
  async run(ctx, _args, options) {
    if (options['force'] !== true && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] '))) return 0;
    const rt = await runtime(ctx);
    const removed: string[] = [];
    for (const entry of await rt.containers.list()) {
      const current = await observeContainer(rt, entry);
      if (current.state.status === 'running') continue;
      await removeContainer(rt, entry.record.id);
      removed.push(entry.record.id);
    }
    if (removed.length > 0) ctx.out.stdout(`Deleted Containers:\n${removed.map((id) => `${id}\n`).join('')}\n`);
    ctx.out.stdout(`Total reclaimed space: ${humanSize(0)}\n`);
    return 0;
  },
};
