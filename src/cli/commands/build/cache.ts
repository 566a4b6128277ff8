/**
 * `lade build --cache-from / --cache-to`: imports the caches before the solve, records what the
 * solve obtained, and exports it: to registries and directories, each step's layer as the step
 * finishes and the rest once the image is stored; inline, into the image's config before it is.
 * Each is a step of the build's progress.
 */
import { join } from 'node:path';
import { ErrorCode, LadeError } from '../../../errors/index.js';
import type { Graph, VertexId } from '../../../graph/index.js';
import type { ImageStore } from '../../../image/index.js';
import {
  buildInline,
  CacheExporter,
  describeSpec,
  importCache,
  ImportedCaches,
  INLINE_CACHE_KEY,
  parseCacheFrom,
  parseCacheTo,
  type CacheEntryOut,
  type CacheExportSpec,
  type CacheImportSpec,
  type ImportedCache,
} from '../../../remotecache/index.js';
import type { Snapshotter } from '../../../snapshotter/index.js';
import { KEY_VERSION, type CacheIndex, type CacheKey, type OpAdapter, type OpResult, type ResultSource } from '../../../solver/index.js';
import { resultLayers, type LayerRef } from '../../../solver/ops/index.js';
import type { Progress } from './progress.js';

export interface CacheOptions {
  from: CacheImportSpec[];
  to: CacheExportSpec[];
}

