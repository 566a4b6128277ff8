// The README's main job, end to end as root: make the example's base image, build the example
// (two stages, RUN, COPY --from) and run the image it made.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/tar-fixtures.js';

test('README quickstart: examples/app builds and runs', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  assert.match(readme, /examples\/app\/make-base\.sh/);
  assert.match(readme, /lade build -t app examples\/app && sudo \.\/bin\/lade run --rm app/);
  const env = { ...process.env, LADE_ROOT: join(tempDir('lade-readme-'), 'root') };
  const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { cwd: repoRoot, env, encoding: 'utf8' });
  const base = sh('examples/app/make-base.sh');
  assert.equal(base.status, 0, base.stderr);
  const built = sh('./bin/lade build -t app examples/app');
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stderr, /selftest ok as root/);
  const ran = sh('./bin/lade run --rm app');
  assert.equal(ran.status, 0, ran.stderr);
  assert.match(ran.stdout, /^hello from .+, built lade\n$/);
  const user = sh('./bin/lade run --rm app id -un');
  assert.equal(user.stdout, 'app\n');
});
