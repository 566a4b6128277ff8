/** `lade history`: the image's history, newest first, as `docker history` prints it. */
import type { LeafCommand } from '../../command-spec.js';
import { createdSince, goRfc3339, HISTORY_FORMATS, HISTORY_NON_HUMAN_TABLE, humanSize, QUIET_FORMAT, renderList } from '../../format/index.js';
import { openStore, shortId } from './common.js';

/** Docker truncates CREATED BY to 45 characters with an ellipsis. */
function ellipsis(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

export const historyCommand: LeafCommand = {
  kind: 'leaf',
  name: 'history',
  usage: '[OPTIONS] IMAGE',
  summary: 'Show the history of an image',
  args: { min: 1, max: 1 },
  options: [
    { long: 'format', type: 'string', description: 'Pretty-print images using a Go template' },
    { long: 'human', short: 'H', type: 'string', description: 'Print sizes and dates in human readable format', defaultValue: 'true' },
    { long: 'no-trunc', description: "Don't truncate output" },
    { long: 'quiet', short: 'q', description: 'Only show image IDs' },
  ],
  async run(ctx, args, options) {
    const store = await openStore(ctx);
    const image = await store.load(await store.find(args[0]!));
    const human = options['human'] !== 'false' && options['human'] !== '0';
    const noTrunc = options['no-trunc'] === true;
    const now = Date.now();
    const sizes = [...(image.record.layerSizes ?? [])];
    // History entries that are not empty layers line up with the layers, oldest first.
    const entries = (image.config.history ?? []).map((h) => ({ h, size: h.empty_layer === true ? 0 : (sizes.shift() ?? 0) }));
    const rows = entries.reverse().map(({ h, size }, i) => {
      const created = h.created === undefined ? Number.NaN : Date.parse(h.created);
      const createdBy = (h.created_by ?? '').replaceAll('\t', ' ');
      return {
        ID: i === 0 ? shortId(image.record.id, noTrunc) : '<missing>',
        CreatedSince: Number.isNaN(created) ? 'N/A' : human ? createdSince(created, now) : goRfc3339(created),
        CreatedAt: Number.isNaN(created) ? 'N/A' : goRfc3339(created),
        CreatedBy: noTrunc ? createdBy : ellipsis(createdBy, 45),
        Size: human ? humanSize(size) : String(size),
        Comment: h.comment ?? '',
      };
    });
    const format = typeof options['format'] === 'string' ? options['format'] : options['quiet'] === true ? QUIET_FORMAT : '';
    const defaultTable = human ? HISTORY_FORMATS.defaultTable : HISTORY_NON_HUMAN_TABLE;
    ctx.out.stdout(renderList({ ...HISTORY_FORMATS, defaultTable, format }, rows));
    return 0;
  },
};
