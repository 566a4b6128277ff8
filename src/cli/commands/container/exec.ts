/** `lade exec`: Docker's flags; the exit status is the command's. */
import { readFileSync } from 'node:fs';
import { execInContainer, exitCodeFor } from '../../../container/index.js';
import { ErrorCode, LadeError, isLadeError } from '../../../errors/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { renderError } from '../../render-error.js';
import { stringList } from '../image/index.js';
import { SignalProxy, forwardSignals } from './attach.js';
import { runtime } from './common.js';

export const execCommand: LeafCommand = {
  kind: 'leaf',
  name: 'exec',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  summary: 'Execute a command in a running container',
  args: { min: 2 },
  stopAtFirstArg: true,
  options: [
    { long: 'detach', short: 'd', description: 'Detached mode: run command in the background' },
    { long: 'env', short: 'e', type: 'list', description: 'Set environment variables' },
    { long: 'env-file', type: 'list', description: 'Read in a file of environment variables' },
    { long: 'interactive', short: 'i', description: 'Keep STDIN open even if not attached' },
    { long: 'privileged', description: 'Give extended privileges to the command' },
    { long: 'tty', short: 't', description: 'Allocate a pseudo-TTY' },
    { long: 'user', short: 'u', type: 'string', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { long: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container' },
  ],
  async run(ctx, args, options) {
    const [ref, ...command] = args;
    const rt = await runtime(ctx);
    const detach = options['detach'] === true;
    const envFiles = stringList(options, 'env-file').map((file) => {
      try {
        return { file, text: readFileSync(file, 'utf8') };
      } catch (err) {
        throw new LadeError(ErrorCode.FileRead, `open ${file}: no such file or directory`, { cause: err });
      }
    });
    const proxy = detach ? undefined : new SignalProxy();
    let handle;
    try {
      handle = await execInContainer(rt, ref!, {
        flags: {
          args: command,
          user: typeof options['user'] === 'string' ? options['user'] : '',
          workdir: typeof options['workdir'] === 'string' ? options['workdir'] : '',
          env: stringList(options, 'env'),
          envFiles,
          tty: options['tty'] === true,
          interactive: options['interactive'] === true,
          privileged: options['privileged'] === true,
        },
        attach: !detach,
        stdin: options['interactive'] === true,
      });
    } catch (err) {
      proxy?.close();
      if (!isLadeError(err)) throw err;
      ctx.out.stderr(renderError(err, ctx.global.debug).text);
      return exitCodeFor(err) === 125 ? 1 : exitCodeFor(err);
    }
    if (proxy === undefined) return 0;
    return (await forwardSignals(proxy, handle)).exitCode;
  },
};
