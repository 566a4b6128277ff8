/** `start`, `stop`, `kill`, `restart`, `rm`, `wait`: Docker's flags, output and exit statuses. */
import { isLadeError } from '../../../errors/index.js';
import {
  finalizeContainer,
  killContainer,
  removeContainer,
  removeFiles,
  startContainer,
  stopContainer,
  waitContainer,
  type Runtime,
} from '../../../container/index.js';
import type { LeafCommand, RunContext } from '../../command-spec.js';
import { runtime } from './common.js';
import { SignalProxy, attachAndWait } from './attach.js';
import { ErrorCode, LadeError } from '../../../errors/index.js';

/** Docker goes on with the other containers and reports each failure; the status is 1 if any failed. */
async function eachContainer(ctx: RunContext, refs: string[], fn: (rt: Runtime, ref: string) => Promise<string | undefined>): Promise<number> {
  const rt = await runtime(ctx);
  let status = 0;
  for (const ref of refs) {
    try {
      const line = await fn(rt, ref);
      if (line !== undefined) ctx.out.stdout(`${line}\n`);
    } catch (err) {
      if (!isLadeError(err)) throw err;
      ctx.out.stderr(`Error: ${err.message}\n`);
      status = 1;
    }
  }
  return status;
}

function timeoutOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new LadeError(ErrorCode.Usage, `invalid argument "${String(value)}" for "-t, --time" flag: strconv.ParseInt: parsing "${String(value)}": invalid syntax`);
  return n;
}

export const startCommand: LeafCommand = {
  kind: 'leaf',
  name: 'start',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Start one or more stopped containers',
  args: { min: 1 },
  options: [
    { long: 'attach', short: 'a', description: 'Attach STDOUT/STDERR and forward signals' },
    { long: 'interactive', short: 'i', description: "Attach container's STDIN" },
  ],
  async run(ctx, args, options) {
    const attach = options['attach'] === true || options['interactive'] === true;
    if (attach) {
      if (args.length > 1) throw new LadeError(ErrorCode.Usage, 'you cannot start and attach multiple containers at once');
      const rt = await runtime(ctx);
      const proxy = new SignalProxy();
      let started;
      try {
        started = await startContainer(rt, args[0]!, { attach: true, stdin: options['interactive'] === true });
      } catch (err) {
        proxy.close();
        throw err;
      }
      if (started === undefined) {
        proxy.close();
        return 0;
      }
      return attachAndWait(rt, started.entry, started.handle, proxy);
    }
    return eachContainer(ctx, args, async (rt, ref) => {
      await startContainer(rt, ref, { attach: false, stdin: false });
      return ref;
    });
  },
};

export const stopCommand: LeafCommand = {
  kind: 'leaf',
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Stop one or more running containers',
  args: { min: 1 },
  options: [{ long: 'time', short: 't', type: 'int', description: 'Seconds to wait for stop before killing it' }],
  run(ctx, args, options) {
    const time = timeoutOf(options['time']);
    return eachContainer(ctx, args, async (rt, ref) => {
      await stopContainer(rt, ref, time);
      return ref;
    });
  },
};

export const killCommand: LeafCommand = {
  kind: 'leaf',
  name: 'kill',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Kill one or more running containers',
  args: { min: 1 },
  options: [{ long: 'signal', short: 's', type: 'string', description: 'Signal to send to the container', defaultValue: 'KILL' }],
  run(ctx, args, options) {
    const signal = typeof options['signal'] === 'string' ? options['signal'] : 'KILL';
    return eachContainer(ctx, args, async (rt, ref) => {
      await killContainer(rt, ref, signal);
      return ref;
    });
  },
};

export const restartCommand: LeafCommand = {
  kind: 'leaf',
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Restart one or more containers',
  args: { min: 1 },
  options: [{ long: 'time', short: 't', type: 'int', description: 'Seconds to wait for stop before killing the container' }],
  run(ctx, args, options) {
    const time = timeoutOf(options['time']);
    return eachContainer(ctx, args, async (rt, ref) => {
      await stopContainer(rt, ref, time);
      await startContainer(rt, ref, { attach: false, stdin: false });
      return ref;
    });
  },
};

export const rmCommand: LeafCommand = {
  kind: 'leaf',
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Remove one or more containers',
  args: { min: 1 },
  options: [
    { long: 'force', short: 'f', description: 'Force the removal of a running container (uses SIGKILL)' },
    { long: 'volumes', short: 'v', description: 'Remove anonymous volumes associated with the container' },
  ],
  run(ctx, args, options) {
    return eachContainer(ctx, args, async (rt, ref) => {
      await removeContainer(rt, ref, { force: options['force'] === true });
      return ref;
    });
  },
};

export const waitCommand: LeafCommand = {
  kind: 'leaf',
  name: 'wait',
  usage: 'CONTAINER [CONTAINER...]',
  summary: 'Block until one or more containers stop, then print their exit codes',
  args: { min: 1 },
  options: [],
  run(ctx, args) {
    return eachContainer(ctx, args, async (rt, ref) => String(await waitContainer(rt, ref)));
  },
};

/** Hidden: run by a detached container's monitor once the process has ended. */
export const reapCommand: LeafCommand = {
  kind: 'leaf',
  name: 'reap',
  usage: 'CONTAINER',
  summary: 'Record the end of a detached container (run by its monitor)',
  args: { min: 1, max: 1 },
  options: [],
  hidden: true,
  async run(ctx, args) {
    const rt = await runtime(ctx);
    await finalizeContainer(rt, args[0]!, (e) => removeFiles(rt, e));
    return 0;
  },
};
