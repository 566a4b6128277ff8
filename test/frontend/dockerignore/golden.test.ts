// Golden build-context listings: each case's context is rebuilt from its folder, walked by lade
// the way BuildKit sends it, and compared with expected.txt (see record.sh). expected.txt is
// Docker 20.10's recording where current BuildKit agrees with it; where it does not, or where
// 20.10 cannot show the behaviour, the case has a README.md saying so, expected.txt holds current
// behaviour confirmed against upstream code, and any 20.10 recording is kept as docker-20.10.txt.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ErrorCode, isLadeError } from '../../../src/errors/index.js';
import {
  createIgnoreMatcher,
  loadDockerignore,
  parseDockerignore,
  walkContextDir,
} from '../../../src/frontend/dockerignore/index.js';
import { fixturesDir } from '../../helpers/paths.js';

const casesDir = join(fixturesDir, 'dockerignore');
const cases = readdirSync(casesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(casesDir, e.name, 'tree.txt')))
  .map((e) => e.name)
  .sort();

const scratch = await mkdtemp(join(tmpdir(), 'lade-dockerignore-golden-'));
after(() => rm(scratch, { recursive: true, force: true }));

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const linesOf = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

/** Rebuilds a case exactly as record.sh does; returns the context and the Dockerfile path to load with. */
async function materialise(name: string): Promise<{ context: string; dockerfile: string }> {
  const src = join(casesDir, name);
  const root = join(scratch, name);
  const context = join(root, 'context');
  await mkdir(context, { recursive: true });
  for (const part of ['context', 'outside']) {
    if (existsSync(join(src, part))) await cp(join(src, part), join(root, part), { recursive: true });
  }
  for (const entry of linesOf(join(src, 'tree.txt'))) {
    const path = join(context, entry);
    if (entry.endsWith('/')) {
      await mkdir(path, { recursive: true });
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, `${entry}\n`);
    }
  }
  const chosen = existsSync(join(src, 'dockerfile.txt')) ? join(root, linesOf(join(src, 'dockerfile.txt'))[0]!) : undefined;
  // Docker's default is Dockerfile, falling back to a lowercase dockerfile when only that exists.
  const lowercase = existsSync(join(context, 'dockerfile')) && !existsSync(join(context, 'Dockerfile'));
  const created = chosen ?? join(context, lowercase ? 'dockerfile' : 'Dockerfile');
  if (!existsSync(created)) {
    await mkdir(dirname(created), { recursive: true });
    await writeFile(created, 'FROM scratch\nCOPY . /ctx/\n');
  }
  return { context, dockerfile: chosen ?? join(context, 'Dockerfile') };
}

/** What lade sends, as record.sh lists an image: byte-sorted, directories ending in "/". */
async function sent(context: string, dockerfile: string): Promise<string[]> {
  const loaded = await loadDockerignore(context, dockerfile);
  const matcher = loaded === undefined ? undefined : createIgnoreMatcher(loaded.rules, loaded.file);
  const out: string[] = [];
  for (const { path, entry } of walkContextDir(context, matcher)) out.push(entry.isDirectory() ? `${path}/` : path);
  return out.sort(byteOrder);
}

describe('dockerignore golden cases', () => {
  test('there are enough cases, each with exactly one expectation', () => {
    assert.ok(cases.length >= 30, `only ${cases.length} cases under ${casesDir}`);
    for (const name of cases) {
      const expected = ['expected.txt', 'expected-error.txt'].filter((f) => existsSync(join(casesDir, name, f)));
      assert.equal(expected.length, 1, `${name}: expectations ${JSON.stringify(expected)}`);
    }
  });

  test('a kept Docker 20.10 recording comes with a README saying why lade differs', () => {
    for (const name of cases) {
      const kept = ['docker-20.10.txt', 'docker-20.10-error.txt'].some((f) => existsSync(join(casesDir, name, f)));
      if (kept) assert.ok(existsSync(join(casesDir, name, 'README.md')), `${name}: docker-20.10 recording without README.md`);
    }
  });

  for (const name of cases) {
    test(name, async () => {
      const { context, dockerfile } = await materialise(name);
      const errorFile = join(casesDir, name, 'expected-error.txt');
      if (existsSync(errorFile)) {
        await assertRejectedLikeDocker(context, dockerfile, readFileSync(errorFile, 'utf8').trim());
        return;
      }
      assert.deepEqual(await sent(context, dockerfile), linesOf(join(casesDir, name, 'expected.txt')));
    });
  }
});

/**
 * Docker fails these builds: while reading the patterns, or while sending the context when it
 * first tries a pattern its regexp engine rejects. lade must fail at the same stage, with a
 * DockerignorePattern error located at the culprit line of the file that was read.
 */
async function assertRejectedLikeDocker(context: string, dockerfile: string, dockerError: string): Promise<void> {
  let caught: unknown;
  let stage = 'load';
  try {
    const loaded = await loadDockerignore(context, dockerfile);
    stage = 'walk';
    const matcher = loaded === undefined ? undefined : createIgnoreMatcher(loaded.rules, loaded.file);
    for (const _ of walkContextDir(context, matcher));
  } catch (err) {
    caught = err;
  }
  assert.ok(isLadeError(caught), `Docker failed (${dockerError}) but lade sent the context`);
  assert.equal(caught.code, ErrorCode.DockerignorePattern);
  // BuildKit's "invalid excludepatterns" comes from building the matcher, "failed to match" from the walk.
  assert.equal(stage, dockerError.includes('failed to match') ? 'walk' : 'load', caught.message);
  const location = caught.location;
  assert.ok(location !== undefined);
  assert.equal(location.file, join(context, '.dockerignore'));
  const line = readFileSync(location.file, 'utf8').split('\n')[location.line - 1];
  assert.ok(line !== undefined, `line ${location.line} does not exist`);
  assert.throws(() => {
    // The blamed line alone must fail the same way: when read, or when a path is tried against it.
    const rules = parseDockerignore(line, 'single line');
    createIgnoreMatcher(rules.map((r) => ({ ...r, exclusion: false }))).matchesOrParentMatches('x');
  }, `line ${location.line} (${line}) is fine on its own`);
}