/** Parses the flags before anything runs, so a typo fails at once. */
export function parseCacheOptions(from: readonly string[], to: readonly string[]): CacheOptions {
  return { from: from.map(parseCacheFrom), to: to.map(parseCacheTo) };
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** Imports every --cache-from, in order; undefined when none gave anything. */
export async function importCaches(specs: readonly CacheImportSpec[], store: ImageStore, snapshotter: Snapshotter, progress: Progress): Promise<ImportedCaches | undefined> {
  const caches: ImportedCache[] = [];
  for (const spec of specs) {
    await progress.internal(`importing cache manifest from ${describeSpec(spec)}`, async (log) => {
      const outcome = await importCache(spec, KEY_VERSION);
      if (outcome.cache === undefined) {
        log(`skipped: ${outcome.skipped ?? 'nothing there'}`);
        return;
      }
      caches.push(outcome.cache);
      log(`${plural(outcome.cache.config.records.length, 'cached result')}, ${plural(outcome.cache.blobs.size, 'layer')}`);
    });
  }
  if (caches.length === 0) return undefined;
  return new ImportedCaches(caches, store, snapshotter, (downloads, where, work) =>
    progress.internal(downloads === 0 ? 'unpacking cached layers' : `pulling ${plural(downloads, 'cached layer')} from ${where}`, work),
  );
}

/** What the solve obtained, by vertex, and every needed vertex's key. */
export class SolveRecorder {
  readonly results = new Map<VertexId, { key: CacheKey; result: OpResult; how: ResultSource }>();
  keys: ReadonlyMap<VertexId, CacheKey> = new Map();

  onKeys = (keys: ReadonlyMap<VertexId, CacheKey>): void => {
    this.keys = keys;
  };

  onResult = (id: VertexId, key: CacheKey, result: OpResult, how: ResultSource): void => {
    this.results.set(id, { key, result, how });
  };

  /**
   * Every cacheable step's result, as far as it can be had: obtained by the solve, or (below a
   * hit, where the solve never looked) found in the local cache or an imported one.
   */
  async steps(graph: Graph, adapter: OpAdapter, local: CacheIndex, imported: ImportedCaches | undefined): Promise<CacheEntryOut[]> {
    const out: CacheEntryOut[] = [];
    for (const [id, key] of this.keys) {
      const vertex = graph.vertices[id]!;
      if (!adapter.cacheable(vertex)) continue;
      let result = this.results.get(id)?.result;
      if (result === undefined) {
        const entry = await local.get(key);
        if (entry !== undefined && (await adapter.usable(entry.result))) result = entry.result;
      }
      if (result === undefined) result = await imported?.get(key);
      const layers = result === undefined ? undefined : resultLayers(result);
      if (layers === undefined || layers.length === 0) continue;
      out.push({ key, layers, name: vertex.meta.name });
    }
    return out;
  }
}

/** The steps whose trees are the final image's first layers: what `mode=min` and inline export. */
function finalSteps(steps: readonly CacheEntryOut[], final: readonly LayerRef[]): CacheEntryOut[] {
  return steps.filter((s) => s.layers.length <= final.length && s.layers.every((l, i) => l.diffId === final[i]!.diffId));
}

/** The image config with the inline cache added, when `--cache-to type=inline` asks for it. */
export function withInlineCache(config: Record<string, unknown>, options: CacheOptions, steps: readonly CacheEntryOut[], final: readonly LayerRef[]): Record<string, unknown> {
  if (!options.to.some((s) => s.type === 'inline')) return config;
  return { ...config, [INLINE_CACHE_KEY]: buildInline(KEY_VERSION, final, finalSteps(steps, final)) };
}

/**
 * The exports --cache-to asks for, to registries and directories. They start before the build
 * ends: a step's new layer is sent as soon as the step is done (with mode=min, only the steps the
 * final image is built by), while later steps run; `finish` sends the rest once the image is
 * stored. A failure fails the build unless ignore-error=true.
 */
export class CacheExports {
  private readonly exporters: Array<{ spec: Extract<CacheExportSpec, { type: 'registry' | 'local' }>; exporter: CacheExporter | undefined; failure?: unknown }> = [];
  /** The steps the target's tree is built by: its own, then its first input's, down to the base. */
  private readonly lineage = new Set<VertexId>();

  constructor(
    options: CacheOptions,
    ctx: { store: ImageStore; root: string; imported: ImportedCaches | undefined },
    graph: Graph,
    target: VertexId,
  ) {
    for (let id: VertexId | undefined = target; id !== undefined; ) {
      const vertex: Graph['vertices'][string] | undefined = graph.vertices[id];
      if (vertex === undefined || (vertex.op.kind !== 'exec' && vertex.op.kind !== 'file')) break;
      this.lineage.add(id);
      id = vertex.inputs[0];
    }
    for (const spec of options.to) {
      if (spec.type === 'inline') continue;
      const entry: (typeof this.exporters)[number] = { spec, exporter: undefined };
      try {
        entry.exporter = new CacheExporter(spec, {
          store: ctx.store,
          memoDir: join(ctx.root, 'buildcache', 'compressed'),
          keyVersion: KEY_VERSION,
          fetchBlobs: ctx.imported === undefined ? undefined : (layers) => ctx.imported!.fetchBlobs(layers),
        });
      } catch (err) {
        entry.failure = err;
      }
      this.exporters.push(entry);
    }
  }

  /** A result the solve obtained: a step that ran has made a layer to send now. */
  onResult(id: VertexId, result: OpResult, how: ResultSource): void {
    if (how !== 'run') return;
    const top = resultLayers(result)?.at(-1);
    if (top === undefined) return;
    for (const { spec, exporter } of this.exporters) {
      if (spec.mode === 'max' || this.lineage.has(id)) void exporter?.layer(top);
    }
  }

  /** The build failed: what is being sent stops. */
  cancel(): void {
    for (const { exporter } of this.exporters) exporter?.cancel();
  }

  async finish(steps: readonly CacheEntryOut[], final: readonly LayerRef[], progress: Progress, warn: (text: string) => void): Promise<void> {
    for (const { spec, exporter, failure } of this.exporters) {
      const where = describeSpec(spec);
      try {
        await progress.internal(`exporting cache to ${spec.type === 'registry' ? 'registry' : 'directory'} ${where}`, async (log) => {
          if (exporter === undefined) throw failure;
          const summary = await exporter.finish(spec.mode === 'max' ? steps : finalSteps(steps, final), log);
          if (summary !== undefined) log(`${plural(summary.records, 'result')}, ${plural(summary.layers, 'layer')}: ${summary.sent} sent, ${summary.present} already there`);
        });
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        if (spec.ignoreError) {
          warn(`WARNING: exporting the build cache to ${where} failed (ignored, ignore-error=true): ${detail}\n`);
          continue;
        }
        throw new LadeError(ErrorCode.CacheExport, `exporting the build cache to ${where} failed: ${detail}`, {
          hint: 'The image was built and stored. Add ignore-error=true to --cache-to to let the build succeed when the cache cannot be exported.',
          cause: err,
        });
      }
    }
  }
}
