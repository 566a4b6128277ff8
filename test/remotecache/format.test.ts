// lade's cache config: the same records give the same bytes whatever order they come in,
// layers shared by records are listed once, and anything malformed is refused as CACHE_INVALID
// (which --cache-from reports and skips).
import assert from 'node:assert/strict';
import test from 'node:test';
import { LadeError } from '../../src/errors/index.js';
import { buildConfig, buildInline, encodeConfig, parseConfig, parseInline } from '../../src/remotecache/format.js';
import { parseCacheFrom, parseCacheTo } from '../../src/remotecache/options.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
/** A gzip layer: its digest all `c`, its diffID the same but for a last 0. */
const layer = (c: string, created?: string) => ({ digest: d(c), diffId: `${d(c).slice(0, -1)}0`, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 10, unpacked: 20, ...(created === undefined ? {} : { created }) });

test('buildConfig: records sorted by key, layers listed once in order of first use, bytes independent of input order', () => {
  const base = layer('a');
  const mid = layer('b', '2026-01-01T00:00:00Z');
  const top = layer('c', '2026-01-02T00:00:00Z');
  const entries = [
    { key: d('f'), layers: [base, mid, top], name: 'RUN top' },
    { key: d('e'), layers: [base, mid], name: 'RUN mid' },
  ];
  const config = buildConfig('lade.cachekey.v1', entries);
  assert.deepEqual(config.records.map((r) => [r.key, r.layers]), [[d('e'), [0, 1]], [d('f'), [0, 1, 2]]]);
  assert.equal(config.layers.length, 3);
  assert.deepEqual(encodeConfig(buildConfig('lade.cachekey.v1', [...entries].reverse())), encodeConfig(config));
  assert.deepEqual(parseConfig(encodeConfig(config), 'here'), config);
});

test('parseConfig refuses what is not a whole cache config, naming where it came from', () => {
  const good = JSON.parse(encodeConfig(buildConfig('v', [{ key: d('e'), layers: [layer('a')] }])).toString()) as Record<string, unknown>;
  const bad: Array<[unknown, RegExp]> = [
    ['not json', /not JSON/],
    [{ layers: [], records: [] }, /lacks keyVersion/],
    [{ ...good, records: [{ key: d('e'), layers: [3] }] }, /names a layer that is not there/],
    [{ ...good, records: [{ key: 'e', layers: [0] }] }, /record 0 is malformed/],
    [{ ...good, layers: [{ digest: 'md5:x', diffId: d('a'), mediaType: 'x', size: 1 }] }, /no sha256 digest/],
  ];
  for (const [doc, message] of bad) {
    assert.throws(
      () => parseConfig(Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)), 'reg/cache:v1'),
      (err: unknown) => err instanceof LadeError && err.code === 'CACHE_INVALID' && message.test(err.message) && err.message.includes('reg/cache:v1'),
    );
  }
});

test('inline: records name the image\'s first layers, which take their descriptors from the manifest and diffIDs from the config', () => {
  const layers = [layer('a'), layer('b', '2026-01-01T00:00:00Z')];
  const inline = buildInline('v', layers, [{ key: d('e'), layers: layers.slice(0, 1) }, { key: d('f'), layers }]);
  const config = { rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) }, 'lade.buildcache.v1': inline };
  const parsed = parseInline(config, layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })), 'img')!;
  assert.deepEqual(parsed.layers, layers);
  assert.deepEqual(parsed.records.map((r) => r.layers), [[0], [0, 1]]);
  assert.equal(parseInline({ rootfs: config.rootfs }, [], 'img'), undefined, 'no inline cache');
  assert.throws(() => parseInline({ ...config, 'lade.buildcache.v1': { ...inline, records: [{ key: d('e'), layers: 3 }] } }, layers, 'img'), /names layers that are not there/);
});

test('--cache-to and --cache-from: buildx forms and defaults', () => {
  assert.deepEqual(parseCacheTo('reg/app:cache'), { type: 'registry', ref: 'reg/app:cache', mode: 'min', compression: 'gzip', imageManifest: true, ignoreError: false });
  assert.deepEqual(parseCacheTo('type=local,dest=/tmp/c,mode=max,compression=zstd,image-manifest=false,ignore-error=true'), {
    type: 'local',
    dest: '/tmp/c',
    tag: 'latest',
    mode: 'max',
    compression: 'zstd',
    imageManifest: false,
    ignoreError: true,
  });
  assert.deepEqual(parseCacheTo('type=inline'), { type: 'inline', ignoreError: false });
  assert.deepEqual(parseCacheFrom('type=registry,ref=reg/app:cache'), { type: 'registry', ref: 'reg/app:cache' });
  assert.deepEqual(parseCacheFrom('type=local,src=/tmp/c,tag=v2'), { type: 'local', src: '/tmp/c', tag: 'v2' });
  assert.throws(() => parseCacheTo('type=registry,ref=x,compression=lz4'), /compression must be gzip or zstd/);
  assert.throws(() => parseCacheTo('type=registry,ref=x,image-manifest=yes'), /image-manifest must be true or false/);
  assert.throws(() => parseCacheFrom('type=local'), /needs src=/);
});
