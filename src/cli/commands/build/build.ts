/** `lade build`: a Dockerfile and its context → an image in the store, as `docker build` (BuildKit). */
import { availableParallelism } from 'node:os';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contextIndexDir, scanContext, type ContextScan } from '../../../buildcontext/index.js';
import { ErrorCode, LadeError } from '../../../errors/index.js';
import {
  buildDefinition,
  createIgnoreMatcher,
  loadDockerignore,
  parseDockerfile,
  parseInstructions,
  type BaseImage,
} from '../../../frontend/index.js';
import { openImageStore, parseConfig, tagName, type ImageConfig } from '../../../image/index.js';
import { parseImageReference } from '../../../reference/index.js';
import { closeConnections, fetchImageConfig, openSession, pullImage } from '../../../registry/index.js';
import { openSnapshotter } from '../../../snapshotter/index.js';
import { failedVertexOf, openCacheIndex, solve } from '../../../solver/index.js';
import { createBuildAdapter, ensureRootfs, exportImage, removeAbandoned, resolveBaseImage, removeAbandonedDirs, scratchDirName, type BuildDeps, type RootfsResult } from '../../../solver/ops/index.js';
import type { LeafCommand, OptionValues, RunContext } from '../../command-spec.js';
import { stringList } from '../image/index.js';
import { CacheExports, importCaches, parseCacheOptions, SolveRecorder, withInlineCache } from './cache.js';
import { failureReport } from './failure.js';
import { resolveInputs } from './inputs.js';
import { createProgress, type ProgressMode } from './progress.js';

function keyValues(list: readonly string[], flag: string, allowBare: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (!allowBare) throw new LadeError(ErrorCode.Usage, `invalid argument "${item}" for "--${flag}" flag: expected KEY=VALUE`);
      // `--build-arg NAME` takes the value from the environment, and is dropped when unset (Docker).
      const v = process.env[item];
      if (v !== undefined) out[item] = v;
      continue;
    }
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function progressMode(ctx: RunContext, options: OptionValues): ProgressMode {
  if (options['quiet'] === true) return 'quiet';
  const mode = (options['progress'] as string | undefined) ?? 'auto';
  if (mode === 'auto') return process.stderr.isTTY === true ? 'tty' : 'plain';
  return mode as ProgressMode;
}

const HOSTS = '127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n';

