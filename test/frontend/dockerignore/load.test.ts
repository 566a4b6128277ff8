// Which ignore file a build uses (BuildKit's Dockerfile frontend, Docker 20.10). The recorded
// cases dockerfile-specific-* and dockerfile-lowercase in golden.test.ts show Docker doing it.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ErrorCode, isLadeError } from '../../../src/errors/index.js';
import { loadDockerignore } from '../../../src/frontend/dockerignore/index.js';

const scratch = await mkdtemp(join(tmpdir(), 'lade-dockerignore-load-'));
after(() => rm(scratch, { recursive: true, force: true }));

let counter = 0;
/** A fresh context directory holding the given files. */
async function context(files: Record<string, string>): Promise<string> {
  const dir = join(scratch, `ctx${counter++}`);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

const patternsOf = (loaded: Awaited<ReturnType<typeof loadDockerignore>>) => loaded?.rules.map((r) => r.pattern);

describe('loadDockerignore', () => {
  test('reads <context>/.dockerignore', async () => {
    const dir = await context({ '.dockerignore': 'a\n', Dockerfile: '' });
    const loaded = await loadDockerignore(dir, join(dir, 'Dockerfile'));
    assert.equal(loaded?.file, join(dir, '.dockerignore'));
    assert.deepEqual(patternsOf(loaded), ['a']);
  });

  test('<Dockerfile>.dockerignore next to the Dockerfile wins, without merging', async () => {
    const dir = await context({ '.dockerignore': 'a\n', 'Dockerfile.dockerignore': 'b\n' });
    const loaded = await loadDockerignore(dir, join(dir, 'Dockerfile'));
    assert.equal(loaded?.file, join(dir, 'Dockerfile.dockerignore'));
    assert.deepEqual(patternsOf(loaded), ['b']);
  });

  test('the specific file follows a Dockerfile outside the context, named by its base name', async () => {
    const dir = await context({
      'ctx/.dockerignore': 'a\n',
      'ctx/app.Dockerfile.dockerignore': 'wrong\n',
      'build/app.Dockerfile.dockerignore': 'b\n',
    });
    const loaded = await loadDockerignore(join(dir, 'ctx'), join(dir, 'build', 'app.Dockerfile'));
    assert.equal(loaded?.file, join(dir, 'build', 'app.Dockerfile.dockerignore'));
    assert.deepEqual(patternsOf(loaded), ['b']);
  });

  test('an empty specific file still wins, so nothing is ignored', async () => {
    const dir = await context({ '.dockerignore': 'a\n', 'Dockerfile.dockerignore': '' });
    const loaded = await loadDockerignore(dir, join(dir, 'Dockerfile'));
    assert.equal(loaded?.file, join(dir, 'Dockerfile.dockerignore'));
    assert.deepEqual(loaded?.rules, []);
  });

  test('no ignore file at all, or a directory in its place, means undefined', async () => {
    const none = await context({ Dockerfile: '' });
    assert.equal(await loadDockerignore(none, join(none, 'Dockerfile')), undefined);
    const dirs = await context({ '.dockerignore/x': '', 'Dockerfile.dockerignore/y': '' });
    assert.equal(await loadDockerignore(dirs, join(dirs, 'Dockerfile')), undefined);
  });

  test('a .dockerignore that excludes itself and the Dockerfile is still read', async () => {
    const dir = await context({ '.dockerignore': '.dockerignore\nDockerfile\n' });
    assert.deepEqual(patternsOf(await loadDockerignore(dir, join(dir, 'Dockerfile'))), ['.dockerignore', 'Dockerfile']);
  });

  test('keeps CRLF and a BOM for the parser to handle', async () => {
    const dir = await context({ '.dockerignore': '\uFEFF#c\r\na\r\n' });
    const loaded = await loadDockerignore(dir, join(dir, 'Dockerfile'));
    assert.deepEqual(loaded?.rules, [{ pattern: 'a', exclusion: false, line: 2 }]);
  });

  test('a bad pattern is reported in the file that was read', async () => {
    const dir = await context({ '.dockerignore': 'ok\n', 'Dockerfile.dockerignore': 'ok\n\n[x\n' });
    await assert.rejects(loadDockerignore(dir, join(dir, 'Dockerfile')), (err) => {
      assert.ok(isLadeError(err));
      assert.equal(err.code, ErrorCode.DockerignorePattern);
      assert.deepEqual(err.location, { file: join(dir, 'Dockerfile.dockerignore'), line: 3 });
      return true;
    });
  });

  test('a file that exists but cannot be read is a FileRead error, not a silent fallback', async () => {
    const dir = await context({ '.dockerignore': 'a\n' });
    // A symlink loop fails with ELOOP even for root, unlike permission bits.
    await symlink('Dockerfile.dockerignore', join(dir, 'Dockerfile.dockerignore'));
    await assert.rejects(loadDockerignore(dir, join(dir, 'Dockerfile')), (err) => {
      assert.ok(isLadeError(err));
      assert.equal(err.code, ErrorCode.FileRead);
      assert.match(err.message, /Dockerfile\.dockerignore/);
      return true;
    });
  });
});
