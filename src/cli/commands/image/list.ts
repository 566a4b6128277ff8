/** `lade images` / `lade image ls`: Docker's listing, filters and --format. */
import { ErrorCode, LadeError } from '../../../errors/index.js';
import { tagName, type StoredImage } from '../../../image/index.js';
import type { LeafCommand } from '../../command-spec.js';
import { createdSince, goTimeString, humanSize, IMAGE_DIGEST_TABLE, IMAGE_FORMATS, QUIET_FORMAT, renderList } from '../../format/index.js';
import { openStore, parseFilters, pathMatch, shortId, splitName, stringList } from './common.js';

interface Row {
  ID: string;
  Repository: string;
  Tag: string;
  Digest: string;
  CreatedSince: string;
  CreatedAt: string;
  Size: string;
  Containers: string;
  SharedSize: string;
  UniqueSize: string;
  VirtualSize: string;
}

function createdMs(image: StoredImage): number | undefined {
  const t = image.record.created === undefined ? Number.NaN : Date.parse(image.record.created);
  return Number.isNaN(t) ? undefined : t;
}

/** Docker matches the reference filter against the repository and against `repository:tag`. */
function referenceMatches(patterns: readonly string[], repository: string, tag: string): boolean {
  return patterns.length === 0 || patterns.some((p) => pathMatch(p, repository) || pathMatch(p, `${repository}:${tag}`));
}

function matchesFilters(image: StoredImage, filters: Map<string, string[]>, all: StoredImage[], labels: Record<string, string>): boolean {
  for (const value of filters.get('dangling') ?? []) {
    const want = value === 'true' || value === '1';
    if (!want && value !== 'false' && value !== '0') throw new LadeError(ErrorCode.Usage, `invalid filter 'dangling=${value}'`);
    if ((image.tags.length === 0) !== want) return false;
  }
  for (const label of filters.get('label') ?? []) {
    const eq = label.indexOf('=');
    if (eq < 0 ? !Object.hasOwn(labels, label) : labels[label.slice(0, eq)] !== label.slice(eq + 1)) return false;
  }
  for (const [key, cmp] of [
    ['before', (a: number, b: number) => a < b],
    ['since', (a: number, b: number) => a > b],
  ] as const) {
    for (const ref of filters.get(key) ?? []) {
      const other = all.find((i) => i.tags.includes(normalizedOrSelf(ref)) || i.record.id.replace('sha256:', '').startsWith(ref.replace('sha256:', '')));
      if (other === undefined) throw new LadeError(ErrorCode.ImageNotFound, `No such image: ${ref}`);
      if (!cmp(createdMs(image) ?? 0, createdMs(other) ?? 0)) return false;
    }
  }
  return true;
}

/** The normalised tag a filter value names, or the value itself (an ID). */
function normalizedOrSelf(name: string): string {
  try {
    return tagName(name);
  } catch {
    return name;
  }
}

export const listCommand: LeafCommand = {
  kind: 'leaf',
  name: 'ls',
  aliases: ['images', 'list'],
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  summary: 'List images',
  args: { min: 0, max: 1 },
  options: [
    { long: 'all', short: 'a', description: 'Show all images (default hides intermediate images)' },
    { long: 'digests', description: 'Show digests' },
    { long: 'filter', short: 'f', type: 'filter', description: 'Filter output based on conditions provided' },
    { long: 'format', type: 'string', description: 'Pretty-print images using a Go template' },
    { long: 'no-trunc', description: "Don't truncate output" },
    { long: 'quiet', short: 'q', description: 'Only show image IDs' },
  ],
  async run(ctx, args, options) {
    const store = await openStore(ctx);
    const filters = parseFilters(stringList(options, 'filter'), ['dangling', 'label', 'before', 'since', 'reference']);
    if (args[0] !== undefined) filters.set('reference', [...(filters.get('reference') ?? []), args[0]]);
    const all = await store.list();
    const now = Date.now();
    const noTrunc = options['no-trunc'] === true;
    const rows: Row[] = [];
    const sorted = [...all].sort((a, b) => (createdMs(b) ?? 0) - (createdMs(a) ?? 0));
    for (const image of sorted) {
      const labels = filters.has('label') ? ((await store.load(image)).config.config?.Labels ?? {}) : {};
      if (!matchesFilters(image, filters, all, labels)) continue;
      const created = createdMs(image);
      const base = {
        ID: shortId(image.record.id, noTrunc),
        CreatedSince: created === undefined ? '' : createdSince(created, now),
        CreatedAt: created === undefined ? '' : goTimeString(created),
        Size: humanSize(image.record.size),
        VirtualSize: humanSize(image.record.size),
        Containers: 'N/A',
        SharedSize: 'N/A',
        UniqueSize: 'N/A',
      };
      const digestFor = (repository: string) =>
        image.record.repoDigests?.find((d) => splitName(`${d.split('@')[0]}:x`).repository === repository)?.split('@')[1] ?? '<none>';
      // The reference filter selects names, not images: only the matching tags are listed.
      const refs = filters.get('reference') ?? [];
      if (image.tags.length === 0 && refs.length === 0) rows.push({ ...base, Repository: '<none>', Tag: '<none>', Digest: '<none>' });
      for (const t of image.tags) {
        const { repository, tag } = splitName(t);
        if (referenceMatches(refs, repository, tag)) rows.push({ ...base, Repository: repository, Tag: tag, Digest: digestFor(repository) });
      }
    }
    const format = typeof options['format'] === 'string' ? options['format'] : options['quiet'] === true ? QUIET_FORMAT : '';
    const defaultTable = options['digests'] === true ? IMAGE_DIGEST_TABLE : IMAGE_FORMATS.defaultTable;
    ctx.out.stdout(renderList({ ...IMAGE_FORMATS, defaultTable, format }, rows as unknown as Record<string, unknown>[]));
    return 0;
  },
};
