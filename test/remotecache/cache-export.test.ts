// `lade build --cache-to / --cache-from` end to end, as root, with a real registry (Debian's
// docker-registry) and real directories: a store wiped (a fresh --root) rebuilds from the
// exported cache with every step CACHED, nothing run and the same image ID; a changed file
// re-runs only what depends on it; only the layers a hit needs are downloaded; a second export
// sends nothing again; a context with new mtimes in another directory still hits.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { baseStore } from '../build/fixture-cases.js';
import { lade, ladeAsync, type Run } from '../helpers/lade-cli.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const DOCKERFILE = `FROM lade-fixture/base:1 AS build
RUN echo prep > /prep
COPY a.txt /a.txt
RUN cat /prep /a.txt > /built
FROM lade-fixture/base:1
COPY b.txt /b.txt
COPY --from=build /built /built
RUN cat /b.txt /built > /final
`;

interface Setup {
  /** A store with the fixture base images, and the tarball they came from. */
  root: string;
  baseTar: string;
  context: string;
  dir: string;
}

function setup(t: TestContext): Setup {
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  const dir = mkdtempSync(join(tmpdir(), 'lade-cache-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const context = join(dir, 'context');
  mkdirSync(context);
  writeFileSync(join(context, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(context, 'a.txt'), 'alpha\n');
  writeFileSync(join(context, 'b.txt'), 'beta\n');
  return { root: base.root, baseTar: base.baseTar, context, dir };
}

/** An empty store with only the base images, as on a fresh CI machine. */
function freshStore(s: Setup, name: string): string {
  const root = join(s.dir, name);
  ok(lade(['--root', root, 'load', '-i', s.baseTar]), 'load of the base images');
  return root;
}

function ok(r: Run, what: string): Run {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function build(root: string, context: string, extra: string[]): Run {
  return ok(lade(['--root', root, 'build', '--progress', 'plain', '-t', 'cache-test', ...extra, context]), `build ${extra.join(' ')}`);
}

/** The Dockerfile's steps (`[stage n/m] …`) and how each ended: CACHED or DONE. */
function stepStates(progress: string): Map<string, string> {
  const names = new Map<string, string>();
  const states = new Map<string, string>();
  for (const line of progress.split('\n')) {
    const named = /^#(\d+) (\[(?!internal)[^\]]+\] .*)$/.exec(line);
    if (named !== null) names.set(named[1]!, named[2]!);
    const ended = /^#(\d+) (CACHED|DONE)\b/.exec(line);
    if (ended !== null && names.has(ended[1]!)) states.set(names.get(ended[1]!)!, ended[2]!);
  }
  return states;
}

function ran(progress: string): string[] {
  return [...stepStates(progress)].filter(([, state]) => state === 'DONE').map(([name]) => name);
}

function imageId(root: string): string {
  return ok(lade(['--root', root, 'images', '-q', '--no-trunc', 'cache-test']), 'images').stdout.trim();
}

function finalFile(root: string): string {
  return ok(lade(['--root', root, 'run', '--rm', 'cache-test', 'cat', '/final']), 'run').stdout;
}

/** Blob requests the registry answered, by method, since `from` log lines. */
function blobRequests(registry: TestRegistry, method: string, from = 0): string[] {
  return registry
    .log()
    .split('\n')
    .slice(from)
    .flatMap((line) => {
      const m = new RegExp(`"${method} /v2/[^ ]*/blobs/(sha256:[0-9a-f]{64})`).exec(line);
      return m === null ? [] : [m[1]!];
    });
}

