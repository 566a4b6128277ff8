/** `lade ps` / `lade container ls`: Docker's listing, filters and --format. */
import { ErrorCode, LadeError } from '../../../errors/index.js';
import { observeContainer, type ContainerEntry } from '../../../container/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { CONTAINER_FORMATS, QUIET_FORMAT, createdSince, goTimeString, renderList } from '../../format/index.js';
import { parseFilters, stringList } from '../image/index.js';
import { commandLine, ellipsis, runtime, statusText } from './common.js';
import { goQuote } from '../../format/index.js';

const FILTERS = ['id', 'name', 'status', 'exited', 'label', 'ancestor'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

function matches(entry: ContainerEntry, filters: Map<string, string[]>): boolean {
  const any = (key: string, test: (v: string) => boolean) => {
    const values = filters.get(key);
    return values === undefined || values.some(test);
  };
  const labels = entry.record.imageConfig.Labels ?? {};
  return (
    any('id', (v) => entry.record.id.startsWith(v)) &&
    any('name', (v) => new RegExp(v).test(entry.record.name)) &&
    any('status', (v) => {
      if (!STATUSES.includes(v)) throw new LadeError(ErrorCode.Usage, `invalid filter 'status=${v}'`);
      return entry.state.status === v;
    }) &&
    any('exited', (v) => {
      if (!/^-?\d+$/.test(v)) throw new LadeError(ErrorCode.Usage, `invalid filter 'exited=${v}'`);
      return entry.state.status === 'exited' && entry.state.exitCode === Number(v);
    }) &&
    (filters.get('label') ?? []).every((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? Object.hasOwn(labels, l) : labels[l.slice(0, eq)] === l.slice(eq + 1);
    }) &&
    any('ancestor', (v) => entry.record.image.ref === v || entry.record.image.id.replace('sha256:', '').startsWith(v.replace('sha256:', '')))
  );
}

export const psCommand: LeafCommand = {
  kind: 'leaf',
  name: 'ls',
  aliases: ['ps', 'list'],
  usage: '[OPTIONS]',
  summary: 'List containers',
  args: { min: 0, max: 0 },
  options: [
    { long: 'all', short: 'a', description: 'Show all containers (default shows just running)' },
    { long: 'filter', short: 'f', type: 'filter', description: 'Filter output based on conditions provided' },
    { long: 'format', type: 'string', description: 'Pretty-print containers using a Go template' },
    { long: 'last', short: 'n', type: 'int', description: 'Show n last created containers (includes all states)', defaultValue: '-1' },
    { long: 'latest', short: 'l', description: 'Show the latest created container (includes all states)' },
    { long: 'no-trunc', description: "Don't truncate output" },
    { long: 'quiet', short: 'q', description: 'Only display container IDs' },
  ],
  async run(ctx, _args, options) {
    const rt = await runtime(ctx);
    const filters = parseFilters(stringList(options, 'filter'), FILTERS);
    const noTrunc = options['no-trunc'] === true;
    let last = Number(options['last'] ?? -1);
    if (!Number.isInteger(last)) throw new LadeError(ErrorCode.Usage, `invalid argument "${String(options['last'])}" for "-n, --last" flag`);
    if (options['latest'] === true) last = 1;
    let entries = await Promise.all((await rt.containers.list()).map((e) => observeContainer(rt, e)));
    if (last > 0) entries = entries.slice(0, last);
    else if (options['all'] !== true && !filters.has('status') && !filters.has('exited')) entries = entries.filter((e) => e.state.status === 'running');
    entries = entries.filter((e) => matches(e, filters));
    const now = Date.now();
    const rows = entries.map((e) => {
      const command = commandLine(e);
      return {
        ID: noTrunc ? e.record.id : e.record.id.slice(0, 12),
        Image: e.record.image.ref,
        Command: goQuote(noTrunc ? command : ellipsis(command, 20)),
        CreatedAt: goTimeString(Date.parse(e.record.created)),
        RunningFor: createdSince(Date.parse(e.record.created), now),
        Ports: '',
        State: e.state.status,
        Status: statusText(e.state, now),
        Size: '0B',
        Names: e.record.name,
        Labels: Object.entries(e.record.imageConfig.Labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        Mounts: '',
        Networks: e.record.resolved.hostConfig.NetworkMode,
        LocalVolumes: '0',
      };
    });
    const format = options['quiet'] === true ? QUIET_FORMAT : typeof options['format'] === 'string' ? options['format'] : '';
    ctx.out.stdout(renderList({ ...CONTAINER_FORMATS, format }, rows));
    return 0;
  },
};
