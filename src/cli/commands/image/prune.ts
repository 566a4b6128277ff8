/** `lade image prune`: dangling (or, with -a, unused) images, then every blob nothing references. */
import { imagesInUse, openRuntime } from '../../../container/index.js';
import { ErrorCode, LadeError } from '../../../errors/index.js';
import { displayName, type ImageStore, type StoredImage } from '../../../image/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { humanSize } from '../../format/index.js';
import { confirm, openStore, parseFilters, stringList } from './common.js';

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Docker's `until`: a Unix timestamp, an RFC 3339 date, or a duration back from now (`24h`). */
export function untilMs(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const d = DURATION.exec(value);
  if (d !== null) return now - Number(d[1]) * UNIT_MS[d[2]!]!;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new LadeError(ErrorCode.Usage, `invalid filter 'until=${value}': not a timestamp or a duration`);
  return t;
}

async function matches(store: ImageStore, image: StoredImage, filters: Map<string, string[]>): Promise<boolean> {
  const created = image.record.created === undefined ? Number.NaN : Date.parse(image.record.created);
  for (const until of filters.get('until') ?? []) {
    if (Number.isNaN(created) || created >= untilMs(until)) return false;
  }
  // `label=k[=v]` prunes only images carrying the label; `label!=k[=v]` (Docker parses the key as
  // `label!`) only images without it.
  const wanted = [...(filters.get('label') ?? []).map((f) => [f, true] as const), ...(filters.get('label!') ?? []).map((f) => [f, false] as const)];
  if (wanted.length > 0) {
    const labels = (await store.load(image)).config.config?.Labels ?? {};
    for (const [spec, present] of wanted) {
      const eq = spec.indexOf('=');
      const has = eq < 0 ? Object.hasOwn(labels, spec) : labels[spec.slice(0, eq)] === spec.slice(eq + 1);
      if (has !== present) return false;
    }
  }
  return true;
}

export const pruneCommand: LeafCommand = {
  kind: 'leaf',
  name: 'prune',
  usage: '[OPTIONS]',
  summary: 'Remove unused images',
  args: { min: 0, max: 0 },
  options: [
    { long: 'all', short: 'a', description: 'Remove all unused images, not just dangling ones' },
    { long: 'filter', type: 'filter', description: 'Provide filter values (e.g. "until=<timestamp>")' },
    { long: 'force', short: 'f', description: 'Do not prompt for confirmation' },
  ],
  async run(ctx, _args, options) {
    const filters = parseFilters(stringList(options, 'filter'), ['until', 'label', 'label!']);
    const all = options['all'] === true;
    if (options['force'] !== true) {
      const warning = all
        ? 'WARNING! This will remove all images without at least one container associated to them.'
        : 'WARNING! This will remove all dangling images.';
      if (!(await confirm(ctx, `${warning}\nAre you sure you want to continue?`))) return 0;
    }
    const store = await openStore(ctx);
    // Images containers use are never pruned, as with Docker.
    const used = await imagesInUse(await openRuntime(ctx.global.root));
    let only: Set<string> | undefined;
    if (filters.size > 0 || used.size > 0) {
      only = new Set();
      for (const image of await store.list()) {
        if (used.has(image.record.manifest.digest)) continue;
        if (await matches(store, image, filters)) only.add(image.record.manifest.digest);
      }
    }
    const result = await store.prune({ all, ...(only === undefined ? {} : { only }) });
    if (result.deletedImages.length > 0) {
      ctx.out.stdout('Deleted Images:\n');
      for (const name of result.untagged) ctx.out.stdout(`untagged: ${displayName(name)}\n`);
      for (const id of result.deletedImages) ctx.out.stdout(`deleted: ${id}\n`);
      ctx.out.stdout('\n');
    }
    ctx.out.stdout(`Total reclaimed space: ${humanSize(result.reclaimedBytes)}\n`);
    return 0;
  },
};
