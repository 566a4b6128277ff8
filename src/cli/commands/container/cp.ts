/** `lade cp`: Docker's forms, CONTAINER:SRC DEST, SRC CONTAINER:DEST, and `-` for a tar stream. */
import { resolve } from 'node:path';
import { copyPath, extractInto, parseCopyArg, tarOf, withContainerRoot } from '../../../container/index.js';
import { ErrorCode, LadeError } from '../../../errors/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { runtime } from './common.js';

/** A host path made absolute, keeping the trailing `/` or `/.` that Docker's rules look at. */
function hostPath(path: string): string {
  const absolute = resolve(path);
  if (path.endsWith('/.')) return `${absolute}/.`;
  if (path.endsWith('/') && absolute !== '/') return `${absolute}/`;
  return absolute;
}

export const cpCommand: LeafCommand = {
  kind: 'leaf',
  name: 'cp',
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tlade cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  summary: 'Copy files/folders between a container and the local filesystem',
  args: { min: 2, max: 2 },
  options: [
    { long: 'archive', short: 'a', description: 'Archive mode (copy all uid/gid information)' },
    { long: 'follow-link', short: 'L', description: 'Always follow symbol link in SRC_PATH' },
  ],
  async run(ctx, args, options) {
    const from = parseCopyArg(args[0]!);
    const to = parseCopyArg(args[1]!);
    const copy = { followLink: options['follow-link'] === true, archive: options['archive'] === true };
    if ((from.container === undefined) === (to.container === undefined)) {
      throw new LadeError(ErrorCode.Usage, from.container === undefined ? 'must specify at least one container source' : 'copying between containers is not supported');
    }
    const rt = await runtime(ctx);
    if (from.container !== undefined) {
      if (args[1] === '-') {
        await withContainerRoot(rt, from.container, async (root) => {
          const tar = tarOf(root, from.path, copy);
          await new Promise<void>((done, fail) => {
            tar.on('error', fail);
            tar.on('end', done);
            tar.pipe(process.stdout, { end: false });
          });
        });
        return 0;
      }
      await withContainerRoot(rt, from.container, (root) => copyPath(root, from.path, '/', hostPath(to.path), { ...copy, intoContainer: false }));
      return 0;
    }
    if (args[0] === '-') {
      await withContainerRoot(rt, to.container!, (root) => extractInto(root, to.path, process.stdin, copy));
      return 0;
    }
    await withContainerRoot(rt, to.container!, (root) => copyPath('/', hostPath(from.path), root, to.path, { ...copy, intoContainer: true }));
    return 0;
  },
};
