/** `lade run` and `lade create`, with Docker's flags, output and exit statuses. */
import { createContainer, exitCodeFor, removeContainer, startContainer } from '../../../container/index.js';
import { ErrorCode, LadeError, isLadeError } from '../../../errors/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { renderError } from '../../render-error.js';
import { pullMissing } from '../registry/index.js';
import { SignalProxy, attachAndWait } from './attach.js';
import { runtime } from './common.js';
import { CREATE_OPTIONS, createRequest } from './run-flags.js';

export const createCommand: LeafCommand = {
  kind: 'leaf',
  name: 'create',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'Create a new container',
  args: { min: 1 },
  stopAtFirstArg: true,
  options: CREATE_OPTIONS,
  async run(ctx, args, options) {
    const rt = await runtime(ctx);
    const entry = await createContainer(rt, { ...createRequest(args, options, true), pull: (ref) => pullMissing(ctx.global.root, ref, (t) => ctx.out.stderr(t)) });
    ctx.out.stdout(`${entry.record.id}\n`);
    return 0;
  },
};

export const runCommand: LeafCommand = {
  kind: 'leaf',
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'Create and run a new container from an image',
  args: { min: 1 },
  stopAtFirstArg: true,
  // Sorted by code units (ASCII names): localeCompare would load ICU's collator at start-up.
  options: [...CREATE_OPTIONS, { long: 'detach', short: 'd', description: 'Run container in background and print container ID' }].sort((a, b) => (a.long < b.long ? -1 : 1)),
  async run(ctx, args, options) {
    const detach = options['detach'] === true;
    const rt = await runtime(ctx);
    // Docker's statuses for failures before the command runs: 125 for lade's own errors.
    let entry;
    try {
      entry = await createContainer(rt, { ...createRequest(args, options, !detach), pull: (ref) => pullMissing(ctx.global.root, ref, (t) => ctx.out.stderr(t)) });
    } catch (err) {
      if (!isLadeError(err)) throw err;
      ctx.out.stderr(renderError(err, ctx.global.debug).text);
      return 125;
    }
    const proxy = detach ? undefined : new SignalProxy();
    let started;
    try {
      started = await startContainer(rt, entry.record.id, { attach: !detach, stdin: options['interactive'] === true });
    } catch (err) {
      proxy?.close();
      if (!isLadeError(err)) throw err;
      ctx.out.stderr(renderError(err, ctx.global.debug).text);
      if (entry.record.autoRemove) await removeContainer(rt, entry.record.id, { force: true });
      return exitCodeFor(err);
    }
    if (started === undefined) throw new LadeError(ErrorCode.Internal, `container ${entry.record.id} was started by someone else`);
    if (proxy === undefined) {
      ctx.out.stdout(`${entry.record.id}\n`);
      return 0;
    }
    return attachAndWait(rt, started.entry, started.handle, proxy);
  },
};