/** Blob uploads (upload sessions started) since `from` log lines. */
function uploads(registry: TestRegistry, from = 0): string[] {
  return registry
    .log()
    .split('\n')
    .slice(from)
    .filter((line) => /"POST \/v2\/[^ ]*\/blobs\/uploads\//.test(line));
}

/** Requests that send blob bytes (PATCH or PUT of an upload session) since `from` log lines. */
function blobWrites(registry: TestRegistry, from = 0): string[] {
  return registry
    .log()
    .split('\n')
    .slice(from)
    .filter((line) => /"(PUT|PATCH) \/v2\/[^ ]*\/blobs\/uploads\//.test(line));
}

function logLines(registry: TestRegistry): number {
  return registry.log().split('\n').length - 1;
}

interface CacheManifest {
  mediaType: string;
  config: { mediaType: string; digest: string };
  layers: Array<{ digest: string; mediaType: string; annotations: Record<string, string> }>;
}

async function cacheManifest(registry: TestRegistry, repo: string, tag: string): Promise<CacheManifest> {
  const response = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' } });
  assert.equal(response.status, 200);
  return (await response.json()) as CacheManifest;
}

test('registry, mode=max: a fresh store rebuilds everything from the cache, lazily, with the same image ID; a change re-runs only its dependents', async (t) => {
  const registry = await startRegistry(t);
  const s = setup(t);
  const ref = `${registry.host}/test/cache:max`;
  const first = build(s.root, s.context, ['--cache-to', `type=registry,ref=${ref},mode=max`]);
  assert.deepEqual(ran(first.stderr).length, 7, first.stderr);
  assert.match(first.stderr, new RegExp(`exporting cache to registry ${ref}`));
  const id = imageId(s.root);
  const expected = finalFile(s.root);

  // The cache is an OCI manifest of lade's config type; every layer carries its diffID.
  const manifest = await cacheManifest(registry, 'test/cache', 'max');
  assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(manifest.config.mediaType, 'application/vnd.lade.buildcache.config.v1+json');
  for (const l of manifest.layers) {
    assert.equal(l.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    assert.match(l.annotations['containerd.io/uncompressed'] ?? '', /^sha256:[0-9a-f]{64}$/);
  }

  // A wiped store: every step CACHED, no step run, the same image, only the final image's layers downloaded.
  const fresh = freshStore(s, 'fresh');
  const before = logLines(registry);
  const again = build(fresh, s.context, ['--cache-from', ref]);
  assert.deepEqual(ran(again.stderr), [], again.stderr);
  assert.equal([...stepStates(again.stderr).values()].filter((v) => v === 'CACHED').length, 7, again.stderr);
  assert.equal(imageId(fresh), id);
  assert.equal(finalFile(fresh), expected);
  const finalDiffIds = new Set((JSON.parse(ok(lade(['--root', fresh, 'image', 'inspect', 'cache-test']), 'inspect').stdout) as Array<{ RootFS: { Layers: string[] } }>)[0]!.RootFS.Layers);
  const downloaded = new Set(blobRequests(registry, 'GET', before));
  const buildOnly = manifest.layers.filter((l) => !finalDiffIds.has(l.annotations['containerd.io/uncompressed']!));
  assert.equal(buildOnly.length, 3, 'the build stage made three layers the final image lacks');
  for (const l of buildOnly) assert.ok(!downloaded.has(l.digest), `${l.digest}, a layer of the build stage only, was downloaded`);
  const baseDiffId = manifest.layers.find((l) => l.annotations['containerd.io/uncompressed'] === [...finalDiffIds][0])!;
  assert.ok(!downloaded.has(baseDiffId.digest), 'the base layer, which the store has uncompressed, was downloaded');
  assert.equal(manifest.layers.filter((l) => downloaded.has(l.digest)).length, 3, 'the three layers the Dockerfile adds to the final image are downloaded');

  // One file changed, in another fresh store: only the steps that read it run; the cached
  // steps under them are brought from the cache.
  writeFileSync(join(s.context, 'a.txt'), 'changed\n');
  const other = freshStore(s, 'changed');
  const changed = build(other, s.context, ['--cache-from', ref]);
  assert.deepEqual(ran(changed.stderr), ['[build 3/4] COPY a.txt /a.txt', '[build 4/4] RUN cat /prep /a.txt > /built', '[stage-1 3/4] COPY --from=build /built /built', '[stage-1 4/4] RUN cat /b.txt /built > /final'], changed.stderr);
  assert.equal(finalFile(other), 'beta\nprep\nchanged\n');
});

test('exporting the same cache twice sends no blob and compresses nothing again; a copy of the context with new mtimes still hits', async (t) => {
  const registry = await startRegistry(t);
  const s = setup(t);
  const ref = `${registry.host}/test/cache:twice`;
  build(s.root, s.context, ['--cache-to', `type=registry,ref=${ref},mode=max`]);
  const sent = uploads(registry).length;
  assert.equal(sent, 8, 'the first export uploads seven layers and the config');
  const before = logLines(registry);
  const second = build(s.root, s.context, ['--cache-to', `type=registry,ref=${ref},mode=max`]);
  assert.deepEqual(ran(second.stderr), [], 'the second build is a local hit');
  assert.deepEqual(uploads(registry, before), [], `the second export uploaded blobs:\n${second.stderr}`);
  assert.deepEqual(blobWrites(registry, before), []);
  assert.doesNotMatch(second.stderr, /compressing layer/);
  assert.match(second.stderr, /0 sent, 8 already there/);

  // The context elsewhere, every file with another mtime, built in a fresh store.
  const moved = join(s.dir, 'moved', 'context');
  cpSync(s.context, moved, { recursive: true });
  for (const name of ['Dockerfile', 'a.txt', 'b.txt']) utimesSync(join(moved, name), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
  const fresh = freshStore(s, 'fresh');
  const hit = build(fresh, moved, ['--cache-from', `type=registry,ref=${ref}`]);
  assert.deepEqual(ran(hit.stderr), [], hit.stderr);
  assert.equal(imageId(fresh), imageId(s.root));
});

test('type=local, mode=min: an OCI layout under its tag; a fresh store rebuilds from it with the same image ID', (t) => {
  const s = setup(t);
  const dest = join(s.dir, 'cache-dir');
  const first = build(s.root, s.context, ['--cache-to', `type=local,dest=${dest}`]);
  assert.match(first.stderr, /exporting cache to directory/);
  assert.deepEqual(JSON.parse(readFileSync(join(dest, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(readFileSync(join(dest, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0]!.annotations['org.opencontainers.image.ref.name'], 'latest');
  const manifest = JSON.parse(readFileSync(join(dest, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as CacheManifest;
  // mode=min: the final image's four layers only, none of the build stage's three.
  assert.equal(manifest.layers.length, 4);
  for (const l of [manifest.config, ...manifest.layers]) assert.ok(existsSync(join(dest, 'blobs', 'sha256', l.digest.slice(7))), l.digest);

  const fresh = freshStore(s, 'fresh');
  const again = build(fresh, s.context, ['--cache-from', `type=local,src=${dest}`]);
  assert.deepEqual(ran(again.stderr), [], again.stderr);
  assert.equal(imageId(fresh), imageId(s.root));
  assert.equal(finalFile(fresh), 'beta\nprep\nalpha\n');

  // Another tag in the same directory keeps the first; exporting a tag again replaces only it.
  build(s.root, s.context, ['--cache-to', `type=local,dest=${dest},tag=v2,mode=max`]);
  build(s.root, s.context, ['--cache-to', `type=local,dest=${dest}`]);
  const tags = (JSON.parse(readFileSync(join(dest, 'index.json'), 'utf8')) as typeof index).manifests.map((m) => m.annotations['org.opencontainers.image.ref.name']);
  assert.deepEqual(tags.sort(), ['latest', 'v2']);
  const v2 = build(freshStore(s, 'v2'), s.context, ['--cache-from', `type=local,src=${dest},tag=v2`]);
  assert.deepEqual(ran(v2.stderr), [], v2.stderr);

  // A change in the final stage: mode=min has its steps, and the build stage runs (its results were not exported).
  writeFileSync(join(s.context, 'b.txt'), 'other\n');
  const other = freshStore(s, 'other');
  const changed = build(other, s.context, ['--cache-from', `type=local,src=${dest}`]);
  assert.ok(ran(changed.stderr).includes('[stage-1 2/4] COPY b.txt /b.txt'), changed.stderr);
  assert.ok(ran(changed.stderr).includes('[build 2/4] RUN echo prep > /prep'), changed.stderr);
});

test('inline: the records travel in the pushed image config; a fresh store rebuilds from the image with the same ID', async (t) => {
  const registry = await startRegistry(t);
  const s = setup(t);
  const name = `${registry.host}/test/inline:v1`;
  ok(lade(['--root', s.root, 'build', '-q', '-t', name, '--cache-to', 'type=inline', s.context]), 'build with an inline cache');
  ok(lade(['--root', s.root, 'push', name]), 'push');
  const config = JSON.parse(ok(lade(['--root', s.root, 'image', 'inspect', '--format', '{{json .Id}}', name]), 'inspect').stdout) as string;
  const fresh = freshStore(s, 'fresh');
  const again = build(fresh, s.context, ['-t', name, '--cache-from', name, '--cache-to', 'type=inline']);
  assert.deepEqual(ran(again.stderr), [], again.stderr);
  assert.match(again.stderr, /importing cache manifest from .*inline:v1\n#\d+ +\d+\.\d+ \d+ cached results, 4 layers/);
  assert.equal(ok(lade(['--root', fresh, 'images', '-q', '--no-trunc', name]), 'images').stdout.trim(), config);
});

test('image-manifest=false and zstd: the index form with zstd layers round-trips', async (t) => {
  const registry = await startRegistry(t);
  const s = setup(t);
  const ref = `${registry.host}/test/cache:index`;
  build(s.root, s.context, ['--cache-to', `type=registry,ref=${ref},mode=max,image-manifest=false,compression=zstd`]);
  const response = await fetch(`${registry.url}/v2/test/cache/manifests/index`, { headers: { Accept: 'application/vnd.oci.image.index.v1+json' } });
  const index = (await response.json()) as { mediaType: string; manifests: Array<{ mediaType: string }> };
  assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.equal(index.manifests.at(-1)!.mediaType, 'application/vnd.lade.buildcache.config.v1+json');
  assert.ok(index.manifests.slice(0, -1).every((d) => d.mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd'));
  const fresh = freshStore(s, 'fresh');
  const again = build(fresh, s.context, ['--cache-from', ref]);
  assert.deepEqual(ran(again.stderr), [], again.stderr);
  assert.equal(imageId(fresh), imageId(s.root));
});

test('a cache that cannot be imported is skipped; a failed export fails the build with a hint, or warns with ignore-error=true', async (t) => {
  const registry = await startRegistry(t);
  const s = setup(t);
  const missing = build(s.root, s.context, ['--cache-from', `${registry.host}/test/nothing:here`, '--cache-from', `type=local,src=${join(s.dir, 'no-such-dir')}`]);
  assert.match(missing.stderr, /skipped: .*nothing:here: not found/);
  assert.match(missing.stderr, /skipped: .*no build cache there/);

  const unreachable = 'type=registry,ref=127.0.0.1:1/test/cache:v1';
  const failed = lade(['--root', s.root, 'build', '-q', '--cache-to', unreachable, s.context]);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /exporting the build cache to 127\.0\.0\.1:1\/test\/cache:v1 failed: .*127\.0\.0\.1:1/);
  assert.match(failed.stderr, /ignore-error=true/);
  assert.doesNotMatch(failed.stderr, /\n\s+at /, 'no stack trace');

  const ignored = ok(lade(['--root', s.root, 'build', '-q', '--cache-to', `${unreachable},ignore-error=true`, s.context]), 'build with ignore-error');
  assert.match(ignored.stderr, /WARNING: exporting the build cache to .* failed \(ignored, ignore-error=true\)/);
  assert.match(ignored.stdout, /^sha256:[0-9a-f]{64}\n$/);

  for (const [flag, value, message] of [
    ['--cache-to', 'type=s3,ref=x', /unsupported cache type "s3"/],
    ['--cache-to', 'type=registry,ref=x,mode=all', /mode must be min or max/],
    ['--cache-to', 'type=local', /needs dest=/],
    ['--cache-from', 'type=gha', /unsupported cache type "gha"/],
  ] as const) {
    const r = lade(['--root', s.root, 'build', flag, value, s.context]);
    assert.equal(r.status, 1, `${flag} ${value}`);
    assert.match(r.stderr, message);
  }
});

test('a store that imported a cache exports it again: the layers go as they came, none compressed again, fetched when only the other cache has them', async (t) => {
  const registry = await startRegistry(t);
  const s = setup(t);
  const first = `${registry.host}/test/cache:first`;
  build(s.root, s.context, ['--cache-to', `type=registry,ref=${first},mode=max`]);
  const fresh = freshStore(s, 'fresh');
  const dest = join(s.dir, 'relayed');
  const relay = build(fresh, s.context, ['--cache-from', first, '--cache-to', `type=local,dest=${dest},mode=max`]);
  assert.deepEqual(ran(relay.stderr), [], relay.stderr);
  assert.doesNotMatch(relay.stderr, /compressing/, 'layers that came compressed are sent as they are');
  const original = await cacheManifest(registry, 'test/cache', 'first');
  const index = JSON.parse(readFileSync(join(dest, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  const relayed = JSON.parse(readFileSync(join(dest, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as CacheManifest;
  // The same records and layers: the relayed cache is the first one, byte for byte.
  assert.equal(relayed.config.digest, original.config.digest);
  assert.deepEqual(relayed.layers.map((l) => l.digest).sort(), original.layers.map((l) => l.digest).sort());
  for (const l of relayed.layers) assert.ok(existsSync(join(dest, 'blobs', 'sha256', l.digest.slice(7))), `${l.digest} in the directory`);
  // And it serves a third store.
  const third = freshStore(s, 'third');
  const again = build(third, s.context, ['--cache-from', `type=local,src=${dest}`]);
  assert.deepEqual(ran(again.stderr), [], again.stderr);
  assert.equal(imageId(third), imageId(s.root));
});

test('on a machine without the base images, a full hit resolves them (manifest and config) and never downloads a stage base the final image lacks', async (t) => {
  const registry = await startRegistry(t);
  const s = setup(t);
  // Two base images in the registry: the final stage's, and a builder image with a layer more.
  const base = `${registry.host}/test/base:v1`;
  const builderBase = `${registry.host}/test/builder:v1`;
  ok(lade(['--root', s.root, 'tag', 'lade-fixture/base:1', base]), 'tag');
  ok(lade(['--root', s.root, 'push', base]), 'push base');
  const builderContext = join(s.dir, 'builder-image');
  mkdirSync(builderContext);
  writeFileSync(join(builderContext, 'Dockerfile'), 'FROM lade-fixture/base:1\nRUN echo toolchain > /toolchain\n');
  ok(lade(['--root', s.root, 'build', '-q', '-t', builderBase, builderContext]), 'build the builder image');
  ok(lade(['--root', s.root, 'push', builderBase]), 'push builder');
  writeFileSync(join(s.context, 'Dockerfile'), DOCKERFILE.replace('FROM lade-fixture/base:1 AS build', `FROM ${builderBase} AS build`).replace('FROM lade-fixture/base:1\n', `FROM ${base}\n`));

  const ref = `${registry.host}/test/cache:bases`;
  build(s.root, s.context, ['--cache-to', `type=registry,ref=${ref},mode=max`]);
  const builderLayer = (JSON.parse(ok(lade(['--root', s.root, 'image', 'inspect', builderBase]), 'inspect').stdout) as Array<{ RootFS: { Layers: string[] } }>)[0]!.RootFS.Layers.at(-1)!;
  const builderManifest = await (await fetch(`${registry.url}/v2/test/builder/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).json() as { layers: Array<{ digest: string }> };
  const builderBlob = builderManifest.layers.at(-1)!.digest;

  // A store with nothing in it at all.
  const empty = join(s.dir, 'empty-root');
  const before = logLines(registry);
  const hit = build(empty, s.context, ['--cache-from', ref]);
  assert.deepEqual(ran(hit.stderr), [], hit.stderr);
  const downloaded = blobRequests(registry, 'GET', before);
  assert.ok(!downloaded.includes(builderBlob), 'the builder image\'s own layer was downloaded');
  assert.match(hit.stderr, new RegExp(`load metadata for ${builderBase.replace(/[./]/g, '\\$&')}`));
  const cacheLayers = (await cacheManifest(registry, 'test/cache', 'bases')).layers;
  assert.ok(!cacheLayers.some((l) => l.annotations['containerd.io/uncompressed'] === builderLayer && downloaded.includes(l.digest)), 'nor its copy in the cache');
  assert.equal(imageId(empty), imageId(s.root));
  assert.equal(finalFile(empty), 'beta\nprep\nalpha\n');
  assert.notEqual(lade(['--root', empty, 'image', 'inspect', builderBase]).status, 0, 'the builder image was not pulled');
});

test('token auth: the cache goes to and comes from a registry that wants Bearer tokens, with the credentials of lade login', async (t) => {
  const registry = await startRegistry(t, { auth: 'token' });
  const s = setup(t);
  const env = { DOCKER_CONFIG: join(s.dir, 'docker-config') };
  const run = async (args: string[], input?: string) => {
    const r = await ladeAsync(args, { env, ...(input === undefined ? {} : { input }) });
    assert.equal(r.status, 0, `${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const ref = `${registry.host}/test/cache:auth`;
  const refused = await ladeAsync(['--root', s.root, 'build', '-q', '--cache-to', `type=registry,ref=${ref}`, s.context], { env });
  assert.equal(refused.status, 1, 'no credentials: the export fails');
  assert.match(refused.stderr, /exporting the build cache to .* failed: .*(unauthorized|authentication)/i);
  await run(['login', '-u', registry.user!, '--password-stdin', registry.host], registry.password!);
  await run(['--root', s.root, 'build', '-q', '-t', 'cache-test', '--cache-to', `type=registry,ref=${ref},mode=max`, s.context]);
  const fresh = freshStore(s, 'fresh');
  const hit = await run(['--root', fresh, 'build', '--progress', 'plain', '-t', 'cache-test', '--cache-from', ref, s.context]);
  assert.deepEqual(ran(hit.stderr), [], hit.stderr);
  assert.equal(imageId(fresh), imageId(s.root));
  // Tokens were asked for the scopes the requests needed, push only for the export.
  const scopes = registry.tokenRequests!().flatMap((r) => r.scope);
  assert.ok(scopes.includes('repository:test/cache:pull,push'), JSON.stringify(scopes));
  assert.ok(scopes.includes('repository:test/cache:pull'), JSON.stringify(scopes));
});

test('layers go out while the build runs; a build that fails exports no cache and says only why it failed', async (t) => {
  const registry = await startRegistry(t);
  const s = setup(t);
  writeFileSync(join(s.context, 'Dockerfile'), `${DOCKERFILE}RUN exit 3\n`);
  const ref = `${registry.host}/test/cache:failed`;
  const failed = lade(['--root', s.root, 'build', '--progress', 'plain', '--cache-to', `type=registry,ref=${ref},mode=max`, s.context]);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /did not complete successfully: exit code: 3/);
  assert.doesNotMatch(failed.stderr, /exporting the build cache/);
  // The steps before the failing one sent their layers as they finished; no manifest names them.
  assert.ok(uploads(registry).length > 0, 'layers were sent during the build');
  assert.equal((await fetch(`${registry.url}/v2/test/cache/manifests/failed`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 404);
});
