/** `lade logs`: what the container wrote, stdout to stdout and stderr to stderr, as Docker prints it. */
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../../../errors/index.js';
import { LOG_FILE, formatLogTime, observeContainer, readLogLines, type LogLine } from '../../../container/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { runtime } from './common.js';

function parseTail(value: unknown): number {
  if (value === undefined || value === 'all') return -1;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new LadeError(ErrorCode.Usage, `invalid value for "tail": ${String(value)}`);
  return n;
}

export const logsCommand: LeafCommand = {
  kind: 'leaf',
  name: 'logs',
  usage: '[OPTIONS] CONTAINER',
  summary: 'Fetch the logs of a container',
  args: { min: 1, max: 1 },
  options: [
    { long: 'follow', short: 'f', description: 'Follow log output' },
    { long: 'tail', short: 'n', type: 'string', description: 'Number of lines to show from the end of the logs', defaultValue: 'all' },
    { long: 'timestamps', short: 't', description: 'Show timestamps' },
  ],
  async run(ctx, args, options) {
    const rt = await runtime(ctx);
    const entry = await rt.containers.find(args[0]!);
    const tail = parseTail(options['tail']);
    const timestamps = options['timestamps'] === true;
    const write = (line: LogLine) => {
      const text = timestamps ? `${formatLogTime(line.timeNs)} ${line.text.toString('utf8')}` : line.text;
      if (line.stream === 'stderr') process.stderr.write(text);
      else process.stdout.write(text);
    };
    const path = join(entry.dir, LOG_FILE);
    const stillRunning = async () => {
      const current = await rt.containers.get(entry.record.id);
      if (current === undefined) return false;
      return (await observeContainer(rt, current)).state.status === 'running';
    };
    if (tail >= 0) {
      // The tail is counted over what exists now; following continues from there.
      const lines: LogLine[] = [];
      let seen = 0;
      for await (const line of readLogLines(path)) {
        seen++;
        lines.push(line);
        if (lines.length > tail) lines.shift();
      }
      for (const line of lines) write(line);
      if (options['follow'] !== true) return 0;
      let skip = seen;
      for await (const line of readLogLines(path, { follow: stillRunning })) if (skip-- <= 0) write(line);
      return 0;
    }
    for await (const line of readLogLines(path, options['follow'] === true ? { follow: stillRunning } : {})) write(line);
    return 0;
  },
};
