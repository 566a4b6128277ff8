// Images pulled where Docker pulls them: a FROM whose image the store lacks, `build --pull`
// refreshing a base image that changed in the registry, and `lade run` of an image not yet pulled.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { baseStore } from '../build/fixture-cases.js';
import { ladeAsync, type Run } from '../helpers/lade-cli.js';
import { startRegistry } from '../helpers/registry.js';

function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'lade-pull-on-use-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function lade(args: string[]): Promise<Run> {
  return ladeAsync(args);
}

function ok(r: Run, what: string): Run {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function context(dir: string, dockerfile: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

async function layers(root: string, name: string): Promise<string[]> {
  const r = ok(await lade(['--root', root, 'image', 'inspect', '--format', '{{json .RootFS.Layers}}', name]), 'inspect');
  return JSON.parse(r.stdout) as string[];
}

test('FROM pulls a base image the store lacks; --pull takes the registry\'s newer one; lade run pulls too', async (t) => {
  const registry = await startRegistry(t);
  const base = baseStore();
  t.after(() => rmSync(join(base.root, '..'), { recursive: true, force: true }));
  const dir = scratch(t);
  const name = `${registry.host}/test/base:v1`;
  assert.equal(base.run(['tag', 'lade-fixture/base:1', name]).status, 0);
  ok(await lade(['--root', base.root, 'push', name]), 'push v1');

  const builder = join(dir, 'builder-root');
  const app = context(join(dir, 'app'), `FROM ${name}\nRUN echo built > /built\n`);
  const first = ok(await lade(['--root', builder, 'build', '--progress', 'plain', '-t', 'app', app]), 'build pulling its base');
  assert.match(first.stderr, new RegExp(`load metadata for ${registry.host.replace(/\./g, '\\.')}/test/base:v1`));
  const v1 = await layers(builder, name);
  assert.deepEqual((await layers(builder, 'app')).slice(0, v1.length), v1);

  // The tag moves to an image with one more layer.
  const v2ctx = context(join(dir, 'v2'), 'FROM lade-fixture/base:1\nRUN echo two > /v2\n');
  assert.equal(base.run(['build', '-q', '-t', name, v2ctx]).status, 0);
  ok(await lade(['--root', base.root, 'push', name]), 'push v2');

  // Without --pull the local base stays; with it the new one is used.
  ok(await lade(['--root', builder, 'build', '-q', '-t', 'app', app]), 'build without --pull');
  assert.equal((await layers(builder, 'app')).length, v1.length + 1);
  ok(await lade(['--root', builder, 'build', '--pull', '-q', '-t', 'app', app]), 'build --pull');
  const v2 = await layers(builder, name);
  assert.equal(v2.length, v1.length + 1);
  assert.deepEqual((await layers(builder, 'app')).slice(0, v2.length), v2);

  const runner = join(dir, 'runner-root');
  const ran = ok(await lade(['--root', runner, 'run', '--rm', name, 'cat', '/v2']), 'run of an image not pulled yet');
  assert.equal(ran.stdout, 'two\n');
  assert.match(ran.stderr, new RegExp(`Unable to find image '${registry.host.replace(/\./g, '\\.')}/test/base:v1' locally`));
  assert.match(ran.stderr, /Status: Downloaded newer image/);
});

test('a base image that cannot be pulled fails the build with the Dockerfile line and the registry\'s answer', async (t) => {
  const registry = await startRegistry(t);
  const dir = scratch(t);
  const app = context(join(dir, 'app'), `FROM ${registry.host}/test/missing:v1\nRUN true\n`);
  const r = await lade(['--root', join(dir, 'root'), 'build', '--progress', 'plain', app]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Dockerfile:1: .*test\/missing:v1: resolving the base image failed: manifest for .* not found/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const unreachable = await lade(['--root', join(dir, 'root'), 'run', '--rm', '127.0.0.1:1/none:x', 'true']);
  assert.equal(unreachable.status, 125);
  assert.match(unreachable.stderr, /cannot reach the registry 127\.0\.0\.1:1/);
});