async function hostResolvConf(): Promise<string> {
  try {
    return await readFile('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

export const buildCommand: LeafCommand = {
  kind: 'leaf',
  name: 'build',
  usage: '[OPTIONS] PATH | -',
  summary: 'Build an image from a Dockerfile',
  args: { min: 1, max: 1 },
  options: [
    { long: 'build-arg', type: 'list', description: 'Set build-time variables' },
    { long: 'cache-from', type: 'list', description: 'External cache sources (e.g., "user/app:cache", "type=local,src=path/to/dir")' },
    { long: 'cache-to', type: 'list', description: 'Cache export destinations (e.g., "user/app:cache", "type=local,dest=path/to/dir", "type=inline")' },
    { long: 'file', short: 'f', type: 'string', description: "Name of the Dockerfile (Default is 'PATH/Dockerfile')" },
    { long: 'iidfile', type: 'string', description: 'Write the image ID to the file' },
    { long: 'label', type: 'list', description: 'Set metadata for an image' },
    { long: 'max-parallelism', type: 'int', description: 'Maximum number of steps run at once (default: the number of CPUs)' },
    { long: 'no-cache', description: 'Do not use cache when building the image' },
    { long: 'no-cache-filter', type: 'list', description: 'Do not cache specified stages' },
    { long: 'platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
    { long: 'progress', type: 'string', description: 'Set type of progress output (auto, plain, tty, rawjson). Use plain to show container output', defaultValue: 'auto', choices: ['auto', 'plain', 'tty', 'rawjson'] },
    { long: 'pull', description: 'Always attempt to pull a newer version of the image' },
    { long: 'quiet', short: 'q', description: 'Suppress the build output and print image ID on success' },
    { long: 'tag', short: 't', type: 'list', description: "Name and optionally a tag in the 'name:tag' format" },
    { long: 'target', type: 'string', description: 'Set the target build stage to build.' },
    { long: 'print-graph', description: 'Print the build graph as JSON and exit', hidden: true },
  ],
  async run(ctx, args, options) {
    const root = ctx.global.root;
    const names = stringList(options, 'tag').map((t) => tagName(t));
    const platform = options['platform'];
    if (typeof platform === 'string' && platform !== '' && !/^linux\/(amd64|x86_64)$/.test(platform)) {
      throw new LadeError(ErrorCode.BuildUnsupported, `unsupported platform ${JSON.stringify(platform)}: lade builds linux/amd64 images`);
    }
    const maxRaw = options['max-parallelism'];
    const maxParallelism = maxRaw === undefined ? availableParallelism() : Number(maxRaw);
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1) {
      throw new LadeError(ErrorCode.Usage, `invalid argument "${String(maxRaw)}" for "--max-parallelism" flag: must be a positive integer`);
    }

    const cacheOptions = parseCacheOptions(stringList(options, 'cache-from'), stringList(options, 'cache-to'));

    await removeAbandonedDirs(join(root, 'tmp'));
    const tmpDir = join(root, 'tmp', scratchDirName());
    await mkdir(tmpDir, { recursive: true });
    const mode = progressMode(ctx, options);
    const progress = createProgress(mode, {
      write: (text) => process.stderr.write(text),
      ...(process.stderr.columns === undefined ? {} : { columns: process.stderr.columns }),
    });
    let dockerfileText: string | undefined;
    try {
      const inputs = resolveInputs(args[0]!, options['file'] as string | undefined, tmpDir);
      dockerfileText = inputs.dockerfile.toString('utf8');
      const images = await openImageStore(root);
      const ignore = await loadDockerignore(inputs.contextDir, inputs.dockerfilePath);
      const matcher = ignore === undefined ? undefined : createIgnoreMatcher(ignore.rules);

      let definition!: Awaited<ReturnType<typeof buildDefinition>>;
      let scan: Promise<ContextScan> | undefined;
      const deps: BuildDeps = {
        images,
        snapshotter: await openSnapshotter(root),
        copyRecords: join(root, 'buildcontext', 'copies'),
        fileStore: join(root, 'buildcontext', 'files'),
        noCache: options['no-cache'] === true,
        tmpDir,
        context: () =>
          (scan ??= (async () =>
            scanContext(inputs.contextDir, {
              ...(matcher === undefined ? {} : { ignore: matcher }),
              indexDir: await contextIndexDir(root, inputs.contextDir),
            }))()),
        etcFiles: (() => {
          let files: Promise<{ hosts: string; resolvConf: string }> | undefined;
          return () =>
            (files ??= (async () => {
              const hosts = join(tmpDir, 'hosts');
              const resolvConf = join(tmpDir, 'resolv.conf');
              await writeFile(hosts, HOSTS);
              await writeFile(resolvConf, await hostResolvConf());
              return { hosts, resolvConf };
            })());
        })(),
        // A base image a step runs on is pulled when the store lacks it; --pull pulls them all.
        pull: (ref) =>
          progress.internal(`[internal] pull ${ref}`, async () => {
            const name = parseImageReference(ref);
            await pullImage(images, openSession(name.domain), ref);
          }),
        forcePull: options['pull'] === true,
        // Until a step needs its files, a base image the store lacks is only resolved: its ID
        // (for cache keys) and its config, as BuildKit loads image metadata.
        resolve: async (ref) => {
          let resolved!: { id: string; config: ImageConfig };
          await progress.internal(`[internal] load metadata for ${ref}`, async () => {
            const { id, config } = await fetchImageConfig(openSession(parseImageReference(ref).domain), ref);
            resolved = { id, config: parseConfig(config) };
          });
          return resolved;
        },
      };

      await progress.internal(`[internal] load build definition from ${inputs.dockerfileName}`, async () => {
        const parsed = parseDockerfile(inputs.dockerfile, { file: inputs.dockerfileName });
        for (const warning of parsed.warnings) process.stderr.write(`WARNING: ${warning.message}\n`);
        const doc = parseInstructions(parsed);
        definition = await buildDefinition(
          doc,
          {
            buildArgs: keyValues(stringList(options, 'build-arg'), 'build-arg', true),
            ...(typeof options['target'] === 'string' ? { target: options['target'] } : {}),
            labels: keyValues(stringList(options, 'label'), 'label', false),
            noCacheFilter: stringList(options, 'no-cache-filter'),
          },
          async (normalized): Promise<BaseImage> => ({ config: (await resolveBaseImage(deps, normalized)).config as unknown as Record<string, unknown> }),
        );
      });
      if (options['print-graph'] === true) {
        ctx.out.stdout(`${JSON.stringify({ target: definition.target, graph: definition.graph, image: definition.image }, null, 2)}\n`);
        return 0;
      }

      const cache = await openCacheIndex(join(root, 'buildcache'));
      const imported = await importCaches(cacheOptions.from, images, deps.snapshotter, progress);
      deps.cacheLayers = imported;
      const recorder = new SolveRecorder();
      const exports = new CacheExports(cacheOptions, { store: images, root, imported }, definition.graph, definition.target);
      // What a killed build left behind (its steps' snapshots) goes before this one adds its own.
      await removeAbandoned(deps.snapshotter);
      const adapter = createBuildAdapter(deps);
      // Ctrl-C (or a TERM) stops the build: running steps are killed (their sandboxes run in
      // sessions of their own, out of the terminal's reach) and nothing half-made is kept.
      const interrupt = new AbortController();
      const onSignal = (): void => interrupt.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let results;
      try {
        results = await solve({
          signal: interrupt.signal,
          graph: definition.graph,
          targets: [definition.target],
          adapter,
          cache,
          imported,
          onKeys: recorder.onKeys,
          onResult: (id, key, result, how) => {
            recorder.onResult(id, key, result, how);
            exports.onResult(id, result, how);
          },
          maxParallelism,
          noCache: options['no-cache'] === true,
          onEvent: (e) => progress.onEvent(e),
        });
      } catch (err) {
        exports.cancel();
        progress.stop();
        const failed = failedVertexOf(err);
        if (failed !== undefined) process.stderr.write(failureReport(failed.name, progress.tailOf(failed.id), failed.location, dockerfileText));
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // What was hashed this time need not be read again next time, whatever the outcome.
        if (scan !== undefined) await (await scan.catch(() => undefined))?.saveIndex();
      }
      // A hit of an imported cache is lazy: the image's layers come now.
      const rootfs = await ensureRootfs(images, deps.snapshotter, results.get(definition.target) as unknown as RootfsResult, imported);
      const steps = cacheOptions.to.length === 0 ? [] : await recorder.steps(definition.graph, adapter, cache, imported);
      const config = withInlineCache(definition.image as unknown as Record<string, unknown>, cacheOptions, steps, rootfs.layers);
      let id = '';
      await progress.internal('exporting to image', async () => {
        const exported = await exportImage(images, { config, baseHistory: definition.baseHistory, rootfs, names });
        id = exported.id;
      });
      await exports.finish(steps, rootfs.layers, progress, (text) => process.stderr.write(text));
      progress.stop();
      if (mode !== 'quiet') {
        process.stderr.write(`writing image ${id} done\n`);
        for (const name of names) process.stderr.write(`naming to ${name} done\n`);
      }
      const iidfile = options['iidfile'];
      if (typeof iidfile === 'string' && iidfile !== '') await writeFile(iidfile, id);
      if (mode === 'quiet') ctx.out.stdout(`${id}\n`);
      return 0;
    } finally {
      progress.stop();
      closeConnections();
      await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
    }
  },
};
