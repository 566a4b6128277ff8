/** `lade save` and `lade load`. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { ErrorCode, LadeError } from '../../../errors/index.js';
import { displayName, loadArchive, resolveForSave, writeArchive } from '../../../image/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { openInputStream } from '../../read-input.js';
import { openStore } from './common.js';

export const saveCommand: LeafCommand = {
  kind: 'leaf',
  name: 'save',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  args: { min: 1 },
  options: [
    { long: 'output', short: 'o', type: 'string', description: 'Write to a file, instead of STDOUT' },
    {
      long: 'compression',
      type: 'string',
      description: 'Write layers gzip- or zstd-compressed instead of as stored ("none"); Docker 20.10 loads gzip, not zstd',
      choices: ['none', 'gzip', 'zstd'],
    },
  ],
  async run(ctx, args, options) {
    const store = await openStore(ctx);
    const output = typeof options['output'] === 'string' ? options['output'] : undefined;
    if (output === undefined && process.stdout.isTTY === true) {
      throw new LadeError(ErrorCode.Usage, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    // Every name is resolved before a byte is written.
    const items = await resolveForSave(store, args);
    const compression = options['compression'];
    const saveOptions = typeof compression === 'string' ? { compression: compression as 'none' | 'gzip' | 'zstd' } : {};
    if (output === undefined) {
      await writeArchive(store, items, process.stdout, saveOptions);
      return 0;
    }
    // A failed save leaves no half-written file under the name asked for.
    const temp = join(dirname(output), `.${basename(output)}.lade-${process.pid}`);
    try {
      await writeArchive(store, items, createWriteStream(temp, { mode: 0o600 }), saveOptions);
      await rename(temp, output);
    } catch (err) {
      await rm(temp, { force: true });
      if ((err as NodeJS.ErrnoException).code !== undefined && !(err instanceof LadeError)) {
        throw new LadeError(ErrorCode.FileRead, `cannot write ${output}: ${(err as Error).message}`, { cause: err });
      }
      throw err;
    }
    return 0;
  },
};

export const loadCommand: LeafCommand = {
  kind: 'leaf',
  name: 'load',
  usage: '[OPTIONS]',
  summary: 'Load an image from a tar archive or STDIN',
  args: { min: 0, max: 0 },
  options: [
    { long: 'input', short: 'i', type: 'string', description: 'Read from tar archive file, instead of STDIN' },
    { long: 'quiet', short: 'q', description: 'Suppress the load output' },
  ],
  async run(ctx, _args, options) {
    const store = await openStore(ctx);
    const input = typeof options['input'] === 'string' ? options['input'] : undefined;
    if (input === undefined && process.stdin.isTTY === true) {
      throw new LadeError(ErrorCode.Usage, 'requested load from stdin, but stdin is empty');
    }
    const source = await openInputStream(input ?? '-');
    const loaded = await loadArchive(store, source);
    if (options['quiet'] !== true) {
      for (const image of loaded) {
        if (image.names.length === 0) ctx.out.stdout(`Loaded image ID: ${image.id}\n`);
        for (const name of image.names) ctx.out.stdout(`Loaded image: ${displayName(name)}\n`);
      }
    }
    return 0;
  },
};

